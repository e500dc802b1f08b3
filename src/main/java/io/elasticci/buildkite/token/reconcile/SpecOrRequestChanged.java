package io.elasticci.buildkite.token.reconcile;

import java.util.Objects;

import io.elasticci.buildkite.token.api.v1alpha1.BuildkiteAgentToken;
import io.javaoperatorsdk.operator.processing.event.source.filter.OnUpdateFilter;

/**
 * Reconcile on a new generation, a new requested-at or rotate-at annotation or a deletion, not on the operator's own status patches
 * (generation-aware processing alone would ignore the annotation, which does not bump the generation; not every API
 * server bumps it when it sets deletionTimestamp either).
 */
public class SpecOrRequestChanged implements OnUpdateFilter<BuildkiteAgentToken> {

    @Override
    public boolean accept(BuildkiteAgentToken updated, BuildkiteAgentToken old) {
        return !Objects.equals(updated.getMetadata().getGeneration(), old.getMetadata().getGeneration())
                || !Objects.equals(annotation(updated, BuildkiteAgentToken.REQUESTED_AT_ANNOTATION),
                        annotation(old, BuildkiteAgentToken.REQUESTED_AT_ANNOTATION))
                || !Objects.equals(annotation(updated, BuildkiteAgentToken.ROTATE_AT_ANNOTATION),
                        annotation(old, BuildkiteAgentToken.ROTATE_AT_ANNOTATION))
                || updated.isMarkedForDeletion() && !old.isMarkedForDeletion();
    }

    private static String annotation(BuildkiteAgentToken resource, String name) {
        return resource.getMetadata().getAnnotations() == null ? null
                : resource.getMetadata().getAnnotations().get(name);
    }
}
