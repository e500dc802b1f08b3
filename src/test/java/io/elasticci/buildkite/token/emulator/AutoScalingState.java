package io.elasticci.buildkite.token.emulator;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Collectors;

/**
 * Auto Scaling groups, their instances and instance refreshes, of one account, per region. The instances are also
 * what EC2 {@code DescribeInstances} answers (one source of truth). Used by {@link AutoScalingService} and
 * {@link Ec2Service}, and directly by tests to arrange fixtures and to assert. Thread-safe (one lock per account).
 *
 * <p><b>Time.</b> Everything runs on the emulator clock and is computed lazily, when anything reads or changes the
 * state: there are no background threads. An instance's lifecycle follows from its timestamps (launched, in service,
 * terminating, terminated); an instance refresh is a small state machine whose transitions are replayed in time order
 * up to "now" on every access, so a test that moves the clock by an hour sees every batch that ran in that hour,
 * each with its own launch times.
 *
 * <p><b>Instance refresh model</b> (strategy Rolling):
 * <ul>
 *   <li>{@code Pending} for {@link #setPendingDuration the pending duration} (default 10 s), then {@code InProgress}.
 *   <li>The instances to update are fixed at the start: every instance of the group, or with {@code SkipMatching}
 *       only those whose launch template version differs from the refresh's target version.
 *   <li>Instances are replaced in batches so that at least {@code ceil(desired * MinHealthyPercentage / 100)}
 *       instances stay InService (at least one per batch: 100 % replaces one at a time, 0 % all at once). In a batch
 *       the old instances go {@code Terminating} and their replacements launch ({@code Pending}, same availability
 *       zone, LaunchTime = the batch start); after {@link #setReplacementDuration the replacement duration} (default
 *       1 min) plus {@code InstanceWarmup} (when given) the old ones are terminated and the new ones InService. New
 *       instances are protected from scale in only when the group's {@code NewInstancesProtectedFromScaleIn} is set.
 *   <li>Scale-in protected instances: {@code Refresh} replaces them like the others; {@code Ignore} skips them
 *       (counted as done: the refresh ends {@code Successful} at 100 % with them still running); {@code Wait} (the
 *       API's default) replaces the unprotected ones first, then waits for protection to be removed and fails the
 *       refresh one hour after it started waiting.
 *   <li>Then {@code Baking} for {@code BakeTime} seconds when given, then {@code Successful} (100 %), and the group
 *       takes the desired configuration's launch template version if one was given.
 *   <li>{@code CancelInstanceRefresh}: {@code Cancelling} until the batch in flight completes (or for the pending
 *       duration when none is), then {@code Cancelled}. Replaced instances stay replaced.
 *   <li>Failure ({@link #failRefresh}, or the protected-instance timeout): {@code Failed}, or with
 *       {@code AutoRollback} {@code RollbackInProgress}: the instances the refresh launched are replaced by instances
 *       of the previous launch template version, in batches as above, then {@code RollbackSuccessful}
 *       ({@code RollbackFailed} instead when the failure was injected with {@code rollbackFails}).
 * </ul>
 * Not modelled: checkpoints (accepted and echoed), MaxHealthyPercentage above 100 (launch before terminate), warm
 * pools, Standby instances (there are none), alarms, lifecycle hooks, scaling activities.
 */
public final class AutoScalingState {

    // instance lifecycle states (Auto Scaling) and EC2 instance states
    public static final String PENDING = "Pending";
    public static final String IN_SERVICE = "InService";
    public static final String TERMINATING = "Terminating";
    public static final String TERMINATED = "Terminated";
    public static final String HEALTHY = "Healthy";

    // instance refresh statuses
    public static final String REFRESH_PENDING = "Pending";
    public static final String IN_PROGRESS = "InProgress";
    public static final String BAKING = "Baking";
    public static final String SUCCESSFUL = "Successful";
    public static final String FAILED = "Failed";
    public static final String CANCELLING = "Cancelling";
    public static final String CANCELLED = "Cancelled";
    public static final String ROLLBACK_IN_PROGRESS = "RollbackInProgress";
    public static final String ROLLBACK_SUCCESSFUL = "RollbackSuccessful";
    public static final String ROLLBACK_FAILED = "RollbackFailed";

    // ScaleInProtectedInstances / StandbyInstances preferences
    public static final String REFRESH = "Refresh";
    public static final String IGNORE = "Ignore";
    public static final String WAIT = "Wait";
    public static final String TERMINATE = "Terminate";

    public static final Duration DEFAULT_REPLACEMENT_DURATION = Duration.ofMinutes(1);
    public static final Duration DEFAULT_PENDING_DURATION = Duration.ofSeconds(10);
    /** How long a refresh waits for scale-in protection to be removed (preference Wait) before it fails. */
    public static final Duration PROTECTED_WAIT_TIMEOUT = Duration.ofHours(1);
    /** How long EC2 keeps showing a terminated instance. */
    public static final Duration TERMINATED_VISIBILITY = Duration.ofHours(1);
    public static final int DEFAULT_MIN_HEALTHY_PERCENTAGE = 90;
    public static final String INSTANCE_TYPE = "t3.large";

    static final String IN_PROGRESS_MESSAGE =
            "An Instance Refresh is already in progress and blocks the execution of this Instance Refresh.";

    private static final List<String> ACTIVE = List.of(REFRESH_PENDING, IN_PROGRESS, BAKING, CANCELLING,
            ROLLBACK_IN_PROGRESS);
    private static final List<String> CANCELLABLE = List.of(REFRESH_PENDING, IN_PROGRESS, BAKING);

