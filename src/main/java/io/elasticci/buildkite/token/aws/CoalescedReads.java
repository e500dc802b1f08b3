package io.elasticci.buildkite.token.aws;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * Reads of single items that AWS can answer many at a time (Auto Scaling groups by name), coalesced: per scope (a
 * principal and region) one call is in flight at a time, and every read asked for meanwhile joins the next call, up
 * to {@code maxBatch} items. A lone read goes out at once; under load, the reads of hundreds of tokens waiting for
 * an account-wide quota become a few calls instead of one each. A failed call fails every read it carried.
 *
 * @param <K> an item's key
 * @param <V> an item's answer
 */
public final class CoalescedReads<K, V> {

    private final int maxBatch;
    private final Map<String, Lane> lanes = new ConcurrentHashMap<>();
    private final AtomicInteger waiting = new AtomicInteger();

    public CoalescedReads(int maxBatch) {
        if (maxBatch < 1) {
            throw new IllegalArgumentException("maxBatch must be positive");
        }
        this.maxBatch = maxBatch;
    }

    /**
     * The answer for {@code key} in {@code scope}, from a call of {@code fetch} (items to their answers; an item it
     * leaves out answers null) that may carry other callers' keys.
     */
    public V get(String scope, K key, Function<List<K>, Map<K, V>> fetch) {
        Lane lane = lanes.computeIfAbsent(scope, s -> new Lane());
        Batch batch;
        boolean leads;
        synchronized (lane) {
            leads = lane.open == null || lane.open.keys.size() >= maxBatch && !lane.open.keys.contains(key);
            if (leads) {
                lane.open = new Batch();
            }
            batch = lane.open;
            if (!batch.keys.contains(key)) {
                batch.keys.add(key);
            }
            waiting.incrementAndGet();
        }
        try {
            if (leads) {
                send(lane, batch, fetch);
            }
            return batch.answer.join().get(key);
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw e;
        } finally {
            waiting.decrementAndGet();
        }
    }

    /** Readers that joined a call and wait for its answer, the ones of the call in flight included. */
    public int waiting() {
        return waiting.get();
    }

    /** Waits for the call in flight to end, closes the batch and makes its call. */
    private void send(Lane lane, Batch batch, Function<List<K>, Map<K, V>> fetch) {
        List<K> keys;
        synchronized (lane) {
            try {
                while (lane.sending) {
                    lane.wait();
                }
            } catch (InterruptedException e) {
                // Shutting down: fail this batch's readers rather than leave them waiting for a call never made.
                Thread.currentThread().interrupt();
                if (lane.open == batch) {
                    lane.open = null;
                }
                batch.answer.completeExceptionally(new IllegalStateException("interrupted before the read was made"));
                return;
            }
            lane.sending = true;
            if (lane.open == batch) {
                lane.open = null;
            }
            keys = List.copyOf(batch.keys);
        }
        try {
            batch.answer.complete(fetch.apply(keys));
        } catch (RuntimeException e) {
            batch.answer.completeExceptionally(e);
        } finally {
            synchronized (lane) {
                lane.sending = false;
                lane.notifyAll();
            }
        }
    }

    /** One scope's batches: the one filling, and whether a call is in flight. Guarded by itself. */
    private final class Lane {
        private Batch open;
        private boolean sending;
    }

    private final class Batch {
        private final List<K> keys = new ArrayList<>();
        private final CompletableFuture<Map<K, V>> answer = new CompletableFuture<>();
    }
}
