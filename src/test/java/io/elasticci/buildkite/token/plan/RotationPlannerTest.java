package io.elasticci.buildkite.token.plan;

import static io.elasticci.buildkite.token.plan.Fixtures.TOKEN;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.junit.jupiter.api.Test;

import io.elasticci.buildkite.token.aws.InstanceDescription;
import io.elasticci.buildkite.token.aws.RefreshDescription;
import io.elasticci.buildkite.token.plan.Fixtures.World;

/** The rollout of a new version: replica sync, refreshes, revocation, automatic rotation. */
class RotationPlannerTest {

    private static final String EAST = "us-east-1";
    private static final String WEST = "us-west-2";
    private static final String OLD = "0".repeat(64);
    private static final Instant CREATED = Instant.parse("2026-01-01T00:00:00Z");
    private static final Instant T0 = Instant.parse("2026-01-01T00:01:00Z");
    private static final Instant T1 = Instant.parse("2026-01-01T00:30:00Z");

    private static DesiredToken desired(Optional<RotationState> previous, boolean refresh, Optional<String> lambda) {
        DesiredToken base = Fixtures.desired(true, EAST, WEST);
        return new DesiredToken(base.secretName(), EAST, base.regions(), base.tags(), base.owner(), Optional.empty(),
                true, true, false, 3, Map.of(), Map.of(), new DesiredToken.Rollout(refresh, 90, "Wait", lambda,
                        lambda.map(l -> "rate(30 days)"), previous, Optional.of(TOKEN)));
    }

    /** A rotation from OLD to TOKEN in progress, as status remembers it. */
    private static Optional<RotationState> rotating(Instant inSyncAt, RotationState.Refresh... refreshes) {
        return Optional.of(new RotationState(TOKEN, OLD, T0, inSyncAt, List.of(refreshes), List.of()));
    }

    private static RolloutObservation seen(Instant now, String westVersion, RolloutObservation.Fleet... fleets) {
        return new RolloutObservation(now, true, Map.of(WEST, westVersion), Optional.of(CREATED), List.of(fleets));
    }

    private static RolloutObservation.Fleet fleet(List<RefreshDescription> refreshes,
            InstanceDescription... instances) {
        return new RolloutObservation.Fleet(EAST, "ci", "ci-asg", refreshes, List.of(instances));
    }

    private static RefreshDescription refresh(String id, String status, Instant started) {
        return new RefreshDescription(id, status, "Successful".equals(status) ? 100 : 40, started, null);
    }

    private static InstanceDescription instance(String id, Instant launched, boolean protectedFromScaleIn) {
        return new InstanceDescription(id, "InService", protectedFromScaleIn, launched);
    }

    private static Plan plan(DesiredToken desired, RolloutObservation seen) {
        World world = World.converged(EAST, WEST);
        world.rollout = seen;
        return Planner.plan(desired, world.snapshot());
    }

    @Test
    void firstVersionSeenIsABaselineWithNothingToRollOut() {
        Plan plan = plan(desired(Optional.empty(), true, Optional.empty()), RolloutObservation.notObserved(T0));
        assertThat(plan.actions()).isEmpty();
        assertThat(plan.problems()).isEmpty();
        assertThat(plan.rotation()).hasValueSatisfying(r -> {
            assertThat(r.versionId()).isEqualTo(TOKEN);
            assertThat(r.baseline()).isTrue();
            assertThat(r.complete()).isTrue();
        });
    }

    @Test
    void newVersionStartsARotationAndWaitsForLaggingReplicas() {
        Optional<RotationState> before = Optional.of(new RotationState(OLD, null, T0, T0, List.of(), List.of()));
        Plan plan = plan(desired(before, true, Optional.empty()), seen(T1, OLD));
        assertThat(plan.actions()).isEmpty();
        assertThat(plan.problems()).extracting(Problem::reason).containsExactly(Reason.ReplicationInProgress);
        assertThat(plan.problems().get(0).message()).contains(WEST);
        assertThat(plan.rotation()).hasValueSatisfying(r -> {
            assertThat(r.previousVersionId()).isEqualTo(OLD);
            assertThat(r.inSyncAt()).isNull();
            assertThat(r.observedAt()).isEqualTo(T1);
        });
    }

