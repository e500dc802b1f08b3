package io.elasticci.buildkite.token.e2e;

import jakarta.inject.Inject;

import io.elasticci.buildkite.token.emulator.AwsEmulator;
import io.fabric8.kubernetes.client.KubernetesClient;

/**
 * Base of the in-process end-to-end tests: every subclass carries the same Quarkus test annotations, so one
 * application (operator + mock Kubernetes API + emulator) serves them all.
 */
abstract class E2ETestBase extends ScenarioBase {

    @Inject
    KubernetesClient client;

    @Override
    protected KubernetesClient kubernetes() {
        return client;
    }

    @Override
    protected AwsEmulator emulator() {
        return EmulatorResource.emulator();
    }
}
