package io.elasticci.buildkite.token.metrics;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

/** A /q/metrics answer (Prometheus text format), read into samples. */
public record Scrape(List<Sample> samples) {

    public record Sample(String name, Map<String, String> labels, double value) {
        boolean has(String... labelPairs) {
            for (int i = 0; i < labelPairs.length; i += 2) {
                if (!labelPairs[i + 1].equals(labels.get(labelPairs[i]))) {
                    return false;
                }
            }
            return true;
        }
    }

    public static Scrape parse(String text) {
        List<Sample> samples = new ArrayList<>();
        text.lines().filter(l -> !l.isBlank() && !l.startsWith("#")).forEach(l -> samples.add(sample(l)));
        return new Scrape(List.copyOf(samples));
    }

    /** Samples of this metric whose labels include these {@code name, value} pairs. */
    public Stream<Sample> of(String name, String... labelPairs) {
        return samples.stream().filter(s -> s.name().equals(name) && s.has(labelPairs));
    }

    /** The sum of those samples (0 when there is none). */
    public double sum(String name, String... labelPairs) {
        return of(name, labelPairs).mapToDouble(Sample::value).sum();
    }

    /** Every series name with the label names its samples carry. */
    public Map<String, Set<String>> labelsBySeries() {
        Map<String, Set<String>> series = new LinkedHashMap<>();
        samples.forEach(s -> series.computeIfAbsent(s.name(), k -> new TreeSet<>()).addAll(s.labels().keySet()));
        return series;
    }

    public Set<String> names() {
        Set<String> names = new TreeSet<>();
        samples.forEach(s -> names.add(s.name()));
        return names;
    }

    /** {@code name{a="x",b="y"} 1.0}: label values may hold escaped quotes, commas and braces. */
    private static Sample sample(String line) {
        int brace = line.indexOf('{');
        int space = line.indexOf(' ');
        if (brace < 0 || brace > space) {
            return new Sample(line.substring(0, space), Map.of(), number(line.substring(space + 1)));
        }
        Map<String, String> labels = new LinkedHashMap<>();
        int i = brace + 1;
        while (line.charAt(i) != '}') {
            int eq = line.indexOf('=', i);
            String key = line.substring(i, eq).trim();
            StringBuilder value = new StringBuilder();
            int j = eq + 2; // past ="
            for (; line.charAt(j) != '"'; j++) {
                char c = line.charAt(j);
                if (c == '\\') {
                    char next = line.charAt(++j);
                    value.append(next == 'n' ? '\n' : next);
                } else {
                    value.append(c);
                }
            }
            labels.put(key, value.toString());
            i = j + 1;
            if (line.charAt(i) == ',') {
                i++;
            }
        }
        return new Sample(line.substring(0, brace), labels, number(line.substring(i + 1).trim()));
    }

    private static double number(String text) {
        String value = text.trim().split(" ")[0];
        return switch (value) {
            case "+Inf" -> Double.POSITIVE_INFINITY;
            case "-Inf" -> Double.NEGATIVE_INFINITY;
            default -> Double.parseDouble(value);
        };
    }
}
