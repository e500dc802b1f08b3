package io.elasticci.buildkite.token.reconcile.act;

import io.elasticci.buildkite.token.plan.Action;

/** Every reason an Event of this operator can carry. */
public enum EventReason {
    SecretCreated(false),
    SecretTagged(false),
    SecretUntagged(false),
    SecretKeyChanged(false),
    SecretValueUpdated(false),
    SecretVersionRestored(false),
    ReplicaAdded(false),
    ReplicaRekeyed(false),
    ReplicaRemoved(false),
    /** The resource was deleted with deletionPolicy Delete: the secret is scheduled for deletion. */
    SecretDeletionScheduled(true),
    /** The resource was deleted and everything it made in AWS is gone (or retained, as its policy says). */
    DeletionFinished(false),
    /** The resource was deleted while suspended, invalid or unreadable: nothing in AWS was changed. */
    DeletionSkipped(true),
    ResourcePolicyApplied(false),
    ResourcePolicyDeleted(false),
    /** A role in the resource policy was re-created: AWS had pinned its old unique ID, so the policy was re-saved. */
    RoleRecreated(true),
    RolePolicyApplied(false),
    RolePolicyRemoved(false),
    /** A stack's token parameters are being updated: this replaces its Auto Scaling group. */
    StackUpdateStarted(true),
    /** AWSCURRENT was changed outside the operator; the Kubernetes Secret's value was put back. */
    ExternalChangeReplaced(true),
    RotationConfigured(false),
    InstanceRefreshStarted(false),
    /** A version no running instance can hold any more: it may be revoked in Buildkite. */
    VersionRevocable(false),
    /** spec.buildkite: a cluster agent token was minted for a new version. */
    BuildkiteTokenCreated(false),
    /** spec.buildkite: a token whose version is revocable was revoked in Buildkite. */
    BuildkiteTokenRevoked(false),
    /** spec.buildkite: a token minted but never written (the operator stopped in between) was revoked. */
    OrphanTokenRevoked(true),
    /** The resource became Stalled; the Event's message says why. */
    ReconcileStalled(true),
    /** An AWS call failed; the Event's message says which. */
    ActionFailed(true);

    private final boolean warning;

    EventReason(boolean warning) {
        this.warning = warning;
    }

    public String type() {
        return warning ? "Warning" : "Normal";
    }

    public static EventReason of(Action action) {
        if (action instanceof Action.CreateSecret) {
            return SecretCreated;
        } else if (action instanceof Action.TagSecret) {
            return SecretTagged;
        } else if (action instanceof Action.UntagSecret) {
            return SecretUntagged;
        } else if (action instanceof Action.UpdateSecretKey) {
            return SecretKeyChanged;
        } else if (action instanceof Action.PutSecretValue put) {
            return put.replacesExternalChange() ? ExternalChangeReplaced : SecretValueUpdated;
        } else if (action instanceof Action.RestoreVersion restore) {
            return restore.replacesExternalChange() ? ExternalChangeReplaced : SecretVersionRestored;
        } else if (action instanceof Action.StartInstanceRefresh) {
            return InstanceRefreshStarted;
        } else if (action instanceof Action.ConfigureRotation) {
            return RotationConfigured;
        } else if (action instanceof Action.ReplicateSecret) {
            return ReplicaAdded;
        } else if (action instanceof Action.RekeyReplica) {
            return ReplicaRekeyed;
        } else if (action instanceof Action.PutResourcePolicy put) {
            return put.repairsDrift() ? RoleRecreated : ResourcePolicyApplied;
        } else if (action instanceof Action.DeleteResourcePolicy) {
            return ResourcePolicyDeleted;
        } else if (action instanceof Action.PutRolePolicy) {
            return RolePolicyApplied;
        } else if (action instanceof Action.DeleteRolePolicy) {
            return RolePolicyRemoved;
        } else if (action instanceof Action.UpdateStackParameters) {
            return StackUpdateStarted;
        } else if (action instanceof Action.ScheduleSecretDeletion) {
            return SecretDeletionScheduled;
        }
        return ReplicaRemoved;
    }
}
