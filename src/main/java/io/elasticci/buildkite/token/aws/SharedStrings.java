package io.elasticci.buildkite.token.aws;

import java.util.HashMap;
import java.util.Map;

/**
 * One instance per value for the names and words the caches keep for thousands of stacks and roles (role names,
 * ARNs and IDs, stack statuses, parameter values), which the informer's status holds too: each SDK answer is parsed
 * into new strings. Never for a secret value.
 */
final class SharedStrings {

    private SharedStrings() {
    }

    static String of(String value) {
        return value == null ? null : value.intern();
    }

    static Map<String, String> of(Map<String, String> values) {
        Map<String, String> shared = new HashMap<>();
        values.forEach((k, v) -> shared.put(of(k), of(v)));
        return shared;
    }
}
