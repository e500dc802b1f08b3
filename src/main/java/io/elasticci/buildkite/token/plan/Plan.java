package io.elasticci.buildkite.token.plan;

import java.util.List;

/**
 * What the planner decided: the actions to take, in order, and what stands in the way. A blocked plan stopped at a
 * problem that leaves nothing else to plan (wrong account, someone else's secret, no secret at all).
 */
public record Plan(List<Action> actions, List<Problem> problems, boolean blocked,
        java.util.Optional<RotationState> rotation) {

    public Plan {
        actions = List.copyOf(actions);
        problems = List.copyOf(problems);
    }

    public Plan(List<Action> actions, List<Problem> problems) {
        this(actions, problems, false, java.util.Optional.empty());
    }

    public static Plan blocked(Problem problem) {
        return new Plan(List.of(), List.of(problem), true, java.util.Optional.empty());
    }

    public boolean isEmpty() {
        return actions.isEmpty();
    }

    public boolean hasTerminalProblem() {
        return problems.stream().anyMatch(p -> p.reason().isTerminal());
    }
}
