package io.elasticci.buildkite.token.reconcile;

import io.elasticci.buildkite.token.aws.AwsFailure;
import io.elasticci.buildkite.token.plan.Action;
import io.elasticci.buildkite.token.plan.Problem;
import io.elasticci.buildkite.token.plan.Reason;

/** Turns AWS failures into the problems status reports. */
final class Problems {

    private Problems() {
    }

    static Problem fromFailure(AwsFailure failure, Action action) {
        Problem.Scope scope = action == null ? Problem.Scope.SECRET : action.scope();
        String region = action == null ? failure.region() : action.region();
        String message = action == null ? failure.getMessage()
                : action.name() + " for " + action.region() + " failed: " + failure.getMessage();
        return new Problem(reasonFor(failure.kind()), scope, region, message);
    }

    static Reason reasonFor(AwsFailure.Kind kind) {
        return switch (kind) {
            case ACCESS_DENIED -> Reason.AccessDenied;
            case THROTTLED -> Reason.Throttled;
            case UNAVAILABLE, UNKNOWN -> Reason.RegionUnavailable;
            case KMS_KEY_INVALID -> Reason.KmsKeyNotFound;
            // The world changed between observe and act (created or deleted meanwhile): look again.
            case NOT_FOUND, ALREADY_EXISTS -> Reason.Progressing;
            case INVALID_REQUEST, MALFORMED_POLICY, PUBLIC_POLICY -> Reason.RequestRejected;
        };
    }
}
