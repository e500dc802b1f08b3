package io.elasticci.buildkite.token.reconcile.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.ToDoubleFunction;

import io.elasticci.buildkite.token.api.v1alpha1.BuildkiteAgentToken;
import io.elasticci.buildkite.token.api.v1alpha1.BuildkiteAgentTokenStatus;
import io.elasticci.buildkite.token.plan.RotationPhase;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;

/**
 * Opt-in ({@code bkat.metrics.resource-labels}) series per resource, labelled with its namespace and name, for alerts
 * on one token: its readiness (with its Ready reason), its rotation phase and its revocable versions.
 * <p>
 * Labels follow the status each reconcile or deletion step computed, not the cache, which receives that status a
 * moment later. Values are read at scrape time and are NaN once the resource has left the cache (a finalizer removed
 * by hand), so a deleted resource never alerts; its series go at the next update.
 */
final class ResourceSeries {

    private record Latest(String namespace, String name, String reason, boolean ready, RotationPhase phase,
            int revocable) {
        Tags tags() {
            return Tags.of("namespace", namespace, "name", name);
        }
    }

    private final CachedTokens tokens;
    private final Map<ResourceID, Latest> latest = new ConcurrentHashMap<>();
    private final MultiGauge ready;
    private final MultiGauge phase;
    private final MultiGauge revocable;

    ResourceSeries(MeterRegistry registry, CachedTokens tokens) {
        this.tokens = tokens;
        // Rows of an earlier application on the same registry (Quarkus tests) would keep answering: see CachedTokens.
        for (String name : List.of("bkat.token.ready", "bkat.token.rotation.phase", "bkat.token.revocable.versions")) {
            registry.find(name).meters().forEach(registry::remove);
        }
        ready = MultiGauge.builder("bkat.token.ready")
                .description("1 when the BuildkiteAgentToken is Ready, else 0; reason is its Ready reason")
                .register(registry);
        phase = MultiGauge.builder("bkat.token.rotation.phase")
                .description("1 for the rotation phase the BuildkiteAgentToken is in").register(registry);
        revocable = MultiGauge.builder("bkat.token.revocable.versions")
                .description("Versions of the BuildkiteAgentToken listed as revocable in Buildkite").register(registry);
    }

    /** The resource's status as a reconcile or deletion step just computed it. */
    void update(BuildkiteAgentToken resource) {
        BuildkiteAgentTokenStatus status = resource.getStatus();
        String reason = StatusConditions.readyReason(status).orElse("Unknown");
        latest.put(ResourceID.fromResource(resource), new Latest(resource.getMetadata().getNamespace(),
                resource.getMetadata().getName(), reason, StatusConditions.isTrue(status, StatusAggregator.READY),
                RotationMetrics.phaseOf(status).orElse(null), RotationMetrics.revocableVersions(resource)));
        publish();
    }

    /** The resource is gone (its finalizer removed). */
    void forget(BuildkiteAgentToken resource) {
        latest.remove(ResourceID.fromResource(resource));
        publish();
    }

    /** Rows for every resource still cached; MultiGauge keeps rows that stay and removes those that went. */
    private synchronized void publish() {
        latest.keySet().removeIf(id -> !tokens.contains(id));
        List<MultiGauge.Row<?>> readyRows = new ArrayList<>();
        List<MultiGauge.Row<?>> phaseRows = new ArrayList<>();
        List<MultiGauge.Row<?>> revocableRows = new ArrayList<>();
        latest.forEach((id, l) -> {
            readyRows.add(row(id, l.tags().and("reason", l.reason()), s -> s.ready() ? 1 : 0));
            if (l.phase() != null) {
                phaseRows.add(row(id, l.tags().and("phase", l.phase().label()), s -> 1));
            }
            revocableRows.add(row(id, l.tags(), Latest::revocable));
        });
        ready.register(readyRows, false);
        phase.register(phaseRows, false);
        revocable.register(revocableRows, false);
    }

    private MultiGauge.Row<?> row(ResourceID id, Tags tags, ToDoubleFunction<Latest> value) {
        return MultiGauge.Row.of(tags, this, series -> {
            Latest current = series.latest.get(id);
            return current == null || !series.tokens.contains(id) ? Double.NaN : value.applyAsDouble(current);
        });
    }
}
