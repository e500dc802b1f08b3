package io.elasticci.buildkite.token.cli;

import java.util.List;
import java.util.Optional;

import io.elasticci.buildkite.token.plan.Action;
import io.elasticci.buildkite.token.plan.Problem;

/** What the plan command found for one manifest. */
record TokenPlan(String source, String namespace, String name, List<String> errors, List<Action> actions,
        List<Problem> problems, Optional<String> failure, List<String> notes) {

    /** How a manifest ends, most severe first. */
    enum Outcome {
        INVALID, FAILED, STALLED, CHANGES, NO_CHANGES, VALID
    }

    static TokenPlan invalid(String source, String namespace, String name, List<String> errors) {
        return new TokenPlan(source, namespace, name, errors, List.of(), List.of(), Optional.empty(), List.of());
    }

    static TokenPlan validated(String source, String namespace, String name) {
        return new TokenPlan(source, namespace, name, List.of(), List.of(), List.of(), Optional.empty(),
                List.of("not planned: --offline"));
    }

    Outcome outcome() {
        if (!errors.isEmpty()) {
            return Outcome.INVALID;
        }
        if (failure.isPresent()) {
            return Outcome.FAILED;
        }
        if (problems.stream().anyMatch(p -> p.reason().isTerminal())) {
            return Outcome.STALLED;
        }
        if (!actions.isEmpty()) {
            return Outcome.CHANGES;
        }
        return notes.contains("not planned: --offline") ? Outcome.VALID : Outcome.NO_CHANGES;
    }

    /** 1 when something needs a fix, 2 when the operator would change something, else 0. */
    static int exitCode(List<TokenPlan> plans) {
        boolean broken = plans.stream().map(TokenPlan::outcome)
                .anyMatch(o -> o == Outcome.INVALID || o == Outcome.FAILED || o == Outcome.STALLED);
        if (broken) {
            return 1;
        }
        return plans.stream().anyMatch(p -> p.outcome() == Outcome.CHANGES) ? 2 : 0;
    }
}
