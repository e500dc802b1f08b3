package io.elasticci.buildkite.token.buildkite;

import java.time.Duration;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * Buildkite calls by operation and outcome, attempts beyond the first, and time spent waiting for the rate limiters.
 * Labels are bounded: five operations, six outcomes. No organization label: organizations come from resources, not
 * from the operator's configuration, so their number is not the operator's to bound.
 */
final class BuildkiteMetrics {

    private final MeterRegistry registry;
    private final Timer limiterWaits;

    BuildkiteMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.limiterWaits = Timer.builder("bkat.buildkite.rate.limiter.wait")
                .description("Time Buildkite calls waited for the operator's rate limiters").register(registry);
    }

    /** One call, retries included: outcome "success" or a {@link BuildkiteFailure.Kind} label. */
    void call(String operation, String outcome) {
        Counter.builder("bkat.buildkite.calls").description("Buildkite calls by operation and outcome")
                .tags("operation", operation, "outcome", outcome).register(registry).increment();
    }

    void retry(String operation) {
        Counter.builder("bkat.buildkite.retries").description("Buildkite call attempts beyond the first")
                .tags("operation", operation).register(registry).increment();
    }

    void limiterWait(Duration wait) {
        limiterWaits.record(wait);
    }
}
