package io.elasticci.buildkite.token.buildkite.emulator;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Every call the emulator received, in order: operation, organization, the API token's user (never the token), the
 * status answered and whether the answer was dropped. No bodies: no token value can end up here.
 */
public final class BuildkiteCallLog {

    /**
     * @param operation    createToken, listTokens, getToken, updateToken, revokeToken, or "unknown"
     * @param organization from the path, null when the path is not the API's
     * @param user         the API token's user, null when unauthenticated
     * @param status       the status answered (or that would have been, when dropped)
     * @param dropped      the connection closed without the answer
     */
    public record Call(String operation, String organization, String user, int status, boolean dropped) {
    }

    private final List<Call> calls = new ArrayList<>();

    synchronized void record(Call call) {
        calls.add(Objects.requireNonNull(call));
    }

    public synchronized List<Call> all() {
        return List.copyOf(calls);
    }

    public synchronized long count(String operation) {
        return calls.stream().filter(c -> c.operation().equals(operation)).count();
    }

    /** Statuses answered to that operation, oldest first. */
    public synchronized List<Integer> statuses(String operation) {
        return calls.stream().filter(c -> c.operation().equals(operation)).map(Call::status).toList();
    }

    public synchronized void clear() {
        calls.clear();
    }

    @Override
    public synchronized String toString() {
        return "BuildkiteCallLog" + new ArrayList<>(calls);
    }
}
