package io.elasticci.buildkite.token.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import io.elasticci.buildkite.token.deploy.ArgoCdHealthScript;
import io.elasticci.buildkite.token.deploy.ArgoCdHealthScript.HealthStatus;
import io.elasticci.buildkite.token.deploy.ArgoCdHealthTests;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.utils.Serialization;

/**
 * The testdata of the Argo CD health check are resources the end-to-end tests captured: each capture must equal its
 * committed file once its volatile values are replaced ({@link VolatileValues}), and health.lua must give the live
 * resource the health health_test.yaml expects for that file. With -Dargocd.testdata.write=true the files are
 * written instead of compared (health_test.yaml is never written: it is the specification).
 */
final class ArgoCdTestdata {

    static final String WRITE = "argocd.testdata.write";
    static final String REGENERATE = "mvn -B -ntp test -Dtest=ArgoCdHealthE2ETest -D" + WRITE + "=true";

    private ArgoCdTestdata() {
    }

    /** Checks testdata/{@code file} against the live resource, whose health must be {@code status}. */
    static void check(OperatorHarness k8s, String file, String status, GenericKubernetesResource live) {
        @SuppressWarnings("unchecked")
        Map<String, Object> resource = Serialization.jsonMapper().convertValue(live, Map.class);
        VolatileValues volatileValues = new VolatileValues(k8s);
        String captured = volatileValues.yaml(resource);
        Path path = ArgoCdHealthTests.TESTDATA.resolve(file);
        if (Boolean.getBoolean(WRITE)) {
            write(path, captured);
        } else {
            assertThat(path).as("testdata %s: create it with %s", file, REGENERATE).exists();
            assertThat(captured).as("testdata %s no longer matches what the operator reports; after checking the "
                    + "change, regenerate with %s", file, REGENERATE).isEqualTo(read(path));
        }

        HealthStatus health = ArgoCdHealthScript.evaluate(resource);
        assertThat(health.status()).as("health of the live resource captured as %s", file).isEqualTo(status);
        HealthStatus expected = ArgoCdHealthTests.forTestdata(file).orElseThrow(() -> new AssertionError(
                "no test in " + ArgoCdHealthTests.FILE + " has inputPath testdata/" + file)).expected();
        assertThat(new HealthStatus(health.status(), volatileValues.text(health.message())))
                .as("health of the live resource captured as %s, against %s", file, ArgoCdHealthTests.FILE)
                .isEqualTo(expected);
    }

    private static String read(Path path) {
        try {
            return Files.readString(path);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void write(Path path, String content) {
        try {
            Files.createDirectories(path.getParent());
            Files.writeString(path, content);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