    // ------------------------------------------------------------------ snapshots (public)

    /**
     * A group as DescribeAutoScalingGroups shows it.
     *
     * @param instances the group's instances (Pending, InService, Terminating), oldest first
     */
    public record GroupInfo(String region, String name, String arn, int minSize, int maxSize, int desiredCapacity,
                            String launchTemplateId, String launchTemplateName, String launchTemplateVersion,
                            boolean newInstancesProtectedFromScaleIn, Instant createdTime, Map<String, String> tags,
                            List<String> availabilityZones, List<InstanceInfo> instances) {

        public List<String> instanceIds() {
            return instances.stream().map(InstanceInfo::instanceId).toList();
        }
    }

    /**
     * An instance, as Auto Scaling and EC2 see it.
     *
     * @param lifecycleState Pending, InService, Terminating or Terminated
     * @param ec2State       pending, running, shutting-down or terminated
     * @param terminatedTime when it was (or will be) terminated; null while running
     */
    public record InstanceInfo(String instanceId, String region, String groupName, String availabilityZone,
                               String lifecycleState, String healthStatus, boolean protectedFromScaleIn,
                               String launchTemplateId, String launchTemplateName, String launchTemplateVersion,
                               Instant launchTime, String ec2State, int ec2StateCode, Instant terminatedTime,
                               String reservationId, String imageId, String privateIpAddress,
                               Map<String, String> tags) {

        public boolean inService() {
            return IN_SERVICE.equals(lifecycleState);
        }
    }

    /** Preferences of an instance refresh, with AWS's defaults filled in where AWS has one. */
    public record RefreshPreferences(int minHealthyPercentage, Integer maxHealthyPercentage, Integer instanceWarmup,
                                     boolean skipMatching, boolean autoRollback, String scaleInProtectedInstances,
                                     String standbyInstances, Integer bakeTime, List<Integer> checkpointPercentages,
                                     Integer checkpointDelay) {

        /** AWS's defaults (MinHealthyPercentage 90, ScaleInProtectedInstances and StandbyInstances Wait). */
        public static RefreshPreferences defaults() {
            return new RefreshPreferences(DEFAULT_MIN_HEALTHY_PERCENTAGE, null, null, false, false, WAIT, WAIT, null,
                    List.of(), null);
        }
    }

    /** Rollback details of a refresh that is rolling back or rolled back. */
    public record RollbackInfo(String rollbackReason, Instant rollbackStartTime, int percentageCompleteOnRollback,
                               int instancesToUpdateOnRollback) {
    }

    /**
     * An instance refresh as DescribeInstanceRefreshes shows it, plus what the emulator knows besides.
     *
     * @param desiredLaunchTemplateVersion the desired configuration's version, null when none was given
     * @param rollback                     null unless rolling back or rolled back
     * @param replacedInstanceIds          instances this refresh replaced (terminated), in order
     * @param skippedInstanceIds           protected instances skipped (preference Ignore)
     */
    public record RefreshInfo(String instanceRefreshId, String autoScalingGroupName, String status,
                              String statusReason, Instant startTime, Instant endTime, int percentageComplete,
                              int instancesToUpdate, RefreshPreferences preferences, String strategy,
                              String desiredLaunchTemplateVersion, RollbackInfo rollback,
                              List<String> replacedInstanceIds, List<String> skippedInstanceIds) {

        public boolean active() {
            return ACTIVE.contains(status);
        }
    }

    /** StartInstanceRefresh input (after protocol parsing); preference fields null when not given. */
    record StartRequest(String groupName, String strategy, Integer minHealthyPercentage, Integer maxHealthyPercentage,
                        Integer instanceWarmup, Boolean skipMatching, Boolean autoRollback,
                        String scaleInProtectedInstances, String standbyInstances, Integer bakeTime,
                        List<Integer> checkpointPercentages, Integer checkpointDelay, String desiredLaunchTemplateId,
                        String desiredLaunchTemplateName, String desiredVersion) {
    }

    // ------------------------------------------------------------------ internal model

    private static final class Inst {
        final String id;
        final String region;
        final String group;
        final String az;
        final String ltId;
        final String ltName;
        final String ltVersion;
        final Instant launchTime;
        final Instant inServiceAt;
        final String reservationId;
        final String imageId;
        final String privateIp;
        final Map<String, String> tags;
        Instant terminatingAt;
        Instant terminatedAt;
        boolean protectedFromScaleIn;

        Inst(String region, Group group, String az, String ltVersion, Instant launchTime, Instant inServiceAt,
             boolean protectedFromScaleIn) {
            this.id = "i-" + hex(17);
            this.region = region;
            this.group = group.name;
            this.az = az;
            this.ltId = group.ltId;
            this.ltName = group.ltName;
            this.ltVersion = ltVersion;
            this.launchTime = launchTime;
            this.inServiceAt = inServiceAt;
            this.reservationId = "r-" + hex(17);
            this.imageId = group.imageId;
            ThreadLocalRandom r = ThreadLocalRandom.current();
            this.privateIp = "10.0." + r.nextInt(0, 256) + "." + r.nextInt(1, 255);
            Map<String, String> t = new LinkedHashMap<>(group.tags);
            t.put("aws:autoscaling:groupName", group.name);
            this.tags = Map.copyOf(t);
            this.protectedFromScaleIn = protectedFromScaleIn;
        }

