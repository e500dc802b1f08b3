package io.elasticci.buildkite.token.plan;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.elasticci.buildkite.token.aws.KmsKey;
import io.elasticci.buildkite.token.aws.StackDescription;

/**
 * The stacks' token parameters: what they must be, whether they are, and (stackParameters: Manage) the update that
 * sets them — which replaces the stack's Auto Scaling group, so it waits until everything else is in place and a
 * failed update is not retried for the same generation.
 */
public final class StackPlanner {

    public static final String PATH_PARAMETER = "BuildkiteAgentTokenParameterStorePath";
    public static final String KEY_PARAMETER = "BuildkiteAgentTokenParameterStoreKMSKey";

    private StackPlanner() {
    }

    /** The values a stack in {@code region} must have; the key is absent while the region's key is unknown. */
    public static Map<String, String> expectedParameters(DesiredToken desired, Snapshot snapshot, String region) {
        Map<String, String> expected = new LinkedHashMap<>();
        expected.put(PATH_PARAMETER, "/aws/reference/secretsmanager/" + desired.secretName());
        KmsKey key = snapshot.desiredKeys().get(region);
        if (key != null) {
            expected.put(KEY_PARAMETER, key.keyId());
        }
        return expected;
    }

    /** Parameters that differ from what they must be, with the value each must have. */
    public static Map<String, String> mismatches(DesiredToken desired, Snapshot snapshot, StackObservation stack) {
        Map<String, String> wrong = new LinkedHashMap<>();
        StackDescription description = stack.stack().orElse(null);
        if (description == null) {
            return wrong;
        }
        expectedParameters(desired, snapshot, stack.region()).forEach((key, value) -> {
            if (!value.equals(description.parameter(key))) {
                wrong.put(key, value);
            }
        });
        return wrong;
    }

    /**
     * @param readyForStackUpdates whether the secret, replicas, policy and permissions are all in place
     */
    static void plan(DesiredToken desired, Snapshot snapshot, boolean readyForStackUpdates, List<Action> actions,
            List<Problem> problems) {
        for (StackObservation stack : snapshot.access().stacks()) {
            String where = "stack " + stack.name() + " in " + stack.region();
            if (stack.stack().isEmpty()) {
                problems.add(Problem.of(Problem.Scope.STACKS, Reason.StackNotFound, stack.region(),
                        where + " does not exist"));
                continue;
            }
            if (!stack.missingRoles().isEmpty()) {
                problems.add(Problem.of(Problem.Scope.STACKS, Reason.RoleNotFound, stack.region(),
                        where + " names roles IAM does not have: " + stack.missingRoles()));
            }
            StackDescription description = stack.stack().get();
            String claimedBy = desired.claimedStacks().get(stack.key());
            if (claimedBy != null && desired.manageStackParameters()) {
                problems.add(Problem.of(Problem.Scope.STACKS, Reason.StackClaimed, stack.region(), where
                        + " is already managed (stackParameters: Manage) by " + claimedBy));
                continue;
            }
            if (description.inProgress()) {
                problems.add(Problem.of(Problem.Scope.STACKS, Reason.StackUpdateInProgress, stack.region(),
                        where + " is " + description.status()));
                continue;
            }
            Map<String, String> wrong = mismatches(desired, snapshot, stack);
            if (wrong.isEmpty()) {
                continue;
            }
            String set = where + ": set " + render(wrong) + " (now " + render(current(description, wrong)) + ")";
            if (!desired.manageStackParameters()) {
                problems.add(Problem.of(Problem.Scope.STACKS, Reason.StackParametersMismatch, stack.region(), set));
            } else if (Long.valueOf(desired.generation()).equals(desired.stackUpdateGenerations().get(stack.key()))) {
                problems.add(Problem.of(Problem.Scope.STACKS, Reason.StackUpdateFailed, stack.region(), where
                        + " update to " + render(wrong) + " did not take (" + description.status()
                        + (description.statusReason() == null ? "" : ": " + description.statusReason())
                        + "); not retried until the spec changes"));
            } else if (readyForStackUpdates) {
                actions.add(new Action.UpdateStackParameters(stack.region(), stack.name(), description.stackId(),
                        description.parameterKeys(), wrong));
            } else {
                problems.add(Problem.of(Problem.Scope.STACKS, Reason.Progressing, stack.region(), where
                        + " will be updated once the secret, replicas, policy and permissions are in place"));
            }
        }
    }

    private static Map<String, String> current(StackDescription description, Map<String, String> keys) {
        Map<String, String> now = new LinkedHashMap<>();
        keys.keySet().forEach(k -> now.put(k, description.parameter(k)));
        return now;
    }

    private static String render(Map<String, String> values) {
        List<String> parts = new ArrayList<>();
        values.forEach((k, v) -> parts.add(k + "=" + (v.isEmpty() ? "\"\"" : v)));
        return String.join(", ", parts);
    }
}
