package io.elasticci.buildkite.token.aws;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A CloudFormation stack as DescribeStacks shows it: {@code parameterKeys} are all of its parameters' keys,
 * {@code parameters} the values of all or (once {@linkplain #retaining retained}) some of them.
 */
public record StackDescription(String name, String stackId, String region, String status, String statusReason,
        Map<String, String> parameters, List<String> parameterKeys, Map<String, String> outputs,
        Instant lastChanged) {

    /** Stacks of one template share their list of keys; a bound keeps odd templates from growing this. */
    private static final Map<List<String>, List<String>> SHARED_KEYS = new ConcurrentHashMap<>();
    private static final int MAX_SHARED_KEY_LISTS = 64;

    public StackDescription {
        parameters = Map.copyOf(parameters);
        parameterKeys = List.copyOf(parameterKeys);
        outputs = Map.copyOf(outputs);
    }

    public StackDescription(String name, String stackId, String region, String status, String statusReason,
            Map<String, String> parameters, Map<String, String> outputs, Instant lastChanged) {
        this(name, stackId, region, status, statusReason, parameters, List.copyOf(parameters.keySet()), outputs,
                lastChanged);
    }

    /**
     * This stack with only the parameter values and outputs named kept (every parameter key stays): what a cache of
     * thousands of stacks holds. An Elastic CI Stack has about a hundred parameters, of which the operator reads three.
     */
    public StackDescription retaining(Set<String> parameterValues, Set<String> outputKeys) {
        Map<String, String> kept = new java.util.HashMap<>(parameters);
        kept.keySet().retainAll(parameterValues);
        Map<String, String> keptOutputs = new java.util.HashMap<>(outputs);
        keptOutputs.keySet().retainAll(outputKeys);
        List<String> keys = SHARED_KEYS.get(parameterKeys);
        if (keys == null) {
            keys = parameterKeys;
            if (SHARED_KEYS.size() < MAX_SHARED_KEY_LISTS) {
                keys = SHARED_KEYS.computeIfAbsent(parameterKeys, k -> k);
            }
        }
        return new StackDescription(SharedStrings.of(name), stackId, SharedStrings.of(region),
                SharedStrings.of(status), statusReason, SharedStrings.of(kept), keys, SharedStrings.of(keptOutputs),
                lastChanged);
    }

    public boolean inProgress() {
        return status != null && status.endsWith("_IN_PROGRESS");
    }

    /** The update was rolled back: the stack runs its previous parameters. */
    public boolean updateRolledBack() {
        return "UPDATE_ROLLBACK_COMPLETE".equals(status) || "UPDATE_ROLLBACK_FAILED".equals(status);
    }

    public String parameter(String key) {
        return parameters.getOrDefault(key, "");
    }
}
