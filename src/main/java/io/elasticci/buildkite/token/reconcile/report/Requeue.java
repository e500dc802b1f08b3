package io.elasticci.buildkite.token.reconcile.report;

import java.time.Duration;
import java.util.Optional;

import io.elasticci.buildkite.token.config.OperatorConfig;
import io.elasticci.buildkite.token.plan.Problem;
import io.elasticci.buildkite.token.plan.Reason;

/** When to look again: soon while something is in progress, slowly after AccessDenied, else the drift resync. */
public final class Requeue {

    private Requeue() {
    }

    public static Optional<Duration> after(StatusAggregator.Outcome outcome, OperatorConfig config) {
        if (outcome.mode() == StatusAggregator.Mode.SUSPENDED) {
            return Optional.empty(); // resumed by the spec change that clears suspend
        }
        if (outcome.problems().stream().anyMatch(p -> p.reason() == Reason.InvalidSpec)
                && outcome.problems().stream().noneMatch(p -> p.reason() == Reason.CRDOutdated)) {
            return Optional.empty(); // only a spec change can help, and it triggers a reconcile
        }
        Duration delay = config.resyncInterval();
        if (outcome.mode() != StatusAggregator.Mode.DRY_RUN && !outcome.pending().isEmpty()) {
            delay = min(delay, config.progressInterval());
        }
        if (refreshRunning(outcome)) {
            // see RotationState.refreshesEnded
            delay = min(delay, config.progressInterval());
        }
        for (Problem problem : outcome.problems()) {
            delay = min(delay, switch (problem.reason()) {
                // Fixed outside the spec (IAM, the operator's own deployment, another resource's deletion): nothing
                // notifies this resource, so look slowly.
                case AccessDenied, CredentialsUnavailable, OperatorMisconfigured, SecretClaimed, BuildkiteUnauthorized ->
                    config.accessDeniedRetryInterval();
                case Throttled, RegionUnavailable, BuildkiteUnavailable -> config.transientRetryInterval();
                case CRDOutdated -> config.crdCheckInterval(); // healed by applying the CRD: look when it is checked

                // Something is in motion in AWS (replication, IAM propagation, a stack update, a refresh).
                default -> problem.reason().isTerminal() ? config.resyncInterval() : config.progressInterval();
            });
        }
        return Optional.of(delay);
    }

    private static boolean refreshRunning(StatusAggregator.Outcome outcome) {
        return outcome.rotation().map(r -> !r.refreshesEnded()).orElse(false);
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }
}
