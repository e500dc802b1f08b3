package io.elasticci.buildkite.token.buildkite;

import java.time.Duration;

/**
 * How often and how long one call is tried: up to {@code maxAttempts} attempts within {@code callTimeout}, waits
 * growing exponentially from {@code initialBackoff} to {@code maxBackoff} with jitter, never shorter than what
 * Buildkite asked for (RateLimit-Reset, Retry-After).
 */
public record RetryPolicy(int maxAttempts, Duration initialBackoff, Duration maxBackoff, Duration callTimeout) {

    public RetryPolicy {
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be at least 1");
        }
        if (initialBackoff.isNegative() || maxBackoff.compareTo(initialBackoff) < 0
                || callTimeout.compareTo(Duration.ZERO) <= 0) {
            throw new IllegalArgumentException("need 0 <= initialBackoff <= maxBackoff and a positive callTimeout");
        }
    }

    /**
     * The wait after failed attempt {@code attempt} (1 = the first): half the exponential step plus a random share of
     * the other half ({@code jitter} in [0, 1)), so that callers failing together spread out without ever retrying
     * at once; at least {@code hint} when Buildkite named a time.
     */
    Duration delay(int attempt, Duration hint, double jitter) {
        Duration step = initialBackoff.multipliedBy(1L << Math.min(attempt - 1, 20));
        if (step.compareTo(maxBackoff) > 0 || step.isNegative()) {
            step = maxBackoff;
        }
        Duration half = step.dividedBy(2);
        Duration backoff = half.plusNanos((long) (half.toNanos() * jitter));
        return hint != null && hint.compareTo(backoff) > 0 ? hint : backoff;
    }
}
