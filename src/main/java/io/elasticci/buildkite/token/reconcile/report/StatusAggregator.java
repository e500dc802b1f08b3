package io.elasticci.buildkite.token.reconcile.report;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.stream.Collectors;

import io.elasticci.buildkite.token.api.v1alpha1.BuildkiteAgentTokenStatus;
import io.elasticci.buildkite.token.api.v1alpha1.Condition;
import io.elasticci.buildkite.token.api.v1alpha1.PlanEntry;
import io.elasticci.buildkite.token.api.v1alpha1.RegionStatus;
import io.elasticci.buildkite.token.api.v1alpha1.StackStatus;
import io.elasticci.buildkite.token.aws.KmsKey;
import io.elasticci.buildkite.token.aws.ReplicaDescription;
import io.elasticci.buildkite.token.aws.SecretDescription;
import io.elasticci.buildkite.token.plan.Action;
import io.elasticci.buildkite.token.plan.DesiredToken;
import io.elasticci.buildkite.token.plan.Problem;
import io.elasticci.buildkite.token.plan.Reason;
import io.elasticci.buildkite.token.plan.Snapshot;
import io.elasticci.buildkite.token.plan.StackObservation;
import io.elasticci.buildkite.token.plan.StackPlanner;
import io.elasticci.buildkite.token.reconcile.Printable;

/**
 * Builds the status from what a reconcile saw and did. Pure: the time comes in as an argument and conditions keep
 * their lastTransitionTime while their status stays the same.
 */
public final class StatusAggregator {

    public static final String READY = "Ready";
    public static final String RECONCILING = "Reconciling";
    public static final String STALLED = "Stalled";
    public static final String SECRET_READY = "SecretReady";
    public static final String REPLICAS_IN_SYNC = "ReplicasInSync";
    public static final String RESOURCE_POLICY_APPLIED = "ResourcePolicyApplied";
    public static final String PERMISSIONS_GRANTED = "PermissionsGranted";
    public static final String STACKS_CONFIGURED = "StacksConfigured";
    public static final String INSTANCES_REFRESHED = "InstancesRefreshed";
    /** The condition of each problem scope, in the order status lists them. */
    private static final java.util.Map<Problem.Scope, String> SCOPED = new java.util.LinkedHashMap<>();

    static {
        SCOPED.put(Problem.Scope.SECRET, SECRET_READY);
        SCOPED.put(Problem.Scope.REPLICAS, REPLICAS_IN_SYNC);
        SCOPED.put(Problem.Scope.POLICY, RESOURCE_POLICY_APPLIED);
        SCOPED.put(Problem.Scope.PERMISSIONS, PERMISSIONS_GRANTED);
        SCOPED.put(Problem.Scope.STACKS, STACKS_CONFIGURED);
        SCOPED.put(Problem.Scope.ROLLOUT, INSTANCES_REFRESHED);
    }
    static final int MAX_PLAN_ENTRIES = 50;
    private static final int MAX_MESSAGES = 3;

    /** How the reconcile ran. */
    public enum Mode {
        NORMAL, DRY_RUN, SUSPENDED
    }

    /**
     * @param shownPlan actions done (or, in dryRun, that would be done)
     * @param pending actions still to do: in dryRun the whole plan, else what re-planning still found
     */
    public record Outcome(long generation, Mode mode, Optional<DesiredToken> desired, Optional<Snapshot> snapshot,
            List<Action> shownPlan, List<Action> pending, List<Problem> problems,
            Optional<io.elasticci.buildkite.token.plan.RotationState> rotation) {

        public Outcome(long generation, Mode mode, Optional<DesiredToken> desired, Optional<Snapshot> snapshot,
                List<Action> shownPlan, List<Action> pending, List<Problem> problems) {
            this(generation, mode, desired, snapshot, shownPlan, pending, problems, Optional.empty());
        }

        /** A reconcile that stopped before observing AWS (suspended, invalid, the operator cannot act). */
        public static Outcome unobserved(long generation, Mode mode, List<Problem> problems) {
            return new Outcome(generation, mode, Optional.empty(), Optional.empty(), List.of(), List.of(), problems);
        }
    }

    private StatusAggregator() {
    }

