package io.elasticci.buildkite.token.plan;

import static io.elasticci.buildkite.token.plan.AccessPlannerTest.FOREIGN;
import static io.elasticci.buildkite.token.plan.AccessPlannerTest.OURS;
import static io.elasticci.buildkite.token.plan.AccessPlannerTest.policy;
import static io.elasticci.buildkite.token.plan.Fixtures.OWNER;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import io.elasticci.buildkite.token.api.v1alpha1.BuildkiteAgentToken;
import io.elasticci.buildkite.token.plan.Fixtures.World;

/** Deleting a resource: every branch, as a table of (world, withdrawal) → the next step. */
class DeletionPlannerTest {

    private static final String EAST = "us-east-1";
    private static final String WEST = "us-west-2";
    private static final Withdrawal RETAIN = new Withdrawal(false, 30, false);
    private static final Withdrawal RETAIN_GRANTS = new Withdrawal(false, 30, true);
    private static final Withdrawal DELETE = new Withdrawal(true, 7, false);
    private static final String POLICY_NAME = PermissionsPlanner.policyName(OWNER);

    /** Converged with grants: our statement next to a foreign one, inline policies on three roles. */
    private static World granted() {
        return AccessPlannerTest.converged();
    }

    private static World noGrants() {
        World w = granted();
        w.policy = Optional.of(policy(FOREIGN));
        w.inlinePolicies.replaceAll((role, doc) -> Optional.empty());
        return w;
    }

    static Stream<Arguments> steps() {
        return Stream.of(
                step("grants go first, foreign statements kept verbatim", granted(), RETAIN, w -> { },
                        "PutResourcePolicy us-east-1", "DeleteRolePolicy global", "DeleteRolePolicy global",
                        "DeleteRolePolicy global"),
                step("only our statement: the policy is deleted", granted(), RETAIN,
                        w -> w.policy = Optional.of(policy(OURS)), "DeleteResourcePolicy us-east-1",
                        "DeleteRolePolicy global", "DeleteRolePolicy global", "DeleteRolePolicy global"),
                step("Retain, grants gone: the owner and managed-tags tags go", noGrants(), RETAIN, w -> { },
                        "UntagSecret us-east-1"),
                step("Retain, untagged: done", noGrants(), RETAIN, w -> w.tags.remove(BuildkiteAgentToken.OWNER_TAG)),
                step("retainGrants: only the tags go, the retained grants are listed for the next owner", granted(),
                        RETAIN_GRANTS, w -> { }, "TagSecret us-east-1", "UntagSecret us-east-1"),
                step("Delete, grants gone: every replica is removed first", noGrants(), DELETE, w -> { },
                        "RemoveReplica us-west-2"),
                step("Delete, an undeclared replica too", noGrants(), DELETE,
                        w -> w.replicas.add(new io.elasticci.buildkite.token.aws.ReplicaDescription("eu-west-1",
                                null, "InSync", null)),
                        "RemoveReplica eu-west-1", "RemoveReplica us-west-2"),
                step("Delete, no replicas: deletion is scheduled", noGrants().withoutReplica(WEST), DELETE, w -> { },
                        "ScheduleSecretDeletion us-east-1"),
                step("Delete, scheduled: done", noGrants().withoutReplica(WEST), DELETE,
                        w -> w.scheduledForDeletion = true),
                step("scheduled for deletion already: only inline policies go", granted(), DELETE,
                        w -> w.scheduledForDeletion = true, "DeleteRolePolicy global", "DeleteRolePolicy global",
                        "DeleteRolePolicy global"),
                step("another resource's secret is never touched; our inline policies still go", granted(), DELETE,
                        w -> w.tags.put(BuildkiteAgentToken.OWNER_TAG, "other/ns/theirs"), "DeleteRolePolicy global",
                        "DeleteRolePolicy global", "DeleteRolePolicy global"),
                step("an unowned secret loses our statement but is neither untagged nor deleted", granted(), DELETE,
                        w -> w.tags.remove(BuildkiteAgentToken.OWNER_TAG), "PutResourcePolicy us-east-1",
                        "DeleteRolePolicy global", "DeleteRolePolicy global", "DeleteRolePolicy global"),
                step("an unowned secret without our grants: done, not deleted", noGrants(), DELETE,
                        w -> w.tags.remove(BuildkiteAgentToken.OWNER_TAG)),
                step("no secret: only inline policies go", granted(), RETAIN, w -> w.secretExists = false,
                        "DeleteRolePolicy global", "DeleteRolePolicy global", "DeleteRolePolicy global"),
                step("no secret, no grants: done", noGrants(), DELETE, w -> w.secretExists = false));
    }

