package io.elasticci.buildkite.token.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import io.elasticci.buildkite.token.api.v1alpha1.BuildkiteAgentToken;
import io.elasticci.buildkite.token.cli.PlanCommand;
import io.elasticci.buildkite.token.crd.Crd;
import io.elasticci.buildkite.token.crd.Yaml;

/**
 * Every command README.md shows is run or checked here. Maven commands must be what .ci/run runs; the plan command
 * runs (offline here; PlanCommandIT runs the same line against AWS on the packaged jar); kubectl commands name only
 * what the manifests and the CRD declare, with flags kubectl has, and their kustomize builds run; the Helm command
 * renders (HelmChartTest); AWS CLI commands name the repository's policy files and the manifests' names.
 */
class ReadmeCommandsTest {

    private static final Path README = Path.of("README.md");
    private static final Set<String> KUBECTL_VERBS = Set.of("get", "apply", "kustomize", "describe", "annotate", "logs",
            "explain", "edit");
    private static final Set<String> KUBECTL_FLAGS = Set.of("-n", "-A", "-o", "-k", "-f", "-w", "--server-side",
            "--field-selector", "--overwrite");
    private static final String OPERATOR_NAMESPACE = "buildkite-token-operator";

    private static List<String> commands() {
        return DocCommands.of(README).stream().map(c -> c.replaceAll("\\s+", " ")).toList();
    }

    @Test
    void everyCommandIsOneThisTestKnowsHowToCheck() {
        List<String> commands = commands();
        assertThat(commands).hasSizeGreaterThan(15);
        for (String command : commands) {
            assertThat(command).as("a README command").matches("^(mvn|java -jar|kubectl|helm|aws) .*");
        }
    }

    @Test
    void mavenCommandsAreWhatCiRuns() throws IOException {
        List<String> ci = Files.readAllLines(Path.of(".ci", "run")).stream().map(String::strip).toList();
        List<String> maven = commands().stream().filter(c -> c.startsWith("mvn ")).toList();
        assertThat(maven).contains("mvn -B -ntp verify", "mvn -B -ntp -Pdemo verify");
        assertThat(ci).containsAll(maven);
    }

    @Test
    void planCommandsRunOffline() {
        List<String> plans = commands().stream().filter(c -> c.startsWith("java -jar ")).toList();
        assertThat(plans).isNotEmpty();
        for (String command : plans) {
            List<String> words = DocCommands.words(command);
            assertThat(words.subList(0, 4)).containsExactly("java", "-jar", "target/quarkus-app/quarkus-run.jar",
                    PlanCommand.NAME);
            List<String> args = new ArrayList<>(words.subList(4, words.size()).stream()
                    .map(w -> w.equals("<file>") ? "deploy/examples/ci-token.yaml" : w).toList());
            args.add("--offline");
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            int code = PlanCommand.run(args.toArray(String[]::new), new PrintStream(out, true, StandardCharsets.UTF_8),
                    new PrintStream(out, true, StandardCharsets.UTF_8), Map.of());
            assertThat(code).as("%s:%n%s", command, out).isZero();
        }
    }

    @Test
    void kubectlCommandsNameWhatTheRepositoryDeclares() {
        Map<String, Object> names = Yaml.map(Yaml.map(Crd.crd(), "spec"), "names");
        Set<String> resources = Set.of("bkat", (String) names.get("plural"), "events", "pods");
        String deployment = (String) Yaml.map(Yaml.load(Path.of("deploy", "base", "deployment.yaml")), "metadata")
                .get("name");
        String exampleNamespace = (String) Yaml.map(Yaml.loadAll(Path.of("deploy", "examples", "ci-token.yaml"))
                .get(1), "metadata").get("namespace");
        List<String> kubectl = commands().stream().filter(c -> c.startsWith("kubectl ")).toList();
        assertThat(kubectl).hasSizeGreaterThan(8);
        for (String command : kubectl) {
            List<String> words = DocCommands.words(command);
            assertThat(KUBECTL_VERBS).as(command).contains(words.get(1));
            for (int i = 2; i < words.size(); i++) {
                String word = words.get(i);
                String next = i + 1 < words.size() ? words.get(i + 1) : "";
                if (word.startsWith("-") && !word.startsWith("-o")) {
                    assertThat(KUBECTL_FLAGS).as("flag %s in %s", word, command).contains(word);
                }
                switch (word) {
                    case "-n" -> assertThat(next).as(command).isIn(OPERATOR_NAMESPACE, exampleNamespace);
                    case "-f" -> assertThat(Path.of(next)).as(command).exists();
                    case "-k" -> assertBuilds(next, command);
                    case "-o" -> assertOutput(next, command);
                    case "--field-selector" -> assertThat(next).as(command).startsWith("involvedObject.name=");
                    default -> {
                    }
                }
            }
            switch (words.get(1)) {
                case "kustomize" -> assertBuilds(words.get(2), command);
                case "get", "describe", "annotate" -> {
                    if (words.size() > 2 && !words.get(2).startsWith("-")) {
                        assertThat(resources).as(command).contains(words.get(2));
                    }
                }
                case "logs" -> assertThat(words).as(command).contains("deployment/" + deployment);
                case "explain" -> assertThat(words.get(2)).as(command).startsWith(names.get("singular") + ".");
                default -> {
                }
            }
            if (words.get(1).equals("annotate")) {
                assertThat(command).containsAnyOf(BuildkiteAgentToken.REQUESTED_AT_ANNOTATION + "=",
                        BuildkiteAgentToken.ROTATE_AT_ANNOTATION + "=");
            }
        }
    }