        /** Still in its group at t (Pending, InService or Terminating). */
        boolean member(Instant t) {
            return terminatedAt == null || t.isBefore(terminatedAt);
        }

        boolean terminating(Instant t) {
            return terminatingAt != null && !t.isBefore(terminatingAt);
        }

        String lifecycle(Instant t) {
            if (!member(t)) {
                return TERMINATED;
            }
            if (terminating(t)) {
                return TERMINATING;
            }
            return t.isBefore(inServiceAt) ? PENDING : IN_SERVICE;
        }

        boolean inService(Instant t) {
            return IN_SERVICE.equals(lifecycle(t));
        }

        InstanceInfo info(Instant t) {
            String lifecycle = lifecycle(t);
            String ec2;
            int code;
            switch (lifecycle) {
                case PENDING -> { ec2 = "pending"; code = 0; }
                case TERMINATING -> { ec2 = "shutting-down"; code = 32; }
                case TERMINATED -> { ec2 = "terminated"; code = 48; }
                default -> { ec2 = "running"; code = 16; }
            }
            return new InstanceInfo(id, region, group, az, lifecycle, HEALTHY, protectedFromScaleIn, ltId, ltName,
                    ltVersion, launchTime, ec2, code, terminatedAt, reservationId, imageId, privateIp, tags);
        }

        @Override
        public String toString() {
            return id;
        }
    }

    private final class Group {
        final String region;
        final String name;
        final String arn;
        final Instant created;
        final String ltId;
        final String ltName;
        final String imageId;
        final Map<String, String> tags;
        final List<String> zones;
        int minSize;
        int maxSize;
        int desired;
        int ltLatest;
        String ltVersion;
        boolean newProtected;
        int nextZone;
        final List<Inst> instances = new ArrayList<>();
        /** Oldest first. */
        final List<Refresh> refreshes = new ArrayList<>();

        Group(String region, String name, Instant created, String ltId, String ltName, int ltVersion,
              Map<String, String> tags) {
            this.region = region;
            this.name = name;
            this.arn = "arn:" + partition(region) + ":autoscaling:" + region + ":" + account
                    + ":autoScalingGroup:" + UUID.randomUUID() + ":autoScalingGroupName/" + name;
            this.created = created;
            this.ltId = ltId;
            this.ltName = ltName;
            this.imageId = "ami-" + hex(17);
            this.tags = Map.copyOf(tags);
            this.zones = List.of(region + "a", region + "b", region + "c");
            this.ltLatest = ltVersion;
            this.ltVersion = Integer.toString(ltVersion);
        }

        String nextZone() {
            return zones.get(nextZone++ % zones.size());
        }

        Inst launch(String az, String version, Instant at, Duration toInService) {
            Inst inst = new Inst(region, this, az, version, at, at.plus(toInService), newProtected);
            instances.add(inst);
            regionState(region).instances.put(inst.id, inst);
            return inst;
        }

        List<Inst> members(Instant t) {
            return instances.stream().filter(i -> i.member(t)).toList();
        }

        Optional<Refresh> active() {
            return refreshes.isEmpty() ? Optional.empty()
                    : Optional.of(refreshes.get(refreshes.size() - 1)).filter(r -> ACTIVE.contains(r.status));
        }

        GroupInfo info(Instant t) {
            return new GroupInfo(region, name, arn, minSize, maxSize, desired, ltId, ltName, ltVersion, newProtected,
                    created, tags, zones, members(t).stream().map(i -> i.info(t)).toList());
        }
    }

    private enum Next { START, BATCH_END, RETRY, WAIT_TIMEOUT, BAKE_END, CANCELLED, ROLLBACK_FAILED }

    private final class Refresh {
        final String id = UUID.randomUUID().toString();
        final Group group;
        final Instant start;
        final RefreshPreferences prefs;
        final String strategy;
        final String desiredVersion;
        final String previousVersion;
        final String targetVersion;
        String status = REFRESH_PENDING;
        String reason;
        Instant end;
        Next next;
        Instant nextAt;
        final List<String> remaining = new ArrayList<>();
        final int total;
        int done;
        final List<String> replaced = new ArrayList<>();
        final List<String> skipped = new ArrayList<>();
        final List<String> launched = new ArrayList<>();
        List<Inst> batchNew = List.of();
        int batchSize;
        boolean batchIsRollback;
        Instant waitingSince;
        // rollback
        String rollbackReason;
        Instant rollbackStart;
        final List<String> rollbackRemaining = new ArrayList<>();
        int rollbackTotal;
        int rolledBack;
        boolean rollbackFails;

        Refresh(Group group, Instant start, RefreshPreferences prefs, String strategy, String desiredVersion) {
            this.group = group;
            this.start = start;
            this.prefs = prefs;
            this.strategy = strategy;
            this.desiredVersion = desiredVersion;
            this.previousVersion = group.ltVersion;
            this.targetVersion = desiredVersion != null ? desiredVersion : group.ltVersion;
            for (Inst i : group.members(start)) {
                if (!i.terminating(start) && !(prefs.skipMatching() && i.ltVersion.equals(targetVersion))) {
                    remaining.add(i.id);
                }
            }
            this.total = remaining.size();
            schedule(Next.START, start.plus(pendingDuration));
        }

        void schedule(Next kind, Instant at) {
            next = kind;
            nextAt = at;
        }

        void runUntil(Instant now) {
            while (next != null && !nextAt.isAfter(now)) {
                Instant t = nextAt;
                Next kind = next;
                next = null;
                nextAt = null;
                step(kind, t);
            }
        }

