package io.elasticci.buildkite.token.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;


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
            servers.adoptingToken("ro", "ro", "buildkite/ro");
            assertThat(servers.awaitReady("ro", "ro", "True").getReason()).isEqualTo("Converged");
            assertThat(operator.get("/q/health").statusCode()).isEqualTo(200);
            assertThat(operator.get("/q/metrics").statusCode()).isEqualTo(200);
        }
        assertThat(snapshot(PackagedOperator.APP)).as("files in the application directory").isEqualTo(before);
    }
}
