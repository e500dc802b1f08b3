package io.elasticci.buildkite.token.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A one-shot command of the packaged artifact ({@code java -jar target/quarkus-app/quarkus-run.jar <args>}), run from
 * the repository root as a user would, with exactly the given environment.
 */
public final class PackagedCommand {

    private static final Path OUTPUT = Path.of("target", "it", "commands");

    /** What the process printed and how it ended. */
    public record Result(int exitCode, String stdout, String stderr) {
        @Override
        public String toString() {
            return "exit " + exitCode + "\n--- stdout\n" + stdout + "--- stderr\n" + stderr;
        }
    }

    private PackagedCommand() {
    }

    /** {@code command} as a user types it, starting with {@code java -jar target/quarkus-app/quarkus-run.jar}. */
    public static Result run(String name, List<String> command, Map<String, String> env) {
        if (command.size() < 3 || !command.get(0).equals("java") || !command.get(1).equals("-jar")) {
            throw new IllegalArgumentException("not a java -jar command: " + command);
        }
        List<String> argv = new ArrayList<>();
        argv.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        argv.addAll(ContainerImage.read().jvmArgs());
        argv.addAll(command.subList(1, command.size()));
        try {
            Files.createDirectories(OUTPUT);
            Path out = OUTPUT.resolve(name + ".out");
            Path err = OUTPUT.resolve(name + ".err");
            ProcessBuilder builder = new ProcessBuilder(argv).redirectOutput(out.toFile()).redirectError(err.toFile());
            builder.environment().keySet().removeIf(k -> k.startsWith("AWS_") || k.startsWith("KUBE")
                    || k.startsWith("BKAT_") || k.startsWith("QUARKUS_") || k.equals("JAVA_TOOL_OPTIONS"));
            builder.environment().putAll(env);
            Process process = builder.start();
            if (!process.waitFor(120, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new AssertionError(name + " did not finish within 120 s");
            }
            return new Result(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
