package io.elasticci.buildkite.token.plan;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The rollout of one version, as remembered between reconciles (in status). A baseline (no previous version) is the
 * first version the operator saw: nothing to roll out.
 */
public record RotationState(String versionId, String previousVersionId, Instant observedAt, Instant inSyncAt,
        List<Refresh> refreshes, List<String> revocableVersionIds, List<String> earlierRefreshIds) {

    /** At most this many revocable versions (and earlier refresh IDs) are remembered. */
    static final int MAX_REVOCABLE = 10;
    static final int MAX_EARLIER_REFRESHES = 20;

    public RotationState {
        refreshes = List.copyOf(refreshes);
        revocableVersionIds = List.copyOf(revocableVersionIds);
        earlierRefreshIds = List.copyOf(earlierRefreshIds == null ? List.of() : earlierRefreshIds);
    }

    public RotationState(String versionId, String previousVersionId, Instant observedAt, Instant inSyncAt,
            List<Refresh> refreshes, List<String> revocableVersionIds) {
        this(versionId, previousVersionId, observedAt, inSyncAt, refreshes, revocableVersionIds, List.of());
    }

    /** The next rotation, to {@code version}: this one's refreshes belong to the past and must not be matched. */
    RotationState next(String version, Instant now) {
        List<String> earlier = new ArrayList<>();
        refreshes.forEach(r -> earlier.add(r.id()));
        earlier.addAll(earlierRefreshIds);
        return new RotationState(version, versionId, now, null, List.of(),
                revocableVersionIds.stream().filter(v -> !v.equals(version)).toList(),
                earlier.subList(0, Math.min(MAX_EARLIER_REFRESHES, earlier.size())));
    }

    /** One stack's refresh for this version. */
    public record Refresh(String region, String stack, String group, String id, String status, Integer percentComplete,
            String statusReason) {
        public String key() {
            return region + "/" + stack;
        }
    }

    public boolean baseline() {
        return previousVersionId == null;
    }

    /** The rollout is over: the previous version was declared revocable. */
    public boolean complete() {
        return baseline() || revocableVersionIds.contains(previousVersionId);
    }

    /** Auto Scaling's instance refresh statuses after which a refresh changes no more. */
    static final java.util.Set<String> ENDED = java.util.Set.of("Successful", "Failed", "Cancelled",
            "RollbackSuccessful", "RollbackFailed");

    /**
     * Every refresh has ended. The previous version can be revocable (every instance relaunched) before a refresh
     * reports its end: it is still followed until then, or status would show it running until the next resync.
     */
    public boolean refreshesEnded() {
        return refreshes.stream().allMatch(r -> r.status() == null || ENDED.contains(r.status()));
    }

    public Optional<Refresh> refreshOf(String key) {
        return refreshes.stream().filter(r -> r.key().equals(key)).findFirst();
    }

    RotationState inSync(Instant at) {
        return new RotationState(versionId, previousVersionId, observedAt, at, refreshes, revocableVersionIds,
                earlierRefreshIds);
    }

    RotationState withRefreshes(List<Refresh> list) {
        return new RotationState(versionId, previousVersionId, observedAt, inSyncAt, list, revocableVersionIds,
                earlierRefreshIds);
    }

    RotationState previousRevocable() {
        List<String> revocable = new ArrayList<>(revocableVersionIds);
        revocable.remove(previousVersionId);
        revocable.add(0, previousVersionId);
        return new RotationState(versionId, previousVersionId, observedAt, inSyncAt, refreshes,
                revocable.subList(0, Math.min(MAX_REVOCABLE, revocable.size())), earlierRefreshIds);
    }
}
