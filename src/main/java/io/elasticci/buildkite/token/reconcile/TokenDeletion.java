package io.elasticci.buildkite.token.reconcile;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import io.elasticci.buildkite.token.api.v1alpha1.BuildkiteAgentToken;
import io.elasticci.buildkite.token.api.v1alpha1.BuildkiteAgentTokenSpec;
import io.elasticci.buildkite.token.api.v1alpha1.BuildkiteAgentTokenStatus;
import io.elasticci.buildkite.token.api.v1alpha1.DeletionPolicy;
import io.elasticci.buildkite.token.aws.AwsScope;
import io.elasticci.buildkite.token.config.OperatorConfig;
import io.elasticci.buildkite.token.plan.DesiredToken;
import io.elasticci.buildkite.token.plan.Problem;
import io.elasticci.buildkite.token.plan.Reason;
import io.elasticci.buildkite.token.plan.Withdrawal;
import io.elasticci.buildkite.token.reconcile.act.EventPublisher;
import io.elasticci.buildkite.token.reconcile.act.EventReason;
import io.elasticci.buildkite.token.reconcile.report.OperatorCauses;
import io.elasticci.buildkite.token.reconcile.report.StatusAggregator;
import io.elasticci.buildkite.token.reconcile.report.StatusWriter;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.DeleteControl;

/**
 * A deleted BuildkiteAgentToken: the finalizer stays until what the resource made in AWS is gone (or retained, as
 * its deletionPolicy says). A deletion that cannot finish keeps the finalizer, says why in status (Ready=False,
 * the step and the region) and is retried with a growing delay; it never hangs silently.
 */
@ApplicationScoped
public class TokenDeletion {

    private static final Logger LOG = Logger.getLogger(TokenDeletion.class);

    private final OperatorConfig config;
    private final Deletion deletion;
    private final InstallationSettings installation;
    private final EventPublisher events;
    private final OperatorCauses causes;
    private final Clock clock;
    private final SpecValidator validator;
    private final String version;
    private final StatusWriter statusWriter;

    @Inject
    public TokenDeletion(OperatorConfig config, Deletion deletion, InstallationSettings installation,
            EventPublisher events, OperatorCauses causes, Clock clock, StatusWriter statusWriter,
            @ConfigProperty(name = "quarkus.application.version", defaultValue = "unknown") String version) {
        this.statusWriter = statusWriter;
        this.config = config;
        this.deletion = deletion;
        this.installation = installation;
        this.events = events;
        this.causes = causes;
        this.clock = clock;
        this.version = version;
        this.validator = new SpecValidator(config.allowedSecretNamePrefixes(), config.allowedNamespaces());
    }

    public DeleteControl cleanup(BuildkiteAgentToken resource, Context<BuildkiteAgentToken> context) {
        ResourceReads.readLatestStatus(resource, context);
        BuildkiteAgentToken asRead = ResourceReads.asRead(resource, context);
        Optional<Problem> notUnderstood = Understanding.unreadable(asRead, version)
                .or(() -> Understanding.unknownFields(asRead, version));
        if (notUnderstood.isPresent()) {
            // What the resource asks on deletion may be in the part this build cannot read: report, do not act.
            Problem waiting = new Problem(notUnderstood.get().reason(), Problem.Scope.SECRET, null,
                    "deletion waits: " + notUnderstood.get().message() + "; to delete without changing AWS, remove "
                            + "the finalizer: kubectl -n " + resource.getMetadata().getNamespace() + " patch bkat "
                            + resource.getMetadata().getName() + " --type merge -p '{\"metadata\":{\"finalizers\":null}}'");
            report(resource, null, List.of(waiting));
            return DeleteControl.noFinalizerRemoval().rescheduleAfter(config.resyncInterval());
        }
        BuildkiteAgentTokenSpec spec = resource.getSpec();
        if (spec.isSuspend()) {
            return skipped(resource, "spec.suspend is set");
        }
        List<String> errors = validator.validate(resource.getMetadata().getNamespace(), spec);
        if (!errors.isEmpty()) {
            return skipped(resource, "the spec is invalid (" + String.join("; ", errors) + ")");
        }
        String clusterId;
        VersionTokens tokens;
        try {
            clusterId = installation.clusterId();
            tokens = installation.versionTokens();
        } catch (OperatorSetupException e) {
            Problem misconfigured = Problem.secret(Reason.OperatorMisconfigured, null, e.getMessage());
            causes.observe(List.of(misconfigured));
            report(resource, null, List.of(misconfigured));
            return DeleteControl.noFinalizerRemoval().rescheduleAfter(config.accessDeniedRetryInterval());
        }
        DesiredToken desired = DesiredTokens.of(resource, clusterId, context.getPrimaryCache().list().toList());
        Withdrawal withdrawal = withdrawal(spec);
        Deletion.Result result = AwsScope.with(AwsPrincipals.of(resource), () -> deletion.run(desired, withdrawal,
                tokens, DesiredTokens.previousRoles(resource), action -> events.publish(resource, action)));
        result.failure().ifPresent(f -> events.publish(resource, EventReason.ActionFailed, "deleting: " + f.message()));
        causes.observe(result.problems());
        if (result.finished() && !result.problems().isEmpty()) {
            return skipped(resource, result.problems().get(0).message());
        }
        if (result.finished()) {
            events.publish(resource, EventReason.DeletionFinished, finishedMessage(desired, withdrawal));
            return DeleteControl.defaultDelete();
        }
        List<Problem> problems = new ArrayList<>();
        result.problems().forEach(p -> problems.add(new Problem(p.reason(), p.scope(), p.region(),
                "deleting: " + p.message())));
        problems.add(Problem.secret(Reason.Deleting, desired.primaryRegion(), "deleting with deletionPolicy "
                + policyName(spec) + ": " + (result.failure().isPresent() ? "a step failed, retrying"
                        : "removing what this resource made in AWS")));
        report(resource, desired, problems);
        return DeleteControl.noFinalizerRemoval().rescheduleAfter(retryAfter(resource, result));
    }