        void step(Next kind, Instant t) {
            switch (kind) {
                case START -> {
                    status = IN_PROGRESS;
                    plan(t);
                }
                case BATCH_END -> {
                    boolean wasRollback = batchIsRollback;
                    completeBatch();
                    switch (status) {
                        case CANCELLING -> finish(CANCELLED, null, t);
                        case ROLLBACK_IN_PROGRESS -> {
                            if (rollbackFails && wasRollback) {
                                finish(ROLLBACK_FAILED, "Rollback failed: " + rollbackReason, t);
                            } else {
                                planRollback(t);
                            }
                        }
                        case IN_PROGRESS -> plan(t);
                        default -> { }
                    }
                }
                case RETRY -> {
                    if (status.equals(ROLLBACK_IN_PROGRESS)) {
                        planRollback(t);
                    } else {
                        plan(t);
                    }
                }
                case WAIT_TIMEOUT -> fail(t, "Instance refresh failed: timed out after waiting "
                        + PROTECTED_WAIT_TIMEOUT.toMinutes() + " minutes for instances protected from scale in to "
                        + "be unprotected: " + String.join(", ", protectedWaiting(t)) + ".", false);
                case BAKE_END -> finishSuccessful(t);
                case CANCELLED -> finish(CANCELLED, null, t);
                case ROLLBACK_FAILED -> finish(ROLLBACK_FAILED, "Rollback failed: " + rollbackReason, t);
            }
        }

        /** Forward progress at t: the next batch, or waiting, or the end. */
        void plan(Instant t) {
            if (!status.equals(IN_PROGRESS)) {
                return;
            }
            for (var it = remaining.iterator(); it.hasNext(); ) {
                Inst i = findInstance(it.next());
                if (i == null || !i.member(t) || i.terminating(t)) {
                    it.remove(); // gone by other means: nothing left to update
                    done++;
                } else if (i.protectedFromScaleIn && prefs.scaleInProtectedInstances().equals(IGNORE)) {
                    it.remove();
                    skipped.add(i.id);
                    done++;
                }
            }
            if (remaining.isEmpty()) {
                reason = null;
                if (prefs.bakeTime() != null && prefs.bakeTime() > 0) {
                    status = BAKING;
                    schedule(Next.BAKE_END, t.plusSeconds(prefs.bakeTime()));
                } else {
                    finishSuccessful(t);
                }
                return;
            }
            List<Inst> candidates = remaining.stream().map(AutoScalingState.this::findInstance)
                    .filter(i -> i.inService(t) && (!i.protectedFromScaleIn
                            || prefs.scaleInProtectedInstances().equals(REFRESH)))
                    .toList();
            if (candidates.isEmpty()) {
                List<String> waiting = protectedWaiting(t);
                if (!waiting.isEmpty()) {
                    if (waitingSince == null) {
                        waitingSince = t;
                    }
                    reason = "Waiting for instances protected from scale in to be unprotected. For example: "
                            + waiting.get(0) + " is protected from scale in.";
                    schedule(Next.WAIT_TIMEOUT, waitingSince.plus(PROTECTED_WAIT_TIMEOUT));
                } else {
                    retryWhenSomethingIsInService(t, remaining);
                }
                return;
            }
            int size = batchSize(t);
            if (size == 0) {
                retryWhenSomethingIsInService(t, group.members(t).stream().map(i -> i.id).toList());
                return;
            }
            waitingSince = null;
            startBatch(t, candidates.subList(0, Math.min(size, candidates.size())), targetVersion, false);
        }

        List<String> protectedWaiting(Instant t) {
            if (!prefs.scaleInProtectedInstances().equals(WAIT)) {
                return List.of();
            }
            return remaining.stream().map(AutoScalingState.this::findInstance)
                    .filter(i -> i != null && i.member(t) && i.protectedFromScaleIn).map(i -> i.id).toList();
        }

        void retryWhenSomethingIsInService(Instant t, Collection<String> ids) {
            Instant at = ids.stream().map(AutoScalingState.this::findInstance)
                    .filter(i -> i != null && i.member(t) && t.isBefore(i.inServiceAt))
                    .map(i -> i.inServiceAt).min(Comparator.naturalOrder())
                    .orElse(t.plus(pendingDuration.isZero() ? Duration.ofSeconds(1) : pendingDuration));
            schedule(Next.RETRY, at);
        }

        /** How many instances may be out of service at once (0: wait for pending instances first). */
        int batchSize(Instant t) {
            int minInService = (int) Math.ceil(group.desired * prefs.minHealthyPercentage() / 100.0);
            List<Inst> members = group.members(t);
            long inService = members.stream().filter(i -> i.inService(t)).count();
            int size = (int) (inService - minInService);
            if (size >= 1) {
                return size;
            }
            boolean pending = members.stream().anyMatch(i -> PENDING.equals(i.lifecycle(t)));
            return pending ? 0 : 1;
        }

        /** The replacement duration as set when the batch starts, plus the refresh's InstanceWarmup. */
        Duration replacement() {
            return prefs.instanceWarmup() == null ? replacementDuration
                    : replacementDuration.plusSeconds(prefs.instanceWarmup());
        }

