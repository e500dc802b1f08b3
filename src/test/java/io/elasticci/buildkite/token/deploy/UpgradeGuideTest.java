package io.elasticci.buildkite.token.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import io.elasticci.buildkite.token.crd.Crd;
import io.elasticci.buildkite.token.crd.Yaml;
import io.elasticci.buildkite.token.reconcile.observe.InstalledCrd;

/**
 * Every command deploy/UPGRADING.md gives is checked against the repository: the directories it applies hold a
 * kustomization, the names and namespaces it uses are those the manifests declare, and its flags are ones kubectl
 * has. With kubectl installed, the kustomize builds run for real.
 */
class UpgradeGuideTest {

    private static final Path GUIDE = Path.of("deploy", "UPGRADING.md");
    private static final Pattern BLOCK = Pattern.compile("```(sh|yaml)\\n(.*?)```", Pattern.DOTALL);
    /** Flags the guide may use, per kubectl's own help. */
    private static final Set<String> FLAGS = Set.of("--server-side", "-k", "-n", "-A", "--for");

    @Test
    void theGuideIsLinkedAndGivesTheCommandTheOperatorGives() throws IOException {
        assertThat(Files.readString(Path.of("README.md"))).contains("deploy/UPGRADING.md");
        assertThat(guide()).contains(InstalledCrd.APPLY_COMMAND);
        assertThat(commands()).hasSizeGreaterThanOrEqualTo(8);
    }

    @Test
    void everyKubectlCommandNamesWhatTheManifestsDeclare() throws Exception {
        Map<String, Object> deployment = Yaml.load(Path.of("deploy", "base", "deployment.yaml"));
        String namespace = (String) Yaml.load(Path.of("deploy", "base", "kustomization.yaml")).get("namespace");
        String deploymentName = (String) Yaml.map(deployment, "metadata").get("name");
        Map<String, Object> names = Yaml.map(Yaml.map(Crd.crd(), "spec"), "names");
        for (String command : commands()) {
            List<String> args = List.of(command.split("\\s+"));
            assertThat(args.get(0)).as(command).isEqualTo("kubectl");
            for (int i = 1; i < args.size(); i++) {
                String arg = args.get(i);
                if (arg.startsWith("-")) {
                    assertThat(FLAGS).as("flag %s in: %s", arg, command).contains(arg.split("=")[0]);
                }
                String next = i + 1 < args.size() ? args.get(i + 1) : "";
                switch (arg) {
                    case "-k", "kustomize" -> assertRenders(next, command);
                    case "-n" -> assertThat(next).as(command).isEqualTo(namespace);
                    case "--for" -> assertThat(next).as(command).isEqualTo("condition=established");
                    case "get" -> assertThat(List.of("bkat", names.get("plural"))).as(command).contains(next);
                    default -> {
                        if (arg.startsWith("deployment/")) {
                            assertThat(arg).as(command).isEqualTo("deployment/" + deploymentName);
                        } else if (arg.startsWith("crd/")) {
                            assertThat(arg).as(command).isEqualTo("crd/" + InstalledCrd.NAME);
                        }
                    }
                }
            }
            assertThat(Yaml.strings(names.get("shortNames"))).contains("bkat");
        }
    }

    @Test
    void theArgoCdComponentItShowsExistsAndAnnotatesTheCrd() throws IOException {
        String snippet = blocks("yaml").stream().filter(b -> b.contains("components:")).findFirst().orElseThrow();
        Path overlay = Path.of("deploy", "overlays", "example");
        for (String line : snippet.lines().map(String::trim).filter(l -> l.startsWith("- ../")).toList()) {
            Path target = overlay.resolve(line.substring(2)).normalize();
            assertThat(target.resolve("kustomization.yaml")).as(line).exists();
        }
        Map<String, Object> component = Yaml.load(Path.of("deploy", "components", "argocd-sync-waves",
                "kustomization.yaml"));
        assertThat(component.get("kind")).isEqualTo("Component");
        String patch = (String) Yaml.map(Yaml.list(component.get("patches")).get(0)).get("patch");
        assertThat(patch).contains("name: " + InstalledCrd.NAME).contains("argocd.argoproj.io/sync-wave: \"-1\"")
                .contains("ServerSideApply=true");
        Path probe = Path.of("target", "upgrade-guide", "argocd");
        Files.createDirectories(probe);
        Files.writeString(probe.resolve("kustomization.yaml"), """
                apiVersion: kustomize.config.k8s.io/v1beta1
                kind: Kustomization
                resources: [../../../deploy/overlays/example]
                components: [../../../deploy/components/argocd-sync-waves]
                """);
        // components are beyond the in-test renderer: this build runs where kubectl is installed
        Kustomize.kubectl(probe).ifPresent(objects -> assertThat(objects.stream()
                .filter(o -> "CustomResourceDefinition".equals(o.get("kind")))
                .map(o -> Yaml.map(o, "metadata").get("annotations")).toList())
                .anySatisfy(a -> assertThat(Yaml.map(a)).containsEntry("argocd.argoproj.io/sync-wave", "-1")));
    }

    private static void assertRenders(String directory, String command) {
        Path dir = Path.of(directory.replace("<yours>", "example"));
        assertThat(dir.resolve("kustomization.yaml")).as("kustomization for: %s", command).exists();
        // some of these use kustomize features beyond the in-test renderer: built where kubectl is installed
        Kustomize.kubectl(dir).ifPresent(objects -> {
            if (dir.normalize().equals(Path.of("crds"))) {
                assertThat(Manifests.key(Manifests.of(objects).only("CustomResourceDefinition"))).as(command)
                        .contains(InstalledCrd.NAME);
            }
        });
    }

    private static List<String> commands() throws IOException {
        List<String> commands = new ArrayList<>();
        for (String block : blocks("sh")) {
            block.lines().map(String::trim).filter(l -> !l.isEmpty() && !l.startsWith("#")).forEach(commands::add);
        }
        return commands;
    }

    private static List<String> blocks(String language) throws IOException {
        List<String> blocks = new ArrayList<>();
        Matcher m = BLOCK.matcher(guide());
        while (m.find()) {
            if (m.group(1).equals(language)) {
                blocks.add(m.group(2));
            }
        }
        return blocks;
    }

    private static String guide() throws IOException {
        return Files.readString(GUIDE);
    }
}
