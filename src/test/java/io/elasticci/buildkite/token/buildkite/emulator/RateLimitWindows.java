package io.elasticci.buildkite.token.buildkite.emulator;

import java.time.Clock;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Buildkite's REST limits (design fact 9): calls per organization and per user, counted in fixed one-minute windows
 * of the emulator's clock. Every counted answer carries both budgets' headers; a call past either budget is not
 * counted and gets 429 with the budget's {@code scope} ({@code rest}, {@code rest_user}) and {@code reset}.
 */
public final class RateLimitWindows {

    /** What {@link #admit} decided, and the headers every answer to the call carries. */
    record Verdict(String exhaustedScope, Map<String, String> headers, long resetSeconds) {

        boolean admitted() {
            return exhaustedScope == null;
        }
    }

    private final Clock clock;
    private int perOrganization = 200;
    private int perUser = 50;
    private long window = -1;
    private final Map<String, Integer> organizationCalls = new HashMap<>();
    private final Map<String, Integer> userCalls = new HashMap<>();

    RateLimitWindows(Clock clock) {
        this.clock = clock;
    }

    /** Calls per minute per organization and per user (Buildkite: 200 and 50). */
    public synchronized RateLimitWindows limits(int organizationPerMinute, int userPerMinute) {
        this.perOrganization = organizationPerMinute;
        this.perUser = userPerMinute;
        return this;
    }

    /** Counts one call of this user in this organization, unless either budget is spent. */
    synchronized Verdict admit(String organization, String user) {
        long second = clock.instant().getEpochSecond();
        if (second / 60 != window) {
            window = second / 60;
            organizationCalls.clear();
            userCalls.clear();
        }
        long reset = 60 - second % 60;
        int organizationUsed = organizationCalls.getOrDefault(organization, 0);
        int userUsed = userCalls.getOrDefault(user, 0);
        String exhausted = userUsed >= perUser ? "rest_user" : organizationUsed >= perOrganization ? "rest" : null;
        if (exhausted == null) {
            organizationCalls.put(organization, ++organizationUsed);
            userCalls.put(user, ++userUsed);
        }
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("RateLimit-Limit", String.valueOf(perOrganization));
        headers.put("RateLimit-Remaining", String.valueOf(Math.max(0, perOrganization - organizationUsed)));
        headers.put("RateLimit-Reset", String.valueOf(reset));
        headers.put("RateLimit-User-Limit", String.valueOf(perUser));
        headers.put("RateLimit-User-Remaining", String.valueOf(Math.max(0, perUser - userUsed)));
        headers.put("RateLimit-User-Reset", String.valueOf(reset));
        return new Verdict(exhausted, headers, reset);
    }

    synchronized void clear() {
        perOrganization = 200;
        perUser = 50;
        window = -1;
        organizationCalls.clear();
        userCalls.clear();
    }
}