        void startBatch(Instant t, List<Inst> olds, String version, boolean rollback) {
            Duration replacement = replacement();
            Instant batchEnd = t.plus(replacement);
            List<Inst> news = new ArrayList<>();
            for (Inst old : olds) {
                old.terminatingAt = t;
                old.terminatedAt = batchEnd;
                news.add(group.launch(old.az, version, t, replacement));
                (rollback ? rollbackRemaining : remaining).remove(old.id);
                if (!rollback) {
                    replaced.add(old.id);
                }
            }
            batchNew = news;
            batchSize = olds.size();
            batchIsRollback = rollback;
            if (!rollback) {
                reason = "Waiting for instances to warm up before continuing. For example: " + news.get(0).id
                        + " is warming up.";
            }
            schedule(Next.BATCH_END, batchEnd);
        }

        void completeBatch() {
            if (batchIsRollback) {
                rolledBack += batchSize;
            } else {
                done += batchSize;
                batchNew.forEach(i -> launched.add(i.id));
            }
            batchNew = List.of();
            batchSize = 0;
        }

        boolean batchInFlight() {
            return next == Next.BATCH_END;
        }

        void finishSuccessful(Instant t) {
            group.ltVersion = targetVersion;
            finish(SUCCESSFUL, null, t);
        }

        void finish(String finalStatus, String finalReason, Instant t) {
            status = finalStatus;
            reason = finalReason;
            end = t;
            next = null;
            nextAt = null;
        }

        void fail(Instant t, String failure, boolean failRollback) {
            if (!prefs.autoRollback()) {
                // the instances in flight finish on their own (their timestamps are set), uncounted
                batchNew = List.of();
                batchSize = 0;
                finish(FAILED, failure, t);
                return;
            }
            startRollback(t, failure, failRollback);
        }

        void startRollback(Instant t, String why, boolean failRollback) {
            status = ROLLBACK_IN_PROGRESS;
            reason = why;
            rollbackReason = why;
            rollbackStart = t;
            rollbackFails = failRollback;
            rollbackRemaining.addAll(launched);
            if (batchInFlight() && !batchIsRollback) {
                batchNew.forEach(i -> rollbackRemaining.add(i.id));
            }
            rollbackTotal = rollbackRemaining.size();
            if (!batchInFlight()) {
                planRollback(t);
            }
        }

        void planRollback(Instant t) {
            if (!status.equals(ROLLBACK_IN_PROGRESS)) {
                return;
            }
            for (var it = rollbackRemaining.iterator(); it.hasNext(); ) {
                Inst i = findInstance(it.next());
                if (i == null || !i.member(t) || i.terminating(t)) {
                    it.remove();
                    rolledBack++;
                }
            }
            if (rollbackRemaining.isEmpty()) {
                if (rollbackFails) {
                    schedule(Next.ROLLBACK_FAILED, t.plus(pendingDuration));
                } else {
                    finish(ROLLBACK_SUCCESSFUL, reason, t);
                }
                return;
            }
            List<Inst> candidates = rollbackRemaining.stream().map(AutoScalingState.this::findInstance)
                    .filter(i -> i.inService(t)).toList();
            int size = candidates.isEmpty() ? 0 : batchSize(t);
            if (size == 0) {
                retryWhenSomethingIsInService(t, group.members(t).stream().map(i -> i.id).toList());
                return;
            }
            startBatch(t, candidates.subList(0, Math.min(size, candidates.size())), previousVersion, true);
        }

        void cancel(Instant t) {
            status = CANCELLING;
            reason = null;
            if (!batchInFlight()) {
                schedule(Next.CANCELLED, t.plus(pendingDuration));
            }
        }

        /** Re-plans at t after a fixture changed something the refresh may be waiting for. */
        void kick(Instant t) {
            if (next == Next.RETRY || next == Next.WAIT_TIMEOUT) {
                if (status.equals(ROLLBACK_IN_PROGRESS)) {
                    planRollback(t);
                } else {
                    plan(t);
                }
            }
        }

        RefreshInfo info() {
            int percentage;
            int toUpdate;
            if (status.equals(SUCCESSFUL)) {
                percentage = 100;
                toUpdate = 0;
            } else if (total == 0) {
                percentage = 0;
                toUpdate = 0;
            } else {
                percentage = Math.max(0, done - rolledBack) * 100 / total;
                toUpdate = total - done;
            }
            RollbackInfo rollback = null;
            if (rollbackStart != null) {
                int rbPercentage = rollbackTotal == 0 ? (status.equals(ROLLBACK_SUCCESSFUL) ? 100 : 0)
                        : rolledBack * 100 / rollbackTotal;
                rollback = new RollbackInfo(rollbackReason, rollbackStart, rbPercentage, rollbackTotal - rolledBack);
            }
            return new RefreshInfo(id, group.name, status, reason, start, end, percentage, toUpdate, prefs, strategy,
                    desiredVersion, rollback, List.copyOf(replaced), List.copyOf(skipped));
        }
    }

    private static final class RegionState {
        final Map<String, Group> groups = new TreeMap<>();
        /** Every instance EC2 still shows (also terminated ones, for a while), in launch order. */
        final Map<String, Inst> instances = new LinkedHashMap<>();
    }

    private final String account;
    private final Clock clock;
    private final Map<String, RegionState> regions = new LinkedHashMap<>();
    private Duration replacementDuration = DEFAULT_REPLACEMENT_DURATION;
    private Duration pendingDuration = DEFAULT_PENDING_DURATION;

    AutoScalingState(String account, Clock clock) {
        this.account = account;
        this.clock = clock;
    }

    public String account() {
        return account;
    }

