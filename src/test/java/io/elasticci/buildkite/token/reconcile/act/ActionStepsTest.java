package io.elasticci.buildkite.token.reconcile.act;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import io.elasticci.buildkite.token.plan.Action;
import io.elasticci.buildkite.token.reconcile.act.ActionSteps.Step;

class ActionStepsTest {

    private static final String EAST = "us-east-1";
    private static final String ARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:ci-AbCdEf";

    private static final Action CREATE = new Action.CreateSecret(EAST, "ci", null, "aws/secretsmanager", Map.of(), "t1");
    private static final Action PUT_VALUE = new Action.PutSecretValue(EAST, ARN, "t2", false);
    private static final Action WEST = replicate("us-west-2", "ci");
    private static final Action EU = replicate("eu-west-1", "ci");
    private static final Action AP = replicate("ap-southeast-2", "ci");
    private static final Action WEST_OF_ARN = replicate("us-west-2", ARN);
    private static final Action REMOVE_EU = new Action.RemoveReplica("eu-west-1", EAST, ARN, "replication failed");
    private static final Action POLICY = new Action.PutResourcePolicy(EAST, "ci", "{}", "grant", false, null);
    private static final Action DELETE_POLICY = new Action.DeleteResourcePolicy(EAST, ARN, "remove statement");
    private static final Action ROLE_A = new Action.PutRolePolicy("global", "a", "BuildkiteAgentToken-x", "{}", "");
    private static final Action ROLE_B = new Action.PutRolePolicy("global", "b", "BuildkiteAgentToken-x", "{}", "");
    private static final Action UNGRANT_A = new Action.DeleteRolePolicy("global", "a", "BuildkiteAgentToken-y", "");
    private static final Action UNGRANT_B = new Action.DeleteRolePolicy("global", "b", "BuildkiteAgentToken-x", "");
    private static final Action UPDATE_S1 = update("s1");
    private static final Action UPDATE_S2 = update("s2");
    private static final Action ROTATION = new Action.ConfigureRotation(EAST, ARN, "arn:lambda", "rate(30 days)");
    private static final Action REFRESH_S1 = new Action.StartInstanceRefresh(EAST, "s1", "g1", 90, "Wait", "v2");

    private static Action replicate(String region, String secretId) {
        return new Action.ReplicateSecret(region, EAST, secretId, null, "aws/secretsmanager");
    }

    private static Action update(String stack) {
        return new Action.UpdateStackParameters(EAST, stack, "id-" + stack, List.of("P"), Map.of("P", "v"));
    }

    private static Step step(List<Action> actions, Integer... after) {
        return new Step(actions, Set.of(after));
    }

    static Stream<Arguments> plans() {
        return Stream.of(
                Arguments.of("nothing to do", List.of(), List.of()),
                Arguments.of("first convergence: the secret's chain, every role on its own, replicas in one call",
                        List.of(CREATE, WEST, EU, AP, POLICY, ROLE_A, ROLE_B),
                        List.of(step(List.of(CREATE)), step(List.of(WEST, EU, AP), 0), step(List.of(POLICY), 1),
                                step(List.of(ROLE_A)), step(List.of(ROLE_B)))),
                Arguments.of("replica additions apart in the plan, or of different secrets, are separate calls",
                        List.of(WEST, REMOVE_EU, EU, WEST_OF_ARN),
                        List.of(step(List.of(WEST)), step(List.of(REMOVE_EU), 0), step(List.of(EU), 1),
                                step(List.of(WEST_OF_ARN), 2))),
                Arguments.of("actions on one role wait for each other",
                        List.of(ROLE_A, ROLE_B, UNGRANT_A),
                        List.of(step(List.of(ROLE_A)), step(List.of(ROLE_B)), step(List.of(UNGRANT_A), 0))),
                Arguments.of("withdrawing grants: the policy and every role at once",
                        List.of(DELETE_POLICY, UNGRANT_A, UNGRANT_B),
                        List.of(step(List.of(DELETE_POLICY)), step(List.of(UNGRANT_A)), step(List.of(UNGRANT_B)))),
                Arguments.of("stack updates and refreshes wait for the secret and the grants, not for each other",
                        List.of(PUT_VALUE, ROLE_A, UPDATE_S1, UPDATE_S2, ROTATION, REFRESH_S1),
                        List.of(step(List.of(PUT_VALUE)), step(List.of(ROLE_A)), step(List.of(UPDATE_S1), 0, 1),
                                step(List.of(UPDATE_S2), 0, 1), step(List.of(ROTATION), 0),
                                step(List.of(REFRESH_S1), 1, 2, 4))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("plans")
    void groupsAPlanIntoSteps(String name, List<Action> actions, List<Step> expected) {
        assertThat(ActionSteps.of(actions)).containsExactlyElementsOf(expected);
        assertThat(ActionSteps.of(actions).stream().flatMap(s -> s.actions().stream()).toList())
                .as("every action exactly once, in plan order").containsExactlyElementsOf(actions);
    }
}