    public static BuildkiteAgentTokenStatus build(Outcome outcome, BuildkiteAgentTokenStatus previous, Instant now) {
        BuildkiteAgentTokenStatus status = new BuildkiteAgentTokenStatus();
        status.observedGeneration = outcome.generation();
        List<Condition> old = previous == null ? List.of() : previous.conditions;
        if (outcome.mode() == Mode.SUSPENDED) {
            copyObservations(previous, status);
            status.conditions = new ArrayList<>(old.stream()
                    .filter(c -> !List.of(READY, RECONCILING, STALLED).contains(c.getType())).toList());
            String message = "spec.suspend is set: nothing is observed or changed";
            status.conditions.add(0, condition(old, READY, "Unknown", Reason.Suspended, message, outcome, now));
            status.conditions.add(1, condition(old, RECONCILING, "False", Reason.Suspended, message, outcome, now));
            status.conditions.add(2, condition(old, STALLED, "False", Reason.Suspended, message, outcome, now));
            return status;
        }
        outcome.snapshot().ifPresent(s -> fillObservations(status, outcome.desired().orElse(null), s, previous));
        if (outcome.snapshot().isEmpty()) {
            copyObservations(previous, status);
        }
        outcome.rotation().map(RotationStates::toStatus).ifPresent(r -> status.rotation = r);
        if (outcome.rotation().isEmpty() && previous != null) {
            status.rotation = previous.rotation;
        }
        outcome.shownPlan().stream().limit(MAX_PLAN_ENTRIES)
                .forEach(a -> status.plan.add(new PlanEntry(a.name(), a.region(), a.target(), a.detail())));
        status.conditions = conditions(outcome, old, now);
        return status;
    }

    private static List<Condition> conditions(Outcome outcome, List<Condition> old, Instant now) {
        List<Problem> problems = outcome.problems();
        boolean dryRun = outcome.mode() == Mode.DRY_RUN;
        Optional<Problem> terminal = top(problems, p -> p.reason().isTerminal());
        Optional<Problem> worst = top(problems, p -> true);

        Verdict ready = verdict(problems, outcome.pending(), dryRun, p -> true, a -> true);
        List<Condition> conditions = new ArrayList<>();
        conditions.add(condition(old, READY, ready.ok ? "True" : "False", ready.reason, ready.message, outcome, now));
        boolean reconciling = terminal.isEmpty() && !ready.ok && !dryRun;
        Reason reconcilingReason = reconciling ? worst.map(Problem::reason).orElse(Reason.Progressing) : ready.reason;
        conditions.add(condition(old, RECONCILING, reconciling ? "True" : "False", reconcilingReason,
                reconciling ? ready.message : "", outcome, now));
        conditions.add(condition(old, STALLED, terminal.isPresent() ? "True" : "False",
                terminal.map(Problem::reason).orElse(ready.reason),
                terminal.isPresent() ? messages(problems, terminal.get().reason()) : "", outcome, now));
        SCOPED.forEach((scope, type) -> {
            Verdict verdict = verdict(problems, outcome.pending(), dryRun, p -> p.scope() == scope,
                    a -> a.scope() == scope);
            conditions.add(condition(old, type, verdict.ok ? "True" : "False", verdict.reason, verdict.message,
                    outcome, now));
        });
        return conditions;
    }

    private record Verdict(boolean ok, Reason reason, String message) {
    }

    private static Verdict verdict(List<Problem> problems, List<Action> pending, boolean dryRun,
            Predicate<Problem> inScope, Predicate<Action> actionInScope) {
        List<Problem> scoped = problems.stream().filter(inScope).toList();
        Optional<Problem> top = top(scoped, p -> true);
        if (top.isPresent()) {
            return new Verdict(false, top.get().reason(), messages(scoped, top.get().reason()));
        }
        List<Action> scopedPending = pending.stream().filter(actionInScope).toList();
        if (!scopedPending.isEmpty()) {
            String what = scopedPending.stream().map(a -> a.name() + " " + a.region()).distinct()
                    .collect(Collectors.joining(", "));
            return new Verdict(false, dryRun ? Reason.DryRun : Reason.Progressing,
                    (dryRun ? "dryRun is set; planned: " : "pending: ") + what);
        }
        return new Verdict(true, Reason.Converged, "");
    }

    /** Terminal reasons first, in enum order; then transient ones. */
    private static Optional<Problem> top(List<Problem> problems, Predicate<Problem> filter) {
        return problems.stream().filter(filter).min(Comparator.comparingInt((Problem p) -> p.reason().ordinal()));
    }

    private static String messages(List<Problem> problems, Reason reason) {
        List<String> same = problems.stream().filter(p -> p.reason() == reason).map(Problem::message).distinct()
                .toList();
        String joined = String.join("; ", same.subList(0, Math.min(MAX_MESSAGES, same.size())));
        return same.size() > MAX_MESSAGES ? joined + "; and " + (same.size() - MAX_MESSAGES) + " more" : joined;
    }

    private static Condition condition(List<Condition> old, String type, String status, Reason reason,
            String message, Outcome outcome, Instant now) {
        String since = old.stream().filter(c -> c.getType().equals(type) && c.getStatus().equals(status))
                .map(Condition::getLastTransitionTime).filter(Objects::nonNull).findFirst().orElse(now.toString());
        // Messages quote the spec and AWS: whatever slipped through unescaped is escaped here, and the size bounded.
        return new Condition(type, status, reason.name(), Printable.message(message), since, outcome.generation());
    }

