package io.elasticci.buildkite.token.reconcile.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

import io.elasticci.buildkite.token.api.v1alpha1.BuildkiteAgentTokenStatus;
import io.elasticci.buildkite.token.api.v1alpha1.Condition;
import io.elasticci.buildkite.token.plan.Reason;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

class ReconcileMetricsTest {

    private static BuildkiteAgentTokenStatus status(String ready, String stalled) {
        BuildkiteAgentTokenStatus status = new BuildkiteAgentTokenStatus();
        status.conditions = List.of(new Condition("Ready", ready, "X", "", "2025-01-01T00:00:00Z", 1L),
                new Condition("Stalled", stalled, "X", "", "2025-01-01T00:00:00Z", 1L));
        return status;
    }

    @Test
    void theOutcomeIsReadyStalledOrProgressing() {
        assertThat(ReconcileMetrics.outcome(status("True", "False"))).isEqualTo("ready");
        assertThat(ReconcileMetrics.outcome(status("False", "True"))).isEqualTo("stalled");
        assertThat(ReconcileMetrics.outcome(status("False", "False"))).isEqualTo("progressing");
        assertThat(ReconcileMetrics.outcome(null)).isEqualTo("progressing");
    }

    @Test
    void reconcilesAreTimedByOutcomeAndEveryReasonHasOneBoundedSeries() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        ReconcileMetrics metrics = new ReconcileMetrics(registry);

        metrics.record(status("True", "False"), 5_000_000);
        metrics.record(status("False", "True"), 1_000_000);

        assertThat(registry.find("bkat.reconcile").tag("outcome", "ready").timer().count()).isEqualTo(1);
        assertThat(registry.find("bkat.reconcile").tag("outcome", "stalled").timer().count()).isEqualTo(1);
        assertThat(registry.find("bkat.tokens").gauges()).hasSize(Reason.values().length);
        assertThat(registry.find("bkat.tokens").tag("reason", "Converged").tag("ready", "True").gauge().value())
                .as("no cache yet").isZero();
        new ReconcileMetrics(registry);
        assertThat(registry.find("bkat.tokens").gauges()).as("a second application replaces, not adds")
                .hasSize(Reason.values().length);
    }
}
