package io.elasticci.buildkite.token.aws;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;

/**
 * A token bucket: up to {@code permitsPerSecond} calls a second on average, bursts up to one second's worth.
 * Callers wait for their turn instead of failing, which is what AWS's account-wide limits want. When AWS refuses a
 * call all the same (its quota is shared with the account's other clients, or lower than configured), the limiter
 * {@linkplain #backOff() backs off}: the retry and the calls after it find the quota refilled rather than empty again.
 */
public final class RateLimiter {

    /** A back-off slows to this fraction of the current rate, */
    private static final double DECREASE = 0.8;
    /** never below this fraction of the configured one, */
    private static final double FLOOR = 0.5;
    /** and the rate comes back by this fraction of the configured one per second. */
    private static final double RECOVERY_PER_SECOND = 0.02;
    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

    private final double permitsPerSecond;
    private final double capacity;
    private final LongSupplier ticker;
    private double rate;
    private double available;
    private long lastRefillNanos;
    private long lastBackOffNanos;
    private int waiting;
    private long queuedSince;
    private long queuedNanos;

    public RateLimiter(double permitsPerSecond) {
        this(permitsPerSecond, System::nanoTime);
    }

    RateLimiter(double permitsPerSecond, LongSupplier ticker) {
        if (permitsPerSecond <= 0) {
            throw new IllegalArgumentException("permitsPerSecond must be positive");
        }
        this.permitsPerSecond = permitsPerSecond;
        this.capacity = Math.max(1.0, permitsPerSecond);
        this.ticker = ticker;
        this.rate = permitsPerSecond;
        this.available = capacity;
        this.lastRefillNanos = ticker.getAsLong();
        this.lastBackOffNanos = lastRefillNanos - SECOND;
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

    /** Takes one permit, going into debt if needed, and returns how long the caller must wait. */
    synchronized long reserve() {
        refill();
        available -= 1;
        return available >= 0 ? 0 : (long) (-available / rate * SECOND);
    }

    /**
     * AWS refused an attempt and the SDK is about to retry it: the quota is spent, so the burst allowance goes and
     * the rate drops (at most once a second), to come back gradually.
     */
    public synchronized void backOff() {
        refill();
        available = Math.min(available, 0);
        if (lastRefillNanos - lastBackOffNanos >= SECOND) {
            rate = Math.max(permitsPerSecond * FLOOR, rate * DECREASE);
            lastBackOffNanos = lastRefillNanos;
        }
    }

    private void refill() {
        long now = ticker.getAsLong();
        double seconds = (now - lastRefillNanos) / (double) SECOND;
        rate = Math.min(permitsPerSecond, rate + permitsPerSecond * RECOVERY_PER_SECOND * seconds);
        available = Math.min(capacity, available + seconds * rate);
        lastRefillNanos = now;
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

    public double permitsPerSecond() {
        return permitsPerSecond;
    }

    /** The rate now: the configured one, or less after a back-off. */
    public synchronized double currentRate() {
        return rate;
    }

    @Override
    public String toString() {
        return "RateLimiter[" + permitsPerSecond + "/s, burst " + Duration.ofNanos((long) (capacity * 1e9)) + "]";
    }
}
