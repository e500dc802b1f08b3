package io.elasticci.buildkite.token.reconcile.report;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import io.elasticci.buildkite.token.api.read.ReadNotes;
import io.elasticci.buildkite.token.api.v1alpha1.BuildkiteAgentToken;
import io.elasticci.buildkite.token.api.v1alpha1.BuildkiteAgentTokenStatus;
import io.elasticci.buildkite.token.config.OperatorConfig;
import io.elasticci.buildkite.token.plan.Reason;
import io.javaoperatorsdk.operator.api.reconciler.IndexedResourceCache;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;

/**
 * Reconciles by outcome (ready, progressing, stalled, error) with their duration; and, counted from the controller's
 * cache at scrape time, tokens by their Ready reason (one series per {@link Reason}: a bounded set, no names), tokens
 * this build cannot fully read, and rotations ({@link RotationMetrics}). Per-resource series only when configured
 * ({@link ResourceSeries}).
 */
@ApplicationScoped
public class ReconcileMetrics {

    /** Histogram buckets of reconcile durations: a steady-state reconcile takes about a second (README). */
    private static final Duration[] BUCKETS = {Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500),
        Duration.ofSeconds(1), Duration.ofMillis(2500), Duration.ofSeconds(5), Duration.ofSeconds(10),
        Duration.ofSeconds(30), Duration.ofSeconds(60)};

    private final MeterRegistry registry;
    private final CachedTokens tokens;
    private final Optional<ResourceSeries> resources;

    @Inject
    public ReconcileMetrics(MeterRegistry registry, OperatorConfig config) {
        this.registry = registry;
        this.tokens = new CachedTokens(registry);
        for (Reason reason : Reason.values()) {
            tokens.gauge("bkat.tokens", "BuildkiteAgentTokens by their Ready reason", Tags.of("reason", reason.name(),
                    "ready", readyOf(reason)), t -> StatusConditions.readyReason(t.getStatus())
                            .filter(reason.name()::equals).isPresent() ? 1 : 0);
        }
        tokens.gauge("bkat.resources.unreadable", "BuildkiteAgentTokens whose spec or status cannot be read",
                Tags.empty(), t -> ReadNotes.of(t.getSpec()).isUnreadable() || ReadNotes.of(t.getStatus()).isUnreadable()
                        ? 1 : 0);
        tokens.gauge("bkat.resources.unknown.fields", "BuildkiteAgentTokens whose spec has fields this build does not "
                + "know", Tags.empty(), t -> ReadNotes.of(t.getSpec()).unknownFields().isEmpty() ? 0 : 1);
        RotationMetrics.register(tokens);
        resources = config.metrics().resourceLabels() ? Optional.of(new ResourceSeries(registry, tokens))
                : Optional.empty();
    }

    /** The controller's cache, which every gauge here reads. */
    public void watch(IndexedResourceCache<BuildkiteAgentToken> current) {
        tokens.watch(current);
    }

    /** One reconcile that ended with the resource's status as it computed it, after this many nanoseconds. */
    public void record(BuildkiteAgentToken resource, long nanos) {
        timer(outcome(resource.getStatus())).record(nanos, TimeUnit.NANOSECONDS);
        resources.ifPresent(r -> r.update(resource));
    }

    /** One reconcile that threw (the operator SDK retries it): no status was computed. */
    public void recordError(long nanos) {
        timer("error").record(nanos, TimeUnit.NANOSECONDS);
    }

    /** One deletion step: the resource is gone when its finalizer is removed, else it has the status computed. */
    public void deletionStep(BuildkiteAgentToken resource, boolean finalizerRemoved) {
        resources.ifPresent(r -> {
            if (finalizerRemoved) {
                r.forget(resource);
            } else {
                r.update(resource);
            }
        });
    }

    private Timer timer(String outcome) {
        return Timer.builder("bkat.reconcile").description("Reconciles by outcome and their duration")
                .serviceLevelObjectives(BUCKETS).tag("outcome", outcome).register(registry);
    }

    static String outcome(BuildkiteAgentTokenStatus status) {
        if (status == null) {
            return "progressing";
        }
        if (StatusConditions.isTrue(status, StatusAggregator.READY)) {
            return "ready";
        }
        return StatusConditions.isTrue(status, StatusAggregator.STALLED) ? "stalled" : "progressing";
    }

    private static String readyOf(Reason reason) {
        return switch (reason) {
            case Converged -> "True";
            case Suspended -> "Unknown";
            default -> "False";
        };
    }
}
