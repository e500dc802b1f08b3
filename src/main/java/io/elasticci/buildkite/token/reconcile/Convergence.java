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
import io.elasticci.buildkite.token.plan.DesiredToken;
import io.elasticci.buildkite.token.plan.Plan;
import io.elasticci.buildkite.token.plan.Planner;
import io.elasticci.buildkite.token.plan.Planners;
import io.elasticci.buildkite.token.plan.Problem;
import io.elasticci.buildkite.token.plan.RotationState;
import io.elasticci.buildkite.token.plan.Snapshot;
import io.elasticci.buildkite.token.reconcile.act.PlanExecutor;
import io.elasticci.buildkite.token.reconcile.act.StatementRemovals;
import io.elasticci.buildkite.token.reconcile.observe.AwsObserver;
import io.elasticci.buildkite.token.reconcile.observe.TokenSource;
import io.elasticci.buildkite.token.reconcile.report.Problems;

/**
 * observe → plan → act, repeated while acting changes what the next plan can see (stack updates wait for the
 * policy, a removed replica region for its re-creation), and always ending on a fresh observation so status reports
 * AWS as it is.
 */
@ApplicationScoped
public class Convergence {

    /** Enough for secret → access → stack updates; more would hide a plan that never converges. */
    static final int MAX_PASSES = 3;

    private final AwsObserver observer;
    private final PlanExecutor executor;
    private final StatementRemovals removals;
    private final Clock clock;

    @Inject
    public Convergence(AwsObserver observer, PlanExecutor executor, StatementRemovals removals, Clock clock) {
        this.observer = observer;
        this.executor = executor;
        this.removals = removals;
        this.clock = clock;
    }

    /**
     * What happened: the last snapshot, actions done (or planned, in dryRun), what is left, the problems, and the
     * desired state as it ended (it remembers stack updates started).
     */
    public record Result(Optional<Snapshot> snapshot, List<Action> shown, List<Action> pending,
            List<Problem> problems, Optional<Problem> failure, DesiredToken desired,
            Optional<RotationState> rotation) {
    }

    /** What one reconcile asks for. */
    public record Request(DesiredToken desired, TokenSource.Read value, VersionTokens tokens, Set<String> previousRoles,
            boolean dryRun) {
    }

    public Result run(Request request, Consumer<Action> onDone) {
        DesiredToken desired = request.desired();
        Snapshot snapshot = null;
        List<Action> done = new ArrayList<>();
        try {
            snapshot = observe(request, desired);
            Plan plan = Planner.plan(desired, snapshot);
            if (request.dryRun()) {
                return new Result(Optional.of(snapshot), plan.actions(), plan.actions(), plan.problems(),
                        Optional.empty(), desired, plan.rotation());
            }
            for (int pass = 0; pass < MAX_PASSES && !plan.isEmpty(); pass++) {
                desired = desired.withRotation(plan.rotation()); // times it fixed (in sync at…) must not move
                PlanExecutor.Result result = executor.execute(plan.actions(), request.value().value());
                for (Action action : result.done()) {
                    onDone.accept(action);
                    desired = remember(desired, action);
                }
                done.addAll(result.done());
                snapshot = observe(request, desired);
                if (result.failed()) {
                    Problem failure = Problems.fromFailure(result.failure().get(), result.failedAction().get(),
                            clock.instant());
                    Plan after = Planner.plan(desired, snapshot);
                    List<Problem> problems = new ArrayList<>(after.problems());
                    problems.add(failure);
                    return new Result(Optional.of(snapshot), done, List.of(), problems, Optional.of(failure), desired,
                            after.rotation());
                }
                plan = Planner.plan(desired, snapshot);
            }
            return new Result(Optional.of(snapshot), done, plan.actions(), plan.problems(), Optional.empty(), desired,
                    plan.rotation());
        } catch (AwsFailure e) {
            Problem failure = Problems.fromFailure(e, null, clock.instant());
            return new Result(Optional.ofNullable(snapshot), done, List.of(), List.of(failure), Optional.of(failure),
                    desired, desired.rollout().previous());
        }
    }

    /** Observes, counting each time our policy statement is found gone after we put it. */
    private Snapshot observe(Request request, DesiredToken desired) {
        Snapshot snapshot = observer.observe(desired, request.value().value(), request.value().problem(),
                request.tokens(), request.previousRoles());
        String owner = desired.owner();
        boolean present = snapshot.access().resourcePolicy().map(p -> Planners.hasOurStatement(p, owner))
                .orElse(false);
        return snapshot.withStatementRemovals(removals.observe(owner, present, clock.instant()));
    }

    private DesiredToken remember(DesiredToken desired, Action action) {
        if (action instanceof Action.PutResourcePolicy) {
            removals.applied(desired.owner());
        } else if (action instanceof Action.UpdateStackParameters update) {
            return desired.withStackUpdateStarted(update.region() + "/" + update.stackName());
        }
        return desired;
    }
}
