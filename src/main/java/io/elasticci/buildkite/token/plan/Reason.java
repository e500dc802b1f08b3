package io.elasticci.buildkite.token.plan;

/**
 * Every condition reason the operator publishes. Terminal reasons need a spec or AWS-side fix ({@code Stalled=True},
 * no retry storm); transient ones are retried with backoff ({@code Reconciling=True}).
 */
public enum Reason {
    // terminal
    /** Spec or status cannot be read (a field of the wrong type): nothing is observed or changed. */
    Unreadable(true),
    /** The installed CRD lacks fields this build relies on: observed and planned, nothing changed. */
    CRDOutdated(true),
    /** The spec has fields this build does not know: observed and planned, nothing changed. */
    UnknownFields(true),
    InvalidSpec(true),
    /** spec.buildkite: the API access token is missing, or Buildkite refuses it (401/403, or a missing scope). */
    BuildkiteUnauthorized(true),
    /** spec.buildkite: Buildkite knows no such organization or cluster (404). */
    BuildkiteClusterNotFound(true),
    /** spec.buildkite: Buildkite refused a request as invalid (422), e.g. allowedIpAddresses. */
    BuildkiteRequestRejected(true),
    AccountMismatch(true),
    SecretClaimed(true),
    SecretNotFound(true),
    SecretScheduledForDeletion(true),
    TokenSecretNotFound(true),
    ReplicaConflict(true),
    KmsKeyNotFound(true),
    ReplicationFailed(true),
    AccessDenied(true),
    RequestRejected(true),
    StackNotFound(true),
    RoleNotFound(true),
    StackClaimed(true),
    ForeignStatementInvalid(true),
    PolicyConflict(true),
    KmsKeyPolicyDenied(true),
    PermissionsMissing(true),
    StackParametersMismatch(true),
    StackUpdateFailed(true),
    RefreshFailed(true),
    /** The operator itself cannot act (cluster identity, installation key): a fix of its configuration or RBAC. */
    OperatorMisconfigured(true),
    /** The operator found no AWS credentials (default provider chain): a fix of its deployment. */
    CredentialsUnavailable(true),
    // transient
    Throttled(false),
    /** spec.buildkite: Buildkite's rate limit (per organization or per API token) was reached; retried after its reset. */
    BuildkiteRateLimited(false),
    /** spec.buildkite: Buildkite did not answer, or answered 5xx. */
    BuildkiteUnavailable(false),
    RegionUnavailable(false),
    ReplicationInProgress(false),
    PrincipalNotYetValid(false),
    StackUpdateInProgress(false),
    RefreshInProgress(false),
    InstancesOutdated(false),
    Progressing(false),
    /** The resource was deleted: its grants, then its ownership (Retain) or its replicas and secret (Delete), go. */
    Deleting(false),
    // outcomes that are neither
    Converged(false),
    DryRun(false),
    Suspended(false);

    private final boolean terminal;

    Reason(boolean terminal) {
        this.terminal = terminal;
    }

    public boolean isTerminal() {
        return terminal;
    }
}
