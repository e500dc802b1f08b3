package io.elasticci.buildkite.token.plan;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * When to mint a Buildkite token and which to revoke. Pure. Revocation is the dangerous half: a token is revoked only
 * when no running instance can hold it — its version was declared revocable by the rollout — or when no secret
 * version holds it at all (the operator stopped between minting and writing: nobody has the value).
 */
public final class MintedTokenPlanner {

    /** Why a new token is minted. */
    public enum MintReason {
        /** The secret does not exist yet. */
        INITIAL,
        /** The rotate-at annotation names a time after the current version was written, not served yet. */
        REQUESTED,
        /** rotateEvery has passed since the current version was written, and the last rollout is over. */
        SCHEDULED
    }

    /**
     * What the decision to mint looks at.
     *
     * @param currentRotationId the rotation ID of the token the current version holds, if the operator minted it
     */
    public record MintInputs(boolean secretExists, Optional<Instant> currentVersionCreated,
            Optional<RotationState> rollout, Optional<String> currentVersionId, Optional<Duration> rotateEvery,
            Optional<Instant> rotateAt, Optional<String> currentRotationId, Instant now) {
    }

    /**
     * The rotation ID of a token minted on request: derived from the request, so the token that served it says so
     * and the same request never mints twice, whatever the clocks say.
     */
    public static String requestedRotationId(Instant rotateAt) {
        return "r" + rotateAt.getEpochSecond();
    }

    /** A token to revoke, and why. */
    public record Revocation(String tokenId, Optional<String> versionId, Why why) {
        public enum Why {
            /** Its version is revocable: every instance was launched after its successor was current everywhere. */
            REVOCABLE,
            /** No secret version holds its value: minted, then the operator stopped before writing it. */
            ORPHAN
        }
    }

    private MintedTokenPlanner() {
    }

    public static Optional<MintReason> mintDue(MintInputs in) {
        if (!in.secretExists()) {
            return Optional.of(MintReason.INITIAL);
        }
        if (in.currentVersionCreated().isEmpty()) {
            return Optional.empty(); // no current version to compare with: look again later
        }
        Instant written = in.currentVersionCreated().get();
        if (in.rotateAt().filter(at -> at.isAfter(written)
                && !in.currentRotationId().equals(Optional.of(requestedRotationId(at)))).isPresent()) {
            return Optional.of(MintReason.REQUESTED);
        }
        boolean rolledOut = in.rollout().map(r -> in.currentVersionId().map(r.versionId()::equals).orElse(false)
                && r.complete()).orElse(true);
        if (rolledOut && nextRotation(in).filter(next -> !next.isAfter(in.now())).isPresent()) {
            return Optional.of(MintReason.SCHEDULED);
        }
        return Optional.empty();
    }

    /** When rotateEvery makes the next token due; empty without rotateEvery. */
    public static Optional<Instant> nextRotation(MintInputs in) {
        return in.rotateEvery().flatMap(every -> in.currentVersionCreated().map(c -> c.plus(every)));
    }

    /**
     * @param existingVersions every version ID the secret has (deprecated ones included)
     * @param revocableVersionIds what the rollout declared revocable
     */
    public static List<Revocation> revocations(List<OwnedToken> tokens, Set<String> existingVersions,
            Optional<String> currentVersionId, List<String> revocableVersionIds, boolean revokeOldTokens) {
        List<Revocation> revocations = new ArrayList<>();
        for (OwnedToken token : tokens) {
            Optional<String> version = token.versionId();
            if (version.isEmpty() || !existingVersions.contains(version.get())) {
                revocations.add(new Revocation(token.id(), version, Revocation.Why.ORPHAN));
            } else if (revokeOldTokens && !version.equals(currentVersionId)
                    && revocableVersionIds.contains(version.get())) {
                revocations.add(new Revocation(token.id(), version, Revocation.Why.REVOCABLE));
            }
        }
        return revocations;
    }
}
