package io.elasticci.buildkite.token.it;

import java.nio.file.Path;
import java.util.Map;

import io.elasticci.buildkite.token.buildkite.emulator.BuildkiteEmulator;
import io.elasticci.buildkite.token.emulator.AwsEmulator;
import io.elasticci.buildkite.token.emulator.MutableClock;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * What the packaged operator runs against in {@code @QuarkusIntegrationTest}s: the AWS emulator and a mock Kubernetes
 * API, both real HTTP servers in the test JVM, handed to the jar as environment variables only. The emulator's clock
 * runs with real time (the operator in its own process keeps real time, as against AWS); tests move it forward.
 */
public class PackagedOperatorEnvironment implements QuarkusTestResourceLifecycleManager {

    /** The operator's own namespace: its kube context's, where the installation key and the Lease go. */
    public static final String OPERATOR_NAMESPACE = "bkat-system";
    public static final Path WORK = Path.of("target", "it");

    private static AwsEmulator aws;
    private static MockKubernetesApi api;
    private static BuildkiteEmulator buildkite;

    public static AwsEmulator aws() {
        return aws;
    }

    public static MockKubernetesApi api() {
        return api;
    }

    public static BuildkiteEmulator buildkite() {
        return buildkite;
    }

    @Override
    public Map<String, String> start() {
        aws = AwsEmulator.start(MutableClock.ticking());
        aws.linkStacksToAutoScaling(AwsEmulator.DEFAULT_ACCOUNT, 2);
        buildkite = BuildkiteEmulator.start(aws.clock());
        api = MockKubernetesApi.start("kube-system", OPERATOR_NAMESPACE);
        Path kubeconfig = api.writeKubeconfig(WORK.resolve("kubeconfig"), OPERATOR_NAMESPACE);
        Map<String, String> env = new java.util.LinkedHashMap<>(OperatorEnvironment.of(aws, buildkite, kubeconfig,
                WORK.resolve("tmp")));
        // The opt-in per-resource series too, so every query deploy/monitoring ships can be checked on the jar.
        env.put("BKAT_METRICS_RESOURCE_LABELS", "true");
        return EnvironmentJarLauncher.asEnvironment(env);
    }

    @Override
    public void stop() {
        if (api != null) {
            api.close();
        }
        if (aws != null) {
            aws.close();
        }
        if (buildkite != null) {
            buildkite.close();
        }
    }
}
