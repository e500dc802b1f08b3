package io.elasticci.buildkite.token.reconcile;

import io.elasticci.buildkite.token.buildkite.BuildkiteFailure;
import io.elasticci.buildkite.token.plan.Problem;
import io.elasticci.buildkite.token.plan.Reason;

/** Buildkite failures as conditions: the failure's own message never holds a token (the adapter masks them). */
final class BuildkiteProblems {

    private BuildkiteProblems() {
    }

    static Problem of(BuildkiteFailure failure) {
        Reason reason = switch (failure.kind()) {
            case UNAUTHORIZED -> Reason.BuildkiteUnauthorized;
            case NOT_FOUND -> Reason.BuildkiteClusterNotFound;
            case INVALID -> Reason.BuildkiteRequestRejected;
            case RATE_LIMITED -> Reason.BuildkiteRateLimited;
            case UNAVAILABLE -> Reason.BuildkiteUnavailable;
        };
        return Problem.secret(reason, null, "Buildkite: " + failure.getMessage());
    }
}