    private static void assertBuilds(String directory, String command) {
        Path dir = Path.of(directory);
        assertThat(dir.resolve("kustomization.yaml")).as("kustomization for: %s", command).exists();
        if (!Kustomize.SUPPORTED.containsAll(Yaml.load(dir.resolve("kustomization.yaml")).keySet())) {
            // beyond the in-test renderer (a configMapGenerator): built where kubectl is installed
            Kustomize.kubectl(dir).ifPresent(objects -> assertThat(objects).as(command).isNotEmpty());
            return;
        }
        Manifests rendered = Kustomize.render(dir);
        assertThat(rendered.all(dir.normalize().equals(Path.of("crds")) ? "CustomResourceDefinition" : "Deployment"))
                .as("what %s installs", command).hasSize(1);
    }

    /** jsonpath expressions read only fields the CRD's status declares. */
    private static void assertOutput(String output, String command) {
        if (!output.startsWith("jsonpath=")) {
            assertThat(output).as(command).isIn("wide", "yaml", "json");
            return;
        }
        Matcher fields = Pattern.compile("\\.status((?:\\.[a-zA-Z]+(?:\\[\\*])?)+)").matcher(command);
        int found = 0;
        while (fields.find()) {
            found++;
            Map<String, Object> schema = Crd.statusSchema();
            for (String segment : fields.group(1).substring(1).split("\\.")) {
                boolean list = segment.endsWith("[*]");
                schema = Yaml.map(schema, "properties", list ? segment.substring(0, segment.length() - 3) : segment);
                if (list) {
                    schema = Yaml.map(schema, "items");
                }
            }
        }
        Matcher relative = Pattern.compile("range \\.status\\.regions\\[\\*]}((?:\\{[^}]*})*)\\{end}").matcher(command);
        if (relative.find()) {
            Matcher inner = Pattern.compile("\\{\\.([a-zA-Z]+)}").matcher(relative.group(1));
            while (inner.find()) {
                found++;
                Yaml.map(Crd.schemaAt("status.regions[]"), "properties", inner.group(1));
            }
        }
        assertThat(found).as("status fields read by %s", command).isPositive();
    }

    @Test
    void awsCommandsNameThePolicyAndTheServiceAccount() throws IOException {
        String serviceAccount = (String) Yaml.map(Yaml.load(Path.of("deploy", "base", "serviceaccount.yaml")),
                "metadata").get("name");
        List<String> aws = commands().stream().filter(c -> c.startsWith("aws ")).toList();
        assertThat(aws).hasSizeGreaterThanOrEqualTo(3);
        for (String command : aws) {
            List<String> words = DocCommands.words(command);
            String operation = words.get(1) + " " + words.get(2);
            switch (operation) {
                case "iam create-policy" -> {
                    String document = words.get(words.indexOf("--policy-document") + 1);
                    assertThat(document).isEqualTo("file://deploy/iam/operator-policy.json");
                    assertThat(Path.of(document.substring("file://".length()))).exists();
                }
                case "eks create-pod-identity-association" -> {
                    assertThat(words.get(words.indexOf("--namespace") + 1)).isEqualTo(OPERATOR_NAMESPACE);
                    assertThat(words.get(words.indexOf("--service-account") + 1)).isEqualTo(serviceAccount);
                }
                case "secretsmanager restore-secret" -> assertThat(Files.readString(Path.of(
                        "src/main/java/io/elasticci/buildkite/token/plan/Planner.java")))
                        .as("the operator's message gives the same command").contains("aws secretsmanager "
                                + "restore-secret --secret-id");
                default -> throw new AssertionError("an AWS CLI command this test does not check: " + command);
            }
        }
    }

    @Test
    void helmCommandsRender() {
        List<String> helm = commands().stream().filter(c -> c.startsWith("helm ")).toList();
        assertThat(helm).isNotEmpty();
        assertThat(HelmChartTest.readmeHelmInstalls(README)).hasSameSizeAs(helm);
        HelmChartTest.assertIrsaInstallIsTheExampleOverlay(README);
    }
}
