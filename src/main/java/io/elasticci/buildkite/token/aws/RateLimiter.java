package io.elasticci.buildkite.token.aws;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;

/**
 * A token bucket: up to {@code permitsPerSecond} calls a second on average, bursts up to one second's worth.
 * Callers wait for their turn in a queue instead of failing, which is what AWS's account-wide limits want. When AWS
 * refuses a call all the same (its quota is shared with the account's other clients, or lower than configured), the
 * limiter {@linkplain #backOff() backs off}: the rate drops for every caller, queued ones included, so the retry and
 * the calls after it find the quota refilled rather than empty again.
 *
 * <p>Retries {@linkplain #acquireRetry() go first}: a retry runs inside the SDK's call timeout, which a queue of minutes
 * (hundreds of tokens' calls for a busy quota) would exhaust, failing the call as if AWS had not answered and wasting
 * its first attempt. Going first, it takes the turn of the queue's head, so the rate AWS sees is unchanged.
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
    private final ReentrantLock lock = new ReentrantLock();
    /** Waiting retries, then waiting first attempts; the head of the first non-empty one goes next. */
    private final Deque<Condition> retries = new ArrayDeque<>();
    private final Deque<Condition> firsts = new ArrayDeque<>();
    private double rate;
    private double available;
    private long lastRefillNanos;
    private long lastBackOffNanos;
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

    /**
     * Waits for a permit behind every caller already waiting; returns how long it waited, in nanoseconds. Interrupted,
     * it returns at once without a permit, the thread's interrupt status set.
     */
    public long acquire() {
        return acquire(firsts);
    }

    /** Waits for a permit ahead of every first attempt waiting (behind earlier retries); returns the wait. */
    public long acquireRetry() {
        return acquire(retries);
    }

    private long acquire(Deque<Condition> lane) {
        long start = System.nanoTime();
        lock.lock();
        try {
            refill();
            if (retries.isEmpty() && firsts.isEmpty() && available >= 1) {
                available -= 1;
                return 0;
            }
            Condition turn = lock.newCondition();
            enqueue(lane, turn);
            try {
                while (true) {
                    refill();
                    boolean head = head() == turn;
                    if (head && available >= 1) {
                        available -= 1;
                        break;
                    }
                    if (head) {
                        turn.awaitNanos((long) Math.ceil((1 - available) / rate * SECOND));
                    } else {
                        turn.await(); // signalled when it becomes the head
                    }
                }
            } catch (InterruptedException e) {
                // The SDK's call timeout (or a shutdown) interrupted the wait: leave without a permit, and let the
                // caller see the interrupt.
                Thread.currentThread().interrupt();
            } finally {
                dequeue(lane, turn);
            }
            return System.nanoTime() - start;
        } finally {
            lock.unlock();
        }
    }

    private Condition head() {
        return !retries.isEmpty() ? retries.peekFirst() : firsts.peekFirst();
    }

    private void enqueue(Deque<Condition> lane, Condition turn) {
        Condition head = head();
        countQueued();
        lane.addLast(turn);
        if (head != null && head() != head) {
            head.signal(); // no longer the head: it goes back to waiting for its turn
        }
    }

    private void dequeue(Deque<Condition> lane, Condition turn) {
        countQueued();
        lane.remove(turn);
        Condition next = head();
        if (next != null) {
            next.signal();
        }
    }

    /**
     * AWS refused an attempt and the SDK is about to retry it: the quota is spent, so the burst allowance goes and
     * the rate drops (at most once a second), to come back gradually.
     */
    public void backOff() {
        lock.lock();
        try {
            refill();
            available = Math.min(available, 0);
            if (lastRefillNanos - lastBackOffNanos >= SECOND) {
                rate = Math.max(permitsPerSecond * FLOOR, rate * DECREASE);
                lastBackOffNanos = lastRefillNanos;
            }
        } finally {
            lock.unlock();
        }
    }

    private void refill() {
        long now = ticker.getAsLong();
        double seconds = (now - lastRefillNanos) / (double) SECOND;
        rate = Math.min(permitsPerSecond, rate + permitsPerSecond * RECOVERY_PER_SECOND * seconds);
        available = Math.min(capacity, available + seconds * rate);
        lastRefillNanos = now;
    }

    /** Before the queue's length changes: adds the time it was not empty. */
    private void countQueued() {
        long now = System.nanoTime();
        if (waitingNow() > 0) {
            queuedNanos += now - queuedSince;
        }
        queuedSince = now;
    }

    private int waitingNow() {
        return retries.size() + firsts.size();
    }

    /** Callers waiting for a permit now. */
    public int waiting() {
        lock.lock();
        try {
            return waitingNow();
        } finally {
            lock.unlock();
        }
    }

    /** How long, in all, at least one caller has been waiting: the time during which this limit bound. */
    public double queuedSeconds() {
        lock.lock();
        try {
            long nanos = queuedNanos + (waitingNow() > 0 ? System.nanoTime() - queuedSince : 0);
            return nanos / 1e9;
        } finally {
            lock.unlock();
        }
    }

    /** How long a call made now would wait behind the callers already waiting, at the rate now. */
    public Duration queueWait() {
        lock.lock();
        try {
            refill();
            double seconds = Math.max(0, waitingNow() + 1 - available) / rate;
            return Duration.ofNanos((long) (seconds * SECOND));
        } finally {
            lock.unlock();
        }
    }

    public double permitsPerSecond() {
        return permitsPerSecond;
    }

    /** The rate now: the configured one, or less after a back-off. */
    public double currentRate() {
        lock.lock();
        try {
            refill();
            return rate;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public String toString() {
        return "RateLimiter[" + permitsPerSecond + "/s, burst " + Duration.ofNanos((long) (capacity * 1e9)) + "]";
    }
}