    private static void fillObservations(BuildkiteAgentTokenStatus status, DesiredToken desired, Snapshot snapshot,
            BuildkiteAgentTokenStatus previous) {
        status.accountId = snapshot.identity().accountId();
        if (desired == null) {
            return;
        }
        status.parameterPath = "/aws/reference/secretsmanager/" + desired.secretName();
        Optional<SecretDescription> secret = snapshot.secret().filter(s -> !s.isReplica());
        secret.ifPresent(s -> {
            status.secretArn = s.arn();
            status.currentVersionId = s.currentVersionId().orElse(null);
        });
        int inSync = 0;
        for (DesiredToken.DesiredRegion wanted : desired.regions()) {
            RegionStatus region = new RegionStatus();
            region.region = wanted.region();
            boolean primary = wanted.region().equals(desired.primaryRegion());
            region.role = primary ? "Primary" : "Replica";
            KmsKey key = snapshot.desiredKeys().get(wanted.region());
            region.kmsKeyId = key == null ? null : key.keyId();
            if (primary) {
                region.replicationStatus = secret.isPresent() ? ReplicaDescription.IN_SYNC : "Missing";
            } else {
                Optional<ReplicaDescription> replica = secret.flatMap(s -> s.replica(wanted.region()));
                region.replicationStatus = replica.map(ReplicaDescription::status).orElse("Missing");
                region.message = replica.map(ReplicaDescription::message).orElse(null);
            }
            Optional<io.elasticci.buildkite.token.aws.AwsFailure> outage = Optional.ofNullable(
                    snapshot.unavailableRegions().get(wanted.region()));
            outage.ifPresent(failure -> region.message = "not observed: " + failure.getMessage());
            if (ReplicaDescription.IN_SYNC.equals(region.replicationStatus) && outage.isEmpty()) {
                inSync++; // an unobserved region is not known to be ready, whatever the primary shows of it
            }
            snapshot.access().stacks().stream().filter(s -> s.region().equals(wanted.region()))
                    .forEach(s -> region.stacks.add(stackStatus(desired, snapshot, s)));
            if (outage.isPresent() && previous != null) {
                // Its stacks were not read: what the last status knew of them (their roles may hold our grants) stays.
                previous.regions.stream().filter(r -> wanted.region().equals(r.region)).findFirst()
                        .ifPresent(r -> region.stacks.addAll(r.stacks));
            }
            status.regions.add(region);
        }
        status.regionsReady = inSync + "/" + desired.regions().size();
        long stacks = desired.regions().stream().mapToLong(r -> r.stacks().size()).sum();
        if (stacks > 0) {
            long configured = status.regions.stream().flatMap(r -> r.stacks.stream())
                    .filter(s -> Boolean.TRUE.equals(s.parametersValid)).count();
            status.stacksReady = configured + "/" + stacks;
        }
    }

    private static StackStatus stackStatus(DesiredToken desired, Snapshot snapshot, StackObservation stack) {
        StackStatus status = new StackStatus();
        status.name = stack.name();
        status.parameterUpdateGeneration = desired.stackUpdateGenerations().get(stack.key());
        if (stack.stack().isEmpty()) {
            status.message = "stack not found";
            return status;
        }
        status.stackStatus = stack.stack().get().status();
        status.instanceRole = stack.instanceRole().map(r -> new StackStatus.RoleRef(r.arn(), r.roleId())).orElse(null);
        stack.scalerRoles().forEach(r -> status.scalerRoles.add(new StackStatus.RoleRef(r.arn(), r.roleId())));
        status.autoScalingGroup = stack.autoScalingGroup();
        status.expectedParameters.putAll(StackPlanner.expectedParameters(desired, snapshot, stack.region()));
        status.parametersValid = StackPlanner.mismatches(desired, snapshot, stack).isEmpty();
        if (!stack.missingRoles().isEmpty()) {
            status.message = "roles not found in IAM: " + String.join(", ", stack.missingRoles());
        }
        return status;
    }

    private static void copyObservations(BuildkiteAgentTokenStatus from, BuildkiteAgentTokenStatus to) {
        if (from == null) {
            return;
        }
        to.accountId = from.accountId;
        to.secretArn = from.secretArn;
        to.parameterPath = from.parameterPath;
        to.currentVersionId = from.currentVersionId;
        to.regionsReady = from.regionsReady;
        to.stacksReady = from.stacksReady;
        to.regions = from.regions;
        to.rotation = from.rotation;
    }
}
