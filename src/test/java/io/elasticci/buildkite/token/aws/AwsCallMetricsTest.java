package io.elasticci.buildkite.token.aws;

import static io.elasticci.buildkite.token.aws.GatewayTestSupport.AWS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.UUID;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/** Every SDK call is counted by outcome, with its retries and its wait for the rate limiter. */
class AwsCallMetricsTest {

    private static final String EAST = "us-east-1";
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final SdkSecretsManagerGateway gateway = new SdkSecretsManagerGateway(GatewayTestSupport.clients(registry));
    private final String name = "metrics/" + UUID.randomUUID();

    @AfterEach
    void clearFaults() {
        AWS.faults().clear();
    }

    private double calls(String operation, String outcome) {
        var counter = registry.find("bkat.aws.calls").tags("service", "secretsmanager", "operation", operation,
                "region", EAST, "outcome", outcome).counter();
        return counter == null ? 0 : counter.count();
    }

    @Test
    void aThrottledAttemptRetriedToSuccessIsOneSuccessfulCallAndOneRetry() {
        AWS.faults().failNext("secretsmanager", "DescribeSecret", "ThrottlingException", "Rate exceeded");

        assertThat(gateway.describe(EAST, name)).isEmpty();

        assertThat(calls("DescribeSecret", "not_found")).isEqualTo(1);
        assertThat(registry.find("bkat.aws.retries").tags("operation", "DescribeSecret").counter().count())
                .isEqualTo(1);
        assertThat(registry.find("bkat.aws.rate.limiter.wait").tags("service", "secretsmanager", "region", EAST)
                .timer().count()).as("one wait per attempt").isEqualTo(2);
    }

    @Test
    void outcomesFollowTheErrorMapping() {
        AWS.faults().failNext("secretsmanager", "GetResourcePolicy", "AccessDeniedException", "no");
        String arn = gateway.create(EAST, name, SecretValue.of("v1"), "1".repeat(64), null, java.util.Map.of());

        assertThatThrownBy(() -> gateway.resourcePolicy(EAST, arn)).isInstanceOf(AwsFailure.class);

        assertThat(calls("CreateSecret", "success")).isEqualTo(1);
        assertThat(calls("GetResourcePolicy", "access_denied")).isEqualTo(1);
        assertThat(registry.getMeters()).allSatisfy(m -> assertThat(m.getId().getTags().toString())
                .doesNotContain(name).doesNotContain("v1"));
    }
}