    /** Removes every group, instance and refresh, and restores the default durations. */
    synchronized void clear() {
        regions.clear();
        replacementDuration = DEFAULT_REPLACEMENT_DURATION;
        pendingDuration = DEFAULT_PENDING_DURATION;
    }

    // ---------------------------------------------------------------- fixture API

    /**
     * Creates a group (as an Elastic CI Stack's {@code AgentAutoScaleGroup}) with that many InService instances
     * launched now, spread over three availability zones; MinSize 0, MaxSize max(instances, 10), launch template
     * version 1, not protecting new instances from scale in.
     */
    public GroupInfo createGroup(String region, String name, int instances) {
        return createGroup(region, name, instances, Map.of());
    }

    /** Like {@link #createGroup(String, String, int)}, with group tags (propagated to the instances). */
    public synchronized GroupInfo createGroup(String region, String name, int instances, Map<String, String> tags) {
        Objects.requireNonNull(region, "region");
        Objects.requireNonNull(name, "name");
        if (instances < 0) {
            throw new IllegalArgumentException("instances must not be negative: " + instances);
        }
        Instant now = advance(region);
        if (regionState(region).groups.containsKey(name)) {
            throw new IllegalArgumentException("group " + name + " already exists in " + region);
        }
        String ltId = "lt-" + hex(17);
        Group group = newGroup(region, name, now, ltId, name + "-LaunchTemplate", 1, tags, 0,
                Math.max(instances, 10), instances, false);
        return group.info(now);
    }

    public synchronized Optional<GroupInfo> group(String region, String name) {
        Instant now = advance(region);
        return Optional.ofNullable(regionState(region).groups.get(name)).map(g -> g.info(now));
    }

    public synchronized List<GroupInfo> groups(String region) {
        Instant now = advance(region);
        return regionState(region).groups.values().stream().map(g -> g.info(now)).toList();
    }

    /** The group's instances now (Pending, InService, Terminating), oldest first. */
    public synchronized List<InstanceInfo> instances(String region, String group) {
        Instant now = advance(region);
        return requireGroup(region, group).members(now).stream().map(i -> i.info(now)).toList();
    }

    /** Any instance EC2 still knows (also a terminated one, for {@link #TERMINATED_VISIBILITY}). */
    public synchronized Optional<InstanceInfo> instance(String region, String instanceId) {
        Instant now = advance(region);
        return Optional.ofNullable(regionState(region).instances.get(instanceId)).map(i -> i.info(now));
    }

    /** Sets an instance's scale-in protection (as an Elastic CI Stack agent does while it runs a job). */
    public synchronized void setProtected(String region, String instanceId, boolean protectedFromScaleIn) {
        Instant now = advance(region);
        Inst inst = requireMember(region, instanceId, now);
        inst.protectedFromScaleIn = protectedFromScaleIn;
        kick(region, inst.group, now);
    }

    /** The group's {@code NewInstancesProtectedFromScaleIn}: whether instances it launches start protected. */
    public synchronized void setNewInstancesProtectedFromScaleIn(String region, String group, boolean value) {
        advance(region);
        requireGroup(region, group).newProtected = value;
    }

    /** Terminates an instance now; its group launches a replacement (InService after the replacement duration). */
    public void terminateInstance(String region, String instanceId) {
        terminateInstance(region, instanceId, false);
    }

    /**
     * Terminates an instance now. With decrementDesiredCapacity (as an idle Elastic CI Stack agent terminating
     * itself) the group shrinks by one; otherwise it launches a replacement.
     */
    public synchronized void terminateInstance(String region, String instanceId, boolean decrementDesiredCapacity) {
        Instant now = advance(region);
        Inst inst = requireMember(region, instanceId, now);
        Group group = requireGroup(region, inst.group);
        inst.terminatingAt = now;
        inst.terminatedAt = now;
        if (decrementDesiredCapacity) {
            group.desired = Math.max(0, group.desired - 1);
            group.minSize = Math.min(group.minSize, group.desired);
        } else {
            group.launch(inst.az, group.ltVersion, now, replacementDuration);
        }
        kick(region, group.name, now);
    }

    /**
     * Creates a new version of the group's launch template and returns it. The group keeps using its version until a
     * refresh with that version as its desired configuration succeeds (or with useIt, at once: new instances get it,
     * running ones keep theirs).
     */
    public String newLaunchTemplateVersion(String region, String group) {
        return newLaunchTemplateVersion(region, group, false);
    }

    public synchronized String newLaunchTemplateVersion(String region, String group, boolean useIt) {
        advance(region);
        Group g = requireGroup(region, group);
        g.ltLatest++;
        String version = Integer.toString(g.ltLatest);
        if (useIt) {
            g.ltVersion = version;
        }
        return version;
    }

    /**
     * What CloudFormation does when an update replaces the group: a new group newName (same sizes and tags, same
     * launch template with a new version) with fresh instances launched now, and the old group deleted with its
     * instances terminated and its refresh history. newName may equal oldName.
     */
    public synchronized GroupInfo replaceGroup(String region, String oldName, String newName) {
        Objects.requireNonNull(newName, "newName");
        Instant now = advance(region);
        Group old = requireGroup(region, oldName);
        if (!newName.equals(oldName) && regionState(region).groups.containsKey(newName)) {
            throw new IllegalArgumentException("group " + newName + " already exists in " + region);
        }
        removeGroup(old, now);
        Group group = newGroup(region, newName, now, old.ltId, old.ltName, old.ltLatest + 1, old.tags, old.minSize,
                old.maxSize, old.desired, old.newProtected);
        return group.info(now);
    }

