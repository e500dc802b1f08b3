package io.elasticci.buildkite.token.aws;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/** Each finished call's timeout timer leaves the shared SDK timer pool at once (fleet memory, BENCHMARKS.md). */
class SdkTimersTest {

    @Test
    void aFinishedCallLeavesNoTimerBehind() {
        AwsClients clients = GatewayTestSupport.clients(new SimpleMeterRegistry(), new RateLimiters(Map.of()),
                Duration.ofMinutes(5));
        try {
            SdkSecretsManagerGateway secrets = new SdkSecretsManagerGateway(clients);
            for (int i = 0; i < 50; i++) {
                assertThat(secrets.describe("us-east-1", "timers/" + UUID.randomUUID())).isEmpty();
            }

            // Kept until their 5 minutes passed, these were 50 (one per call) before removal on cancel.
            assertThat(clients.pendingTimers()).isLessThan(5);
        } finally {
            clients.close();
        }
    }
}
