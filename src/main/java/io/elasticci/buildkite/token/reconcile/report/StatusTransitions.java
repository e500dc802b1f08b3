package io.elasticci.buildkite.token.reconcile.report;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import io.elasticci.buildkite.token.api.v1alpha1.BuildkiteAgentToken;
import io.elasticci.buildkite.token.api.v1alpha1.BuildkiteAgentTokenStatus;
import io.elasticci.buildkite.token.api.v1alpha1.Condition;
import io.elasticci.buildkite.token.plan.Reason;
import io.elasticci.buildkite.token.reconcile.act.EventPublisher;
import io.elasticci.buildkite.token.reconcile.act.EventReason;

/** Events for what changed between two statuses: the resource stalling, a version becoming revocable. */
@ApplicationScoped
public class StatusTransitions {

    private static final Logger LOG = Logger.getLogger(StatusTransitions.class);

    private final EventPublisher events;

    @Inject
    public StatusTransitions(EventPublisher events) {
        this.events = events;
    }

    public void announce(BuildkiteAgentToken resource, BuildkiteAgentTokenStatus previous,
            BuildkiteAgentTokenStatus status) {
        announceStall(resource, previous, status);
        announceRevocable(resource, previous, status);
    }

    /** One Warning Event when the resource becomes Stalled, or stalls for another reason. */
    private void announceStall(BuildkiteAgentToken resource, BuildkiteAgentTokenStatus previous,
            BuildkiteAgentTokenStatus status) {
        Optional<Condition> stalled = StatusConditions.find(status, StatusAggregator.STALLED)
                .filter(c -> "True".equals(c.getStatus()));
        Optional<Condition> before = StatusConditions.find(previous, StatusAggregator.STALLED);
        if (stalled.isPresent() && (before.isEmpty() || !"True".equals(before.get().getStatus())
                || !Objects.equals(before.get().getMessage(), stalled.get().getMessage()))) {
            events.publish(resource, EventReason.ReconcileStalled,
                    stalled.get().getReason() + ": " + stalled.get().getMessage());
            if (Reason.Unreadable.name().equals(stalled.get().getReason())) {
                // the one log line that names the object (its informer keeps running for every other resource)
                LOG.warnf("BuildkiteAgentToken %s/%s cannot be read: %s", resource.getMetadata().getNamespace(),
                        resource.getMetadata().getName(), stalled.get().getMessage());
            }
        }
    }

    /** One Event per version that became revocable. */
    private void announceRevocable(BuildkiteAgentToken resource, BuildkiteAgentTokenStatus previous,
            BuildkiteAgentTokenStatus status) {
        List<String> before = previous == null || previous.rotation == null ? List.of()
                : previous.rotation.revocableVersionIds;
        if (status.rotation != null) {
            status.rotation.revocableVersionIds.stream().filter(v -> !before.contains(v))
                    .forEach(v -> events.publish(resource, EventReason.VersionRevocable, "version " + v
                            + " is no longer held by any running instance: its token may be revoked in Buildkite"));
        }
    }
}
