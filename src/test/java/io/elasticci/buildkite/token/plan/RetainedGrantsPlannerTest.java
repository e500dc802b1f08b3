package io.elasticci.buildkite.token.plan;

import static io.elasticci.buildkite.token.plan.AccessPlannerTest.FOREIGN;
import static io.elasticci.buildkite.token.plan.AccessPlannerTest.OURS;
import static io.elasticci.buildkite.token.plan.AccessPlannerTest.policy;
import static io.elasticci.buildkite.token.plan.AccessPlannerTest.statement;
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

/** The end of a hand-over: a previous owner's retained grants go, in order, once ours are in place. */
class RetainedGrantsPlannerTest {

    private static final String OLD = PolicyDocuments.ownerHash("cluster-1/buildkite/old-token");
    private static final String OLD_ROLE = "ci-IAMRole";
    private static final String RETAINED = statement(ResourcePolicyPlanner.sidOfHash(OLD),
            "\"arn:aws:iam::" + Fixtures.ACCOUNT + ":role/" + OLD_ROLE + "\"", "secretsmanager:GetSecretValue");

    /** Converged for us; the old owner's statement, tag and inline policy still there. */
    private static World handedOver() {
        World w = AccessPlannerTest.converged();
        w.tags.put(BuildkiteAgentToken.RETAINED_GRANTS_TAG, OLD);
        w.policy = Optional.of(policy(FOREIGN, OURS, RETAINED));
        w.retainedInline.put(Planners.retainedPolicyKey(OLD, OLD_ROLE), Optional.of("{}"));
        return w;
    }

    static Stream<Arguments> steps() {
        return Stream.of(
                step("first the old owner's inline policies", w -> { }, "DeleteRolePolicy global"),
                step("then its statement, the others kept", w -> w.retainedInline.clear(),
                        "PutResourcePolicy us-east-1"),
                step("then the tag that listed it", w -> {
                    w.retainedInline.clear();
                    w.policy = Optional.of(policy(FOREIGN, OURS));
                }, "UntagSecret us-east-1"),
                step("nothing while our own grants are pending", w -> w.inlinePolicies.clear(),
                        "PutRolePolicy global", "PutRolePolicy global", "PutRolePolicy global"),
                step("nothing without the tag", w -> w.tags.remove(BuildkiteAgentToken.RETAINED_GRANTS_TAG)));
    }

    private static Arguments step(String name, Consumer<World> change, String... expected) {
        World world = handedOver();
        change.accept(world);
        return Arguments.of(name, world, List.of(expected));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("steps")
    void plansTheNextStep(String name, World world, List<String> expected) {
        Plan plan = Planner.plan(AccessPlannerTest.desired(true, false), world.snapshot());

        assertThat(plan.actions()).extracting(a -> a.name() + " " + a.region())
                .containsExactlyInAnyOrderElementsOf(expected);
        plan.actions().stream().filter(a -> a instanceof Action.PutResourcePolicy)
                .map(a -> (Action.PutResourcePolicy) a).forEach(put -> assertThat(PolicyDocuments.parse(put.document()))
                        .isEqualTo(PolicyDocuments.parse(policy(FOREIGN, OURS))));
        plan.actions().stream().filter(a -> a instanceof Action.DeleteRolePolicy && name.startsWith("first"))
                .forEach(d -> assertThat(((Action.DeleteRolePolicy) d).policyName())
                        .isEqualTo("BuildkiteAgentToken-" + OLD));
    }
}
