package io.elasticci.buildkite.token.reconcile.report;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import io.elasticci.buildkite.token.api.v1alpha1.RotationStatus;
import io.elasticci.buildkite.token.plan.RotationState;

/** The rotation state between status (where it is remembered) and the planner. */
public final class RotationStates {

    private RotationStates() {
    }

    public static RotationState fromStatus(RotationStatus status) {
        List<RotationState.Refresh> refreshes = new ArrayList<>();
        status.refreshes.forEach(r -> refreshes.add(new RotationState.Refresh(r.region, r.stack, r.autoScalingGroup,
                r.id, r.status, r.percentComplete, r.statusReason)));
        return new RotationState(status.versionId, status.previousVersionId, instant(status.observedAt),
                instant(status.inSyncAt), refreshes, status.revocableVersionIds, status.earlierRefreshIds);
    }

    public static RotationStatus toStatus(RotationState state) {
        RotationStatus status = new RotationStatus();
        status.versionId = state.versionId();
        status.previousVersionId = state.previousVersionId();
        status.observedAt = state.observedAt() == null ? null : state.observedAt().toString();
        status.inSyncAt = state.inSyncAt() == null ? null : state.inSyncAt().toString();
        state.refreshes().forEach(r -> {
            RotationStatus.RefreshStatus refresh = new RotationStatus.RefreshStatus();
            refresh.region = r.region();
            refresh.stack = r.stack();
            refresh.autoScalingGroup = r.group();
            refresh.id = r.id();
            refresh.status = r.status();
            refresh.percentComplete = r.percentComplete();
            refresh.statusReason = r.statusReason();
            status.refreshes.add(refresh);
        });
        status.revocableVersionIds = new ArrayList<>(state.revocableVersionIds());
        status.earlierRefreshIds = new ArrayList<>(state.earlierRefreshIds());
        return status;
    }

    private static Instant instant(String text) {
        return text == null || text.isBlank() ? null : Instant.parse(text);
    }
}
