package io.elasticci.buildkite.token.reconcile.observe;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.elasticci.buildkite.token.aws.AwsPrincipal;
import io.elasticci.buildkite.token.aws.AwsScope;

class ParallelTest {

    private final Parallel parallel = new Parallel();
    private final CountDownLatch release = new CountDownLatch(1);

    @AfterEach
    void close() {
        release.countDown();
        parallel.close();
    }

    @Test
    void callsThatWaitDoNotHoldBackAnotherReconcilesCallsWhichRunAsItsPrincipal() throws Exception {
        // as many waiting calls (a slow answer, a busy rate limiter) as the pool has threads at its bound
        List<CompletableFuture<Boolean>> waiting = new ArrayList<>();
        for (int i = 0; i < Parallel.MAX_THREADS; i++) {
            waiting.add(parallel.start(() -> await(release)));
        }
        AwsPrincipal other = AwsPrincipal.assuming("arn:aws:iam::210987654321:role/r", null, "s");

        Map<Integer, AwsPrincipal> principals = CompletableFuture.supplyAsync(() -> AwsScope.with(other,
                () -> parallel.map(IntStream.range(0, 4).boxed().toList(), n -> AwsScope.current())))
                .get(10, TimeUnit.SECONDS); // a fixed pool with a queue held them until the waiting calls ended

        assertThat(principals).containsOnlyKeys(0, 1, 2, 3);
        assertThat(principals.values()).containsOnly(other);
        assertThat(waiting).noneMatch(CompletableFuture::isDone);
        release.countDown();
        for (CompletableFuture<Boolean> each : waiting) {
            assertThat(each.get(10, TimeUnit.SECONDS)).isTrue();
        }
    }

    private static boolean await(CountDownLatch latch) {
        try {
            return latch.await(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
