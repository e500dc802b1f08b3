package io.elasticci.buildkite.token.buildkite;

import java.time.Duration;
import java.time.Instant;

/**
 * Paces the calls that share one of Buildkite's per-minute budgets (an organization's, or one user's).
 *
 * <p>On its own it is a token bucket (GCRA): calls spread evenly at the budget's rate, after a burst of up to
 * {@link #BURST}. Buildkite's own count wins over it: other replicas, other tools and people with the same API token
 * spend the same budget, so once an answer says how many calls are left until when, no more than that many start
 * before the reset, and none after a 429 until the reset it names. Callers reserve a start time and wait for it
 * themselves; nothing here sleeps or reads a clock.
 */
final class BudgetLimiter {

    /** Calls that may start back to back before the pacing sets in. */
    static final int BURST = 10;

    private final Duration interval;
    private final Duration burstTolerance;
    /** When the next call would start if calls were spread evenly (GCRA's theoretical arrival time). */
    private Instant paced = Instant.EPOCH;
    /** Buildkite's last word: calls left until {@code resetAt}; unknown once that has passed. */
    private int remaining;
    private Instant resetAt = Instant.EPOCH;

    BudgetLimiter(int requestsPerMinute) {
        if (requestsPerMinute <= 0) {
            throw new IllegalArgumentException("requestsPerMinute must be positive");
        }
        this.interval = Duration.ofMinutes(1).dividedBy(requestsPerMinute);
        this.burstTolerance = interval.multipliedBy(BURST - 1);
    }

    /**
     * The earliest start at or after {@code now} for one call, reserved for it, unless that start is after
     * {@code latest}: then nothing is reserved and the caller is not expected to call.
     */
    synchronized Instant reserve(Instant now, Instant latest) {
        Instant start = later(now, paced.minus(burstTolerance));
        boolean budgetKnown = start.isBefore(resetAt);
        if (budgetKnown && remaining <= 0) {
            start = resetAt;
        }
        if (start.isAfter(latest)) {
            return start;
        }
        if (budgetKnown && remaining > 0) {
            remaining--;
        }
        paced = later(paced, start).plus(interval);
        return start;
    }

    /** Takes in what an answer received at {@code now} said about this budget. */
    synchronized void observe(RateLimitAnswer.Budget budget, Instant now) {
        Instant reset = now.plus(budget.reset());
        boolean sameWindow = now.isBefore(resetAt) && !reset.isAfter(resetAt.plusSeconds(1));
        // Answers to concurrent calls arrive in any order: within one window the lowest count is the latest.
        remaining = sameWindow ? Math.min(remaining, budget.remaining()) : budget.remaining();
        resetAt = sameWindow ? later(resetAt, reset) : reset;
    }

    private static Instant later(Instant a, Instant b) {
        return a.isAfter(b) ? a : b;
    }

    @Override
    public synchronized String toString() {
        return "BudgetLimiter[every " + interval + ", burst " + BURST + "]";
    }
}
