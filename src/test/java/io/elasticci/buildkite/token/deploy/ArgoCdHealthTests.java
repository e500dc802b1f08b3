package io.elasticci.buildkite.token.deploy;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.elasticci.buildkite.token.crd.Yaml;
import io.elasticci.buildkite.token.deploy.ArgoCdHealthScript.HealthStatus;

/**
 * health_test.yaml in Argo CD's format: {@code tests:} a list of {@code inputPath} (a file under testdata/, relative
 * to the check's directory) and the {@code healthStatus} health.lua must return for it, status and message exactly.
 */
public final class ArgoCdHealthTests {

    public static final Path FILE = ArgoCdHealthScript.DIR.resolve("health_test.yaml");
    public static final Path TESTDATA = ArgoCdHealthScript.DIR.resolve("testdata");

    public record Case(String inputPath, HealthStatus expected) {

        public Path input() {
            return ArgoCdHealthScript.DIR.resolve(inputPath);
        }

        @Override
        public String toString() {
            return inputPath + " -> " + expected.status();
        }
    }

    private ArgoCdHealthTests() {
    }

    public static List<Case> all() {
        return Yaml.list(Yaml.load(FILE).get("tests")).stream().map(Yaml::map).map(test -> {
            Map<String, Object> health = Yaml.map(test, "healthStatus");
            return new Case((String) test.get("inputPath"), new HealthStatus(string(health.get("status")),
                    string(health.get("message"))));
        }).toList();
    }

    /** The case whose input is testdata/{@code file}. */
    public static Optional<Case> forTestdata(String file) {
        return all().stream().filter(c -> c.input().normalize().equals(TESTDATA.resolve(file).normalize()))
                .findFirst();
    }

    private static String string(Object value) {
        return value == null ? "" : value.toString();
    }
}
