package io.elasticci.buildkite.token.reconcile.report;

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

    static final String UNREADABLE = "bkat.resources.unreadable";
    static final String UNKNOWN_FIELDS = "bkat.resources.unknown.fields";

    private volatile IndexedResourceCache<BuildkiteAgentToken> cache;

    @Inject
    public ReadabilityMetrics(MeterRegistry registry) {
        register(registry, UNREADABLE, "BuildkiteAgentTokens whose spec or status cannot be read",
                t -> ReadNotes.of(t.getSpec()).isUnreadable() || ReadNotes.of(t.getStatus()).isUnreadable());
        register(registry, UNKNOWN_FIELDS, "BuildkiteAgentTokens whose spec has fields this build does not know",
                t -> !ReadNotes.of(t.getSpec()).unknownFields().isEmpty());
    }

    public void watch(IndexedResourceCache<BuildkiteAgentToken> current) {
        cache = current;
    }

    /**
     * Replaces a gauge of the same name: a registry can outlive the application that registered it (Quarkus tests
     * restart the application in one JVM) and would keep answering from the first one. Gauges hold their state
     * weakly; this bean, held by the application, is that state.
     */
    private void register(MeterRegistry registry, String name, String description,
            Predicate<BuildkiteAgentToken> counted) {
        registry.find(name).gauges().forEach(registry::remove);
        Gauge.builder(name, this, m -> m.count(counted)).description(description).register(registry);
    }

    private double count(Predicate<BuildkiteAgentToken> counted) {
        IndexedResourceCache<BuildkiteAgentToken> current = cache;
        return current == null ? 0 : current.list().filter(counted).count();
    }
}