    @Test
    void inSyncEverywhereStartsOneRefreshPerStack() {
        Plan plan = plan(desired(rotating(null), true, Optional.empty()),
                seen(T1, TOKEN, fleet(List.of(), instance("i-1", CREATED.minusSeconds(60), false))));
        assertThat(plan.actions()).singleElement().isInstanceOfSatisfying(Action.StartInstanceRefresh.class, a -> {
            assertThat(a.group()).isEqualTo("ci-asg");
            assertThat(a.minHealthyPercentage()).isEqualTo(90);
            assertThat(a.protectedInstances()).isEqualTo("Wait");
        });
        assertThat(plan.rotation().orElseThrow().inSyncAt()).isEqualTo(T1);
    }

    @Test
    void refreshStartedSinceTheVersionWasCreatedIsAdoptedNotDuplicated() {
        Plan plan = plan(desired(rotating(T0), true, Optional.empty()),
                seen(T1, TOKEN, fleet(List.of(refresh("r-2", "InProgress", T0.plusSeconds(5)),
                        refresh("r-1", "Successful", CREATED.minusSeconds(3600))))));
        assertThat(plan.actions()).isEmpty();
        assertThat(plan.problems()).extracting(Problem::reason).containsExactly(Reason.RefreshInProgress);
        assertThat(plan.rotation().orElseThrow().refreshes()).singleElement()
                .satisfies(r -> assertThat(r.id()).isEqualTo("r-2"));
    }

    @Test
    void aRefreshFoundAfterARestartDatesTheSyncSoTheInstancesItLaunchedAreCurrent() {
        // The process that saw the sync started r-2 and died before writing status (inSyncAt unknown).
        Instant started = T0.plusSeconds(5);
        Plan plan = plan(desired(rotating(null), true, Optional.empty()),
                seen(T1, TOKEN, fleet(List.of(refresh("r-2", "Successful", started)),
                        instance("i-2", started.plusSeconds(30), false))));
        assertThat(plan.actions()).isEmpty();
        RotationState rotation = plan.rotation().orElseThrow();
        assertThat(rotation.inSyncAt()).isEqualTo(started);
        assertThat(rotation.revocableVersionIds()).containsExactly(OLD);
    }

    @Test
    void aRefreshOfAnEarlierRotationIsNeverTakenForThisOnes() {
        // Rolled back to an old version: its creation predates the refresh of the rotation that replaced it.
        Optional<RotationState> earlier = Optional.of(new RotationState(TOKEN, OLD, T0, T0, List.of(), List.of(),
                List.of("r-earlier")));
        Plan plan = plan(desired(earlier, true, Optional.empty()),
                seen(T1, TOKEN, fleet(List.of(refresh("r-earlier", "Successful", CREATED.plusSeconds(10))))));
        assertThat(plan.actions()).singleElement().isInstanceOf(Action.StartInstanceRefresh.class);
    }

    @Test
    void aNewRotationRemembersTheRefreshesOfThePreviousOne() {
        RotationState.Refresh done = new RotationState.Refresh(EAST, "ci", "ci-asg", "r-1", "Successful", 100, null);
        Optional<RotationState> previous = Optional.of(new RotationState(OLD, "x", T0, T0, List.of(done),
                List.of("x")));
        Plan plan = plan(desired(previous, true, Optional.empty()), seen(T1, OLD));
        assertThat(plan.rotation().orElseThrow().earlierRefreshIds()).containsExactly("r-1");
        assertThat(plan.rotation().orElseThrow().refreshes()).isEmpty();
    }

    @Test
    void anOlderRefreshStillRunningIsWaitedFor() {
        Plan plan = plan(desired(rotating(T0), true, Optional.empty()),
                seen(T1, TOKEN, fleet(List.of(refresh("r-old", "InProgress", CREATED.minusSeconds(60))))));
        assertThat(plan.actions()).isEmpty();
        assertThat(plan.problems()).extracting(Problem::reason).containsExactly(Reason.RefreshInProgress);
        assertThat(plan.problems().get(0).message()).contains("r-old").contains("before this version");
    }

