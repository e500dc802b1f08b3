package io.elasticci.buildkite.token.reconcile.report;

import static io.elasticci.buildkite.token.reconcile.report.MetricsFixtures.rotating;
import static io.elasticci.buildkite.token.reconcile.report.MetricsFixtures.token;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.elasticci.buildkite.token.api.v1alpha1.BuildkiteAgentTokenStatus;
import io.elasticci.buildkite.token.metrics.Scrape;
import io.elasticci.buildkite.token.plan.Reason;
import io.elasticci.buildkite.token.plan.RotationPhase;
import io.micrometer.prometheus.PrometheusConfig;
import io.micrometer.prometheus.PrometheusMeterRegistry;

/** The aggregated series, as Prometheus scrapes them: bounded labels, values from the cache. */
class ReconcileMetricsTest {

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final MetricsFixtures.Cache cache = new MetricsFixtures.Cache();
    /** Held by the test as the application holds it: gauges reference their state weakly. */
    private final ReconcileMetrics metrics = metrics();

    private ReconcileMetrics metrics() {
        ReconcileMetrics created = new ReconcileMetrics(registry, MetricsFixtures.config(Map.of()));
        created.watch(cache);
        return created;
    }

    private Scrape scrape() {
        return Scrape.parse(registry.scrape());
    }

    @Test
    void theOutcomeIsReadyStalledOrProgressing() {
        BuildkiteAgentTokenStatus stalled = token("t", "False", "InvalidSpec").getStatus();
        stalled.conditions.get(1).setStatus("True");
        assertThat(ReconcileMetrics.outcome(token("t", "True", "Converged").getStatus())).isEqualTo("ready");
        assertThat(ReconcileMetrics.outcome(stalled)).isEqualTo("stalled");
        assertThat(ReconcileMetrics.outcome(token("t", "False", "Throttled").getStatus())).isEqualTo("progressing");
        assertThat(ReconcileMetrics.outcome(null)).isEqualTo("progressing");
    }

    @Test
    void reconcilesAndErrorsAreTimedInHistogramBucketsByOutcome() {
        metrics.record(token("a", "True", "Converged"), 700_000_000L);
        metrics.record(token("a", "True", "Converged"), 3_000_000_000L);
        metrics.recordError(50_000_000L);

        Scrape scrape = scrape();
        assertThat(scrape.sum("bkat_reconcile_seconds_count", "outcome", "ready")).isEqualTo(2);
        assertThat(scrape.sum("bkat_reconcile_seconds_bucket", "outcome", "ready", "le", "1.0")).isEqualTo(1);
        assertThat(scrape.sum("bkat_reconcile_seconds_bucket", "outcome", "ready", "le", "5.0")).isEqualTo(2);
        assertThat(scrape.sum("bkat_reconcile_seconds_bucket", "outcome", "error", "le", "0.1")).isEqualTo(1);
        assertThat(scrape.of("bkat_reconcile_seconds_bucket", "outcome", "ready")).as("9 bounds and +Inf").hasSize(10);
        assertThat(scrape.sum("bkat_reconcile_seconds_max", "outcome", "ready")).isEqualTo(3.0);
    }

    @Test
    void tokensAreCountedByReadyReasonFromTheCacheInOneSeriesPerReason() {
        cache.put(token("a", "True", "Converged"), token("b", "False", "Throttled"), token("c", "False", "Throttled"));

        Scrape scrape = scrape();
        assertThat(scrape.of("bkat_tokens")).hasSize(Reason.values().length);
        assertThat(scrape.sum("bkat_tokens", "reason", "Converged", "ready", "True")).isEqualTo(1);
        assertThat(scrape.sum("bkat_tokens", "reason", "Throttled", "ready", "False")).isEqualTo(2);
        assertThat(scrape.sum("bkat_tokens", "reason", "Suspended", "ready", "Unknown")).isZero();

        ReconcileMetrics second = metrics();
        assertThat(scrape().of("bkat_tokens")).as("a second application replaces, not adds")
                .hasSize(Reason.values().length);
        assertThat(scrape().sum("bkat_tokens", "reason", "Throttled")).as("and answers").isEqualTo(2);
        java.lang.ref.Reference.reachabilityFence(second); // the application holds it
    }

    @Test
    void rotationsAreCountedByPhaseWithTheirRevocableVersions() {
        cache.put(token("baseline", "True", "Converged"),
                rotating("replicating", null, null, List.of()),
                rotating("refreshing", "2026-01-01T00:05:00Z", "InProgress", List.of("v0")),
                rotating("failed", "2026-01-01T00:05:00Z", "Failed", List.of()),
                rotating("done", "2026-01-01T00:05:00Z", "Successful", List.of("v1", "v0")),
                rotating("malformed", "yesterday", "Successful", List.of()));

        Scrape scrape = scrape();
        assertThat(scrape.of("bkat_rotation_tokens")).hasSize(RotationPhase.values().length);
        assertThat(scrape.sum("bkat_rotation_tokens", "phase", "none")).isEqualTo(1);
        assertThat(scrape.sum("bkat_rotation_tokens", "phase", "replicating")).isEqualTo(1);
        assertThat(scrape.sum("bkat_rotation_tokens", "phase", "refreshing")).isEqualTo(1);
        assertThat(scrape.sum("bkat_rotation_tokens", "phase", "failed")).isEqualTo(1);
        assertThat(scrape.sum("bkat_rotation_tokens", "phase", "revocable")).isEqualTo(1);
        assertThat(scrape.sum("bkat_rotation_tokens")).as("the malformed one is in no phase").isEqualTo(5);
        assertThat(scrape.sum("bkat_rotation_revocable_versions")).isEqualTo(3);
    }

    @Test
    void perResourceSeriesAreOffByDefault() {
        cache.put(token("a", "False", "Throttled"));
        metrics.record(token("a", "False", "Throttled"), 1);

        assertThat(MetricsFixtures.config(Map.of()).metrics().resourceLabels()).isFalse();
        assertThat(scrape().names()).noneMatch(n -> n.startsWith("bkat_token_"));
        assertThat(registry.scrape()).doesNotContain("team-a");
    }
}