    static Withdrawal withdrawal(BuildkiteAgentTokenSpec spec) {
        boolean delete = spec.getDeletionPolicy() == DeletionPolicy.Delete;
        return new Withdrawal(delete, Objects.requireNonNullElse(spec.getRecoveryWindowInDays(),
                Withdrawal.DEFAULT_RECOVERY_WINDOW_DAYS), !delete && Boolean.TRUE.equals(spec.getRetainGrants()));
    }

    private static String policyName(BuildkiteAgentTokenSpec spec) {
        return spec.getDeletionPolicy() == null ? DeletionPolicy.Retain.name() : spec.getDeletionPolicy().name();
    }

    private static String finishedMessage(DesiredToken desired, Withdrawal withdrawal) {
        if (withdrawal.deleteSecret()) {
            return "secret " + desired.secretName() + ": grants removed, replicas removed, deletion scheduled in "
                    + withdrawal.recoveryWindowInDays() + " days (RestoreSecret restores it until then), unless "
                    + "another resource owns it";
        }
        return "secret " + desired.secretName() + " retained"
                + (withdrawal.retainGrants() ? " with its grants (retainGrants)" : ", its grants removed")
                + "; the owner tag is gone, so another resource may take it over";
    }

    /** A step in progress is looked at soon; a failing one ever more slowly, from the transient retry interval up. */
    private Duration retryAfter(BuildkiteAgentToken resource, Deletion.Result result) {
        if (result.failure().isEmpty()) {
            return config.progressInterval();
        }
        Reason reason = result.failure().get().reason();
        if (reason == Reason.AccessDenied || reason == Reason.CredentialsUnavailable) {
            return config.accessDeniedRetryInterval();
        }
        Instant since = Optional.ofNullable(resource.getMetadata().getDeletionTimestamp()).map(Instant::parse)
                .orElse(clock.instant());
        Duration half = Duration.between(since, clock.instant()).dividedBy(2);
        Duration floor = config.transientRetryInterval();
        Duration ceiling = config.accessDeniedRetryInterval();
        return half.compareTo(floor) < 0 ? floor : half.compareTo(ceiling) > 0 ? ceiling : half;
    }

    private DeleteControl skipped(BuildkiteAgentToken resource, String why) {
        BuildkiteAgentTokenStatus status = resource.getStatus();
        String left = status == null || status.secretArn == null ? "" : " (secret " + status.secretArn + ")";
        events.publish(resource, EventReason.DeletionSkipped, why + ": nothing in AWS was changed on deletion; "
                + "grants this resource made earlier remain" + left);
        return DeleteControl.defaultDelete();
    }

    private void report(BuildkiteAgentToken resource, DesiredToken desired,
            List<Problem> problems) {
        long generation = Objects.requireNonNullElse(resource.getMetadata().getGeneration(), 0L);
        StatusAggregator.Outcome outcome = new StatusAggregator.Outcome(generation, StatusAggregator.Mode.NORMAL,
                Optional.ofNullable(desired), Optional.empty(), List.of(), List.of(), problems);
        BuildkiteAgentTokenStatus status = StatusAggregator.build(outcome, resource.getStatus(), clock.instant());
        try {
            statusWriter.write(resource, status);
        } catch (KubernetesClientException e) {
            LOG.debugf("status of deleted %s not written (HTTP %d)", resource.getMetadata().getName(), e.getCode());
        }
        resource.setStatus(status); // what metrics report for this step
    }
}
