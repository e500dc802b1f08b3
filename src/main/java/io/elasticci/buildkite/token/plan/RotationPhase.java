package io.elasticci.buildkite.token.plan;

import java.util.Locale;

/**
 * Where a token's rotation stands, as {@link RotationState} distinguishes it: the rollout of the current version
 * first, then whether older versions wait to be revoked in Buildkite.
 */
public enum RotationPhase {
    /** No rollout in flight and no version listed as revocable (the first version seen, or all revoked). */
    NONE,
    /** A new version is not yet AWSCURRENT in every replica region. */
    REPLICATING,
    /**
     * The new version is current everywhere; instances that booted before that remain (instance refreshes running,
     * or, with refreshInstances off, waiting for the instances to be replaced some other way).
     */
    REFRESHING,
    /** An instance refresh for this version failed, was cancelled or rolled back: the operator does not restart it. */
    FAILED,
    /** The rollout is complete and older versions are listed as revocable: they can be revoked in Buildkite. */
    REVOCABLE;

    public static RotationPhase of(RotationState state) {
        if (state.complete()) {
            return state.revocableVersionIds().isEmpty() ? NONE : REVOCABLE;
        }
        if (state.inSyncAt() == null) {
            return REPLICATING;
        }
        boolean failed = state.refreshes().stream().anyMatch(r -> RotationPlanner.FAILED.contains(r.status()));
        return failed ? FAILED : REFRESHING;
    }

    /** The value of a metric's {@code phase} label. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
