package io.elasticci.buildkite.token.aws;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import org.junit.jupiter.api.Test;

class RateLimiterTest {

    @Test
    void allowsABurstOfOneSecondThenSpacesCalls() {
        RateLimiter limiter = new RateLimiter(10);
        for (int i = 0; i < 10; i++) {
            assertThat(limiter.reserve()).as("burst call %d", i).isZero();
        }
        long wait = limiter.reserve();
        assertThat(wait).isBetween(50_000_000L, 150_000_000L); // about 1/10 s
        assertThat(limiter.reserve()).isGreaterThan(wait);
    }

    @Test
    void oneLimiterPerServiceAndScopeSharedByEveryone() {
        RateLimiters limiters = new RateLimiters(Map.of("secretsmanager", 25.0));
        assertThat(limiters.forService("secretsmanager", "us-east-1"))
                .isSameAs(limiters.forService("secretsmanager", "us-east-1"))
                .isNotSameAs(limiters.forService("secretsmanager", "us-west-2"));
        assertThat(limiters.forService("secretsmanager", "us-east-1").permitsPerSecond()).isEqualTo(25.0);
        assertThat(limiters.forService("iam", "123456789012").permitsPerSecond()).isEqualTo(5.0);
    }
}
