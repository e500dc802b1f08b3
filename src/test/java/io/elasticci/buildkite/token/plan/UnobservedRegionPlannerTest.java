package io.elasticci.buildkite.token.plan;

import static io.elasticci.buildkite.token.plan.Fixtures.OWNER;
import static io.elasticci.buildkite.token.plan.Fixtures.TOKEN;
import static io.elasticci.buildkite.token.plan.Fixtures.role;
import static io.elasticci.buildkite.token.plan.Fixtures.stack;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import com.fasterxml.jackson.databind.JsonNode;

import io.elasticci.buildkite.token.aws.AwsFailure;
import io.elasticci.buildkite.token.aws.InstanceDescription;
import io.elasticci.buildkite.token.aws.KmsKey;
import io.elasticci.buildkite.token.aws.ReplicaDescription;
import io.elasticci.buildkite.token.aws.RoleInfo;
import io.elasticci.buildkite.token.plan.Fixtures.World;

/**
 * A replica region AWS did not answer for (eu-west-1 here): nothing is planned in or for it, everything else proceeds.
 * Each case is planned twice, with the region observed and unobserved: the first shows the action the world calls
 * for, the second that it is left out while the region is unobserved.
 */
class UnobservedRegionPlannerTest {

    private static final String EAST = "us-east-1";
    private static final String WEST = "us-west-2";
    private static final String EU = "eu-west-1";
    private static final AwsFailure DOWN = new AwsFailure(AwsFailure.Kind.UNAVAILABLE, "kms", "DescribeKey", EU,
            "ServiceUnavailable", "the region is down", null);
    private static final RoleInfo EAST_ROLE = role("east-IAMRole");
    private static final RoleInfo WEST_ROLE = role("west-IAMRole");
    private static final RoleInfo EU_ROLE = role("eu-IAMRole");
    private static final String SID = ResourcePolicyPlanner.sid(OWNER);
    private static final String POLICY_NAME = PermissionsPlanner.policyName(OWNER);

    private static DesiredToken desired(boolean manageStacks, Optional<RotationState> previous) {
        DesiredToken base = Fixtures.desired(true, EAST, WEST, EU);
        List<DesiredToken.DesiredRegion> regions = List.of(
                new DesiredToken.DesiredRegion(EAST, "alias/buildkite-token", List.of("east")),
                new DesiredToken.DesiredRegion(WEST, "alias/buildkite-token", List.of("west")),
                new DesiredToken.DesiredRegion(EU, "alias/buildkite-token", List.of("eu")));
        return new DesiredToken(base.secretName(), EAST, regions, base.tags(), OWNER, Optional.empty(), true, true,
                manageStacks, 7, Map.of(), Map.of(), new DesiredToken.Rollout(true, 90, "Wait", Optional.empty(),
                        Optional.empty(), previous, Optional.of(TOKEN)));
    }

    private static DesiredToken desired() {
        return desired(false, Optional.empty());
    }

    /** Three regions converged: the secret replicated, one stack per region, every role granted. */
    private static World converged() {
        World w = World.converged(EAST, WEST, EU);
        w.stacks.add(stack(EAST, "east", EAST_ROLE));
        w.stacks.add(stack(WEST, "west", WEST_ROLE));
        w.stacks.add(stack(EU, "eu", EU_ROLE));
        w.policy = Optional.of(ourPolicy(EAST_ROLE, WEST_ROLE, EU_ROLE));
        List<Action> puts = new java.util.ArrayList<>();
        PermissionsPlanner.plan(desired(), w.snapshot(), puts, new java.util.ArrayList<>());
        puts.forEach(a -> w.inlinePolicies.put(((Action.PutRolePolicy) a).roleName(),
                Optional.of(((Action.PutRolePolicy) a).document())));
        return w;
    }

    private static String ourPolicy(RoleInfo... roles) {
        return "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\"" + SID + "\",\"Effect\":\"Allow\",\"Principal\":"
                + "{\"AWS\":[" + String.join(",", Stream.of(roles).map(r -> "\"" + r.arn() + "\"").toList())
                + "]},\"Action\":\"secretsmanager:GetSecretValue\",\"Resource\":\"*\"}]}";
    }

    /** What the EU region's reads returned before they failed is moot: the unobserved world drops it. */
    private static World euDown(World w) {
        w.unavailable.put(EU, DOWN);
        return w;
    }

    private static List<String> actions(Plan plan) {
        return plan.actions().stream().map(a -> a.name() + " " + a.region()).toList();
    }