    /** Deletes a group now, terminating its instances. */
    public synchronized void deleteGroup(String region, String name) {
        Instant now = advance(region);
        removeGroup(requireGroup(region, name), now);
    }

    /** The group's instance refreshes, newest first. */
    public synchronized List<RefreshInfo> refreshes(String region, String group) {
        advance(region);
        List<RefreshInfo> out = new ArrayList<>();
        List<Refresh> all = requireGroup(region, group).refreshes;
        for (int i = all.size() - 1; i >= 0; i--) {
            out.add(all.get(i).info());
        }
        return out;
    }

    /**
     * The active refresh of the group fails now with that status reason: Failed, or with the AutoRollback preference
     * RollbackInProgress and then RollbackSuccessful.
     */
    public void failRefresh(String region, String group, String reason) {
        failRefresh(region, group, reason, false);
    }

    /** Like {@link #failRefresh(String, String, String)}; rollbackFails: a rollback ends RollbackFailed. */
    public synchronized void failRefresh(String region, String group, String reason, boolean rollbackFails) {
        Instant now = advance(region);
        Refresh refresh = requireGroup(region, group).active()
                .filter(r -> CANCELLABLE.contains(r.status))
                .orElseThrow(() -> new IllegalStateException("no refresh to fail on " + group + " in " + region));
        refresh.fail(now, Objects.requireNonNull(reason, "reason"), rollbackFails);
    }

    /**
     * How long one replacement batch takes (old instances Terminating, new ones Pending, until these are InService),
     * before any InstanceWarmup; default 1 minute. Applies to batches that start afterwards.
     */
    public synchronized void setReplacementDuration(Duration duration) {
        if (duration.isNegative()) {
            throw new IllegalArgumentException("negative duration: " + duration);
        }
        this.replacementDuration = duration;
    }

    public synchronized Duration replacementDuration() {
        return replacementDuration;
    }

    /** How long a refresh stays Pending (and Cancelling when no batch is in flight); default 10 seconds. */
    public synchronized void setPendingDuration(Duration duration) {
        if (duration.isNegative()) {
            throw new IllegalArgumentException("negative duration: " + duration);
        }
        this.pendingDuration = duration;
    }

    public synchronized Duration pendingDuration() {
        return pendingDuration;
    }

    // ---------------------------------------------------------------- service API

    /** Groups by name (missing ones left out, as AWS does), or all when names is empty; sorted by name. */
    synchronized List<GroupInfo> describeGroups(String region, List<String> names) {
        Instant now = advance(region);
        Map<String, Group> groups = regionState(region).groups;
        if (names.isEmpty()) {
            return groups.values().stream().map(g -> g.info(now)).toList();
        }
        return groups.values().stream().filter(g -> names.contains(g.name)).map(g -> g.info(now)).toList();
    }

    synchronized String startRefresh(String region, StartRequest request) {
        Instant now = advance(region);
        Group group = groupOrValidationError(region, request.groupName());
        if (group.active().isPresent()) {
            throw AwsError.of("InstanceRefreshInProgress", IN_PROGRESS_MESSAGE);
        }
        String desiredVersion = null;
        boolean desired = request.desiredLaunchTemplateId() != null || request.desiredLaunchTemplateName() != null
                || request.desiredVersion() != null;
        if (desired) {
            if ((request.desiredLaunchTemplateId() != null && !request.desiredLaunchTemplateId().equals(group.ltId))
                    || (request.desiredLaunchTemplateName() != null
                    && !request.desiredLaunchTemplateName().equals(group.ltName))) {
                throw AwsError.of("ValidationError", "The emulator only supports the group's own launch template ("
                        + group.ltId + ") in a desired configuration.");
            }
            desiredVersion = resolveVersion(group, request.desiredVersion());
        }
        boolean autoRollback = Boolean.TRUE.equals(request.autoRollback());
        if (autoRollback && !desired) {
            throw AwsError.of("ValidationError", "The request isn't valid. The AutoRollback parameter cannot be set "
                    + "to true when the DesiredConfiguration parameter is empty. Set AutoRollback to false or specify "
                    + "a desired configuration and try again.");
        }
        RefreshPreferences prefs = new RefreshPreferences(
                request.minHealthyPercentage() == null ? DEFAULT_MIN_HEALTHY_PERCENTAGE : request.minHealthyPercentage(),
                request.maxHealthyPercentage(), request.instanceWarmup(), Boolean.TRUE.equals(request.skipMatching()),
                autoRollback,
                request.scaleInProtectedInstances() == null ? WAIT : request.scaleInProtectedInstances(),
                request.standbyInstances() == null ? WAIT : request.standbyInstances(), request.bakeTime(),
                request.checkpointPercentages() == null ? List.of() : List.copyOf(request.checkpointPercentages()),
                request.checkpointDelay());
        Refresh refresh = new Refresh(group, now,
                prefs, request.strategy() == null ? "Rolling" : request.strategy(), desiredVersion);
        group.refreshes.add(refresh);
        refresh.runUntil(now);
        return refresh.id;
    }

    synchronized List<RefreshInfo> describeRefreshes(String region, String groupName, List<String> ids) {
        advance(region);
        Group group = groupOrValidationError(region, groupName);
        List<RefreshInfo> out = new ArrayList<>();
        for (int i = group.refreshes.size() - 1; i >= 0; i--) {
            Refresh r = group.refreshes.get(i);
            if (ids.isEmpty() || ids.contains(r.id)) {
                out.add(r.info());
            }
        }
        return out;
    }

