package io.elasticci.buildkite.token.reconcile.report;

import static io.elasticci.buildkite.token.reconcile.report.MetricsFixtures.rotating;
import static io.elasticci.buildkite.token.reconcile.report.MetricsFixtures.token;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.elasticci.buildkite.token.api.v1alpha1.BuildkiteAgentToken;
import io.elasticci.buildkite.token.metrics.Scrape;
import io.micrometer.prometheus.PrometheusConfig;
import io.micrometer.prometheus.PrometheusMeterRegistry;

/** bkat.metrics.resource-labels=true: one series per resource, following each reconcile's status. */
class ResourceSeriesTest {

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final MetricsFixtures.Cache cache = new MetricsFixtures.Cache();
    private final ReconcileMetrics metrics = new ReconcileMetrics(registry,
            MetricsFixtures.config(Map.of("bkat.metrics.resource-labels", "true")));

    ResourceSeriesTest() {
        metrics.watch(cache);
    }

    /** A reconcile of the resource that ended with this status (the cache holds the resource, maybe older). */
    private void reconciled(BuildkiteAgentToken resource) {
        if (cache.get(io.javaoperatorsdk.operator.processing.event.ResourceID.fromResource(resource)).isEmpty()) {
            cache.put(resource);
        }
        metrics.record(resource, 1_000_000);
    }

    private Scrape scrape() {
        return Scrape.parse(registry.scrape());
    }

    @Test
    void eachResourceHasItsReadinessReasonPhaseAndRevocableVersions() {
        reconciled(token("ready", "True", "Converged"));
        reconciled(rotating("rolling", "2026-01-01T00:05:00Z", "InProgress", List.of("v0")));

        Scrape scrape = scrape();
        assertThat(scrape.sum("bkat_token_ready", "namespace", "team-a", "name", "ready", "reason", "Converged"))
                .isEqualTo(1);
        assertThat(scrape.of("bkat_token_ready", "name", "rolling")).singleElement()
                .satisfies(s -> assertThat(s.labels()).containsEntry("reason", "RefreshInProgress"))
                .satisfies(s -> assertThat(s.value()).isZero());
        assertThat(scrape.of("bkat_token_rotation_phase", "name", "rolling")).singleElement()
                .satisfies(s -> assertThat(s.labels()).containsEntry("phase", "refreshing"))
                .satisfies(s -> assertThat(s.value()).isEqualTo(1));
        assertThat(scrape.sum("bkat_token_rotation_phase", "name", "ready", "phase", "none")).isEqualTo(1);
        assertThat(scrape.sum("bkat_token_revocable_versions", "name", "rolling")).isEqualTo(1);
        assertThat(scrape.labelsBySeries().get("bkat_token_revocable_versions")).containsExactly("name", "namespace");
    }

    @Test
    void aNewReasonOrPhaseReplacesTheSeriesAndTheStatusJustComputedWinsOverTheCache() {
        reconciled(rotating("t", "2026-01-01T00:05:00Z", "InProgress", List.of()));

        // The cache still holds the older status; the reconcile computed this one.
        metrics.record(rotating("t", "2026-01-01T00:05:00Z", "Successful", List.of("v1")), 1);

        Scrape scrape = scrape();
        assertThat(scrape.of("bkat_token_rotation_phase", "name", "t")).singleElement()
                .satisfies(s -> assertThat(s.labels()).containsEntry("phase", "revocable"));
        assertThat(scrape.of("bkat_token_ready", "name", "t")).hasSize(1);
        assertThat(scrape.sum("bkat_token_revocable_versions", "name", "t")).isEqualTo(1);
    }

    @Test
    void aDeletedResourceLosesItsSeries() {
        BuildkiteAgentToken deleted = token("deleted", "False", "Deleting");
        BuildkiteAgentToken abandoned = token("abandoned", "False", "AccessDenied");
        reconciled(deleted);
        reconciled(abandoned);
        reconciled(token("kept", "True", "Converged"));

        metrics.deletionStep(deleted, false);
        assertThat(scrape().of("bkat_token_ready", "name", "deleted")).as("still deleting").singleElement()
                .satisfies(s -> assertThat(s.labels()).containsEntry("reason", "Deleting"));
        metrics.deletionStep(deleted, true);
        assertThat(scrape().of("bkat_token_ready", "name", "deleted")).isEmpty();

        // A finalizer removed by hand: no cleanup ran. Until the next update the series reads NaN, never 0.
        cache.remove(abandoned);
        assertThat(scrape().of("bkat_token_ready", "name", "abandoned")).singleElement()
                .satisfies(s -> assertThat(s.value()).isNaN());
        reconciled(token("kept", "True", "Converged"));
        assertThat(scrape().of("bkat_token_ready", "name", "abandoned")).isEmpty();
        assertThat(scrape().of("bkat_token_ready", "name", "kept")).hasSize(1);
    }
}
