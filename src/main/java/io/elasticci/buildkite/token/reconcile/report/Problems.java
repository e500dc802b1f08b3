package io.elasticci.buildkite.token.reconcile.report;

import java.time.Duration;
import java.time.Instant;

import io.elasticci.buildkite.token.aws.AwsFailure;
import io.elasticci.buildkite.token.plan.Action;
import io.elasticci.buildkite.token.plan.Problem;
import io.elasticci.buildkite.token.plan.Reason;

/** Turns AWS failures into the problems status reports. */
public final class Problems {

    /** How long IAM may take before Secrets Manager accepts a new role as a principal. */
    static final Duration PRINCIPAL_GRACE = Duration.ofMinutes(2);

    private Problems() {
    }

    public static Problem fromFailure(AwsFailure failure, Action action, Instant now) {
        Problem.Scope scope = action == null ? Problem.Scope.SECRET : action.scope();
        String region = action == null ? failure.region() : action.region();
        String message = action == null ? failure.getMessage()
                : action.name() + " for " + action.target() + " in " + action.region() + " failed: "
                        + failure.getMessage();
        return new Problem(reasonFor(failure, action, now), scope, region, message);
    }

    public static Reason reasonFor(AwsFailure failure, Action action, Instant now) {
        if (action instanceof Action.PutResourcePolicy put) {
            if (failure.kind() == AwsFailure.Kind.MALFORMED_POLICY
                    && String.valueOf(failure.getMessage()).contains("unsupported principal")) {
                // A role minutes old may not have reached Secrets Manager yet; an old one means a statement is bad.
                boolean young = put.newestRoleCreated() != null
                        && put.newestRoleCreated().plus(PRINCIPAL_GRACE).isAfter(now);
                return young ? Reason.PrincipalNotYetValid : Reason.ForeignStatementInvalid;
            }
            if (failure.kind() == AwsFailure.Kind.PUBLIC_POLICY || failure.kind() == AwsFailure.Kind.MALFORMED_POLICY) {
                return Reason.ForeignStatementInvalid;
            }
        }
        return reasonFor(failure.kind());
    }

    public static Reason reasonFor(AwsFailure.Kind kind) {
        return switch (kind) {
            case ACCESS_DENIED -> Reason.AccessDenied;
            case CREDENTIALS_UNAVAILABLE -> Reason.CredentialsUnavailable;
            case THROTTLED -> Reason.Throttled;
            case UNAVAILABLE, UNKNOWN -> Reason.RegionUnavailable;
            case KMS_KEY_INVALID -> Reason.KmsKeyNotFound;
            // The world changed between observe and act (created or deleted meanwhile): look again.
            case NOT_FOUND, ALREADY_EXISTS -> Reason.Progressing;
            case INVALID_REQUEST, MALFORMED_POLICY, PUBLIC_POLICY -> Reason.RequestRejected;
        };
    }
}
