package io.elasticci.buildkite.token.e2e;

import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;

import io.elasticci.buildkite.token.emulator.MutableClock;

/**
 * Makes a resource captured in an end-to-end test the same on every run: what the API server, the emulator and the
 * test's own random names make up differently each time is replaced by a stable stand-in. Identifiers get numbered
 * stand-ins in order of first appearance, so values that were equal stay equal and distinct ones stay distinct;
 * every timestamp becomes one fixed instant (which condition changed when is not what the captures are about).
 * One instance per capture: {@link #text} then speaks the numbering {@link #yaml} chose.
 */
final class VolatileValues {

    /** The emulator's epoch: the time of every capture made before a test moves the emulator's clock. */
    static final String INSTANT = MutableClock.START.toString();

    private static final ObjectMapper YAML = new ObjectMapper(YAMLFactory.builder()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .disable(YAMLGenerator.Feature.SPLIT_LINES)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
            .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS)
            .build());

    /** A pattern whose whole match is the volatile value, and the stand-in for the n-th distinct value. */
    private record Rule(Pattern pattern, IntFunction<String> standIn, Map<String, String> seen) {

        Rule(String regex, IntFunction<String> standIn) {
            this(Pattern.compile(regex), standIn, new HashMap<>());
        }

        String apply(String text) {
            Matcher matcher = pattern.matcher(text);
            StringBuilder out = new StringBuilder();
            while (matcher.find()) {
                String standIn = seen.computeIfAbsent(matcher.group(), v -> this.standIn.apply(seen.size() + 1));
                matcher.appendReplacement(out, Matcher.quoteReplacement(standIn));
            }
            return matcher.appendTail(out).toString();
        }
    }

    private final List<Rule> rules = new ArrayList<>();

    VolatileValues(OperatorHarness k8s) {
        // the test's own names: its namespace, and the suffix of its secret, alias and stack names
        rules.add(new Rule("(?<![A-Za-z0-9-])" + Pattern.quote(k8s.namespace) + "(?![A-Za-z0-9-])", n -> "buildkite"));
        rules.add(new Rule(Pattern.quote(k8s.id), n -> "e2e"));
        rules.add(new Rule("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?Z", n -> INSTANT));
        // CloudFormation's physical-name suffixes (roles, Auto Scaling groups): 12 upper-case letters and digits
        rules.add(new Rule("(?<=-)(?=[0-9]*[A-Z])[A-Z0-9]{12}(?![A-Za-z0-9])", n -> "EXAMPLE%05d".formatted(n)));
        // key IDs, API server UIDs, versions created by the emulator
        rules.add(new Rule("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}",
                n -> "00000000-0000-4000-8000-%012d".formatted(n)));
        // version IDs the operator derives (an HMAC under the installation key)
        rules.add(new Rule("(?<![0-9a-f])[0-9a-f]{64}(?![0-9a-f])", n -> "%064d".formatted(n)));
        rules.add(new Rule("AROA[0-9A-Z]{17}", n -> "AROAEXAMPLE%010d".formatted(n)));
        // the six characters Secrets Manager appends to a secret's name in its ARN
        rules.add(new Rule("(?<=:secret:[A-Za-z0-9/_.+=@-]{1,512}-)[A-Za-z0-9]{6}(?![A-Za-z0-9/_.+=@-])",
                n -> "AbCd%02d".formatted(n)));
    }

    /** The resource as YAML, its volatile values replaced; what the API server alone keeps is fixed or dropped. */
    String yaml(Map<String, Object> resource) {
        Map<String, Object> copy = new LinkedHashMap<>(resource);
        @SuppressWarnings("unchecked")
        Map<String, Object> metadata = new LinkedHashMap<>((Map<String, Object>) copy.get("metadata"));
        metadata.remove("managedFields");
        metadata.computeIfPresent("resourceVersion", (k, v) -> "1");
        copy.put("metadata", metadata);
        try {
            return YAML.writeValueAsString(replaceIn(copy));
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A string with the stand-ins {@link #yaml} used, for messages derived from the same resource. */
    String text(String value) {
        String result = value;
        for (Rule rule : rules) {
            result = rule.apply(result);
        }
        return result;
    }

    /** Every string of the tree, keys included, in document order, so the numbering follows the file. */
    private Object replaceIn(Object value) {
        if (value instanceof Map<?, ?> map) {
            Map<String, Object> result = new LinkedHashMap<>();
            map.forEach((k, v) -> result.put(text(String.valueOf(k)), replaceIn(v)));
            return result;
        }
        if (value instanceof List<?> list) {
            return list.stream().map(this::replaceIn).toList();
        }
        return value instanceof String s ? text(s) : value;
    }
}
