package io.elasticci.buildkite.token.reconcile.act;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import io.elasticci.buildkite.token.plan.Action;

/**
 * A plan as steps that may run concurrently: pure, the same plan always gives the same steps. Each action belongs to
 * one lane, what it changes (the secret, one role, one stack), and waits for the action before it in its lane:
 * Secrets Manager refuses concurrent changes to one secret, and IAM to one role's policies, while different roles are
 * independent of each other and of the secret (an inline policy names the parameter and the key, which IAM does not
 * check exist). Stack parameter updates and instance refreshes also wait for every earlier action of the other lanes:
 * they make instances read the token, which must be in place, replicated and granted first. Consecutive replica
 * additions of one secret become one step: one ReplicateSecretToRegions call adds several regions.
 */
public final class ActionSteps {

    private ActionSteps() {
    }

    /**
     * Actions done by one call, and the steps (by index, all earlier) that must have succeeded before it starts.
     */
    public record Step(List<Action> actions, Set<Integer> after) {
        public Step {
            actions = List.copyOf(actions);
            after = Set.copyOf(after);
        }

        public Action first() {
            return actions.get(0);
        }
    }

    public static List<Step> of(List<Action> actions) {
        List<Step> steps = new ArrayList<>();
        Map<String, Integer> lastOfLane = new LinkedHashMap<>();
        Map<String, Integer> lastOfUngatedLane = new LinkedHashMap<>();
        for (Action action : actions) {
            String lane = lane(action);
            Integer previous = lastOfLane.get(lane);
            if (previous != null && previous == steps.size() - 1 && joins(steps.get(previous), action)) {
                List<Action> merged = new ArrayList<>(steps.get(previous).actions());
                merged.add(action);
                steps.set(previous, new Step(merged, steps.get(previous).after()));
                continue;
            }
            Set<Integer> after = new TreeSet<>();
            if (previous != null) {
                after.add(previous);
            }
            if (gated(action)) {
                after.addAll(lastOfUngatedLane.values());
            } else {
                lastOfUngatedLane.put(lane, steps.size());
            }
            lastOfLane.put(lane, steps.size());
            steps.add(new Step(List.of(action), after));
        }
        return steps;
    }

    /** What the action changes: actions on the same thing run one after another, in plan order. */
    static String lane(Action action) {
        if (action instanceof Action.PutRolePolicy a) {
            return "role " + a.roleName();
        } else if (action instanceof Action.DeleteRolePolicy a) {
            return "role " + a.roleName();
        } else if (action instanceof Action.UpdateStackParameters a) {
            return "stack " + a.region() + "/" + a.stackName();
        } else if (action instanceof Action.StartInstanceRefresh a) {
            return "stack " + a.region() + "/" + a.stack();
        }
        return "secret"; // every other action is a Secrets Manager call on this resource's secret or its replicas
    }

    private static boolean gated(Action action) {
        return action instanceof Action.UpdateStackParameters || action instanceof Action.StartInstanceRefresh;
    }

    /** Another replica for the same secret, added by the same call. */
    private static boolean joins(Step step, Action action) {
        return action instanceof Action.ReplicateSecret next && step.first() instanceof Action.ReplicateSecret first
                && first.primaryRegion().equals(next.primaryRegion()) && first.secretId().equals(next.secretId());
    }
}
