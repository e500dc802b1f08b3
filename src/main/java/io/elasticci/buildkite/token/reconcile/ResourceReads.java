package io.elasticci.buildkite.token.reconcile;

import io.elasticci.buildkite.token.api.v1alpha1.BuildkiteAgentToken;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.event.ResourceID;

/** How a reconcile (or a cleanup) reads the resource it was handed. */
final class ResourceReads {

    private ResourceReads() {
    }

    /**
     * Status carries what the last reconcile learnt (rotation progress, stack updates started); the cached primary
     * can predate our own last status patch, so its status is read afresh: one GET, far cheaper than a wrong plan.
     */
    static void readLatestStatus(BuildkiteAgentToken resource, Context<BuildkiteAgentToken> context) {
        BuildkiteAgentToken latest = context.getClient().resources(BuildkiteAgentToken.class)
                .inNamespace(resource.getMetadata().getNamespace()).withName(resource.getMetadata().getName()).get();
        if (latest != null && latest.getStatus() != null) {
            resource.setStatus(latest.getStatus());
        }
    }

    /**
     * The resource as the informer read it, with what reading found (unknown fields, unreadable parts): the SDK hands
     * reconcile() a serialized copy, which cannot carry that. Its status is the one read afresh.
     */
    static BuildkiteAgentToken asRead(BuildkiteAgentToken resource, Context<BuildkiteAgentToken> context) {
        BuildkiteAgentToken cached = context.getPrimaryCache().get(ResourceID.fromResource(resource)).orElse(resource);
        BuildkiteAgentToken asRead = new BuildkiteAgentToken();
        asRead.setMetadata(resource.getMetadata());
        asRead.setSpec(cached.getSpec());
        asRead.setStatus(resource.getStatus());
        return asRead;
    }
}
