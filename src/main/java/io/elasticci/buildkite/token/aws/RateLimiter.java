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
    private int waiting;
    private long queuedSince;
    private long queuedNanos;

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
            long until = System.nanoTime() + waitNanos;
            queue(1);
            try {
                for (long left = waitNanos; left > 0; left = until - System.nanoTime()) {
                    LockSupport.parkNanos(left); // may return early
                }
            } finally {
                queue(-1);
            }
        }
        return waitNanos;
    }

    private synchronized void queue(int delta) {
        long now = System.nanoTime();
        if (waiting > 0) {
            queuedNanos += now - queuedSince;
        }
        queuedSince = now;
        waiting += delta;
    }

    /** Callers waiting for a permit now. */
    public synchronized int waiting() {
        return waiting;
    }

    /** How long, in all, at least one caller has been waiting: the time during which this limit bound. */
    public synchronized double queuedSeconds() {
        long nanos = queuedNanos + (waiting > 0 ? System.nanoTime() - queuedSince : 0);
        return nanos / 1e9;
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
