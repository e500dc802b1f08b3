package io.elasticci.buildkite.token.reconcile;

import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

import io.elasticci.buildkite.token.api.v1alpha1.BuildkiteAgentToken;
import io.fabric8.kubernetes.api.model.Secret;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.PrimaryToSecondaryMapper;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;

/**
 * Watches the Kubernetes Secrets resources name (tokenSecretRef, or spec.buildkite.apiTokenSecretRef: at most one per
 * resource, the two exclude each other), so a changed or created value is acted on promptly. With a label selector
 * (bkat.token-secret-label-selector) only the Secrets carrying those labels are listed, watched and cached: the API
 * server filters them, so no other Secret's data ever reaches the operator's memory.
 */
final class TokenSecretEvents {

    static final String INDEX = "tokenSecretRef";

    private TokenSecretEvents() {
    }

    static InformerEventSource<Secret, BuildkiteAgentToken> create(EventSourceContext<BuildkiteAgentToken> context,
            Optional<String> labelSelector) {
        context.getPrimaryCache().addIndexer(INDEX, token -> secretName(token)
                .map(name -> java.util.List.of(key(token.getMetadata().getNamespace(), name)))
                .orElse(java.util.List.of()));
        PrimaryToSecondaryMapper<BuildkiteAgentToken> toSecret = token -> secretName(token)
                .map(name -> Set.of(new ResourceID(name, token.getMetadata().getNamespace()))).orElse(Set.of());
        return new InformerEventSource<>(InformerEventSourceConfiguration.from(Secret.class, BuildkiteAgentToken.class)
                .withNamespacesInheritedFromController()
                .withLabelSelector(labelSelector.filter(selector -> !selector.isBlank()).orElse(null))
                .withPrimaryToSecondaryMapper(toSecret)
                .withSecondaryToPrimaryMapper(secret -> context.getPrimaryCache()
                        .byIndex(INDEX, key(secret.getMetadata().getNamespace(), secret.getMetadata().getName()))
                        .stream().map(ResourceID::fromResource).collect(Collectors.toSet()))
                .build(), context);
    }

    /** The one Kubernetes Secret the resource reads, if any. */
    static java.util.Optional<String> secretName(BuildkiteAgentToken token) {
        var spec = token.getSpec();
        if (spec == null) {
            return java.util.Optional.empty();
        }
        if (spec.getTokenSecretRef() != null) {
            return java.util.Optional.ofNullable(spec.getTokenSecretRef().getName());
        }
        return java.util.Optional.ofNullable(spec.getBuildkite()).map(b -> b.getApiTokenSecretRef())
                .map(ref -> ref.getName());
    }

    private static String key(String namespace, String name) {
        return namespace + "/" + name;
    }
}
