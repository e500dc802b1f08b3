package io.elasticci.buildkite.token.reconcile;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import io.elasticci.buildkite.token.aws.AwsFailure;
import io.elasticci.buildkite.token.plan.Action;
import io.elasticci.buildkite.token.plan.DesiredToken;
import io.elasticci.buildkite.token.plan.Plan;
import io.elasticci.buildkite.token.plan.Planner;
import io.elasticci.buildkite.token.plan.Problem;
import io.elasticci.buildkite.token.plan.Snapshot;

/**
 * observe → plan → act, repeated while acting changes what the next plan can see (a new secret's replicas can only
 * be planned once it has an ARN), and always ending on a fresh observation so status reports AWS as it is.
 */
@ApplicationScoped
public class Convergence {

    /** Enough for create → replicate → settle; more would hide a plan that never converges. */
    static final int MAX_PASSES = 3;

    private final AwsObserver observer;
    private final PlanExecutor executor;

    @Inject
    public Convergence(AwsObserver observer, PlanExecutor executor) {
        this.observer = observer;
        this.executor = executor;
    }

    /** What happened: the last snapshot, actions done (or planned, in dryRun), what is left, and the problems. */
    public record Result(Optional<Snapshot> snapshot, List<Action> shown, List<Action> pending,
            List<Problem> problems, Optional<Problem> failure) {
    }

    public Result run(DesiredToken desired, TokenSource.Read value, VersionTokens tokens, boolean dryRun,
            Consumer<Action> onDone) {
        Snapshot snapshot = null;
        List<Action> done = new ArrayList<>();
        try {
            snapshot = observer.observe(desired, value.value(), value.problem(), tokens);
            Plan plan = Planner.plan(desired, snapshot);
            if (dryRun) {
                return new Result(Optional.of(snapshot), plan.actions(), plan.actions(), plan.problems(),
                        Optional.empty());
            }
            for (int pass = 0; pass < MAX_PASSES && !plan.isEmpty(); pass++) {
                PlanExecutor.Result result = executor.execute(plan.actions(), value.value());
                result.done().forEach(onDone);
                done.addAll(result.done());
                if (result.failed()) {
                    Problem failure = Problems.fromFailure(result.failure().get(), result.failedAction().get());
                    List<Problem> problems = new ArrayList<>(plan.problems());
                    problems.add(failure);
                    snapshot = observer.observe(desired, value.value(), value.problem(), tokens);
                    return new Result(Optional.of(snapshot), done, List.of(), problems, Optional.of(failure));
                }
                snapshot = observer.observe(desired, value.value(), value.problem(), tokens);
                plan = Planner.plan(desired, snapshot);
            }
            return new Result(Optional.of(snapshot), done, plan.actions(), plan.problems(), Optional.empty());
        } catch (AwsFailure e) {
            Problem failure = Problems.fromFailure(e, null);
            return new Result(Optional.ofNullable(snapshot), done, List.of(), List.of(failure), Optional.of(failure));
        }
    }
}
