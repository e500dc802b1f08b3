package io.elasticci.buildkite.token.plan;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import org.junit.jupiter.api.Test;

import io.elasticci.buildkite.token.plan.MintedTokenPlanner.MintInputs;
import io.elasticci.buildkite.token.plan.MintedTokenPlanner.MintReason;
import io.elasticci.buildkite.token.plan.MintedTokenPlanner.Revocation;

/** When a Buildkite token is minted and which are revoked: every branch, and the descriptions that link them. */
class MintedTokenPlannerTest {

    private static final Instant WRITTEN = Instant.parse("2026-01-01T00:00:00Z");
    private static final Duration MONTH = Duration.ofHours(720);
    private static final String V1 = "1".repeat(64);
    private static final String V2 = "2".repeat(64);
    private static final RotationState DONE = new RotationState(V2, V1, WRITTEN, WRITTEN, List.of(), List.of(V1));
    private static final RotationState ROLLING = new RotationState(V2, V1, WRITTEN, WRITTEN, List.of(), List.of());

    private static MintInputs inputs(boolean exists, Optional<RotationState> rollout, Optional<Duration> every,
            Optional<Instant> rotateAt, Instant now) {
        return new MintInputs(exists, exists ? Optional.of(WRITTEN) : Optional.empty(), rollout,
                exists ? Optional.of(V2) : Optional.empty(), every, rotateAt, Optional.of("a1b2c3d4"), now);
    }

    @Test
    void mintsWhenTheSecretDoesNotExist() {
        assertThat(MintedTokenPlanner.mintDue(inputs(false, Optional.empty(), Optional.empty(), Optional.empty(),
                WRITTEN))).contains(MintReason.INITIAL);
    }

    @Test
    void mintsNothingWithoutRotateEveryOrARequest() {
        assertThat(MintedTokenPlanner.mintDue(inputs(true, Optional.of(DONE), Optional.empty(), Optional.empty(),
                WRITTEN.plus(Duration.ofDays(400))))).isEmpty();
    }

    @Test
    void mintsWhenRotateEveryHasPassedAndTheLastRolloutIsOver() {
        assertThat(MintedTokenPlanner.mintDue(inputs(true, Optional.of(DONE), Optional.of(MONTH), Optional.empty(),
                WRITTEN.plus(MONTH).minusSeconds(1)))).isEmpty();
        assertThat(MintedTokenPlanner.mintDue(inputs(true, Optional.of(DONE), Optional.of(MONTH), Optional.empty(),
                WRITTEN.plus(MONTH)))).contains(MintReason.SCHEDULED);
        assertThat(MintedTokenPlanner.nextRotation(inputs(true, Optional.of(DONE), Optional.of(MONTH),
                Optional.empty(), WRITTEN))).contains(WRITTEN.plus(MONTH));
    }

    @Test
    void aScheduledTokenWaitsForTheRolloutInProgress() {
        assertThat(MintedTokenPlanner.mintDue(inputs(true, Optional.of(ROLLING), Optional.of(MONTH), Optional.empty(),
                WRITTEN.plus(MONTH).plusSeconds(1)))).isEmpty();
    }

    @Test
    void aRequestMintsOnceWhenItIsAfterTheCurrentVersion() {
        Instant now = WRITTEN.plusSeconds(600);
        Instant at = WRITTEN.plusSeconds(60);
        assertThat(MintedTokenPlanner.mintDue(inputs(true, Optional.of(ROLLING), Optional.empty(),
                Optional.of(at), now))).contains(MintReason.REQUESTED);
        assertThat(MintedTokenPlanner.mintDue(inputs(true, Optional.of(DONE), Optional.empty(),
                Optional.of(WRITTEN.minusSeconds(60)), now))).as("older than the current version").isEmpty();
        // The current version's token was minted for this very request (its clock may lag the request's).
        MintInputs served = new MintInputs(true, Optional.of(WRITTEN), Optional.of(DONE), Optional.of(V2),
                Optional.empty(), Optional.of(at), Optional.of(MintedTokenPlanner.requestedRotationId(at)), now);
        assertThat(MintedTokenPlanner.mintDue(served)).as("already served").isEmpty();
    }

