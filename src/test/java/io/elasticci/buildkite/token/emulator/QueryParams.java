package io.elasticci.buildkite.token.emulator;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Query-protocol input: flat parameters such as {@code Tags.member.1.Key}, read through a prefix so nested
 * structures read like top-level ones. toString never shows values.
 */
final class QueryParams {

    private final Map<String, String> params;
    private final String prefix;

    QueryParams(Map<String, String> params) {
        this(params, "");
    }

    private QueryParams(Map<String, String> params, String prefix) {
        this.params = params;
        this.prefix = prefix;
    }

    boolean has(String name) {
        return params.containsKey(prefix + name);
    }

    String string(String name) {
        return params.get(prefix + name);
    }

    String requiredString(String name) {
        String value = string(name);
        if (value == null) {
            String member = Character.toLowerCase(name.charAt(0)) + name.substring(1);
            throw AwsError.of("ValidationError", "1 validation error detected: Value null at '" + member
                    + "' failed to satisfy constraint: Member must not be null");
        }
        return value;
    }

    Integer integer(String name) {
        String value = string(name);
        if (value == null) {
            return null;
        }
        try {
            return Integer.valueOf(value);
        } catch (NumberFormatException e) {
            throw AwsError.of("ValidationError", "Invalid value for parameter " + name + ".");
        }
    }

    Boolean bool(String name) {
        String value = string(name);
        return value == null ? null : Boolean.valueOf(value);
    }

    /** {@code Name.member.1}, {@code Name.member.2}, ... as strings. */
    List<String> strings(String name) {
        List<String> out = new ArrayList<>();
        for (int i = 1; has(name + ".member." + i); i++) {
            out.add(string(name + ".member." + i));
        }
        return out;
    }

    /** {@code Name.member.N.*} as nested parameter views. */
    List<QueryParams> members(String name) {
        List<QueryParams> out = new ArrayList<>();
        for (int i = 1; ; i++) {
            String p = prefix + name + ".member." + i + ".";
            if (params.keySet().stream().noneMatch(k -> k.startsWith(p))) {
                return out;
            }
            out.add(new QueryParams(params, p));
        }
    }

    /** {@code Name.entry.N.key/value} as a map. */
    Map<String, String> map(String name) {
        Map<String, String> out = new LinkedHashMap<>();
        for (int i = 1; has(name + ".entry." + i + ".key"); i++) {
            out.put(string(name + ".entry." + i + ".key"), string(name + ".entry." + i + ".value"));
        }
        return out;
    }

    @Override
    public String toString() {
        return "QueryParams[" + params.size() + " parameters]";
    }
}
