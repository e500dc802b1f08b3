package io.elasticci.buildkite.token.reconcile.observe;

import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

import io.elasticci.buildkite.token.aws.AwsFailure;

/**
 * The replica regions one observation could not read because AWS's service there is not answering (503
 * ServiceUnavailable, or no connection at all): the pass goes on without them and the planner leaves them alone, so
 * one region down does not stop the others. Anything else still ends the pass as before: a failure in the primary
 * region or of an account-wide read (STS, IAM), access denied, invalid input, and also a throttle, a 500 (one request
 * failed after the SDK's retries; the next pass retries it) or the SDK's own call timeout (a slow answer, not a
 * region down). Tolerating those too was measured worse: under throttling or bursts of 500s, passes acting on partial
 * views multiplied the IAM calls ({@code AwsFaultStormE2ETest}).
 */
public final class RegionOutages {

    /** Error codes that say the region's service is down, not that one request failed. */
    private static final Set<String> OUTAGE_CODES = Set.of("ServiceUnavailable", "ServiceUnavailableException",
            "NoResponse");
    /** The SDK's own whole-call timeouts: an answer slower than the operator waits for, not a region down. */
    private static final String SDK_CALL_TIMEOUT = "ApiCall";

    private final String primary;
    private final Map<String, AwsFailure> failures = new ConcurrentHashMap<>();

    public RegionOutages(String primary) {
        this.primary = primary;
    }

    /**
     * The read's result; {@code fallback} once the replica region is found down (recorded, and the region is not
     * called again in this observation).
     */
    public <T> T read(String region, Supplier<T> read, T fallback) {
        if (region.equals(primary)) {
            return read.get();
        }
        if (failures.containsKey(region)) {
            return fallback;
        }
        try {
            return read.get();
        } catch (AwsFailure e) {
            if (e.kind() != AwsFailure.Kind.UNAVAILABLE || !OUTAGE_CODES.contains(e.errorCode())
                    || String.valueOf(e.getMessage()).contains(SDK_CALL_TIMEOUT) || !region.equals(e.region())) {
                throw e;
            }
            failures.putIfAbsent(region, e);
            return fallback;
        }
    }

    public boolean observed(String region) {
        return !failures.containsKey(region);
    }

    /** Region → the failure that made it unobserved, in region order. */
    public Map<String, AwsFailure> failures() {
        return new TreeMap<>(failures);
    }
}
