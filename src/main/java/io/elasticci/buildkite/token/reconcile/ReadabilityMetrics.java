package io.elasticci.buildkite.token.reconcile;

import java.util.function.Predicate;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import io.elasticci.buildkite.token.api.read.ReadNotes;
import io.elasticci.buildkite.token.api.v1alpha1.BuildkiteAgentToken;
import io.javaoperatorsdk.operator.api.reconciler.IndexedResourceCache;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * Gauges over the operator's cache of resources: how many it cannot read, and how many carry spec fields it does not
 * know. Counted from the cache, so a deleted or fixed resource stops counting without bookkeeping.
 */
@ApplicationScoped
public class ReadabilityMetrics {

    private final MeterRegistry registry;

    @Inject
    public ReadabilityMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    void watch(IndexedResourceCache<BuildkiteAgentToken> cache) {
        gauge("bkat.resources.unreadable", "BuildkiteAgentTokens whose spec or status cannot be read", cache,
                t -> ReadNotes.of(t.getSpec()).isUnreadable() || ReadNotes.of(t.getStatus()).isUnreadable());
        gauge("bkat.resources.unknown.fields", "BuildkiteAgentTokens whose spec has fields this build does not know",
                cache, t -> !ReadNotes.of(t.getSpec()).unknownFields().isEmpty());
    }

    private void gauge(String name, String description, IndexedResourceCache<BuildkiteAgentToken> cache,
            Predicate<BuildkiteAgentToken> counted) {
        Gauge.builder(name, cache, c -> c.list().filter(counted).count()).description(description)
                .register(registry);
    }
}
