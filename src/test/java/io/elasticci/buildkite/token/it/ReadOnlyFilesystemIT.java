package io.elasticci.buildkite.token.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import io.elasticci.buildkite.token.api.v1alpha1.BuildkiteAgentToken;
import io.elasticci.buildkite.token.emulator.AwsEmulator;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;

/**
 * The image runs with a read-only root filesystem and only the JVM's temp dir writable: so the packaged operator,
 * started as the image starts it (its working directory holding the application, as /deployments does), must write
 * nothing into the application directory through a whole reconcile, health checks and metrics included.
 */
class ReadOnlyFilesystemIT {

    private static Map<String, Long> snapshot(Path dir) {
        Map<String, Long> files = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.filter(Files::isRegularFile).forEach(f -> {
                try {
                    files.put(dir.relativize(f).toString(), Files.getLastModifiedTime(f).toMillis() ^ Files.size(f));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return files;
    }

    @Test
    void theOperatorWritesNothingOutsideItsTempDir() throws Exception {
        Map<String, Long> before = snapshot(PackagedOperator.APP);
        try (StandaloneOperators servers = new StandaloneOperators("read-only", "kube-system", "ro");
                PackagedOperator operator = PackagedOperator.start("read-only", servers.environment("ro"))
                        .awaitStarted()) {
            servers.aws.secretsManager(AwsEmulator.DEFAULT_ACCOUNT).createSecret("us-east-1", "buildkite/ro",
                    "bkua_ro", null, Map.of());
            BuildkiteAgentToken token = Serialization.unmarshal("""
                    apiVersion: buildkite.elasticci.io/v1alpha1
                    kind: BuildkiteAgentToken
                    spec:
                      secretName: buildkite/ro
                      primaryRegion: us-east-1
                      regions:
                        - region: us-east-1
                    """, BuildkiteAgentToken.class);
            token.setMetadata(new ObjectMetaBuilder().withName("ro").withNamespace("ro").build());
            servers.api.client().resource(token).create();
            Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> {
                BuildkiteAgentToken t = servers.api.client().resource(token).get();
                return t.getStatus() != null && t.getStatus().conditions.stream()
                        .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
            });
            assertThat(operator.get("/q/health").statusCode()).isEqualTo(200);
            assertThat(operator.get("/q/metrics").statusCode()).isEqualTo(200);
        }
        assertThat(snapshot(PackagedOperator.APP)).as("files in the application directory").isEqualTo(before);
    }
}
