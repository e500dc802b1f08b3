package io.elasticci.buildkite.token.aws;

import static org.assertj.core.api.Assertions.assertThat;

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
}
