package io.elasticci.buildkite.token.bench;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import io.elasticci.buildkite.token.aws.QuotaGroups;
import io.elasticci.buildkite.token.emulator.CallLog;
import io.elasticci.buildkite.token.emulator.RateLimits;

/**
 * How much of each AWS quota the operator used while it had work queued for it. A queued second is an interval
 * between two {@link LimiterSampler} readings (about a second) during at least 90% of which calls of that quota group
 * and region waited for the operator's limiter; the achieved rate is the calls AWS accepted (not throttled) that
 * arrived in the queued seconds, divided by their length, and is reported as a fraction of AWS's quota (the
 * emulator's {@link RateLimits}).
 */
final class QuotaUse {

    private static final double QUEUED = 0.9;

    private QuotaUse() {
    }

    /** By "group region": limit, queued seconds, calls accepted and throttled in them, calls per second, fraction. */
    static Map<String, Map<String, Object>> of(List<LimiterSampler.Sample> samples, List<CallLog.Timed> calls,
            RateLimits quotas) {
        Map<String, Map<String, Object>> use = new TreeMap<>();
        if (samples.size() < 2) {
            return use;
        }
        long[] times = samples.stream().mapToLong(LimiterSampler.Sample::nanos).toArray();
        Map<String, Double> queuedSeconds = new TreeMap<>();
        Map<String, boolean[]> queued = new TreeMap<>();
        for (int i = 1; i < samples.size(); i++) {
            double seconds = (times[i] - times[i - 1]) / 1e9;
            for (Map.Entry<String, Double> e : samples.get(i).queuedSeconds().entrySet()) {
                double before = samples.get(i - 1).queuedSeconds().getOrDefault(e.getKey(), 0.0);
                if (e.getValue() - before >= QUEUED * seconds) {
                    queued.computeIfAbsent(e.getKey(), k -> new boolean[samples.size()])[i] = true;
                    queuedSeconds.merge(e.getKey(), seconds, Double::sum);
                }
            }
        }
        Map<String, long[]> counts = new TreeMap<>(); // accepted, throttled
        Map<String, Double> limits = new TreeMap<>();
        for (CallLog.Timed timed : calls) {
            CallLog.Call call = timed.call();
            Optional<RateLimits.Quota> quota = quotas.quotaOf(call.service(), call.operation());
            int bucket = Arrays.binarySearch(times, timed.startNanos());
            bucket = bucket >= 0 ? bucket + 1 : -bucket - 1; // the interval (times[bucket - 1], times[bucket]]
            if (quota.isEmpty() || bucket <= 0 || bucket >= times.length) {
                continue;
            }
            String group = QuotaGroups.of(call.service(), call.operation());
            for (Map.Entry<String, boolean[]> e : queued.entrySet()) {
                String[] groupRegion = e.getKey().split("\\|", 2);
                boolean sameRegion = quota.get().scope() == RateLimits.Scope.ACCOUNT
                        || groupRegion[1].equals(call.region());
                if (groupRegion[0].equals(group) && sameRegion && e.getValue()[bucket]) {
                    counts.computeIfAbsent(e.getKey(), k -> new long[2])[call.throttled() ? 1 : 0]++;
                    limits.put(e.getKey(), quota.get().perSecond());
                }
            }
        }
        queuedSeconds.forEach((key, seconds) -> {
            long[] n = counts.getOrDefault(key, new long[2]);
            Map<String, Object> entry = new LinkedHashMap<>();
            Double limit = limits.get(key);
            double perSecond = n[0] / seconds;
            entry.put("limitPerSecond", limit);
            entry.put("queuedSeconds", CallCounts.round(seconds));
            entry.put("accepted", n[0]);
            entry.put("throttled", n[1]);
            entry.put("perSecond", CallCounts.round(perSecond));
            entry.put("ofLimit", limit == null ? null : CallCounts.round(perSecond / limit));
            use.put(key.replace('|', ' '), entry);
        });
        return use;
    }
}
