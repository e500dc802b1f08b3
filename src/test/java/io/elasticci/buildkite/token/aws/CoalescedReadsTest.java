package io.elasticci.buildkite.token.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class CoalescedReadsTest {

    private final ExecutorService pool = Executors.newCachedThreadPool();
    private final List<List<String>> calls = new CopyOnWriteArrayList<>();

    @AfterEach
    void stop() {
        pool.shutdownNow();
    }

    /** Answers each key with its upper case, leaving out "missing"; records the call. */
    private Map<String, String> upper(List<String> keys) {
        calls.add(keys);
        return keys.stream().filter(k -> !k.equals("missing")).collect(Collectors.toMap(k -> k, String::toUpperCase));
    }

    @Test
    void aLoneReadIsOneCallOfItsOwnKey() {
        CoalescedReads<String, String> reads = new CoalescedReads<>(50);
        assertThat(reads.get("eu-west-1", "a", this::upper)).isEqualTo("A");
        assertThat(reads.get("eu-west-1", "missing", this::upper)).isNull();
        assertThat(calls).containsExactly(List.of("a"), List.of("missing"));
    }

    @Test
    void readsAskedWhileACallIsInFlightShareTheNextCall() throws Exception {
        CoalescedReads<String, String> reads = new CoalescedReads<>(50);
        CountDownLatch inFlight = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Function<List<String>, Map<String, String>> held = keys -> {
            if (keys.contains("first")) {
                inFlight.countDown();
                await(release);
            }
            return upper(keys);
        };
        Future<String> first = pool.submit(() -> reads.get("r", "first", held));
        assertThat(inFlight.await(5, TimeUnit.SECONDS)).isTrue();
        List<Future<String>> later = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            String key = "k" + (i % 10); // each key asked twice
            later.add(pool.submit(() -> reads.get("r", key, held)));
        }
        waitUntilQueued(reads, 20);
        release.countDown();
        assertThat(first.get(5, TimeUnit.SECONDS)).isEqualTo("FIRST");
        for (int i = 0; i < later.size(); i++) {
            assertThat(later.get(i).get(5, TimeUnit.SECONDS)).isEqualTo("K" + (i % 10));
        }
        assertThat(calls).hasSize(2);
        assertThat(calls.get(1)).hasSize(10).doesNotHaveDuplicates();
    }

    @Test
    void aBatchCarriesAtMostMaxBatchKeys() throws Exception {
        CoalescedReads<String, String> reads = new CoalescedReads<>(4);
        CountDownLatch inFlight = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Function<List<String>, Map<String, String>> held = keys -> {
            if (keys.contains("first")) {
                inFlight.countDown();
                await(release);
            }
            return upper(keys);
        };
        Future<String> first = pool.submit(() -> reads.get("r", "first", held));
        assertThat(inFlight.await(5, TimeUnit.SECONDS)).isTrue();
        List<Future<String>> later = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            String key = "k" + i;
            later.add(pool.submit(() -> reads.get("r", key, held)));
        }
        waitUntilQueued(reads, 10);
        release.countDown();
        first.get(5, TimeUnit.SECONDS);
        for (int i = 0; i < later.size(); i++) {
            assertThat(later.get(i).get(5, TimeUnit.SECONDS)).isEqualTo("K" + i);
        }
        assertThat(calls).hasSize(4).allSatisfy(keys -> assertThat(keys).hasSizeLessThanOrEqualTo(4));
        assertThat(calls.stream().mapToInt(List::size).sum()).isEqualTo(11);
    }

    @Test
    void aFailedCallFailsEveryReadItCarriedAndTheNextCallIsMade() throws Exception {
        CoalescedReads<String, String> reads = new CoalescedReads<>(50);
        CountDownLatch inFlight = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Function<List<String>, Map<String, String>> failing = keys -> {
            calls.add(keys);
            if (keys.contains("first")) {
                inFlight.countDown();
                await(release);
                return Map.of("first", "FIRST");
            }
            throw new IllegalStateException("Throttling");
        };
        Future<String> first = pool.submit(() -> reads.get("r", "first", failing));
        assertThat(inFlight.await(5, TimeUnit.SECONDS)).isTrue();
        Future<String> a = pool.submit(() -> reads.get("r", "a", failing));
        Future<String> b = pool.submit(() -> reads.get("r", "b", failing));
        waitUntilQueued(reads, 2);
        release.countDown();
        assertThat(first.get(5, TimeUnit.SECONDS)).isEqualTo("FIRST");
        for (Future<String> failed : List.of(a, b)) {
            assertThatThrownBy(() -> failed.get(5, TimeUnit.SECONDS)).hasRootCauseInstanceOf(
                    IllegalStateException.class).hasRootCauseMessage("Throttling");
        }
        assertThat(reads.get("r", "c", this::upper)).as("the lane is free again").isEqualTo("C");
    }

    @Test
    void scopesDoNotShareCalls() throws Exception {
        CoalescedReads<String, String> reads = new CoalescedReads<>(50);
        CountDownLatch inFlight = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Future<String> held = pool.submit(() -> reads.get("us-east-1", "first", keys -> {
            inFlight.countDown();
            await(release);
            return upper(keys);
        }));
        assertThat(inFlight.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(reads.get("eu-west-1", "other", this::upper)).as("not behind another region's call")
                .isEqualTo("OTHER");
        release.countDown();
        assertThat(held.get(5, TimeUnit.SECONDS)).isEqualTo("FIRST");
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Waits until {@code n} readers joined the next calls, behind the one in flight. */
    private void waitUntilQueued(CoalescedReads<String, String> reads, int n) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (reads.waiting() < n + 1 && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(reads.waiting()).as("readers waiting, the one in flight included").isEqualTo(n + 1);
    }
}
