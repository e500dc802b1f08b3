package io.elasticci.buildkite.token.buildkite.emulator;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Fault knobs, applied to authenticated calls before the real rate limits: latency on every call, bursts of 5xx or
 * 429 answers to whatever comes next, injected errors for the next calls of one operation, and answers dropped after
 * the operation was performed (the connection closes unanswered: a create that happened although the caller never
 * learnt the value). Operations: createToken, listTokens, getToken, updateToken, revokeToken. Thread-safe.
 */
public final class BuildkiteFaults {

    private Duration latency = Duration.ZERO;
    private final Deque<Reply> burst = new ArrayDeque<>();
    private final Map<String, Deque<Reply>> byOperation = new HashMap<>();
    private final Map<String, Integer> drops = new HashMap<>();

    /** Delays every call by this much, in real time (zero turns it off). */
    public synchronized BuildkiteFaults latency(Duration latency) {
        this.latency = Objects.requireNonNull(latency, "latency");
        return this;
    }

    /** The next {@code calls} calls, of any operation, answer {@code status} (a 5xx burst). */
    public BuildkiteFaults serverErrors(int calls, int status) {
        return serverErrors(calls, status, null);
    }

    /** The same, each answer with {@code Retry-After} in seconds. */
    public synchronized BuildkiteFaults serverErrors(int calls, int status, Duration retryAfter) {
        Reply reply = Reply.error(status, "Internal server error (injected)");
        for (int i = 0; i < calls; i++) {
            burst.add(retryAfter == null ? reply
                    : reply.withHeaders(Map.of("Retry-After", String.valueOf(retryAfter.toSeconds()))));
        }
        return this;
    }

    /**
     * The next {@code calls} calls answer 429 as if the organization's budget were spent until {@code reset}
     * (headers and body), whatever the real count.
     */
    public synchronized BuildkiteFaults rateLimited(int calls, Duration reset) {
        ObjectNode body = Reply.JSON.createObjectNode().put("message", "You have hit the rate limit (injected)")
                .put("scope", "rest").put("reset", reset.toSeconds());
        Reply reply = Reply.json(429, body).withHeaders(Map.of("RateLimit-Remaining", "0",
                "RateLimit-Reset", String.valueOf(reset.toSeconds())));
        for (int i = 0; i < calls; i++) {
            burst.add(reply);
        }
        return this;
    }

    /** The next {@code calls} calls of {@code operation} answer {@code status} with {@code {"message": message}}. */
    public synchronized BuildkiteFaults failNext(String operation, int calls, int status, String message) {
        Deque<Reply> queue = byOperation.computeIfAbsent(Objects.requireNonNull(operation), o -> new ArrayDeque<>());
        for (int i = 0; i < calls; i++) {
            queue.add(Reply.error(status, message));
        }
        return this;
    }

    /** The next {@code calls} calls of {@code operation} are performed, then their connection closes unanswered. */
    public synchronized BuildkiteFaults dropResponses(String operation, int calls) {
        drops.merge(Objects.requireNonNull(operation), calls, Integer::sum);
        return this;
    }

    /** Faults set up and not yet used (latency aside). */
    public synchronized int pending() {
        return burst.size() + byOperation.values().stream().mapToInt(Deque::size).sum()
                + drops.values().stream().mapToInt(Integer::intValue).sum();
    }

    public synchronized void clear() {
        latency = Duration.ZERO;
        burst.clear();
        byOperation.clear();
        drops.clear();
    }

    synchronized Duration latency() {
        return latency;
    }

    /** The injected answer for this call, if any: the operation's own first, then the burst. */
    synchronized Optional<Reply> take(String operation) {
        Deque<Reply> own = byOperation.get(operation);
        if (own != null && !own.isEmpty()) {
            return Optional.of(own.poll());
        }
        return Optional.ofNullable(burst.poll());
    }

    /** Whether to drop this call's answer (counts the drop). */
    synchronized boolean takeDrop(String operation) {
        Integer left = drops.get(operation);
        if (left == null || left == 0) {
            return false;
        }
        drops.put(operation, left - 1);
        return true;
    }
}
