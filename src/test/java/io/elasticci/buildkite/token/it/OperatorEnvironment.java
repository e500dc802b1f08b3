package io.elasticci.buildkite.token.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import io.elasticci.buildkite.token.buildkite.emulator.BuildkiteEmulator;
import io.elasticci.buildkite.token.emulator.AwsEmulator;

/**
 * The environment variables a user sets to run the operator outside a cluster: a kubeconfig, an AWS endpoint and
 * credentials (the SDK's own variables), the image's JVM options, and a few {@code BKAT_*} settings that make the
 * tests' waits short. Nothing else configures the packaged jar in the integration tests.
 */
public final class OperatorEnvironment {

    private OperatorEnvironment() {
    }

    /** Also pointed at a Buildkite API emulator (spec.buildkite). */
    public static Map<String, String> of(AwsEmulator aws, BuildkiteEmulator buildkite, Path kubeconfig, Path tmpDir) {
        Map<String, String> env = of(aws, kubeconfig, tmpDir);
        env.put("BKAT_BUILDKITE_BASE_URL", buildkite.endpoint().toString());
        return env;
    }

    public static Map<String, String> of(AwsEmulator aws, Path kubeconfig, Path tmpDir) {
        try {
            Files.createDirectories(tmpDir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<String, String> env = new LinkedHashMap<>();
        env.put("KUBECONFIG", kubeconfig.toAbsolutePath().toString());
        env.put("AWS_ENDPOINT_URL", aws.endpoint().toString());
        env.put("AWS_ACCESS_KEY_ID", AwsEmulator.ACCESS_KEY);
        env.put("AWS_SECRET_ACCESS_KEY", AwsEmulator.SECRET_KEY);
        env.put("AWS_REGION", "us-east-1");
        env.putAll(noAmbientAws());
        env.putAll(ContainerImage.read().environment(tmpDir));
        env.put("BKAT_PROGRESS_INTERVAL", "PT0.5S");
        env.put("BKAT_TRANSIENT_RETRY_INTERVAL", "PT1S");
        env.put("BKAT_ACCESS_DENIED_RETRY_INTERVAL", "PT2S");
        env.put("BKAT_CRD_CHECK_INTERVAL", "PT2S");
        env.put("BKAT_AWS_MAX_ATTEMPTS", "2");
        env.put("BKAT_AWS_API_CALL_TIMEOUT", "PT10S");
        return env;
    }

    /**
     * Keeps the SDK's credential chain off this machine's own AWS set-up: no profile files, and no instance metadata
     * lookup (169.254.169.254 is never a test's target).
     */
    public static Map<String, String> noAmbientAws() {
        return Map.of("AWS_EC2_METADATA_DISABLED", "true",
                "AWS_CONFIG_FILE", "/nonexistent/aws-config",
                "AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/aws-credentials");
    }
}
