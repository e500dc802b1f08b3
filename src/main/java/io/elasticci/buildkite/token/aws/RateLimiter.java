package io.elasticci.buildkite.token.aws;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * A token bucket: up to {@code permitsPerSecond} calls a second on average, bursts up to one second's worth.
 * Callers wait for their turn instead of failing, which is what AWS's account-wide limits want.
 */
public final class RateLimiter {

    private final double permitsPerSecond;
    private final double capacity;
    private double available;
    private long lastRefillNanos;

    public RateLimiter(double permitsPerSecond) {
        if (permitsPerSecond <= 0) {
            throw new IllegalArgumentException("permitsPerSecond must be positive");
        }
        this.permitsPerSecond = permitsPerSecond;
        this.capacity = Math.max(1.0, permitsPerSecond);
        this.available = capacity;
        this.lastRefillNanos = System.nanoTime();
    }

    /** Waits for a permit; returns how long it waited, in nanoseconds. */
    public long acquire() {
        long waitNanos = reserve();
        if (waitNanos > 0) {
            LockSupport.parkNanos(waitNanos);
        }
        return waitNanos;
    }

    /** Takes one permit, going into debt if needed, and returns how long the caller must wait. */
    synchronized long reserve() {
        long now = System.nanoTime();
        available = Math.min(capacity, available + (now - lastRefillNanos) / 1e9 * permitsPerSecond);
        lastRefillNanos = now;
        available -= 1;
        return available >= 0 ? 0 : (long) (-available / permitsPerSecond * TimeUnit.SECONDS.toNanos(1));
    }

    public double permitsPerSecond() {
        return permitsPerSecond;
    }

    @Override
    public String toString() {
        return "RateLimiter[" + permitsPerSecond + "/s, burst " + Duration.ofNanos((long) (capacity * 1e9)) + "]";
    }
}
