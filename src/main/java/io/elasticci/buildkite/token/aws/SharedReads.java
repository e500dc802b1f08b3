package io.elasticci.buildkite.token.aws;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Answers of wide AWS reads (a region's stack listing, an account's roles) shared by every token for {@code maxAge}:
 * concurrent passes that need a fresh one wait for a single call instead of each making it. A failed read is not kept
 * (the next pass tries again). Each answer remembers when its read started, so a change made during the read is seen
 * by the next one.
 *
 * @param <V> the answer
 */
public final class SharedReads<V> {

    private final Clock clock;
    private final Duration maxAge;
    private final Map<String, CompletableFuture<Read<V>>> reads = new ConcurrentHashMap<>();

    /** An answer and the instant its read started. */
    public record Read<V>(Instant asOf, V value) {
    }

    public SharedReads(Clock clock, Duration maxAge) {
        this.clock = clock;
        this.maxAge = maxAge;
    }

    /** The answer for {@code key} read less than {@code maxAge} ago, or a new one from {@code read}. */
    public Read<V> get(String key, Supplier<V> read) {
        CompletableFuture<Read<V>> mine = new CompletableFuture<>();
        CompletableFuture<Read<V>> current = reads.compute(key, (k, known) -> usable(known) ? known : mine);
        if (current == mine) {
            Instant asOf = clock.instant();
            try {
                mine.complete(new Read<>(asOf, read.get()));
            } catch (RuntimeException e) {
                reads.remove(key, mine);
                mine.completeExceptionally(e);
            }
        }
        try {
            return current.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw e;
        }
    }

    /** Forgets every answer: the next {@link #get} reads again. */
    public void clear() {
        reads.clear();
    }

    /** Being read, or read successfully less than {@code maxAge} ago. */
    private boolean usable(CompletableFuture<Read<V>> known) {
        if (known == null || known.isCompletedExceptionally()) {
            return false;
        }
        if (!known.isDone()) {
            return true;
        }
        return clock.instant().isBefore(known.join().asOf().plus(maxAge));
    }
}
