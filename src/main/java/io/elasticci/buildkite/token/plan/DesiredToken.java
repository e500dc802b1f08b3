package io.elasticci.buildkite.token.plan;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The validated spec in planner terms. {@code owner} is this resource's ownership tag value;
 * {@code valueManaged} says whether a Kubernetes Secret supplies the value (else the secret is adopted as is).
 */
public record DesiredToken(String secretName, String primaryRegion, List<DesiredRegion> regions,
        Map<String, String> tags, String owner, Optional<String> expectedAccountId, boolean valueManaged) {

    public DesiredToken {
        regions = List.copyOf(regions);
        tags = Map.copyOf(tags);
    }

    /** A region and the key reference (ID, ARN or alias) the spec gives for it. */
    public record DesiredRegion(String region, String kmsKeyRef, List<String> stacks) {
        public DesiredRegion {
            stacks = List.copyOf(stacks);
        }
    }

    public List<DesiredRegion> replicaRegions() {
        return regions.stream().filter(r -> !r.region().equals(primaryRegion)).toList();
    }

    public boolean declares(String region) {
        return regions.stream().anyMatch(r -> r.region().equals(region));
    }
}
