package io.elasticci.buildkite.token.reconcile;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.elasticci.buildkite.token.api.v1alpha1.BuildkiteAgentToken;
import io.elasticci.buildkite.token.api.v1alpha1.BuildkiteAgentTokenSpec;
import io.elasticci.buildkite.token.api.v1alpha1.RegionSpec;
import io.elasticci.buildkite.token.plan.DesiredToken;

/** A validated resource in planner terms. */
final class DesiredTokens {

    private DesiredTokens() {
    }

    static DesiredToken of(BuildkiteAgentToken resource, String clusterId) {
        BuildkiteAgentTokenSpec spec = resource.getSpec();
        List<DesiredToken.DesiredRegion> regions = spec.getRegions().stream()
                .map(r -> new DesiredToken.DesiredRegion(r.getRegion(),
                        r.getKmsKeyId() == null ? RegionSpec.DEFAULT_KMS_KEY : r.getKmsKeyId(),
                        r.getStacks() == null ? List.of() : r.getStacks()))
                .toList();
        return new DesiredToken(spec.getSecretName(), spec.getPrimaryRegion(), regions,
                spec.getTags() == null ? Map.of() : spec.getTags(), ownerOf(resource, clusterId),
                Optional.ofNullable(spec.getExpectedAccountId()), spec.getTokenSecretRef() != null);
    }

    /** The ownership tag value: cluster, namespace and name. */
    static String ownerOf(BuildkiteAgentToken resource, String clusterId) {
        return clusterId + "/" + resource.getMetadata().getNamespace() + "/" + resource.getMetadata().getName();
    }
}
