package io.elasticci.buildkite.token.reconcile.report;

import java.util.function.ToDoubleFunction;
import java.util.stream.Stream;

import io.elasticci.buildkite.token.api.v1alpha1.BuildkiteAgentToken;
import io.javaoperatorsdk.operator.api.reconciler.IndexedResourceCache;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;

/**
 * The controller's cache of resources, which gauges read at scrape time: a resource counts while it is cached, so a
 * deleted or fixed one stops counting without bookkeeping. Gauges hold their state weakly; the metrics bean that owns
 * this object keeps it alive.
 */
final class CachedTokens {

    private final MeterRegistry registry;
    private volatile IndexedResourceCache<BuildkiteAgentToken> cache;

    CachedTokens(MeterRegistry registry) {
        this.registry = registry;
    }

    void watch(IndexedResourceCache<BuildkiteAgentToken> current) {
        cache = current;
    }

    Stream<BuildkiteAgentToken> stream() {
        IndexedResourceCache<BuildkiteAgentToken> current = cache;
        return current == null ? Stream.empty() : current.list();
    }

    boolean contains(ResourceID id) {
        IndexedResourceCache<BuildkiteAgentToken> current = cache;
        return current != null && current.get(id).isPresent();
    }

    /**
     * A gauge whose value is the sum of {@code perToken} over the cached resources (1 or 0 per resource: a count).
     * It replaces a gauge of the same name and tags: a registry can outlive the application that registered it
     * (Quarkus tests restart the application in one JVM) and would keep answering from the first one.
     */
    void gauge(String name, String description, Tags tags, ToDoubleFunction<BuildkiteAgentToken> perToken) {
        registry.find(name).tags(tags).gauges().forEach(registry::remove);
        Gauge.builder(name, this, c -> c.stream().mapToDouble(perToken).sum()).description(description).tags(tags)
                .register(registry);
    }
}
