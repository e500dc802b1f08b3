package io.elasticci.buildkite.token.aws;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

/**
 * The limiter's clock is stepped by the tests; its waiters sleep in real time for at most a turn (100 ms at 10/s)
 * before they look at that clock again, so each step is seen within a fraction of a second.
 */
class RateLimiterTest {

    private static final long MS = 1_000_000L;

    private final AtomicLong now = new AtomicLong();
    private final List<String> served = new CopyOnWriteArrayList<>();

    @Test
    void allowsABurstOfOneSecondThenQueuesCallersAtTheRate() throws Exception {
        RateLimiter limiter = new RateLimiter(10, now::get);
        for (int i = 0; i < 10; i++) {
            assertThat(limiter.acquire()).as("burst call %d", i).isZero();
        }
        CompletableFuture<Long> eleventh = caller(limiter, "eleventh", false, 1);

        step(50);
        Thread.sleep(300); // a turn is 100 ms: the waiter has looked again, and half a permit is not one
        assertThat(eleventh).isNotDone();
        step(50);
        assertThat(eleventh.get(5, TimeUnit.SECONDS)).isPositive();
        assertThat(limiter.waiting()).isZero();
    }

    @Test
    void tellsHowLongACallMadeNowWouldWait() throws Exception {
        RateLimiter limiter = new RateLimiter(10, now::get);
        assertThat(limiter.queueWait()).as("burst available").isZero();
        for (int i = 0; i < 10; i++) {
            limiter.acquire();
        }
        assertThat(limiter.queueWait()).as("one turn").isEqualTo(Duration.ofMillis(100));
        CompletableFuture<Long> first = caller(limiter, "first", false, 1);
        CompletableFuture<Long> second = caller(limiter, "second", false, 2);
        assertThat(limiter.queueWait()).as("behind two callers").isEqualTo(Duration.ofMillis(300));
        step(300);
        CompletableFuture.allOf(first, second).get(5, TimeUnit.SECONDS);
        assertThat(limiter.queueWait()).isZero();
    }

    @Test
    void countsTheCallersWaitingAndHowLongAnyWas() throws Exception {
        RateLimiter limiter = new RateLimiter(1);
        limiter.acquire(); // the burst is spent: the next caller waits about a second
        assertThat(limiter.queuedSeconds()).isZero();

        Thread waiter = new Thread(limiter::acquire);
        waiter.start();
        while (limiter.waiting() == 0 && waiter.isAlive()) {
            Thread.onSpinWait();
        }
        assertThat(limiter.waiting()).isEqualTo(1);
        waiter.join();

        assertThat(limiter.waiting()).isZero();
        assertThat(limiter.queuedSeconds()).isPositive();
    }

    @Test
    void aBackOffSpendsTheBurstAndSlowsDownUntilTheRateComesBack() {
        RateLimiter limiter = new RateLimiter(10, now::get);

        limiter.backOff();
        assertThat(limiter.currentRate()).isEqualTo(8.0);
        limiter.backOff();
        assertThat(limiter.currentRate()).as("at most once a second").isEqualTo(8.0);

        now.addAndGet(1_000 * MS);
        limiter.backOff();
        assertThat(limiter.currentRate()).isCloseTo(8.2 * 0.8, Offset.offset(1e-9));
        for (int i = 0; i < 10; i++) {
            now.addAndGet(1_000 * MS);
            limiter.backOff();
        }
        assertThat(limiter.currentRate()).as("never below half").isEqualTo(5.0);

        now.addAndGet(25_000 * MS);
        assertThat(limiter.currentRate()).as("2% of 10/s a second, up to 10/s").isEqualTo(10.0);
    }

    @Test
    void aBackOffSlowsTheCallersAlreadyQueued() throws Exception {
        RateLimiter limiter = new RateLimiter(10, now::get);
        for (int i = 0; i < 10; i++) {
            limiter.acquire();
        }
        CompletableFuture<Long> queued = caller(limiter, "queued", false, 1);

        limiter.backOff(); // 8/s: the queued caller's turn comes after 125 ms, not 100
        step(100);
        Thread.sleep(300);
        assertThat(queued).isNotDone();
        step(30);
        queued.get(5, TimeUnit.SECONDS);
    }

    @Test
    void aRetryGoesAheadOfTheFirstAttemptsQueuedBeforeIt() throws Exception {
        RateLimiter limiter = new RateLimiter(10, now::get);
        for (int i = 0; i < 10; i++) {
            limiter.acquire();
        }
        List<CompletableFuture<Long>> callers = List.of(caller(limiter, "a", false, 1), caller(limiter, "b", false, 2),
                caller(limiter, "retry 1", true, 3), caller(limiter, "c", false, 4), caller(limiter, "retry 2", true, 5));

        for (int turn = 1; turn <= callers.size(); turn++) {
            step(100);
            awaitServed(turn);
        }
        CompletableFuture.allOf(callers.toArray(CompletableFuture[]::new)).get(5, TimeUnit.SECONDS);
        assertThat(served).as("one a turn, retries first, each lane in order")
                .containsExactly("retry 1", "retry 2", "a", "b", "c");
    }

    @Test
    void anInterruptedWaiterLeavesTheQueueWithoutAPermit() throws Exception {
        RateLimiter limiter = new RateLimiter(10, now::get);
        for (int i = 0; i < 10; i++) {
            limiter.acquire();
        }
        boolean[] interrupted = {false};
        Thread waiter = new Thread(() -> {
            limiter.acquire();
            interrupted[0] = Thread.currentThread().isInterrupted();
        });
        waiter.start();
        awaitWaiting(limiter, 1);
        waiter.interrupt();
        waiter.join(5_000);

        assertThat(interrupted[0]).as("the caller sees its interrupt").isTrue();
        assertThat(limiter.waiting()).isZero();
        step(100);
        assertThat(limiter.acquire()).as("the permit it did not take is the next caller's").isZero();
    }

    /** A caller on its own thread, recorded in {@link #served} once it has its permit; queued as the n-th waiter. */
    private CompletableFuture<Long> caller(RateLimiter limiter, String name, boolean retry, int position)
            throws InterruptedException {
        CompletableFuture<Long> future = CompletableFuture.supplyAsync(() -> {
            long waited = retry ? limiter.acquireRetry() : limiter.acquire();
            served.add(name);
            return waited;
        });
        awaitWaiting(limiter, position);
        return future;
    }

    private void step(long millis) {
        now.addAndGet(millis * MS);
    }

    private void awaitServed(int count) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (served.size() < count && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        Thread.sleep(150); // and no one else in the same turn
        assertThat(served).hasSize(count);
    }

    private static void awaitWaiting(RateLimiter limiter, int count) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (limiter.waiting() < count && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(limiter.waiting()).isEqualTo(count);
    }
}
