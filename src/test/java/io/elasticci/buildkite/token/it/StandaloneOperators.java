package io.elasticci.buildkite.token.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import org.awaitility.Awaitility;

import io.elasticci.buildkite.token.api.v1alpha1.BuildkiteAgentToken;
import io.elasticci.buildkite.token.api.v1alpha1.Condition;
import io.elasticci.buildkite.token.buildkite.emulator.BuildkiteEmulator;
import io.elasticci.buildkite.token.deploy.HelmChart;
import io.elasticci.buildkite.token.deploy.Manifests;
import io.elasticci.buildkite.token.emulator.AwsEmulator;
import io.elasticci.buildkite.token.emulator.MutableClock;
import io.elasticci.buildkite.token.emulator.SecretsManagerState;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;

/**
 * A Kubernetes API and an AWS emulator of their own, for tests that start packaged operators themselves
 * ({@link PackagedOperator}): several at once, or each configured differently.
 */
final class StandaloneOperators implements AutoCloseable {

    final AwsEmulator aws = AwsEmulator.start(MutableClock.ticking());
    final BuildkiteEmulator buildkite = BuildkiteEmulator.start(aws.clock());
    final MockKubernetesApi api;
    private final Path work;

    StandaloneOperators(String name, String... namespaces) {
        aws.linkStacksToAutoScaling(AwsEmulator.DEFAULT_ACCOUNT, 2);
        api = MockKubernetesApi.start(namespaces);
        work = PackagedOperatorEnvironment.WORK.resolve(name);
    }

    /** What a user sets to run the operator against these servers, its kube context in {@code namespace}. */
    Map<String, String> environment(String namespace) {
        return new LinkedHashMap<>(OperatorEnvironment.of(aws, buildkite,
                api.writeKubeconfig(work.resolve("kubeconfig-" + namespace), namespace), work.resolve("tmp")));
    }

    /**
     * The operator container's environment as the Helm chart renders it with these values, the downward API resolved
     * as a pod in {@code namespace} would see it.
     */
    Map<String, String> chartEnvironment(String namespace, String values) {
        return chartEnvironment(namespace, HelmChart.template(values).only("Deployment"));
    }

    /** The same for one of the chart's Deployments (a shard's). */
    Map<String, String> chartEnvironment(String namespace, Map<String, Object> deployment) {
        Map<String, String> env = environment(namespace);
        Manifests.env(deployment).forEach((name, value) -> {
            if (value instanceof String plain) {
                env.put(name, plain);
            } else {
                assertThat(value).as(name).isEqualTo(Map.of("fieldRef", Map.of("fieldPath", "metadata.namespace")));
                env.put(name, namespace);
            }
        });
        return env;
    }

    /**
     * A resource adopting an existing secret in us-east-1 (created here unless it exists): all it needs to become
     * Ready is a cluster ID, the installation key and AWS.
     */
    BuildkiteAgentToken adoptingToken(String namespace, String name, String secretName) {
        return adoptingToken(namespace, name, secretName, Map.of());
    }

    /** The same, with these labels (a shard's selector picks resources by them). */
    BuildkiteAgentToken adoptingToken(String namespace, String name, String secretName, Map<String, String> labels) {
        SecretsManagerState sm = aws.secretsManager(AwsEmulator.DEFAULT_ACCOUNT);
        if (sm.secret("us-east-1", secretName).isEmpty()) {
            sm.createSecret("us-east-1", secretName, "bkua_" + name, null, Map.of());
        }
        BuildkiteAgentToken token = Serialization.unmarshal("""
                apiVersion: buildkite.elasticci.io/v1alpha1
                kind: BuildkiteAgentToken
                spec:
                  primaryRegion: us-east-1
                  regions:
                    - region: us-east-1
                """, BuildkiteAgentToken.class);
        token.getSpec().setSecretName(secretName);
        token.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(namespace).withLabels(labels).build());
        return api.client().resource(token).create();
    }

    /** The resource's Ready condition, if it has a status yet. */
    Optional<Condition> ready(String namespace, String name) {
        BuildkiteAgentToken token = api.client().resources(BuildkiteAgentToken.class).inNamespace(namespace)
                .withName(name).get();
        return token == null || token.getStatus() == null ? Optional.empty()
                : token.getStatus().conditions.stream().filter(c -> "Ready".equals(c.getType())).findFirst();
    }

    /** Ready=True for the resource's current generation: what it was last asked to do is done. */
    boolean converged(String namespace, String name) {
        BuildkiteAgentToken token = api.client().resources(BuildkiteAgentToken.class).inNamespace(namespace)
                .withName(name).get();
        return token != null && token.getStatus() != null
                && java.util.Objects.equals(token.getStatus().observedGeneration, token.getMetadata().getGeneration())
                && token.getStatus().conditions.stream()
                        .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
    }

    /** Waits until Ready has this status; returns the condition. */
    Condition awaitReady(String namespace, String name, String status) {
        Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                .until(() -> ready(namespace, name).filter(c -> status.equals(c.getStatus())).isPresent());
        return ready(namespace, name).orElseThrow();
    }

    @Override
    public void close() {
        api.close();
        aws.close();
        buildkite.close();
    }
}
