package io.elasticci.buildkite.token.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.awaitility.Awaitility;

/**
 * The packaged jar ({@code target/quarkus-app}) started as its own process, the way the image starts it: the
 * Dockerfile's JVM flags, its working directory layout, and only environment variables. For tests that need several
 * operators, or one configured differently from the shared {@code @QuarkusIntegrationTest} application.
 */
public final class PackagedOperator implements AutoCloseable {

    public static final Path APP = Path.of("target", "quarkus-app");
    private static final Path LOGS = Path.of("target", "it", "logs");
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final String name;
    private final Process process;
    private final int port;
    private final Path log;

    private PackagedOperator(String name, Process process, int port, Path log) {
        this.name = name;
        this.process = process;
        this.port = port;
        this.log = log;
    }

    /** Starts the jar with exactly this environment (nothing of this machine's AWS or Kubernetes set-up leaks in). */
    public static PackagedOperator start(String name, Map<String, String> env) {
        try {
            Files.createDirectories(LOGS);
            Path log = LOGS.resolve(name + ".log");
            int port = freePort();
            List<String> command = new ArrayList<>();
            command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            command.addAll(ContainerImage.read().jvmArgs());
            command.add("-jar");
            command.add(APP.resolve("quarkus-run.jar").toAbsolutePath().toString());
            ProcessBuilder builder = new ProcessBuilder(command).directory(APP.toFile())
                    .redirectErrorStream(true).redirectOutput(log.toFile());
            builder.environment().keySet().removeIf(k -> k.startsWith("AWS_") || k.startsWith("KUBE")
                    || k.startsWith("BKAT_") || k.startsWith("QUARKUS_") || k.equals("JAVA_TOOL_OPTIONS")
                    || k.equals("POD_NAMESPACE"));
            builder.environment().putAll(env);
            builder.environment().put("QUARKUS_HTTP_PORT", String.valueOf(port));
            return new PackagedOperator(name, builder.start(), port, log);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the packaged operator", e);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    /** Waits until the application answers its liveness check; fails with the log if the process died. */
    public PackagedOperator awaitStarted() {
        Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() -> {
            if (!process.isAlive()) {
                throw new AssertionError(name + " exited with " + process.exitValue() + ":\n" + log());
            }
            try {
                return get("/q/health/live").statusCode() == 200;
            } catch (IOException e) {
                return false;
            }
        });
        return this;
    }

    public HttpResponse<String> get(String path) throws IOException {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    public String log() {
        try {
            return Files.exists(log) ? Files.readString(log) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The operator's process ID (its /proc entry has its memory and CPU time). */
    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** Kills the process at once (SIGKILL), as a node failure would: no shutdown hook, no lease release. */
    public void kill() {
        process.destroyForcibly();
        waitForExit();
    }

    @Override
    public void close() {
        process.destroy();
        waitForExit();
    }

    private void waitForExit() {
        try {
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return name + " (port " + port + ")";
    }
}
