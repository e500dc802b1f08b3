package io.elasticci.buildkite.token.reconcile.report;

import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import io.elasticci.buildkite.token.api.read.ReadNotes;
import io.elasticci.buildkite.token.api.v1alpha1.BuildkiteAgentToken;
import io.elasticci.buildkite.token.api.v1alpha1.BuildkiteAgentTokenStatus;
import io.elasticci.buildkite.token.api.v1alpha1.Condition;
import io.elasticci.buildkite.token.plan.Reason;
import io.javaoperatorsdk.operator.api.reconciler.IndexedResourceCache;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;

/**
 * Reconciles by outcome (ready, progressing, stalled) with their duration; and, counted from the controller's cache at
 * scrape time, tokens by their Ready reason (one series per {@link Reason}: a bounded set, no names) and tokens this
 * build cannot fully read. A deleted or fixed resource stops counting without bookkeeping.
 */
@ApplicationScoped
public class ReconcileMetrics {

    private final MeterRegistry registry;
    private volatile IndexedResourceCache<BuildkiteAgentToken> cache;

    @Inject
    public ReconcileMetrics(MeterRegistry registry) {
        this.registry = registry;
        for (Reason reason : Reason.values()) {
            gauge("bkat.tokens", "BuildkiteAgentTokens by their Ready reason", Tags.of("reason", reason.name(),
                    "ready", readyOf(reason)), t -> reason.name().equals(readyReason(t)));
        }
        gauge("bkat.resources.unreadable", "BuildkiteAgentTokens whose spec or status cannot be read", Tags.empty(),
                t -> ReadNotes.of(t.getSpec()).isUnreadable() || ReadNotes.of(t.getStatus()).isUnreadable());
        gauge("bkat.resources.unknown.fields", "BuildkiteAgentTokens whose spec has fields this build does not know",
                Tags.empty(), t -> !ReadNotes.of(t.getSpec()).unknownFields().isEmpty());
    }

    public void watch(IndexedResourceCache<BuildkiteAgentToken> current) {
        cache = current;
    }

    /** One reconcile that ended with this status, after this many nanoseconds. */
    public void record(BuildkiteAgentTokenStatus status, long nanos) {
        Timer.builder("bkat.reconcile").description("Reconciles by outcome and their duration")
                .tag("outcome", outcome(status)).register(registry).record(nanos, TimeUnit.NANOSECONDS);
    }

    static String outcome(BuildkiteAgentTokenStatus status) {
        if (status == null) {
            return "progressing";
        }
        if (isTrue(status, StatusAggregator.READY)) {
            return "ready";
        }
        return isTrue(status, StatusAggregator.STALLED) ? "stalled" : "progressing";
    }

    private static boolean isTrue(BuildkiteAgentTokenStatus status, String type) {
        return status.conditions.stream().anyMatch(c -> type.equals(c.getType()) && "True".equals(c.getStatus()));
    }

    private static String readyReason(BuildkiteAgentToken token) {
        return token.getStatus() == null ? null : token.getStatus().conditions.stream()
                .filter(c -> StatusAggregator.READY.equals(c.getType())).map(Condition::getReason)
                .filter(Objects::nonNull).findFirst().orElse(null);
    }

    private static String readyOf(Reason reason) {
        return switch (reason) {
            case Converged -> "True";
            case Suspended -> "Unknown";
            default -> "False";
        };
    }

    /**
     * Replaces a gauge of the same name and tags: a registry can outlive the application that registered it (Quarkus
     * tests restart the application in one JVM) and would keep answering from the first one. Gauges hold their state
     * weakly; this bean, held by the application, is that state.
     */
    private void gauge(String name, String description, Tags tags, Predicate<BuildkiteAgentToken> counted) {
        registry.find(name).tags(tags).gauges().forEach(registry::remove);
        Gauge.builder(name, this, m -> m.count(counted)).description(description).tags(tags).register(registry);
    }

    private double count(Predicate<BuildkiteAgentToken> counted) {
        IndexedResourceCache<BuildkiteAgentToken> current = cache;
        return current == null ? 0 : current.list().filter(counted).count();
    }
}
