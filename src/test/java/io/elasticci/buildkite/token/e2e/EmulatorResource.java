package io.elasticci.buildkite.token.e2e;

import java.util.Map;

import io.elasticci.buildkite.token.buildkite.emulator.BuildkiteEmulator;
import io.elasticci.buildkite.token.emulator.AwsEmulator;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * Starts the AWS emulator once for the test JVM and points the operator's real SDK clients at it through the SDK's
 * own settings (the system-property forms of AWS_ENDPOINT_URL and the static credential variables).
 */
public class EmulatorResource implements QuarkusTestResourceLifecycleManager {

    private static AwsEmulator emulator;
    private static BuildkiteEmulator buildkite;

    public static synchronized AwsEmulator emulator() {
        if (emulator == null) {
            emulator = AwsEmulator.start();
            emulator.linkStacksToAutoScaling(AwsEmulator.DEFAULT_ACCOUNT, 2);
            System.setProperty("aws.endpointUrl", emulator.endpoint().toString());
            System.setProperty("aws.accessKeyId", AwsEmulator.ACCESS_KEY);
            System.setProperty("aws.secretAccessKey", AwsEmulator.SECRET_KEY);
            System.setProperty("aws.region", "us-east-1");
        }
        return emulator;
    }

    /** Buildkite's API, on the AWS emulator's clock: one time for both. */
    public static synchronized BuildkiteEmulator buildkite() {
        if (buildkite == null) {
            buildkite = BuildkiteEmulator.start(emulator().clock());
        }
        return buildkite;
    }

    @Override
    public Map<String, String> start() {
        emulator();
        return Map.of(
                "bkat.buildkite.base-url", buildkite().endpoint().toString(),
                "bkat.cluster-id", "test-cluster",
                "bkat.progress-interval", "PT0.5S",
                "bkat.transient-retry-interval", "PT1S",
                "bkat.access-denied-retry-interval", "PT2S",
                "bkat.aws.max-attempts", "2",
                "bkat.aws.api-call-timeout", "PT10S",
                // Tests change stacks behind the operator's back and expect the next pass to see it; on the emulator's
                // standing clock a listing would stand forever (StackDiscoveryTest covers listings).
                "bkat.aws.stack-listing-max-age", "PT0S");
    }

    @Override
    public void stop() {
        // The emulator lives as long as the JVM: several Quarkus test applications may share it.
    }
}
