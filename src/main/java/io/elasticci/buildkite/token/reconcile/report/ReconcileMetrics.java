package io.elasticci.buildkite.token.reconcile.report;

import java.util.Objects;
import java.util.concurrent.TimeUnit;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import io.elasticci.buildkite.token.api.v1alpha1.BuildkiteAgentToken;
import io.elasticci.buildkite.token.api.v1alpha1.BuildkiteAgentTokenStatus;
import io.elasticci.buildkite.token.api.v1alpha1.Condition;
import io.elasticci.buildkite.token.plan.Reason;
import io.javaoperatorsdk.operator.api.reconciler.IndexedResourceCache;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * Reconciles by outcome (ready, progressing, stalled) with their duration, and tokens by their Ready reason, counted
 * from the controller's cache at scrape time. One series per reason of {@link Reason}: a bounded set, no names.
 */
@ApplicationScoped
public class ReconcileMetrics {

    private final MeterRegistry registry;
    private volatile IndexedResourceCache<BuildkiteAgentToken> cache;

    @Inject
    public ReconcileMetrics(MeterRegistry registry) {
        this.registry = registry;
        for (Reason reason : Reason.values()) {
            String name = "bkat.tokens";
            registry.find(name).tag("reason", reason.name()).gauges().forEach(registry::remove);
            Gauge.builder(name, this, m -> m.count(reason)).description("BuildkiteAgentTokens by their Ready reason")
                    .tags("reason", reason.name(), "ready", readyOf(reason)).register(registry);
        }
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

    private static String readyOf(Reason reason) {
        return switch (reason) {
            case Converged -> "True";
            case Suspended -> "Unknown";
            default -> "False";
        };
    }

    private double count(Reason reason) {
        IndexedResourceCache<BuildkiteAgentToken> current = cache;
        return current == null ? 0 : current.list().map(BuildkiteAgentToken::getStatus).filter(Objects::nonNull)
                .flatMap(s -> s.conditions.stream()).filter(c -> StatusAggregator.READY.equals(c.getType()))
                .map(Condition::getReason).filter(reason.name()::equals).count();
    }
}