    synchronized String cancelRefresh(String region, String groupName) {
        Instant now = advance(region);
        Group group = groupOrValidationError(region, groupName);
        Refresh refresh = group.active().filter(r -> CANCELLABLE.contains(r.status))
                .orElseThrow(() -> AwsError.of("ActiveInstanceRefreshNotFound",
                        "No in progress or pending Instance Refresh found for Auto Scaling group " + groupName));
        refresh.cancel(now);
        return refresh.id;
    }

    synchronized String rollbackRefresh(String region, String groupName) {
        Instant now = advance(region);
        Group group = groupOrValidationError(region, groupName);
        Refresh refresh = group.active().filter(r -> CANCELLABLE.contains(r.status))
                .orElseThrow(() -> AwsError.of("ActiveInstanceRefreshNotFound",
                        "No in progress or pending Instance Refresh found for Auto Scaling group " + groupName));
        if (refresh.desiredVersion == null) {
            throw AwsError.of("IrreversibleInstanceRefresh", "The instance refresh " + refresh.id + " can't be rolled "
                    + "back because it was started without a desired configuration.");
        }
        refresh.startRollback(now, "Rollback requested by RollbackInstanceRefresh.", false);
        return refresh.id;
    }

    /** Every instance EC2 shows in the region now, in launch order. */
    synchronized List<InstanceInfo> ec2Instances(String region) {
        Instant now = advance(region);
        return regionState(region).instances.values().stream().map(i -> i.info(now)).toList();
    }

    // ---------------------------------------------------------------- internals

    private RegionState regionState(String region) {
        return regions.computeIfAbsent(region, r -> new RegionState());
    }

    private Inst findInstance(String id) {
        for (RegionState r : regions.values()) {
            Inst i = r.instances.get(id);
            if (i != null) {
                return i;
            }
        }
        return null;
    }

    /** Replays everything due in the region up to now; returns now. */
    private Instant advance(String region) {
        Instant now = clock.instant();
        RegionState state = regionState(region);
        for (Group g : state.groups.values()) {
            g.active().ifPresent(r -> r.runUntil(now));
            g.instances.removeIf(i -> !i.member(now));
        }
        state.instances.values().removeIf(i -> i.terminatedAt != null
                && !now.isBefore(i.terminatedAt.plus(TERMINATED_VISIBILITY)));
        return now;
    }

    private void kick(String region, String groupName, Instant now) {
        Group g = regionState(region).groups.get(groupName);
        if (g != null) {
            g.active().ifPresent(r -> r.kick(now));
        }
    }

    private Group newGroup(String region, String name, Instant now, String ltId, String ltName, int ltVersion,
                           Map<String, String> tags, int min, int max, int desired, boolean newProtected) {
        Group group = new Group(region, name, now, ltId, ltName, ltVersion, tags);
        group.minSize = min;
        group.maxSize = max;
        group.desired = desired;
        group.newProtected = newProtected;
        regionState(region).groups.put(name, group);
        for (int i = 0; i < desired; i++) {
            group.launch(group.nextZone(), group.ltVersion, now, Duration.ZERO);
        }
        return group;
    }

    private void removeGroup(Group group, Instant now) {
        for (Inst i : group.members(now)) {
            if (i.terminatingAt == null || i.terminatingAt.isAfter(now)) {
                i.terminatingAt = now;
            }
            i.terminatedAt = now;
        }
        regionState(group.region).groups.remove(group.name);
    }

    private Group requireGroup(String region, String name) {
        Group group = regionState(region).groups.get(name);
        if (group == null) {
            throw new IllegalArgumentException("no Auto Scaling group " + name + " in " + region);
        }
        return group;
    }

    private Inst requireMember(String region, String instanceId, Instant now) {
        Inst inst = regionState(region).instances.get(instanceId);
        if (inst == null || !inst.member(now)) {
            throw new IllegalArgumentException("no running instance " + instanceId + " in " + region);
        }
        return inst;
    }

    private Group groupOrValidationError(String region, String name) {
        Group group = regionState(region).groups.get(name);
        if (group == null) {
            throw AwsError.of("ValidationError", "AutoScalingGroup name not found - AutoScalingGroup " + name
                    + " not found");
        }
        return group;
    }

    private static String resolveVersion(Group group, String version) {
        if (version == null || version.equals("$Default")) {
            return group.ltVersion;
        }
        if (version.equals("$Latest")) {
            return Integer.toString(group.ltLatest);
        }
        try {
            int v = Integer.parseInt(version);
            if (v >= 1 && v <= group.ltLatest) {
                return version;
            }
        } catch (NumberFormatException e) {
            // below
        }
        throw AwsError.of("ValidationError", "The specified launch template version " + version
                + " does not exist for launch template " + group.ltId + ".");
    }

    static String partition(String region) {
        if (region.startsWith("cn-")) {
            return "aws-cn";
        }
        if (region.startsWith("us-gov-")) {
            return "aws-us-gov";
        }
        return "aws";
    }

    private static String hex(int length) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        StringBuilder b = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            b.append(Character.forDigit(random.nextInt(16), 16));
        }
        return b.toString();
    }

    @Override
    public synchronized String toString() {
        return "AutoScalingState[" + account + ", " + regions.entrySet().stream()
                .map(e -> e.getKey() + "=" + e.getValue().groups.keySet()).collect(Collectors.joining(", ")) + "]";
    }
}
