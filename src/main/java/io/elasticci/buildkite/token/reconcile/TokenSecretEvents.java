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
 * Watches the Kubernetes Secrets that tokenSecretRefs name, so a changed value is pushed promptly. With a label
 * selector (bkat.token-secret-label-selector) only the Secrets carrying those labels are listed, watched and cached:
 * the API server filters them, so no other Secret's data ever reaches the operator's memory.
 */
final class TokenSecretEvents {

    static final String INDEX = "tokenSecretRef";

    private TokenSecretEvents() {
    }

    static InformerEventSource<Secret, BuildkiteAgentToken> create(EventSourceContext<BuildkiteAgentToken> context,
            Optional<String> labelSelector) {
        context.getPrimaryCache().addIndexer(INDEX, token -> token.getSpec() == null
                || token.getSpec().getTokenSecretRef() == null ? java.util.List.of()
                        : java.util.List.of(key(token.getMetadata().getNamespace(),
                                token.getSpec().getTokenSecretRef().getName())));
        PrimaryToSecondaryMapper<BuildkiteAgentToken> toSecret = token -> token.getSpec() == null
                || token.getSpec().getTokenSecretRef() == null ? Set.of()
                        : Set.of(new ResourceID(token.getSpec().getTokenSecretRef().getName(),
                                token.getMetadata().getNamespace()));
        return new InformerEventSource<>(InformerEventSourceConfiguration.from(Secret.class, BuildkiteAgentToken.class)
                .withNamespacesInheritedFromController()
                .withLabelSelector(labelSelector.filter(selector -> !selector.isBlank()).orElse(null))
                .withPrimaryToSecondaryMapper(toSecret)
                .withSecondaryToPrimaryMapper(secret -> context.getPrimaryCache()
                        .byIndex(INDEX, key(secret.getMetadata().getNamespace(), secret.getMetadata().getName()))
                        .stream().map(ResourceID::fromResource).collect(Collectors.toSet()))
                .build(), context);
    }

    private static String key(String namespace, String name) {
        return namespace + "/" + name;
    }
}
