package io.elasticci.buildkite.token.plan;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.elasticci.buildkite.token.aws.InstanceDescription;
import io.elasticci.buildkite.token.aws.RefreshDescription;

/**
 * How far the current version has reached: what each replica region serves as AWSCURRENT, and each stack's instance
 * refreshes and instances. Only read while a rotation is rolling out; {@code observedAt} is the time of the
 * observation, the planner's only notion of now.
 */
public record RolloutObservation(Instant observedAt, boolean observed, Map<String, String> replicaCurrentVersions,
        Optional<Instant> versionCreated, List<Fleet> fleets, Optional<Busy> busy) {

    public RolloutObservation {
        replicaCurrentVersions = Map.copyOf(replicaCurrentVersions);
        fleets = List.copyOf(fleets);
    }

    public RolloutObservation(Instant observedAt, boolean observed, Map<String, String> replicaCurrentVersions,
            Optional<Instant> versionCreated, List<Fleet> fleets) {
        this(observedAt, observed, replicaCurrentVersions, versionCreated, fleets, Optional.empty());
    }

    /** Nothing read: no rotation in flight. */
    public static RolloutObservation notObserved(Instant now) {
        return new RolloutObservation(now, false, Map.of(), Optional.empty(), List.of());
    }

    /** Nothing read although a rotation is in flight: its reads would have queued too long for their quota. */
    public static RolloutObservation notObservedBusy(Instant now, Busy busy) {
        return new RolloutObservation(now, false, Map.of(), Optional.empty(), List.of(), Optional.of(busy));
    }

    /** A quota whose queue was too long: the Auto Scaling calls of {@code region} would have waited {@code queueWait}. */
    public record Busy(String region, java.time.Duration queueWait) {
    }

    /**
     * One stack's Auto Scaling group. Its instances are not read while one of its refreshes is running
     * ({@code instancesRead} false): they are being replaced, and cannot be judged until it ends.
     */
    public record Fleet(String region, String stack, String group, List<RefreshDescription> refreshes,
            List<InstanceDescription> instances, boolean instancesRead) {
        public Fleet {
            refreshes = List.copyOf(refreshes);
            instances = List.copyOf(instances);
        }

        public Fleet(String region, String stack, String group, List<RefreshDescription> refreshes,
                List<InstanceDescription> instances) {
            this(region, stack, group, refreshes, instances, true);
        }

        /** A group with a refresh running: its refreshes only. */
        public static Fleet refreshRunning(String region, String stack, String group,
                List<RefreshDescription> refreshes) {
            return new Fleet(region, stack, group, refreshes, List.of(), false);
        }

        public String key() {
            return region + "/" + stack;
        }
    }
}
