package io.elasticci.buildkite.token.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/**
 * What the packaged application ships: one AWS SDK HTTP client (Apache HttpClient 5), none of the others, and no
 * bridge that only the test classpath used to provide.
 */
class PackagedLibrariesIT {

    private static List<String> libraries() throws IOException {
        try (Stream<Path> files = Files.list(PackagedOperator.APP.resolve("lib").resolve("main"))) {
            return files.map(f -> f.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void shipsExactlyOneAwsHttpClient() throws IOException {
        List<String> libraries = libraries();
        assertThat(libraries).filteredOn(l -> l.startsWith("software.amazon.awssdk.")
                && l.matches(".*(apache|netty|url-connection|crt)[^.]*-client-.*"))
                .singleElement().asString().startsWith("software.amazon.awssdk.apache5-client-");
        assertThat(libraries).noneMatch(l -> l.startsWith("org.apache.httpcomponents.httpclient-"))
                .noneMatch(l -> l.startsWith("commons-logging"));
    }
}
