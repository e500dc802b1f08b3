package io.elasticci.buildkite.token.reconcile.report;

import java.util.Optional;

import io.elasticci.buildkite.token.api.v1alpha1.BuildkiteAgentToken;
import io.elasticci.buildkite.token.api.v1alpha1.BuildkiteAgentTokenStatus;
import io.elasticci.buildkite.token.plan.RotationPhase;
import io.micrometer.core.instrument.Tags;

/**
 * Rotations as status records them, counted over the cached resources: tokens per {@link RotationPhase} (one series
 * per phase) and the versions listed as revocable. Status keeps no time at which a version became revocable, so
 * "not revoked for a day" is an alert's {@code for:} on the count, not a timestamp.
 */
final class RotationMetrics {

    private RotationMetrics() {
    }

    static void register(CachedTokens tokens) {
        for (RotationPhase phase : RotationPhase.values()) {
            tokens.gauge("bkat.rotation.tokens", "BuildkiteAgentTokens by the phase of their rotation",
                    Tags.of("phase", phase.label()), t -> phaseOf(t.getStatus()).orElse(null) == phase ? 1 : 0);
        }
        tokens.gauge("bkat.rotation.revocable.versions", "Token versions listed as revocable in Buildkite (summed over "
                + "BuildkiteAgentTokens)", Tags.empty(), RotationMetrics::revocableVersions);
    }

    /**
     * The phase status records; none before any rotation status. Empty when the rotation status cannot be
     * interpreted (a malformed time, a null list): such a resource is in no phase rather than in a guessed one, and
     * one bad resource never turns a whole gauge into NaN.
     */
    static Optional<RotationPhase> phaseOf(BuildkiteAgentTokenStatus status) {
        if (status == null || status.rotation == null) {
            return Optional.of(RotationPhase.NONE);
        }
        try {
            return Optional.of(RotationPhase.of(RotationStates.fromStatus(status.rotation)));
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    /** Versions listed as revocable whose token is still live: with spec.buildkite, those it revoked do not count. */
    static int revocableVersions(BuildkiteAgentToken token) {
        var status = token.getStatus();
        if (status == null || status.rotation == null || status.rotation.revocableVersionIds == null) {
            return 0;
        }
        java.util.Set<String> revoked = new java.util.HashSet<>();
        if (status.buildkite != null) {
            status.buildkite.tokens.stream().filter(t -> Boolean.TRUE.equals(t.revoked) && t.versionId != null)
                    .forEach(t -> revoked.add(t.versionId));
        }
        return (int) status.rotation.revocableVersionIds.stream().filter(v -> !revoked.contains(v)).count();
    }
}
