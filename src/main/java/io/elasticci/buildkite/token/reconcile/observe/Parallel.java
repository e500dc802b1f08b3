package io.elasticci.buildkite.token.reconcile.observe;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Supplier;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;

import io.elasticci.buildkite.token.aws.AwsScope;

/**
 * Runs independent AWS calls concurrently (reads of regions and stacks, a plan's independent actions) on one shared,
 * bounded pool, each acting as the principal of the reconcile that started it.
 *
 * <p>The pool grows when its threads are busy and, at its bound, the caller runs the task itself. A fixed pool with a
 * queue let calls that wait (for a slow answer, for the Auto Scaling rate limiter) hold every thread while the other
 * reconciles' calls queued behind them: in the 500-token soak the whole operator made some 5 reconciles a second
 * with its CPU and its rate limiters idle.
 */
@ApplicationScoped
public class Parallel {

    /** Kept while idle: the pool grows when a wide token fans out, and shrinks back after 30 s. */
    private static final int THREADS = 16;
    /**
     * At most: one token's widest fan-out in one round (20 stacks, 30 roles for 5 regions × 4 stacks). AWS's pace is
     * set by the rate limiters, not by this; past it, the reconcile runs its calls itself. Every thread costs ~190 KiB
     * of stack and thread-local buffers: at 1,000 tokens 64 threads instead of 32 were 9 MiB more RSS and converged no
     * faster (BENCHMARKS.md, "Memory at 1,000 tokens").
     */
    static final int MAX_THREADS = 32;

    private final ExecutorService executor = new ThreadPoolExecutor(THREADS, MAX_THREADS, 30, TimeUnit.SECONDS,
            new SynchronousQueue<>(), daemonThreads(), new ThreadPoolExecutor.CallerRunsPolicy());

    /** Applies {@code task} to every key concurrently; the first failure is rethrown as it was thrown. */
    public <K, V> Map<K, V> map(List<K> keys, Function<K, V> task) {
        Map<K, CompletableFuture<V>> futures = new LinkedHashMap<>();
        keys.forEach(k -> futures.put(k, CompletableFuture.supplyAsync(AwsScope.carried(() -> task.apply(k)),
                executor)));
        Map<K, V> results = new LinkedHashMap<>();
        futures.forEach((k, f) -> results.put(k, join(f)));
        return results;
    }

    public <V> CompletableFuture<V> start(Supplier<V> task) {
        return CompletableFuture.supplyAsync(AwsScope.carried(task), executor);
    }

    /**
     * Runs {@code task} once all of {@code before} have completed (however they completed), acting as the principal
     * of the caller.
     */
    public <V> CompletableFuture<V> startAfter(List<? extends CompletableFuture<?>> before, Supplier<V> task) {
        Supplier<V> carried = AwsScope.carried(task);
        return CompletableFuture.allOf(before.toArray(CompletableFuture[]::new))
                .handleAsync((ignored, failure) -> carried.get(), executor);
    }

    public static <V> V join(CompletableFuture<V> future) {
        try {
            return future.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw e;
        }
    }

    @PreDestroy
    void close() {
        executor.shutdownNow();
    }

    private static ThreadFactory daemonThreads() {
        AtomicInteger count = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, "aws-" + count.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
