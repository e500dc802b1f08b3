package io.elasticci.buildkite.token.it;

import static io.elasticci.buildkite.token.deploy.PlanPolicyTest.allowed;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.elasticci.buildkite.token.demo.ExampleWorld;
import io.elasticci.buildkite.token.emulator.AwsEmulator;
import io.elasticci.buildkite.token.emulator.CallLog;
import io.elasticci.buildkite.token.emulator.CloudFormationState;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;

/**
 * The plan command of the packaged artifact, as the README runs it: it plans the examples against AWS, plans nothing
 * once the operator has converged them, plans exactly the grants a new stack needs, refuses invalid manifests with
 * the field named; and it never writes to AWS (its calls, told apart by their access key, are all reads).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PlanCommandIT {

    /** The plan command's own credentials, mapped to the same account as the operator's. */
    private static final String PLAN_KEY = "AKIAPLANCOMMAND00001";
    private static final Path EXAMPLES = Path.of("deploy", "examples");
    private static final Path WORK = PackagedOperatorEnvironment.WORK.resolve("plan");
    private static final ObjectMapper JSON = new ObjectMapper();

    private static StandaloneOperators servers;
    private static List<HasMetadata> examples;

    @BeforeAll
    static void start() throws IOException {
        servers = new StandaloneOperators("plan", "kube-system", "bkat-system", "buildkite");
        servers.aws.registerAccount(PLAN_KEY, AwsEmulator.DEFAULT_ACCOUNT);
        examples = ExampleWorld.load(EXAMPLES);
        ExampleWorld.prepareAws(servers.aws, examples, System.out);
        ExampleWorld.prepareBuildkite(servers.buildkite, examples, System.out);
        Files.createDirectories(WORK);
    }

    @AfterAll
    static void stop() {
        if (servers != null) {
            servers.close();
        }
    }

    /** What a CI job sets: read credentials, a region, the endpoint (here the emulator's), nothing of Kubernetes. */
    private static Map<String, String> ciJobEnvironment() {
        Map<String, String> env = new LinkedHashMap<>(OperatorEnvironment.noAmbientAws());
        env.put("AWS_ENDPOINT_URL", servers.aws.endpoint().toString());
        env.put("AWS_ACCESS_KEY_ID", PLAN_KEY);
        env.put("AWS_SECRET_ACCESS_KEY", AwsEmulator.SECRET_KEY);
        env.put("AWS_REGION", "us-east-1");
        return env;
    }

    /** The plan command line of README.md, word by word. */
    private static List<String> readmeCommand() throws IOException {
        String line = Files.readAllLines(Path.of("README.md")).stream().map(String::strip)
                .filter(l -> l.startsWith("java -jar target/quarkus-app/quarkus-run.jar plan ")).findFirst()
                .orElseThrow(() -> new AssertionError("README.md shows no plan command"));
        String command = line.contains("#") ? line.substring(0, line.indexOf('#')).strip() : line;
        return Arrays.asList(command.split("\\s+"));
    }

    private static PackagedCommand.Result plan(String name, List<String> command) {
        List<CallLog.Call> before = servers.aws.calls().by(PLAN_KEY);
        PackagedCommand.Result result = PackagedCommand.run(name, command, ciJobEnvironment());
        List<CallLog.Call> calls = servers.aws.calls().by(PLAN_KEY);
        Set<String> permitted = allowed(Path.of("deploy", "iam", "plan-policy.json")).keySet();
        assertThat(calls.subList(before.size(), calls.size())).as("AWS calls of %s", name)
                .noneMatch(CallLog.Call::write)
                .allMatch(c -> permitted.contains(c.service() + ":" + c.operation()),
                        "allowed by deploy/iam/plan-policy.json");
        return result;
    }

    private static List<String> with(List<String> command, String... more) {
        List<String> all = new ArrayList<>(command);
        all.addAll(List.of(more));
        return all;
    }

    private static JsonNode resource(JsonNode plan, String name) {
        for (JsonNode resource : plan.get("resources")) {
            if (name.equals(resource.get("name").asText())) {
                return resource;
            }
        }
        throw new AssertionError("no " + name + " in " + plan);
    }

    private static List<String> actions(JsonNode resource) {
        List<String> actions = new ArrayList<>();
        resource.get("actions").forEach(a -> actions.add(a.get("action").asText() + " " + a.get("region").asText()));
        return actions;
    }

    @Test
    @Order(1)
    void plansTheExamplesBeforeTheOperatorRunsAndExitsWithTwo() throws IOException {
        PackagedCommand.Result table = plan("examples-table", readmeCommand());
        assertThat(table.exitCode()).as("%s", table).isEqualTo(2);
        assertThat(table.stdout()).contains("RESOURCE", "buildkite/ci-token", "CreateSecret", "ReplicateSecret",
                "PutResourcePolicy", "the token value is not compared");

        PackagedCommand.Result json = plan("examples-json", with(readmeCommand(), "-o", "json"));
        assertThat(json.exitCode()).as("%s", json).isEqualTo(2);
        JsonNode plan = JSON.readTree(json.stdout());
        assertThat(plan.get("exitCode").asInt()).isEqualTo(2);
        JsonNode ci = resource(plan, "ci-token");
        assertThat(ci.get("outcome").asText()).isEqualTo("CHANGES");
        assertThat(actions(ci)).startsWith("CreateSecret us-east-1", "ReplicateSecret us-west-2");
        assertThat(actions(ci)).contains("PutResourcePolicy us-east-1").anyMatch(a -> a.startsWith("PutRolePolicy"));
        assertThat(servers.aws.secretsManager(AwsEmulator.DEFAULT_ACCOUNT).secret("us-east-1",
                "buildkite/agent-token")).as("nothing was created").isEmpty();
    }

    @Test
    @Order(2)
    void plansNothingOnceTheOperatorHasConvergedTheExamples() throws IOException {
        applyExamplesAndAwaitReady();

        PackagedCommand.Result result = plan("converged", with(readmeCommand(), "-o", "json"));

        assertThat(result.exitCode()).as("%s", result).isEqualTo(0);
        JsonNode plan = JSON.readTree(result.stdout());
        for (JsonNode resource : plan.get("resources")) {
            assertThat(resource.get("outcome").asText()).as("%s", resource).isEqualTo("NO_CHANGES");
            assertThat(resource.get("notes").toString()).contains("read from the secret's owner tag");
        }
        assertThat(plan.get("summary").get("NO_CHANGES").asInt()).isEqualTo(plan.get("resources").size());
    }

    @Test
    @Order(3)
    void aNewStackPlansOnlyItsGrants() throws IOException {
        CloudFormationState cfn = servers.aws.cloudFormation(AwsEmulator.DEFAULT_ACCOUNT);
        String keyId = servers.aws.kms(AwsEmulator.DEFAULT_ACCOUNT).describe("us-east-1", "alias/buildkite-token")
                .orElseThrow().keyId();
        cfn.elasticCiStack("us-east-1", "buildkite-ci-new")
                .tokenParameters("/aws/reference/secretsmanager/buildkite/agent-token", keyId)
                .shape(CloudFormationState.StackShape.CURRENT).create();
        Path changed = WORK.resolve("changed.yaml");
        Files.writeString(changed, Files.readString(EXAMPLES.resolve("ci-token.yaml"))
                .replace("stacks: [buildkite-ci, buildkite-ci-legacy]",
                        "stacks: [buildkite-ci, buildkite-ci-legacy, buildkite-ci-new]"));

        PackagedCommand.Result result = plan("new-stack", List.of("java", "-jar",
                "target/quarkus-app/quarkus-run.jar", "plan", "-f", changed.toString(), "-o", "json"));

        assertThat(result.exitCode()).as("%s", result).isEqualTo(2);
        List<String> actions = actions(resource(JSON.readTree(result.stdout()), "ci-token"));
        assertThat(actions).as("%s", result).contains("PutResourcePolicy us-east-1")
                .allMatch(a -> a.startsWith("PutResourcePolicy") || a.startsWith("PutRolePolicy"));
        assertThat(result.stdout()).contains("buildkite-ci-new");
    }

    @Test
    @Order(4)
    void invalidManifestsExitWithOneNamingTheFieldAndCallNoAws() throws IOException {
        Path invalid = WORK.resolve("invalid");
        Files.createDirectories(invalid);
        Files.writeString(invalid.resolve("tokens.yaml"), """
                apiVersion: buildkite.elasticci.io/v1alpha1
                kind: BuildkiteAgentToken
                metadata: {name: wrong-primary, namespace: buildkite}
                spec:
                  secretName: buildkite/wrong-primary
                  primaryRegion: eu-west-1
                  regions: [{region: us-east-1}]
                ---
                apiVersion: buildkite.elasticci.io/v1alpha1
                kind: BuildkiteAgentToken
                metadata: {name: future-field, namespace: buildkite}
                spec:
                  secretName: buildkite/future
                  primaryRegion: us-east-1
                  regions: [{region: us-east-1, weight: 3}]
                ---
                apiVersion: v1
                kind: ConfigMap
                metadata: {name: not-a-token}
                """);
        int callsBefore = servers.aws.calls().by(PLAN_KEY).size();

        PackagedCommand.Result result = plan("invalid", List.of("java", "-jar", "target/quarkus-app/quarkus-run.jar",
                "plan", "-f", invalid.toString()));

        assertThat(result.exitCode()).as("%s", result).isEqualTo(1);
        assertThat(result.stdout()).contains("buildkite/wrong-primary invalid", "primaryRegion")
                .contains("buildkite/future-field invalid", "spec.regions[0].weight: unknown field")
                .doesNotContain("not-a-token").contains("2 resources:");
        assertThat(servers.aws.calls().by(PLAN_KEY)).as("no valid manifest: no AWS call").hasSize(callsBefore);
    }

    private static void applyExamplesAndAwaitReady() {
        try (PackagedOperator operator = PackagedOperator.start("plan-operator",
                servers.environment("bkat-system")).awaitStarted()) {
            for (HasMetadata object : examples) {
                String namespace = object.getMetadata().getNamespace();
                if (servers.api.client().namespaces().withName(namespace).get() == null) {
                    servers.api.client().namespaces().resource(new NamespaceBuilder().withNewMetadata()
                            .withName(namespace).endMetadata().build()).create();
                }
                servers.api.client().resource(object).inNamespace(namespace).createOr(r -> r.update());
            }
            Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                    .until(() -> examples.stream().filter(o -> o.getKind().equals("BuildkiteAgentToken"))
                            .allMatch(o -> servers.ready(o.getMetadata().getNamespace(), o.getMetadata().getName())
                                    .filter(c -> "True".equals(c.getStatus())).isPresent()));
        }
    }
}