    @Test
    void failedRefreshIsReportedAndNotRestarted() {
        RotationState.Refresh known = new RotationState.Refresh(EAST, "ci", "ci-asg", "r-2", "InProgress", 50, null);
        Plan plan = plan(desired(rotating(T0, known), true, Optional.empty()),
                seen(T1, TOKEN, fleet(List.of(refresh("r-2", "RollbackSuccessful", T0.plusSeconds(5))),
                        instance("i-1", CREATED.minusSeconds(60), false))));
        assertThat(plan.actions()).isEmpty();
        assertThat(plan.problems()).extracting(Problem::reason).containsExactly(Reason.RefreshFailed);
        assertThat(plan.rotation().orElseThrow().revocableVersionIds()).isEmpty();
    }

    @Test
    void previousVersionBecomesRevocableWhenEveryInstanceBootedAfterTheSync() {
        Plan plan = plan(desired(rotating(T0), true, Optional.empty()),
                seen(T1, TOKEN, fleet(List.of(refresh("r-2", "Successful", T0.plusSeconds(5))),
                        instance("i-2", T0.plusSeconds(60), false), instance("i-3", T0.plusSeconds(120), true))));
        assertThat(plan.problems()).isEmpty();
        assertThat(plan.rotation().orElseThrow().revocableVersionIds()).containsExactly(OLD);
        assertThat(plan.rotation().orElseThrow().complete()).isTrue();
    }

    @Test
    void successfulRefreshThatSkippedProtectedInstancesIsNotRevocable() {
        Plan plan = plan(desired(rotating(T0), true, Optional.empty()),
                seen(T1, TOKEN, fleet(List.of(refresh("r-2", "Successful", T0.plusSeconds(5))),
                        instance("i-new", T0.plusSeconds(60), false), instance("i-busy", CREATED.minusSeconds(3600),
                                true))));
        assertThat(plan.problems()).extracting(Problem::reason).containsExactly(Reason.InstancesOutdated);
        assertThat(plan.problems().get(0).message()).contains("i-busy (scale-in protected)");
        assertThat(plan.rotation().orElseThrow().revocableVersionIds()).isEmpty();
    }

    @Test
    void withoutRefreshesRevocationWaitsForInstancesToCycle() {
        Plan plan = plan(desired(rotating(T0), false, Optional.empty()),
                seen(T1, TOKEN, fleet(List.of(), instance("i-1", CREATED.minusSeconds(60), false))));
        assertThat(plan.actions()).isEmpty();
        assertThat(plan.problems()).extracting(Problem::reason).containsExactly(Reason.InstancesOutdated);
    }

    @Test
    void whileARefreshReplacesInstancesTheyAreNotJudgedAndNothingIsRevocable() {
        RolloutObservation.Fleet replacing = RolloutObservation.Fleet.refreshRunning(EAST, "ci", "ci-asg",
                List.of(refresh("r-2", "InProgress", T0.plusSeconds(5))));
        Plan plan = plan(desired(rotating(T0), true, Optional.empty()), seen(T1, TOKEN, replacing));
        assertThat(plan.actions()).isEmpty();
        assertThat(plan.problems()).extracting(Problem::reason).containsExactly(Reason.RefreshInProgress);
        assertThat(plan.rotation().orElseThrow().revocableVersionIds()).isEmpty();
    }

    @Test
    void withoutRefreshesOfItsOwnARotationWaitsForSomeoneElsesRunningRefresh() {
        RolloutObservation.Fleet replacing = RolloutObservation.Fleet.refreshRunning(EAST, "ci", "ci-asg",
                List.of(refresh("theirs", "InProgress", T0.plusSeconds(5))));
        Plan plan = plan(desired(rotating(T0), false, Optional.empty()), seen(T1, TOKEN, replacing));
        assertThat(plan.actions()).isEmpty();
        assertThat(plan.problems()).singleElement().satisfies(p -> {
            assertThat(p.reason()).isEqualTo(Reason.RefreshInProgress);
            assertThat(p.message()).contains("stack ci in " + EAST);
        });
        assertThat(plan.rotation().orElseThrow().revocableVersionIds()).isEmpty();
    }

