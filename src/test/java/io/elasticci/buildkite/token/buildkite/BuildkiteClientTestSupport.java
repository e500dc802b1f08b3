package io.elasticci.buildkite.token.buildkite;

import java.time.Duration;
import java.util.Optional;

import org.junit.jupiter.api.AfterEach;

import io.elasticci.buildkite.token.aws.SecretValue;
import io.elasticci.buildkite.token.buildkite.emulator.BuildkiteEmulator;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/**
 * The real HTTP adapter against a fresh emulator per test, both on the emulator's standing clock, which only the
 * client's sleeper moves: a test waits for rate-limit resets and backoffs without sleeping.
 */
abstract class BuildkiteClientTestSupport {

    static final ClusterTokenRef ACME = new ClusterTokenRef(BuildkiteEmulator.ORGANIZATION, BuildkiteEmulator.CLUSTER);

    final BuildkiteEmulator buildkite = BuildkiteEmulator.start();
    final VirtualSleeper sleeper = new VirtualSleeper(buildkite.clock());
    final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    final BuildkiteRateLimits limits = new BuildkiteRateLimits(200, 50);

    @AfterEach
    void stopEmulator() {
        buildkite.close();
    }

    /** Up to 3 attempts, backoff from 1 s to 8 s, 2 minutes per call, 5 s per request. */
    RetryPolicy retry() {
        return new RetryPolicy(3, Duration.ofSeconds(1), Duration.ofSeconds(8), Duration.ofMinutes(2));
    }

    BuildkiteSettings settings(RetryPolicy retry, Duration requestTimeout) {
        return new BuildkiteSettings(buildkite.endpoint(), Duration.ofSeconds(2), requestTimeout, retry);
    }

    HttpBuildkiteTokens client() {
        return client(BuildkiteEmulator.API_TOKEN);
    }

    HttpBuildkiteTokens client(String apiToken) {
        return client(apiToken, settings(retry(), Duration.ofSeconds(5)), limits);
    }

    HttpBuildkiteTokens client(String apiToken, BuildkiteSettings settings, BuildkiteRateLimits rateLimits) {
        return new HttpBuildkiteTokens(settings, Optional.ofNullable(apiToken).map(SecretValue::of), rateLimits,
                registry, buildkite.clock(), sleeper);
    }

    double calls(String operation, String outcome) {
        var counter = registry.find("bkat.buildkite.calls").tags("operation", operation, "outcome", outcome)
                .counter();
        return counter == null ? 0 : counter.count();
    }

    double retries(String operation) {
        var counter = registry.find("bkat.buildkite.retries").tags("operation", operation).counter();
        return counter == null ? 0 : counter.count();
    }
}
