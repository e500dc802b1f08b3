package io.elasticci.buildkite.token.api.crd;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A small structural-schema check of a value against the CRD (what the API server would reject): unknown fields,
 * types, required fields, patterns, lengths, list sizes and list-type uniqueness, and the CEL rules (transition rules
 * as on an update that changes nothing). It covers the constructs this CRD uses, not all of OpenAPI: the plan command
 * runs it so that a pull request learns what the API server would refuse, and the tests run it on the examples.
 */
public final class SchemaValidator {

    private SchemaValidator() {
    }

    /** The problems found, each naming the field; empty when the value is valid. */
    public static List<String> validate(Object value, Map<String, Object> schema, String path) {
        List<String> problems = new ArrayList<>();
        check(value, schema, path, problems);
        return problems;
    }

    private static void check(Object value, Map<String, Object> schema, String path, List<String> problems) {
        String type = (String) schema.get("type");
        switch (type == null ? "" : type) {
            case "object" -> {
                if (!(value instanceof Map<?, ?> map)) {
                    problems.add(path + ": expected an object");
                    return;
                }
                checkObject(map, schema, path, problems);
            }
            case "array" -> {
                if (!(value instanceof List<?> list)) {
                    problems.add(path + ": expected a list");
                    return;
                }
                checkArray(list, schema, path, problems);
            }
            case "string" -> {
                if (!(value instanceof String s)) {
                    problems.add(path + ": expected a string");
                    return;
                }
                if (schema.get("pattern") instanceof String p && !re2(p).matcher(s).find()) {
                    problems.add(path + ": '" + s + "' does not match " + p);
                }
                List<String> allowed = Nodes.strings(schema.get("enum"));
                if (!allowed.isEmpty() && !allowed.contains(s)) {
                    problems.add(path + ": '" + s + "' is not one of " + String.join(", ", allowed));
                }
                if (schema.get("maxLength") instanceof Integer max && s.length() > max) {
                    problems.add(path + ": longer than " + max);
                }
            }
            case "boolean" -> {
                if (!(value instanceof Boolean)) {
                    problems.add(path + ": expected a boolean");
                }
            }
            case "integer" -> {
                if (!(value instanceof Integer || value instanceof Long)) {
                    problems.add(path + ": expected an integer");
                    return;
                }
                long n = ((Number) value).longValue();
                if (schema.get("minimum") instanceof Number min && n < min.doubleValue()) {
                    problems.add(path + ": less than " + min);
                }
                if (schema.get("maximum") instanceof Number max && n > max.doubleValue()) {
                    problems.add(path + ": more than " + max);
                }
            }
            default -> problems.add(path + ": schema type '" + type + "' not supported by this check");
        }
        for (Object validation : Nodes.list(schema.get("x-kubernetes-validations"))) {
            Map<String, Object> v = Nodes.map(validation);
            String rule = (String) v.get("rule");
            boolean transition = rule.contains("oldSelf");
            CelRules.Verdict verdict = CelRules.evaluate(rule, value, transition ? value : null);
            if (verdict != CelRules.Verdict.PASS) {
                problems.add(path + ": " + v.get("message"));
            }
        }
    }

    /**
     * A schema pattern as the API server reads it (Go's RE2): {@code $} ends the text. In Java it also matches before
     * a final line break, which would admit "us-west-2\n"; so an unescaped {@code $} outside a class becomes {@code \z}.
     */
    static Pattern re2(String pattern) {
        StringBuilder java = new StringBuilder();
        boolean inClass = false;
        for (int i = 0; i < pattern.length(); i++) {
            char c = pattern.charAt(i);
            if (c == '\\' && i + 1 < pattern.length()) {
                java.append(c).append(pattern.charAt(++i));
                continue;
            }
            if (c == '[') {
                inClass = true;
            } else if (c == ']') {
                inClass = false;
            }
            java.append(c == '$' && !inClass ? "\\z" : String.valueOf(c));
        }
        return Pattern.compile(java.toString());
    }

    private static void checkObject(Map<?, ?> map, Map<String, Object> schema, String path, List<String> problems) {
        Map<?, ?> properties = schema.get("properties") instanceof Map<?, ?> p ? p : Map.of();
        Object additional = schema.get("additionalProperties");
        for (Map.Entry<?, ?> entry : map.entrySet()) {
            String name = String.valueOf(entry.getKey());
            String childPath = path + "." + name;
            if (properties.containsKey(name)) {
                check(entry.getValue(), Nodes.map(properties.get(name)), childPath, problems);
            } else if (additional instanceof Map<?, ?> valueSchema) {
                check(entry.getValue(), Nodes.map(valueSchema), childPath, problems);
            } else {
                problems.add(childPath + ": unknown field (not in the CRD schema)");
            }
        }
        for (String required : Nodes.strings(schema.get("required"))) {
            if (!map.containsKey(required)) {
                problems.add(path + "." + required + ": required");
            }
        }
        if (schema.get("maxProperties") instanceof Integer max && map.size() > max) {
            problems.add(path + ": more than " + max + " entries");
        }
    }

    private static void checkArray(List<?> list, Map<String, Object> schema, String path, List<String> problems) {
        if (schema.get("maxItems") instanceof Integer max && list.size() > max) {
            problems.add(path + ": more than " + max + " items");
        }
        if (schema.get("minItems") instanceof Integer min && list.size() < min) {
            problems.add(path + ": fewer than " + min + " items");
        }
        Map<String, Object> items = Nodes.map(schema, "items");
        for (int i = 0; i < list.size(); i++) {
            check(list.get(i), items, path + "[" + i + "]", problems);
        }
        Object listType = schema.get("x-kubernetes-list-type");
        Set<Object> seen = new HashSet<>();
        for (Object item : list) {
            Object key = "map".equals(listType) && item instanceof Map<?, ?> entry
                    ? Nodes.strings(schema.get("x-kubernetes-list-map-keys")).stream().map(entry::get).toList()
                    : item;
            if (("map".equals(listType) || "set".equals(listType)) && !seen.add(key)) {
                problems.add(path + ": duplicate " + key);
            }
        }
    }

    /** Plain YAML/JSON nodes as Jackson reads them into maps and lists. */
    static final class Nodes {

        private Nodes() {
        }

        @SuppressWarnings("unchecked")
        static Map<String, Object> map(Object root, String... keys) {
            Object current = root;
            for (String key : keys) {
                current = current instanceof Map<?, ?> m ? m.get(key) : null;
            }
            return current instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
        }

        @SuppressWarnings("unchecked")
        static List<Object> list(Object value) {
            return value instanceof List<?> l ? (List<Object>) l : List.of();
        }

        static List<String> strings(Object value) {
            return list(value).stream().map(String::valueOf).toList();
        }
    }
}
