package io.elasticci.buildkite.token.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.elasticci.buildkite.token.crd.Yaml;
import io.elasticci.buildkite.token.metrics.MonitoringQueries;

/**
 * deploy/monitoring: alerts a person can act on (severity, summary, description, a runbook section that exists), a
 * dashboard that works with any Prometheus data source, and queries that use only series and labels the README
 * documents. PackagedOperatorIT holds the same queries against a real scrape.
 */
class MonitoringManifestsTest {

    private static final Path README = Path.of("README.md");
    private static final String RUNBOOK = "https://github.com/elasticci/buildkite-token-operator/blob/main/README.md#";
    private static final Pattern HEADING = Pattern.compile("^#+\\s+(.+)$", Pattern.MULTILINE);
    private static final Pattern TABLE_ROW = Pattern.compile("^\\| (`bkat_.+?) \\| (.+?) \\|", Pattern.MULTILINE);
    private static final Pattern CODE = Pattern.compile("`([^`]+)`");

    /** The anchors GitHub gives README headings: lower case, punctuation dropped, spaces as hyphens. */
    private static Set<String> readmeAnchors() throws IOException {
        Set<String> anchors = new HashSet<>();
        Matcher heading = HEADING.matcher(Files.readString(README));
        while (heading.find()) {
            anchors.add(heading.group(1).trim().toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9 _-]", "")
                    .replace(' ', '-'));
        }
        return anchors;
    }

    /** The README's metrics table: every exposed series name (braces expanded) with the labels listed for it. */
    static Map<String, Set<String>> documentedSeries() throws IOException {
        Map<String, Set<String>> series = new HashMap<>();
        Matcher row = TABLE_ROW.matcher(Files.readString(README));
        while (row.find()) {
            Set<String> labels = new TreeSet<>();
            Matcher label = CODE.matcher(row.group(2));
            while (label.find()) {
                labels.add(label.group(1));
            }
            Matcher name = CODE.matcher(row.group(1));
            while (name.find()) {
                for (String expanded : expand(name.group(1))) {
                    series.put(expanded, labels);
                }
            }
        }
        return series;
    }

    /** {@code a_{x,y}} is a_x and a_y. */
    private static List<String> expand(String name) {
        int open = name.indexOf('{');
        if (open < 0) {
            return List.of(name);
        }
        List<String> names = new ArrayList<>();
        for (String suffix : name.substring(open + 1, name.indexOf('}')).split(",")) {
            names.add(name.substring(0, open) + suffix);
        }
        return names;
    }

    @Test
    void everyAlertHasASeverityASummaryADescriptionAndARunbookSectionThatExists() throws IOException {
        List<Map<String, Object>> rules = MonitoringQueries.rules();
        Set<String> anchors = readmeAnchors();
        Set<String> names = new HashSet<>();

        assertThat(rules).extracting(r -> r.get("alert")).contains("BkatTokenNotReady",
                "BkatRevocableVersionNotRevoked", "BkatAwsThrottled", "BkatReconcileErrors",
                "BkatResourcesNotUnderstood", "BkatCrdOutdated");
        for (Map<String, Object> rule : rules) {
            String alert = (String) rule.get("alert");
            assertThat(names.add(alert)).as("alert names are unique: %s", alert).isTrue();
            assertThat(rule.get("for")).as("for of %s", alert).asString().matches("\\d+[mh]");
            assertThat(Yaml.map(rule, "labels").get("severity")).as("severity of %s", alert)
                    .isIn("critical", "warning", "info");
            Map<String, Object> annotations = Yaml.map(rule, "annotations");
            assertThat(annotations.get("summary")).as("summary of %s", alert).asString().isNotBlank();
            assertThat(annotations.get("description")).as("description of %s", alert).asString().isNotBlank();
            String runbook = (String) annotations.get("runbook_url");
            assertThat(runbook).as("runbook of %s", alert).isEqualTo(RUNBOOK + alert.toLowerCase(Locale.ROOT));
            assertThat(anchors).as("README sections").contains(runbook.substring(RUNBOOK.length()));
        }
    }

    @Test
    void theRuleFileIsAPrometheusRuleWhoseAlertsEachReadAnOperatorSeries() {
        Map<String, Object> file = Yaml.load(MonitoringQueries.RULES);
        assertThat(file).containsEntry("apiVersion", "monitoring.coreos.com/v1").containsEntry("kind", "PrometheusRule");
        for (MonitoringQueries.Query query : MonitoringQueries.alerts()) {
            assertThat(query.selectors()).as("series of %s", query.where()).isNotEmpty();
            assertThat(query.expr().chars().filter(c -> c == '(').count()).as("balanced parentheses in %s",
                    query.where()).isEqualTo(query.expr().chars().filter(c -> c == ')').count());
        }
    }

    @Test
    void everyDashboardPanelQueriesTheTemplatedDataSource() {
        JsonNode dashboard = MonitoringQueries.dashboardJson();
        JsonNode datasource = null;
        for (JsonNode variable : dashboard.path("templating").path("list")) {
            if (variable.path("type").asText().equals("datasource")) {
                datasource = variable;
            }
        }
        assertThat(datasource).as("a data source variable").isNotNull();
        assertThat(datasource.path("name").asText()).isEqualTo("datasource");
        assertThat(datasource.path("query").asText()).isEqualTo("prometheus");
        assertThat(dashboard.path("uid").asText()).isNotBlank();

        Set<Integer> ids = new HashSet<>();
        int panels = 0;
        for (JsonNode panel : dashboard.path("panels")) {
            String title = panel.path("title").asText();
            assertThat(ids.add(panel.path("id").asInt())).as("unique id of %s", title).isTrue();
            assertThat(panel.has("gridPos")).as("position of %s", title).isTrue();
            if (panel.path("type").asText().equals("row")) {
                continue;
            }
            panels++;
            assertThat(panel.path("datasource").path("uid").asText()).as("data source of %s", title)
                    .isEqualTo("${datasource}");
            assertThat(panel.path("targets")).as("targets of %s", title).isNotEmpty();
            for (JsonNode target : panel.path("targets")) {
                assertThat(target.path("expr").asText()).as("query of %s", title).contains("bkat_");
                assertThat(target.path("datasource").path("uid").asText()).isEqualTo("${datasource}");
            }
        }
        assertThat(panels).isGreaterThanOrEqualTo(10);
    }

    @Test
    void queriesUseOnlyDocumentedSeriesAndLabels() throws IOException {
        Map<String, Set<String>> documented = documentedSeries();
        assertThat(documented).containsKeys("bkat_reconcile_seconds_bucket", "bkat_aws_calls_total",
                "bkat_rotation_tokens", "bkat_token_ready");
        assertThat(MonitoringQueries.all()).hasSizeGreaterThan(20);
        MonitoringQueries.assertEveryQueryFinds(documented, "the README's metrics table");
    }

    @Test
    void theKustomizationShipsTheRulesThePodMonitorAndTheDashboardForGrafanasSidecar() {
        Map<String, Object> kustomization = Yaml.load(MonitoringQueries.DIR.resolve("kustomization.yaml"));
        assertThat(Yaml.strings(kustomization.get("resources"))).containsExactlyInAnyOrder("podmonitor.yaml",
                "prometheusrule.yaml");
        Map<String, Object> generator = Yaml.map(Yaml.list(kustomization.get("configMapGenerator")).get(0));
        // kustomize's load restrictor refuses files outside the kustomization's directory
        assertThat(Yaml.strings(generator.get("files"))).containsExactly(
                MonitoringQueries.DASHBOARD.getFileName().toString());
        assertThat(Yaml.map(generator, "options", "labels")).containsEntry("grafana_dashboard", "1");
        Map<String, Object> component = Yaml.load(Path.of("deploy/components/monitoring/kustomization.yaml"));
        assertThat(component).containsEntry("kind", "Component");
        assertThat(Yaml.strings(component.get("resources"))).containsExactly("../../monitoring");
    }

    @Test
    void thePodMonitorScrapesTheOperatorsHttpPortAtQMetrics() {
        Map<String, Object> monitor = Yaml.load(MonitoringQueries.DIR.resolve("podmonitor.yaml"));
        Map<String, Object> deployment = Yaml.load(Path.of("deploy/base/deployment.yaml"));
        Map<String, Object> template = Yaml.map(deployment, "spec", "template");
        Map<String, Object> container = Yaml.map(Yaml.list(Yaml.map(template, "spec").get("containers")).get(0));

        assertThat(Yaml.map(template, "metadata", "labels")).containsAllEntriesOf(
                Yaml.map(monitor, "spec", "selector", "matchLabels"));
        Map<String, Object> endpoint = Yaml.map(Yaml.list(Yaml.map(monitor, "spec").get("podMetricsEndpoints")).get(0));
        assertThat(endpoint).containsEntry("path", "/q/metrics");
        assertThat(Yaml.list(container.get("ports")).stream().map(Yaml::map).map(p -> p.get("name")))
                .contains(endpoint.get("port"));
    }
}
