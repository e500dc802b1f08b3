package io.elasticci.buildkite.token.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import io.elasticci.buildkite.token.api.v1alpha1.BuildkiteAgentToken;
import io.elasticci.buildkite.token.crd.Yaml;
import io.elasticci.buildkite.token.deploy.ArgoCdHealthScript.HealthStatus;

/**
 * The Argo CD health check, tested as Argo CD tests the checks it ships: every case of health_test.yaml, status and
 * message exactly. Its inputs are captured by ArgoCdHealthE2ETest, which also runs the check on the live resources.
 */
class ArgoCdHealthTest {

    private static final Path README = Path.of("deploy/argocd/README.md");
    private static final String CONFIG_MAP_KEY = "resource.customizations.health." + BuildkiteAgentToken.GROUP
            + "_BuildkiteAgentToken";

    static List<ArgoCdHealthTests.Case> cases() {
        return ArgoCdHealthTests.all();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void healthTestYamlCase(ArgoCdHealthTests.Case c) {
        Map<String, Object> resource = Yaml.load(c.input());
        assertThat(resource).as("the check is registered for this group and kind")
                .containsEntry("apiVersion", BuildkiteAgentToken.GROUP + "/" + BuildkiteAgentToken.VERSION)
                .containsEntry("kind", "BuildkiteAgentToken");

        assertThat(ArgoCdHealthScript.evaluate(resource)).isEqualTo(c.expected());
    }

    @Test
    void everyTestdataFileIsTestedAndDocumentedAndEveryHealthHasACase() throws IOException {
        List<Path> inputs = cases().stream().map(c -> c.input().normalize()).toList();
        List<Path> files;
        try (Stream<Path> listing = Files.list(ArgoCdHealthTests.TESTDATA)) {
            files = listing.map(Path::normalize).toList();
        }
        assertThat(inputs).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(files);
        String readme = Files.readString(README);
        assertThat(files).allSatisfy(f -> assertThat(readme).as("the README's table names %s", f)
                .contains("`" + f.getFileName().toString().replace(".yaml", "") + "`"));
        assertThat(cases()).extracting(c -> c.expected().status()).containsOnly("Healthy", "Progressing", "Degraded",
                "Suspended");
    }

    /** A script that passes here must run in a cluster, where Argo CD opens only some standard libraries. */
    @Test
    void scriptsRunWithWhatArgoCdGivesThem() {
        String libraries = """
                return {status = "Healthy", message = type(string) .. " " .. type(io) .. " " .. type(os.execute)
                  .. " " .. type(os.time) .. " " .. type(table.insert) .. " " .. obj.metadata.name}
                """;
        assertThat(ArgoCdHealthScript.evaluate(libraries, Map.of("metadata", Map.of("name", "ci-token"))))
                .isEqualTo(new HealthStatus("Healthy", "nil nil nil function function ci-token"));
        assertThat(ArgoCdHealthScript.evaluate("return {status = \"Fine\"}", Map.of()))
                .isEqualTo(new HealthStatus("Unknown", "Lua returned an invalid health status"));
        assertThat(ArgoCdHealthScript.evaluate("local hs = {}", Map.of())).isEqualTo(new HealthStatus("", ""));
    }

    @Test
    void readmeEmbedsTheHealthCheckVerbatimUnderItsArgocdCmKey() throws IOException {
        Matcher block = Pattern.compile("```yaml\\n(.*?\\n)```", Pattern.DOTALL).matcher(Files.readString(README));
        assertThat(block.find()).isTrue();
        Map<String, Object> configMap = Yaml.parse(block.group(1));
        assertThat(Yaml.map(configMap, "metadata").get("name")).isEqualTo("argocd-cm");
        assertThat(Yaml.map(configMap, "data").get(CONFIG_MAP_KEY))
                .isEqualTo(Files.readString(ArgoCdHealthScript.SCRIPT));
    }
}
