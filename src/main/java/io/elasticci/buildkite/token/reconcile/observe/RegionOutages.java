package io.elasticci.buildkite.token.reconcile.observe;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

import io.elasticci.buildkite.token.aws.AwsFailure;

/**
 * The replica regions one observation could not read because AWS failed there transiently (5xx, no answer,
 * throttled): the pass goes on without them and the planner leaves them alone, so one region down does not stop the
 * others. A failure in the primary region, of an account-wide read (STS, IAM), or one that is not transient (access
 * denied, invalid input) still ends the pass.
 */
public final class RegionOutages {

    private final String primary;
    private final Map<String, AwsFailure> failures = new ConcurrentHashMap<>();

    public RegionOutages(String primary) {
        this.primary = primary;
    }

    /**
     * The read's result; {@code fallback} once the replica region failed transiently (recorded, and the region is
     * not called again in this observation).
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
            if (!e.kind().isTransient() || !region.equals(e.region())) {
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
