package io.elasticci.buildkite.token.reconcile;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import io.elasticci.buildkite.token.aws.AwsFailure;
import io.elasticci.buildkite.token.plan.Action;
import io.elasticci.buildkite.token.plan.DeletionPlanner;
import io.elasticci.buildkite.token.plan.DesiredToken;
import io.elasticci.buildkite.token.plan.Plan;
import io.elasticci.buildkite.token.plan.Problem;
import io.elasticci.buildkite.token.plan.Reason;
import io.elasticci.buildkite.token.plan.Snapshot;
import io.elasticci.buildkite.token.plan.Withdrawal;
import io.elasticci.buildkite.token.reconcile.act.PlanExecutor;
import io.elasticci.buildkite.token.reconcile.observe.AwsObserver;
import io.elasticci.buildkite.token.reconcile.report.Problems;

/**
 * observe → plan → act for a deleted resource, step after step (grants, then tags or replicas, then the secret),
 * until nothing is left to do or a step fails.
 */
@ApplicationScoped
public class Deletion {

    /** Grants, replicas, the secret, and one more look that finds nothing left. */
    static final int MAX_PASSES = 4;

    private final AwsObserver observer;
    private final PlanExecutor executor;
    private final Clock clock;

    @Inject
    public Deletion(AwsObserver observer, PlanExecutor executor, Clock clock) {
        this.observer = observer;
        this.executor = executor;
        this.clock = clock;
    }

    /** @param finished nothing is left to do in AWS: the finalizer may go */
    public record Result(boolean finished, List<Action> done, List<Problem> problems, Optional<Problem> failure,
            Optional<Snapshot> snapshot) {
    }

    public Result run(DesiredToken desired, Withdrawal withdrawal, VersionTokens tokens, Set<String> previousRoles,
            Consumer<Action> onDone) {
        List<Action> done = new ArrayList<>();
        Snapshot snapshot = null;
        try {
            for (int pass = 0; pass < MAX_PASSES; pass++) {
                snapshot = observer.observe(desired, Optional.empty(), Optional.empty(), tokens, previousRoles);
                // Withdrawing grants or replicas must see every region: a region down stops the deletion as before.
                snapshot.unavailableRegions().values().stream().findFirst().ifPresent(failure -> {
                    throw failure;
                });
                Plan plan = DeletionPlanner.plan(desired, snapshot, withdrawal);
                if (plan.actions().isEmpty()) {
                    // Nothing left, or refused to act in another account (so nothing of ours is there): finished.
                    boolean finished = plan.problems().stream()
                            .allMatch(p -> p.reason() == Reason.AccountMismatch);
                    return new Result(finished, done, plan.problems(), Optional.empty(), Optional.of(snapshot));
                }
                PlanExecutor.Result result = executor.execute(plan.actions(), Optional.empty());
                result.done().forEach(onDone);
                done.addAll(result.done());
                if (result.failed()) {
                    Problem failure = Problems.fromFailure(result.failure().get(), result.failedAction().get(),
                            clock.instant());
                    return new Result(false, done, List.of(failure), Optional.of(failure),
                            Optional.of(snapshot));
                }
            }
            return new Result(false, done, List.of(), Optional.empty(), Optional.ofNullable(snapshot));
        } catch (AwsFailure e) {
            Problem failure = Problems.fromFailure(e, null, clock.instant());
            return new Result(false, done, List.of(failure), Optional.of(failure),
                    Optional.ofNullable(snapshot));
        }
    }
}