    @Test
    void anUnknownCreationTimeMintsNothing() {
        MintInputs unknown = new MintInputs(true, Optional.empty(), Optional.of(DONE), Optional.of(V2),
                Optional.of(MONTH), Optional.of(WRITTEN), Optional.empty(), WRITTEN.plus(Duration.ofDays(100)));
        assertThat(MintedTokenPlanner.mintDue(unknown)).isEmpty();
    }

    private static OwnedToken token(String id, String version) {
        return new OwnedToken(id, "a1b2c3d4", Optional.ofNullable(version), WRITTEN, Optional.empty());
    }

    @Test
    void revokesRevocableVersionsAndOrphansOnly() {
        List<OwnedToken> tokens = List.of(token("current", V2), token("old", V1), token("pending", null),
                token("never-written", "3".repeat(64)));

        List<Revocation> revocations = MintedTokenPlanner.revocations(tokens, Set.of(V1, V2), Optional.of(V2),
                List.of(V1), true);

        assertThat(revocations).extracting(Revocation::tokenId, Revocation::why).containsExactly(
                org.assertj.core.groups.Tuple.tuple("old", Revocation.Why.REVOCABLE),
                org.assertj.core.groups.Tuple.tuple("pending", Revocation.Why.ORPHAN),
                org.assertj.core.groups.Tuple.tuple("never-written", Revocation.Why.ORPHAN));
    }

    @Test
    void neverRevokesTheCurrentVersionOrOneNotYetRevocable() {
        List<OwnedToken> tokens = List.of(token("current", V2), token("old", V1));
        assertThat(MintedTokenPlanner.revocations(tokens, Set.of(V1, V2), Optional.of(V2), List.of(), true))
                .as("rollout not over (or failed)").isEmpty();
        assertThat(MintedTokenPlanner.revocations(tokens, Set.of(V1, V2), Optional.of(V2), List.of(V2), true))
                .as("a listed current version").isEmpty();
    }

    @Test
    void revokeOldTokensFalseStillRevokesOrphans() {
        List<OwnedToken> tokens = List.of(token("old", V1), token("pending", null));
        assertThat(MintedTokenPlanner.revocations(tokens, Set.of(V1, V2), Optional.of(V2), List.of(V1), false))
                .extracting(Revocation::tokenId).containsExactly("pending");
    }

    @Test
    void descriptionsLinkATokenToItsVersionForItsOwnerOnly() {
        String owner = "cluster-a/buildkite/ci";
        String pending = TokenDescriptions.pending("buildkite/ci", owner, "a1b2c3d4");
        String written = TokenDescriptions.written("buildkite/ci", owner, "a1b2c3d4", V1);

        assertThat(TokenDescriptions.parse(pending, owner)).contains(new TokenDescriptions.Parsed("a1b2c3d4",
                Optional.empty()));
        assertThat(TokenDescriptions.parse(written, owner)).contains(new TokenDescriptions.Parsed("a1b2c3d4",
                Optional.of(V1)));
        assertThat(TokenDescriptions.parse(written, "cluster-b/buildkite/ci")).as("same name, other cluster")
                .isEmpty();
        assertThat(TokenDescriptions.parse("agents of team x", owner)).isEmpty();
        assertThat(TokenDescriptions.parse(null, owner)).isEmpty();
        assertThat(written.length()).as("room in Buildkite's description").isLessThan(200);
    }

    @Test
    void durationsAreReadAsKubernetesWritesThem() {
        assertThat(Durations.parse("720h")).isEqualTo(Duration.ofHours(720));
        assertThat(Durations.parse("1h30m")).isEqualTo(Duration.ofMinutes(90));
        assertThat(Durations.parse("45s")).isEqualTo(Duration.ofSeconds(45));
        assertThat(Durations.parse("30d")).isNull();
        assertThat(Durations.parse("")).isNull();
        assertThat(Durations.parse(null)).isNull();
    }
}