    private static Arguments step(String name, World world, Withdrawal withdrawal, Consumer<World> change,
            String... expected) {
        change.accept(world);
        return Arguments.of(name, world, withdrawal, List.of(expected));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("steps")
    void plansTheNextStep(String name, World world, Withdrawal withdrawal, List<String> expected) {
        Plan plan = DeletionPlanner.plan(AccessPlannerTest.desired(true, false), world.snapshot(), withdrawal);

        assertThat(plan.problems()).isEmpty();
        assertThat(plan.actions()).extracting(a -> a.name() + " " + a.region())
                .containsExactlyInAnyOrderElementsOf(expected);
    }

    @org.junit.jupiter.api.Test
    void theForeignStatementIsKeptVerbatimAndTheRightPoliciesAndTagsGo() {
        Plan grants = DeletionPlanner.plan(AccessPlannerTest.desired(true, false), granted().snapshot(), RETAIN);
        Action.PutResourcePolicy put = (Action.PutResourcePolicy) grants.actions().get(0);
        assertThat(PolicyDocuments.parse(put.document())).isEqualTo(PolicyDocuments.parse(policy(FOREIGN)));
        assertThat(grants.actions().stream().filter(a -> a instanceof Action.DeleteRolePolicy)
                .map(a -> ((Action.DeleteRolePolicy) a).policyName())).containsOnly(POLICY_NAME);

        Plan untag = DeletionPlanner.plan(AccessPlannerTest.desired(true, false), noGrants().snapshot(), RETAIN);
        assertThat(((Action.UntagSecret) untag.actions().get(0)).keys()).containsExactly(
                BuildkiteAgentToken.MANAGED_TAGS_TAG, BuildkiteAgentToken.OWNER_TAG);

        Plan delete = DeletionPlanner.plan(AccessPlannerTest.desired(true, false),
                noGrants().withoutReplica(WEST).snapshot(), DELETE);
        assertThat(((Action.ScheduleSecretDeletion) delete.actions().get(0)).recoveryWindowInDays()).isEqualTo(7);
    }

    @org.junit.jupiter.api.Test
    void anotherAccountIsRefused() {
        DesiredToken desired = AccessPlannerTest.desired(true, false);
        DesiredToken guarded = new DesiredToken(desired.secretName(), EAST, desired.regions(), desired.tags(), OWNER,
                Optional.of("999999999999"), true, true, false, 1, java.util.Map.of(), java.util.Map.of(), null);

        Plan plan = DeletionPlanner.plan(guarded, granted().snapshot(), DELETE);

        assertThat(plan.actions()).isEmpty();
        assertThat(plan.problems()).extracting(Problem::reason).containsExactly(Reason.AccountMismatch);
    }

    @org.junit.jupiter.api.Test
    void aForeignStatementNamingADeletedRoleBlocksTheStatementsRemovalWithAProblem() {
        World w = granted();
        w.policy = Optional.of(policy(FOREIGN.replace("arn:aws:iam::123456789012:role/auditor",
                "AROAEXAMPLEDELETED12"), OURS));

        Plan plan = DeletionPlanner.plan(AccessPlannerTest.desired(true, false), w.snapshot(), DELETE);

        assertThat(plan.problems()).extracting(Problem::reason).containsExactly(Reason.ForeignStatementInvalid);
        assertThat(plan.actions()).noneMatch(a -> a instanceof Action.UntagSecret
                || a instanceof Action.ScheduleSecretDeletion);
    }
}
