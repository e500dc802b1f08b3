package io.elasticci.buildkite.token.bench;

import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import io.elasticci.buildkite.token.emulator.CallLog;

/** AWS calls as the emulator answered them: how many, how many wrote, how many were throttled, by operation. */
record CallCounts(long total, long writes, long throttled, Map<String, Long> byOperation) {

    static CallCounts of(List<CallLog.Call> calls) {
        Map<String, Long> byOperation = new TreeMap<>();
        long writes = 0;
        long throttled = 0;
        for (CallLog.Call call : calls) {
            byOperation.merge(call.service() + ":" + call.operation(), 1L, Long::sum);
            writes += call.write() ? 1 : 0;
            throttled += call.throttled() ? 1 : 0;
        }
        return new CallCounts(calls.size(), writes, throttled, byOperation);
    }

    /** Each count divided by {@code units} (tokens, reconciles), most frequent operation first. */
    Map<String, Object> per(double units) {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("calls", round(total / units));
        map.put("writes", round(writes / units));
        map.put("throttled", round(throttled / units));
        Map<String, Double> operations = new LinkedHashMap<>();
        byOperation.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue(Comparator.reverseOrder()))
                .forEach(e -> operations.put(e.getKey(), round(e.getValue() / units)));
        map.put("byOperation", operations);
        return map;
    }

    static double round(double value) {
        return Math.round(value * 100) / 100.0;
    }
}
