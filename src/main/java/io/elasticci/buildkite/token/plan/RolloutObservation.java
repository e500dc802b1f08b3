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
        Optional<Instant> versionCreated, List<Fleet> fleets) {

    public RolloutObservation {
        replicaCurrentVersions = Map.copyOf(replicaCurrentVersions);
        fleets = List.copyOf(fleets);
    }

    /** Nothing read: no rotation in flight. */
    public static RolloutObservation notObserved(Instant now) {
        return new RolloutObservation(now, false, Map.of(), Optional.empty(), List.of());
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
