package io.elasticci.buildkite.token.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.elasticci.buildkite.token.crd.Yaml;

/**
 * Every PromQL query deploy/monitoring ships (alert expressions, dashboard targets and variables), with the
 * {@code bkat_*} series and label names each one uses, so tests can hold them against what the operator exports.
 */
public final class MonitoringQueries {

    public static final Path DIR = Path.of("deploy", "monitoring");
    public static final Path RULES = DIR.resolve("prometheusrule.yaml");
    public static final Path DASHBOARD = DIR.resolve("grafana-dashboard.json");

    private static final Pattern SERIES = Pattern.compile("\\b(bkat_[a-z0-9_]+)\\b\\s*(\\{([^}]*)})?");
    private static final Pattern MATCHER = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)\\s*(=~|!~|!=|=)\\s*\"");
    private static final Pattern GROUPING = Pattern.compile("\\b(?:by|without|on|ignoring)\\s*\\(([^)]*)\\)");
    private static final Pattern LEGEND = Pattern.compile("\\{\\{\\s*([a-zA-Z_][a-zA-Z0-9_]*)\\s*}}");
    private static final Pattern LABEL_VALUES = Pattern.compile(
            "label_values\\(\\s*(bkat_[a-z0-9_]+)\\s*,\\s*([a-zA-Z_][a-zA-Z0-9_]*)\\s*\\)");

    /**
     * One query: where it is, the series it reads with the labels its selectors match on, and the labels it groups
     * or joins by (or shows in a legend), each of which must exist on at least one of those series.
     */
    public record Query(String where, String expr, Map<String, Set<String>> selectors, Set<String> grouping) {
    }

    private MonitoringQueries() {
    }

    public static List<Query> all() {
        List<Query> queries = new ArrayList<>(alerts());
        queries.addAll(dashboard());
        return queries;
    }

    public static List<Query> alerts() {
        List<Query> queries = new ArrayList<>();
        for (Map<String, Object> rule : rules()) {
            queries.add(query("alert " + rule.get("alert"), (String) rule.get("expr"), ""));
        }
        return queries;
    }

    public static List<Map<String, Object>> rules() {
        List<Map<String, Object>> rules = new ArrayList<>();
        for (Object group : Yaml.list(Yaml.map(Yaml.load(RULES), "spec").get("groups"))) {
            Yaml.list(Yaml.map(group).get("rules")).forEach(r -> rules.add(Yaml.map(r)));
        }
        return rules;
    }

    public static JsonNode dashboardJson() {
        try {
            return new ObjectMapper().readTree(DASHBOARD.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static List<Query> dashboard() {
        JsonNode dashboard = dashboardJson();
        List<Query> queries = new ArrayList<>();
        for (JsonNode panel : dashboard.path("panels")) {
            for (JsonNode target : panel.path("targets")) {
                queries.add(query("panel " + panel.path("title").asText(), target.path("expr").asText(),
                        target.path("legendFormat").asText()));
            }
        }
        for (JsonNode variable : dashboard.path("templating").path("list")) {
            if (variable.path("type").asText().equals("query")) {
                queries.add(query("variable " + variable.path("name").asText(),
                        variable.path("query").path("query").asText(variable.path("query").asText()), ""));
            }
        }
        return queries;
    }

    /**
     * Asserts that every query finds its series, with the labels it matches on, among {@code available} (series name
     * to label names, from {@code source}), and that each label it groups or shows by is on one of its series.
     */
    public static void assertEveryQueryFinds(Map<String, Set<String>> available, String source) {
        for (Query query : all()) {
            Set<String> labels = new TreeSet<>();
            query.selectors().forEach((series, matched) -> {
                assertThat(available).as("%s has %s (%s)", source, series, query.where()).containsKey(series);
                assertThat(available.get(series)).as("labels of %s in %s (%s)", series, source, query.where())
                        .containsAll(matched);
                labels.addAll(available.get(series));
            });
            assertThat(labels).as("labels %s groups or shows by, in %s", query.where(), source)
                    .containsAll(query.grouping());
        }
    }

    static Query query(String where, String expr, String legend) {
        Map<String, Set<String>> selectors = new LinkedHashMap<>();
        Matcher series = SERIES.matcher(expr);
        while (series.find()) {
            Set<String> labels = selectors.computeIfAbsent(series.group(1), k -> new TreeSet<>());
            if (series.group(3) != null) {
                Matcher matcher = MATCHER.matcher(series.group(3));
                while (matcher.find()) {
                    labels.add(matcher.group(1));
                }
            }
        }
        Matcher values = LABEL_VALUES.matcher(expr);
        while (values.find()) {
            selectors.computeIfAbsent(values.group(1), k -> new TreeSet<>()).add(values.group(2));
        }
        Set<String> grouping = new TreeSet<>();
        Matcher by = GROUPING.matcher(expr);
        while (by.find()) {
            for (String label : by.group(1).split(",")) {
                if (!label.isBlank()) {
                    grouping.add(label.trim());
                }
            }
        }
        Matcher shown = LEGEND.matcher(legend);
        while (shown.find()) {
            grouping.add(shown.group(1));
        }
        return new Query(where, expr, selectors, grouping);
    }
}
