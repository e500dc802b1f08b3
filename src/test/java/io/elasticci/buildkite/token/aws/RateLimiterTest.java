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

    @Test
    void aBackOffSpendsTheBurstAndSlowsDownUntilTheRateComesBack() {
        long[] now = {0};
        RateLimiter limiter = new RateLimiter(10, () -> now[0]);

        limiter.backOff();
        assertThat(limiter.currentRate()).isEqualTo(8.0);
        assertThat(limiter.reserve()).as("no burst left: 1/8 s").isEqualTo(125_000_000L);
        limiter.backOff();
        assertThat(limiter.currentRate()).as("at most once a second").isEqualTo(8.0);

        now[0] += 1_000_000_000L;
        limiter.backOff();
        assertThat(limiter.currentRate()).isCloseTo(8.2 * 0.8, org.assertj.core.data.Offset.offset(1e-9));
        for (int i = 0; i < 10; i++) {
            now[0] += 1_000_000_000L;
            limiter.backOff();
        }
        assertThat(limiter.currentRate()).as("never below half").isEqualTo(5.0);

        now[0] += 25_000_000_000L;
        limiter.reserve();
        assertThat(limiter.currentRate()).as("2% of 10/s a second, up to 10/s").isEqualTo(10.0);
    }
}
