package io.elasticci.buildkite.token.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * How the Dockerfile runs the operator (its last stage): JVM flags and the rest of its environment, working
 * directory, user, the directory the JVM writes to. The integration tests start the packaged jar the same way, so what they test is what the image runs.
 */
public record ContainerImage(List<String> entrypoint, Map<String, String> env, String workdir, String user) {

    public static final Path DOCKERFILE = Path.of("Dockerfile");
    private static final Pattern TMPDIR = Pattern.compile("-Djava\\.io\\.tmpdir=(\\S+)");
    private static final Pattern ENV = Pattern.compile("ENV (\\w+)=\"?(.*?)\"?");

    public static ContainerImage read() {
        List<String> lines;
        try {
            lines = Files.readAllLines(DOCKERFILE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        int lastFrom = 0;
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).startsWith("FROM ")) {
                lastFrom = i;
            }
        }
        List<String> entrypoint = List.of();
        Map<String, String> env = new LinkedHashMap<>();
        String workdir = "/";
        String user = "root";
        for (String line : lines.subList(lastFrom, lines.size())) {
            Matcher envLine = ENV.matcher(line);
            if (line.startsWith("ENTRYPOINT ")) {
                entrypoint = parseJsonArray(line.substring("ENTRYPOINT ".length()));
            } else if (envLine.matches()) {
                env.put(envLine.group(1), envLine.group(2));
            } else if (line.startsWith("WORKDIR ")) {
                workdir = line.substring("WORKDIR ".length()).trim();
            } else if (line.startsWith("USER ")) {
                user = line.substring("USER ".length()).trim();
            }
        }
        return new ContainerImage(entrypoint, Map.copyOf(env), workdir, user);
    }

    private static List<String> parseJsonArray(String json) {
        try {
            return new ObjectMapper().readValue(json, new TypeReference<List<String>>() { });
        } catch (IOException e) {
            throw new IllegalStateException("ENTRYPOINT must be an exec-form JSON array: " + json, e);
        }
    }

    /** The entrypoint's JVM flags: everything between {@code java} and {@code -jar}. */
    public List<String> jvmArgs() {
        int jar = entrypoint.indexOf("-jar");
        if (entrypoint.isEmpty() || !entrypoint.get(0).equals("java") || jar < 0) {
            throw new IllegalStateException("ENTRYPOINT must run java ... -jar JAR: " + entrypoint);
        }
        return List.copyOf(entrypoint.subList(1, jar));
    }

    /** The jar the entrypoint runs, inside the image. */
    public String jar() {
        return entrypoint.get(entrypoint.indexOf("-jar") + 1);
    }

    /** JAVA_TOOL_OPTIONS as the image sets them (empty if it does not). */
    public String javaToolOptions() {
        return env.getOrDefault("JAVA_TOOL_OPTIONS", "");
    }

    /**
     * The image's environment (its ENV lines) for a local process: JAVA_TOOL_OPTIONS as {@link
     * #javaToolOptions(Path)} gives them, the rest (e.g. MALLOC_ARENA_MAX) as they are.
     */
    public Map<String, String> environment(Path localTmp) {
        Map<String, String> local = new LinkedHashMap<>(env);
        local.put("JAVA_TOOL_OPTIONS", javaToolOptions(localTmp));
        return local;
    }

    /** The directory the JVM writes to ({@code -Djava.io.tmpdir} in JAVA_TOOL_OPTIONS). */
    public Optional<String> tmpDir() {
        Matcher m = TMPDIR.matcher(javaToolOptions());
        return m.find() ? Optional.of(m.group(1)) : Optional.empty();
    }

    /** JAVA_TOOL_OPTIONS as the image sets them, with the temporary directory moved to {@code localTmp}. */
    public String javaToolOptions(Path localTmp) {
        List<String> options = new ArrayList<>(Arrays.asList(javaToolOptions().trim().split("\\s+")));
        options.replaceAll(o -> TMPDIR.matcher(o).matches() ? "-Djava.io.tmpdir=" + localTmp.toAbsolutePath() : o);
        // In the pod the JVM sizes itself from the container's memory limit (cgroups); a local process has no limit,
        // so it is told the Deployment's: heap and GC ergonomics then match the pod's, not this machine's.
        options.add("-XX:MaxRAM=" + memoryLimitMiB() + "m");
        return String.join(" ", options);
    }

    public static final Path DEPLOYMENT = Path.of("deploy", "base", "deployment.yaml");
    private static final Pattern MEMORY_LIMIT = Pattern.compile("limits:\\s*\\n\\s*memory:\\s*(\\d+)Mi");

    /** The operator container's memory limit in deploy/base (MiB). */
    public static int memoryLimitMiB() {
        try {
            Matcher m = MEMORY_LIMIT.matcher(Files.readString(DEPLOYMENT));
            if (!m.find()) {
                throw new IllegalStateException(DEPLOYMENT + " sets no memory limit in Mi");
            }
            return Integer.parseInt(m.group(1));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
