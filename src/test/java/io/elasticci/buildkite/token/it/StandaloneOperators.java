package io.elasticci.buildkite.token.it;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import io.elasticci.buildkite.token.emulator.AwsEmulator;
import io.elasticci.buildkite.token.emulator.MutableClock;

/**
 * A Kubernetes API and an AWS emulator of their own, for tests that start packaged operators themselves
 * ({@link PackagedOperator}): several at once, or each configured differently.
 */
final class StandaloneOperators implements AutoCloseable {

    final AwsEmulator aws = AwsEmulator.start(MutableClock.ticking());
    final MockKubernetesApi api;
    private final Path work;

    StandaloneOperators(String name, String... namespaces) {
        aws.linkStacksToAutoScaling(AwsEmulator.DEFAULT_ACCOUNT, 2);
        api = MockKubernetesApi.start(namespaces);
        work = PackagedOperatorEnvironment.WORK.resolve(name);
    }

    /** What a user sets to run the operator against these servers, its kube context in {@code namespace}. */
    Map<String, String> environment(String namespace) {
        return new LinkedHashMap<>(OperatorEnvironment.of(aws,
                api.writeKubeconfig(work.resolve("kubeconfig-" + namespace), namespace), work.resolve("tmp")));
    }

    @Override
    public void close() {
        api.close();
        aws.close();
    }
}
