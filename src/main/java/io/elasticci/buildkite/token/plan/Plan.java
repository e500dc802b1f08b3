package io.elasticci.buildkite.token.plan;

import java.util.List;

/** What the planner decided: the actions to take, in order, and what stands in the way. */
public record Plan(List<Action> actions, List<Problem> problems) {

    public Plan {
        actions = List.copyOf(actions);
        problems = List.copyOf(problems);
    }

    public static Plan blocked(Problem problem) {
        return new Plan(List.of(), List.of(problem));
    }

    public boolean isEmpty() {
        return actions.isEmpty();
    }

    public boolean hasTerminalProblem() {
        return problems.stream().anyMatch(p -> p.reason().isTerminal());
    }
}
