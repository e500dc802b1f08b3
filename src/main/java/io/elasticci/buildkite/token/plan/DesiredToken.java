package io.elasticci.buildkite.token.plan;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The validated spec in planner terms. {@code stackUpdateGenerations} holds, per "region/stack", the generation at
 * which a parameter update was last started; {@code claimedStacks}, per "region/stack", the other resource that
 * manages that stack's parameters. {@code owner} is this resource's ownership tag value;
 * {@code valueManaged} says whether a Kubernetes Secret supplies the value (else the secret is adopted as is).
 */
public record DesiredToken(String secretName, String primaryRegion, List<DesiredRegion> regions,
        Map<String, String> tags, String owner, Optional<String> expectedAccountId, boolean valueManaged,
        boolean managePermissions, boolean manageStackParameters, long generation,
        Map<String, Long> stackUpdateGenerations, Map<String, String> claimedStacks, Rollout rollout) {

    /**
     * How versions roll out, and what the last status remembers of it.
     *
     * @param protectedInstances Wait, Refresh or Ignore
     * @param lastKnownVersionId the AWSCURRENT version the last status reported
     */
    public record Rollout(boolean refreshInstances, int minHealthyPercentage, String protectedInstances,
            Optional<String> rotationLambdaArn, Optional<String> rotationSchedule, Optional<RotationState> previous,
            Optional<String> lastKnownVersionId) {

        public static Rollout defaults() {
            return new Rollout(true, 90, "Wait", Optional.empty(), Optional.empty(), Optional.empty(),
                    Optional.empty());
        }
    }

    public DesiredToken {
        rollout = rollout == null ? Rollout.defaults() : rollout;
        regions = List.copyOf(regions);
        tags = Map.copyOf(tags);
        stackUpdateGenerations = Map.copyOf(stackUpdateGenerations);
        claimedStacks = Map.copyOf(claimedStacks);
    }

    /** A desired token with the defaults for everything about stacks (Manage permissions, Verify parameters). */
    public DesiredToken(String secretName, String primaryRegion, List<DesiredRegion> regions, Map<String, String> tags,
            String owner, Optional<String> expectedAccountId, boolean valueManaged) {
        this(secretName, primaryRegion, regions, tags, owner, expectedAccountId, valueManaged, true, false, 1,
                Map.of(), Map.of(), Rollout.defaults());
    }

    /** A region and the key reference (ID, ARN or alias) the spec gives for it. */
    public record DesiredRegion(String region, String kmsKeyRef, List<String> stacks) {
        public DesiredRegion {
            stacks = List.copyOf(stacks);
        }
    }

    /** The same, remembering that a stack's parameter update was started at this generation. */
    /** The same token whose value this reconcile does, or does not, write (spec.buildkite: only a new token's). */
    public DesiredToken withValueManaged(boolean managed) {
        return new DesiredToken(secretName, primaryRegion, regions, tags, owner, expectedAccountId, managed,
                managePermissions, manageStackParameters, generation, stackUpdateGenerations, claimedStacks, rollout);
    }

    public DesiredToken withStackUpdateStarted(String stackKey) {
        Map<String, Long> updates = new java.util.HashMap<>(stackUpdateGenerations);
        updates.put(stackKey, generation);
        return new DesiredToken(secretName, primaryRegion, regions, tags, owner, expectedAccountId, valueManaged,
                managePermissions, manageStackParameters, generation, updates, claimedStacks, rollout);
    }

    /** The same, with the rotation state a plan arrived at, so the next pass in one reconcile builds on it. */
    public DesiredToken withRotation(Optional<RotationState> rotation) {
        if (rotation.isEmpty()) {
            return this;
        }
        Rollout next = new Rollout(rollout.refreshInstances(), rollout.minHealthyPercentage(),
                rollout.protectedInstances(), rollout.rotationLambdaArn(), rollout.rotationSchedule(), rotation,
                rollout.lastKnownVersionId());
        return new DesiredToken(secretName, primaryRegion, regions, tags, owner, expectedAccountId, valueManaged,
                managePermissions, manageStackParameters, generation, stackUpdateGenerations, claimedStacks, next);
    }

    /**
     * The same token declaring no stacks and managing permissions: what planning against it removes is every grant
     * this resource made (its policy statement, its inline policies), which is what deleting the resource asks.
     */
    public DesiredToken withoutGrants() {
        List<DesiredRegion> bare = regions.stream().map(r -> new DesiredRegion(r.region(), r.kmsKeyRef(), List.of()))
                .toList();
        return new DesiredToken(secretName, primaryRegion, bare, tags, owner, expectedAccountId, valueManaged, true,
                false, generation, stackUpdateGenerations, Map.of(), rollout);
    }

    public List<DesiredRegion> replicaRegions() {
        return regions.stream().filter(r -> !r.region().equals(primaryRegion)).toList();
    }

    public boolean declares(String region) {
        return regions.stream().anyMatch(r -> r.region().equals(region));
    }
}
