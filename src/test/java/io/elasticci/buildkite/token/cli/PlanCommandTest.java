package io.elasticci.buildkite.token.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.elasticci.buildkite.token.plan.Action;
import io.elasticci.buildkite.token.plan.Problem;
import io.elasticci.buildkite.token.plan.Reason;

/**
 * The plan command without AWS ({@code --offline}) and its pure parts: arguments, manifest discovery, validation with
 * the CRD's schema and CEL rules and the operator's allow-lists, output and exit codes. Planning against AWS is
 * PlanCommandIT's, on the packaged jar.
 */
class PlanCommandTest {

    @TempDir
    Path dir;

    private record Run(int exitCode, String out, String err) {
    }

    private static Run run(Map<String, String> env, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = PlanCommand.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), env);
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private static String token(String name, String spec) {
        return """
                apiVersion: buildkite.elasticci.io/v1alpha1
                kind: BuildkiteAgentToken
                metadata: {name: %s}
                spec:
                %s
                """.formatted(name, spec.indent(2).stripTrailing());
    }

    private static final String VALID_SPEC = """
            secretName: buildkite/agent-token
            primaryRegion: us-east-1
            regions: [{region: us-east-1, stacks: [ci]}]
            """;

    @Test
    void theExamplesAreValid() {
        Run run = run(Map.of(), "-f", "deploy/examples",
                "--offline", "-o", "json");
        assertThat(run.exitCode()).as(run.out() + run.err()).isZero();
        assertThat(run.out()).contains("\"VALID\" : 3", "\"outcome\" : \"VALID\"").doesNotContain("INVALID\" : 1");
    }

    @Test
    void everyKindOfInvalidManifestIsNamedAndExitsWithOne() throws IOException {
        Files.writeString(dir.resolve("a.yaml"), String.join("---\n",
                token("cel-rule", """
                        secretName: buildkite/x
                        primaryRegion: eu-west-1
                        regions: [{region: us-east-1}]
                        """),
                token("wrong-type", """
                        secretName: buildkite/x
                        primaryRegion: us-east-1
                        regions: {region: us-east-1}
                        """),
                token("Not_A_Name", VALID_SPEC),
                token("no-spec", "").replace("spec:\n", ""),
                "apiVersion: v1\nkind: Secret\nmetadata: {name: skipped}\n"));
        Files.writeString(dir.resolve("broken.yml"), "kind: [unclosed\n");
        Files.writeString(dir.resolve("notes.txt"), "not a manifest");

        Run run = run(Map.of(), "-f", dir.toString());

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.out())
                .contains("default/cel-rule invalid", "spec: ") // the CEL message of the primary region rule
                .contains("default/wrong-type invalid", "spec.regions: expected a list")
                .contains("default/Not_A_Name invalid", "metadata.name")
                .contains("default/no-spec invalid", "spec: required")
                .contains("broken.yml#1", "not valid YAML or JSON")
                .doesNotContain("skipped").doesNotContain("notes.txt")
                .contains("5 resources:");
    }

    @Test
    void theOperatorsAllowListsApplyThroughItsEnvironmentVariables() throws IOException {
        Files.writeString(dir.resolve("t.yaml"), token("other-prefix", VALID_SPEC.replace("buildkite/", "other/")));

        assertThat(run(Map.of(), "-f", dir.toString(), "--offline").exitCode()).isZero();
        Run restricted = run(Map.of("BKAT_ALLOWED_SECRET_NAME_PREFIXES", "buildkite/"), "-f", dir.toString(),
                "--offline");
        assertThat(restricted.exitCode()).isEqualTo(1);
        assertThat(restricted.out()).contains("spec.secretName", "buildkite/");
    }

    @Test
    void namespacesComeFromTheManifestOrTheOption() throws IOException {
        Files.writeString(dir.resolve("t.yaml"), token("a", VALID_SPEC) + "---\n"
                + token("b", VALID_SPEC).replace("metadata: {name: b}", "metadata: {name: b, namespace: ci}"));
        Run run = run(Map.of(), "-f", dir.toString(), "--offline", "-n", "team");
        assertThat(run.out()).contains("team/a").contains("ci/b");
    }

    @Test
    void usageErrorsExitWithOneAndHelpWithZero() {
        assertThat(run(Map.of()).exitCode()).isEqualTo(1);
        assertThat(run(Map.of(), "-f").err()).contains("-f needs a value");
        assertThat(run(Map.of(), "-f", "no/such/dir").err()).contains("no/such/dir does not exist");
        assertThat(run(Map.of(), "-f", ".", "-o", "xml").err()).contains("--output must be table or json");
        assertThat(run(Map.of(), "--bogus").err()).contains("unknown argument: --bogus");
        Run help = run(Map.of(), "--help");
        assertThat(help.exitCode()).isZero();
        assertThat(help.out()).contains("Exit codes: 0 no changes; 2 changes planned; 1 invalid");
    }

    @Test
    void exitCodesRankInvalidOverStalledOverChanges() {
        Action put = new Action.DeleteResourcePolicy("us-east-1", "arn", "why");
        TokenPlan changes = new TokenPlan("s", "ns", "a", List.of(), List.of(put), List.of(), Optional.empty(),
                List.of());
        TokenPlan none = new TokenPlan("s", "ns", "b", List.of(), List.of(), List.of(
                Problem.secret(Reason.ReplicationInProgress, "us-west-2", "replicating")), Optional.empty(), List.of());
        TokenPlan stalled = new TokenPlan("s", "ns", "c", List.of(), List.of(put), List.of(
                Problem.secret(Reason.SecretClaimed, "us-east-1", "claimed")), Optional.empty(), List.of());
        TokenPlan failed = new TokenPlan("s", "ns", "d", List.of(), List.of(), List.of(), Optional.of("AccessDenied"),
                List.of());
        TokenPlan invalid = TokenPlan.invalid("s", "ns", "e", List.of("spec: required"));

        assertThat(TokenPlan.exitCode(List.of(none))).isZero();
        assertThat(TokenPlan.exitCode(List.of(none, changes))).isEqualTo(2);
        assertThat(TokenPlan.exitCode(List.of(changes, stalled))).isEqualTo(1);
        assertThat(TokenPlan.exitCode(List.of(changes, failed))).isEqualTo(1);
        assertThat(TokenPlan.exitCode(List.of(changes, invalid))).isEqualTo(1);
        assertThat(TokenPlan.exitCode(List.of())).isZero();
        assertThat(stalled.outcome()).isEqualTo(TokenPlan.Outcome.STALLED);
    }

    @Test
    void jsonCarriesEveryActionAndProblem() throws IOException {
        Action put = new Action.DeleteResourcePolicy("us-east-1", "arn:aws:secretsmanager:x", "no stack left");
        TokenPlan plan = new TokenPlan("f.yaml#1", "ns", "a", List.of(), List.of(put), List.of(
                Problem.secret(Reason.ReplicationInProgress, "us-west-2", "replicating")), Optional.empty(),
                List.of("a note"));

        JsonNode json = new ObjectMapper().readTree(PlanPrinter.json(List.of(plan)));

        assertThat(json.get("exitCode").asInt()).isEqualTo(2);
        JsonNode resource = json.get("resources").get(0);
        assertThat(resource.get("actions").get(0).get("action").asText()).isEqualTo("DeleteResourcePolicy");
        assertThat(resource.get("actions").get(0).get("detail").asText()).isEqualTo(put.detail());
        assertThat(resource.get("problems").get(0).get("reason").asText()).isEqualTo("ReplicationInProgress");
        assertThat(resource.get("problems").get(0).get("terminal").asBoolean()).isFalse();
        assertThat(json.get("summary").get("CHANGES").asInt()).isEqualTo(1);
        assertThat(PlanPrinter.table(List.of(plan))).contains("ns/a", "DeleteResourcePolicy", "us-east-1",
                "ns/a ReplicationInProgress in us-west-2: replicating", "ns/a note: a note");
    }
}