    @Test
    void aRolloutNotFollowedBecauseItsQuotaIsBusyKeepsItsStateAndSaysWhy() {
        Optional<RotationState> before = rotating(T0, new RotationState.Refresh(EAST, "ci", "ci-asg", "r-2",
                "InProgress", 40, null));
        Plan plan = plan(desired(before, true, Optional.empty()), RolloutObservation.notObservedBusy(T1,
                new RolloutObservation.Busy(EAST, java.time.Duration.ofSeconds(42))));
        assertThat(plan.actions()).isEmpty();
        assertThat(plan.problems()).singleElement().satisfies(p -> {
            assertThat(p.reason()).isEqualTo(Reason.Throttled);
            assertThat(p.scope()).isEqualTo(Problem.Scope.ROLLOUT);
            assertThat(p.message()).contains("Auto Scaling calls in " + EAST + " would wait 42 s");
        });
        assertThat(plan.rotation()).isEqualTo(before);
    }

    @Test
    void completeRotationIsNotObservedAgain() {
        Optional<RotationState> done = Optional.of(new RotationState(TOKEN, OLD, T0, T0, List.of(), List.of(OLD)));
        Plan plan = plan(desired(done, true, Optional.empty()), RolloutObservation.notObserved(T1));
        assertThat(plan.actions()).isEmpty();
        assertThat(plan.problems()).isEmpty();
        assertThat(plan.rotation()).isEqualTo(done);
    }

    @Test
    void aRefreshStillRunningAfterTheRolloutIsCompleteIsFollowedNotRestarted() {
        RotationState.Refresh running = new RotationState.Refresh(EAST, "ci", "ci-asg", "r-2", "InProgress", 50,
                "warming up");
        Optional<RotationState> done = Optional.of(new RotationState(TOKEN, OLD, T0, T0, List.of(running),
                List.of(OLD)));
        assertThat(done.get().refreshesEnded()).isFalse();

        Plan plan = plan(desired(done, true, Optional.empty()), seen(T1, TOKEN, fleet(List.of(
                refresh("r-2", "Successful", T0.plusSeconds(5))), instance("i-2", T0.plusSeconds(60), false))));

        assertThat(plan.actions()).isEmpty();
        assertThat(plan.problems()).isEmpty();
        assertThat(plan.rotation().orElseThrow().refreshes()).extracting(RotationState.Refresh::status)
                .containsExactly("Successful");
        assertThat(plan.rotation().orElseThrow().refreshesEnded()).isTrue();
        assertThat(plan.rotation().orElseThrow().revocableVersionIds()).containsExactly(OLD);
    }

    @Test
    void automaticRotationIsConfiguredWhenItDiffers() {
        Plan plan = plan(desired(Optional.empty(), true,
                Optional.of("arn:aws:lambda:us-east-1:123456789012:function:rotate")),
                RolloutObservation.notObserved(T0));
        assertThat(plan.actions()).singleElement().isInstanceOfSatisfying(Action.ConfigureRotation.class,
                a -> assertThat(a.scheduleExpression()).isEqualTo("rate(30 days)"));
    }

    @Test
    void valueChangedOutsideTheOperatorIsFlagged() {
        World world = World.converged(EAST, WEST);
        world.versions = Map.of("f".repeat(64), Set.of("AWSCURRENT"), TOKEN, Set.of("AWSPREVIOUS"));
        world.value = Optional.of(new ValueObservation(TOKEN, false, Optional.of(TOKEN)));
        Plan plan = Planner.plan(desired(Optional.empty(), true, Optional.empty()), world.snapshot());
        assertThat(plan.actions().get(0)).isInstanceOfSatisfying(Action.RestoreVersion.class,
                a -> assertThat(a.replacesExternalChange()).isTrue());
    }
}
