package io.elasticci.buildkite.token.crd;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.elasticci.buildkite.token.api.crd.ListTypePostProcessor;
import io.elasticci.buildkite.token.api.v1alpha1.BuildkiteAgentToken;
import io.fabric8.crdv2.generator.CRDGenerator;

/**
 * The committed CRD must be what the build generates from the model. Generates it here the way the Quarkus Operator
 * SDK does (fabric8's CRD generator v2 with the project's post-processor) and compares it with the committed file —
 * as git has it, since the build itself rewrites crds/ in the working tree.
 */
class CrdFreshnessTest {

    static final String FILE = "buildkiteagenttokens.buildkite.elasticci.io-v1.yml";

    @Test
    void committedCrdIsWhatTheModelGenerates(@TempDir Path dir) throws IOException {
        new CRDGenerator().inOutputDir(dir.toFile()).forCRDVersions("v1")
                .withPostProcessor(new ListTypePostProcessor())
                .customResourceClasses(BuildkiteAgentToken.class).generate();
        String generated = Files.readString(dir.resolve(FILE));

        String committed = committedVersion().orElse(Files.readString(Path.of("crds", FILE)));

        assertThat(committed).as("crds/%s is stale: run `mvn package` from the repository root and commit crds/",
                FILE).isEqualTo(generated);
    }

    /** The file as last committed, when this is a git checkout with git installed. */
    private static Optional<String> committedVersion() {
        try {
            Process git = new ProcessBuilder("git", "show", "HEAD:crds/" + FILE).redirectErrorStream(false).start();
            byte[] out = git.getInputStream().readAllBytes();
            return git.waitFor(10, TimeUnit.SECONDS) && git.exitValue() == 0
                    ? Optional.of(new String(out, StandardCharsets.UTF_8)) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }
}