    static Stream<Arguments> table() {
        KmsKey otherEuKey = Fixtures.key(EU, "other-eu");
        return Stream.of(
                Arguments.of("a new secret: created, replicated to the healthy region, granted to its roles", desired(),
                        (Consumer<World>) w -> {
                            w.secretExists = false;
                            w.value = Optional.of(ValueObservation.forNewSecret(TOKEN));
                            w.policy = Optional.empty();
                        }, List.of("ReplicateSecret eu-west-1"),
                        List.of("CreateSecret us-east-1", "ReplicateSecret us-west-2", "PutResourcePolicy us-east-1")),
                Arguments.of("a missing replica is not replicated", desired(),
                        (Consumer<World>) w -> w.withoutReplica(EU), List.of("ReplicateSecret eu-west-1"), List.of()),
                Arguments.of("a failed replica is not removed and replicated again", desired(),
                        (Consumer<World>) w -> {
                            w.replicaStatus(EU, ReplicaDescription.FAILED, "boom");
                            w.desiredKeys.put(EU, otherEuKey);
                        }, List.of("RemoveReplica eu-west-1", "ReplicateSecret eu-west-1"), List.of()),
                Arguments.of("a replica on the wrong key is not rekeyed", desired(),
                        (Consumer<World>) w -> w.desiredKeys.put(EU, otherEuKey), List.of("RekeyReplica eu-west-1"),
                        List.of()),
                Arguments.of("a replica of a region left out of the spec is not removed",
                        new DesiredToken(desired().secretName(), EAST, desired().regions().subList(0, 2),
                                desired().tags(), OWNER, Optional.empty(), true, true, false, 7, Map.of(), Map.of(),
                                DesiredToken.Rollout.defaults()),
                        (Consumer<World>) w -> w.stacks.removeIf(s -> s.region().equals(EU)),
                        List.of("RemoveReplica eu-west-1"), List.of()),
                Arguments.of("a stack there is not updated; the healthy region's is", desired(true, Optional.empty()),
                        (Consumer<World>) w -> w.stacks.replaceAll(s -> s.region().equals(EAST) ? s
                                : AccessPlannerTest.withParameter(s, StackPlanner.KEY_PARAMETER, "alias/x")),
                        List.of("UpdateStackParameters eu-west-1"), List.of("UpdateStackParameters us-west-2")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("table")
    void nothingIsPlannedInOrForTheUnobservedRegion(String name, DesiredToken desired, Consumer<World> bend,
            List<String> onlyWhenObserved, List<String> expectedWhenDown) {
        World observed = converged();
        bend.accept(observed);
        assertThat(actions(Planner.plan(desired, observed.snapshot()))).as("observed")
                .containsAll(onlyWhenObserved).containsAll(expectedWhenDown);

        World down = converged();
        bend.accept(down);
        Plan plan = Planner.plan(desired, euDown(down).snapshot());
        assertThat(actions(plan)).as("unobserved").containsExactlyInAnyOrderElementsOf(expectedWhenDown);
        assertThat(plan.actions()).noneMatch(a -> EU.equals(a.region()));
        assertThat(plan.problems()).filteredOn(p -> p.reason() == Reason.RegionUnavailable).singleElement()
                .satisfies(p -> {
                    assertThat(p.region()).isEqualTo(EU);
                    assertThat(p.message()).contains(EU).contains("ServiceUnavailable");
                });
        assertThat(plan.problems()).noneMatch(p -> p.reason().isTerminal());
    }

    @Test
    void resourcePolicyAddsTheObservedRolesAndKeepsEveryPrincipalItHas() {
        World observed = converged();
        RoleInfo newWest = role("west2-IAMRole");
        observed.stacks.add(stack(WEST, "west", newWest)); // a second role now serves the west stack
        observed.stacks.removeIf(s -> s.region().equals(EU) || s.roles().contains(EAST_ROLE));
        Action.PutResourcePolicy whenObserved = put(Planner.plan(desired(), observed.snapshot()));
        assertThat(principals(whenObserved)).as("observed: the roles of departed stacks go")
                .containsExactlyInAnyOrder(WEST_ROLE.arn(), newWest.arn());

        World down = converged();
        down.stacks.add(stack(WEST, "west", newWest));
        down.stacks.removeIf(s -> s.roles().contains(EAST_ROLE));
        Action.PutResourcePolicy whenDown = put(Planner.plan(desired(), euDown(down).snapshot()));
        assertThat(principals(whenDown)).as("unobserved: added, none removed").containsExactlyInAnyOrder(
                EAST_ROLE.arn(), WEST_ROLE.arn(), EU_ROLE.arn(), newWest.arn());
    }

    @Test
    void resourcePolicyWithNothingToAddIsLeftAlone() {
        Plan plan = Planner.plan(desired(), euDown(converged()).snapshot());
        assertThat(plan.actions()).isEmpty();
    }

    @Test
    void inlinePolicyOfARoleNotSeenIsNotDeletedAndASharedRoleKeepsItsStatementsForTheRegion() {
        RoleInfo shared = role("shared-IAMRole"); // serves a stack in us-west-2 and one in eu-west-1
        World observed = converged();
        observed.inlinePolicies.put("departed-IAMRole", observed.inlinePolicies.get(EAST_ROLE.name()));
        assertThat(actions(Planner.plan(desired(), observed.snapshot()))).as("observed")
                .contains("DeleteRolePolicy global");

        World down = converged();
        down.inlinePolicies.put("departed-IAMRole", down.inlinePolicies.get(EAST_ROLE.name()));
        down.inlinePolicies.put(shared.name(), down.inlinePolicies.get(EU_ROLE.name())); // granted for eu-west-1
        down.stacks.add(stack(WEST, "west-2", shared));
        Plan plan = Planner.plan(desired(), euDown(down).snapshot());
        assertThat(plan.actions()).noneMatch(a -> a instanceof Action.DeleteRolePolicy);
        Action.PutRolePolicy put = plan.actions().stream().filter(a -> a instanceof Action.PutRolePolicy)
                .map(a -> (Action.PutRolePolicy) a).filter(a -> a.roleName().equals(shared.name())).findFirst()
                .orElseThrow();
        assertThat(put.policyName()).isEqualTo(POLICY_NAME);
        List<String> sids = PolicyDocuments.statements(PolicyDocuments.parse(put.document())).stream()
                .map(s -> s.path("Sid").asText()).toList();
        assertThat(sids).containsExactlyInAnyOrder("ReadAgentTokenuswest2", "DecryptAgentTokenuswest2",
                "ReadAgentTokeneuwest1", "DecryptAgentTokeneuwest1");
        assertThat(plan.actions()).filteredOn(a -> a instanceof Action.PutRolePolicy).hasSize(1);
    }

    @Test
    void rotationDoesNotRefreshOrRevokeWhileARegionIsUnobserved() {
        Instant synced = Instant.parse("2026-01-01T00:01:00Z");
        Instant now = Instant.parse("2026-01-01T00:30:00Z");
        String old = "0".repeat(64);
        Optional<RotationState> rotating = Optional.of(new RotationState(TOKEN, old, synced, synced, List.of(),
                List.of()));
        InstanceDescription booted = new InstanceDescription("i-1", "InService", false, synced.minusSeconds(60));
        RolloutObservation seen = new RolloutObservation(now, true, Map.of(WEST, TOKEN, EU, TOKEN),
                Optional.of(synced), List.of(new RolloutObservation.Fleet(WEST, "west", "west-asg", List.of(),
                        List.of(booted))));

        World observed = converged();
        observed.rollout = seen;
        Plan whenObserved = Planner.plan(desired(false, rotating), observed.snapshot());
        assertThat(actions(whenObserved)).as("observed").containsExactly("StartInstanceRefresh us-west-2");

        World down = converged();
        down.rollout = seen;
        Plan whenDown = Planner.plan(desired(false, rotating), euDown(down).snapshot());
        assertThat(whenDown.actions()).isEmpty();
        assertThat(whenDown.rotation()).hasValueSatisfying(r -> {
            assertThat(r.refreshes()).isEmpty();
            assertThat(r.complete()).as("previous version revocable").isFalse();
        });

        World launchedAfter = converged();
        launchedAfter.rollout = new RolloutObservation(now, true, Map.of(WEST, TOKEN, EU, TOKEN), Optional.of(synced),
                List.of());
        RotationState noFleets = Planner.plan(desired(false, rotating), launchedAfter.snapshot()).rotation()
                .orElseThrow();
        assertThat(noFleets.complete()).as("observed: nothing outdated, revocable").isTrue();
        launchedAfter.unavailable.put(EU, DOWN);
        assertThat(Planner.plan(desired(false, rotating), launchedAfter.snapshot()).rotation().orElseThrow()
                .complete()).as("unobserved: not revocable").isFalse();
    }

    private static Action.PutResourcePolicy put(Plan plan) {
        return plan.actions().stream().filter(a -> a instanceof Action.PutResourcePolicy)
                .map(a -> (Action.PutResourcePolicy) a).findFirst().orElseThrow();
    }

    private static java.util.Set<String> principals(Action.PutResourcePolicy put) {
        JsonNode ours = PolicyDocuments.statements(PolicyDocuments.parse(put.document())).stream()
                .filter(s -> SID.equals(s.path("Sid").asText())).findFirst().orElseThrow();
        return PolicyDocuments.awsPrincipals(ours);
    }
}
