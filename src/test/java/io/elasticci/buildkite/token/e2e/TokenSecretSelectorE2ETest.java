package io.elasticci.buildkite.token.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.Optional;

import jakarta.inject.Inject;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import io.elasticci.buildkite.token.reconcile.BuildkiteAgentTokenReconciler;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.processing.Controller;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;

/**
 * bkat.token-secret-label-selector narrows the operator's Secret informer: a Secret without the labels never reaches
 * its cache (the API server filters the list and the watch), so its value is never read; labelling it lets the
 * resource converge.
 */
@QuarkusTest
@WithKubernetesTestServer
@QuarkusTestResource(value = EmulatorResource.class, restrictToAnnotatedClass = true)
@TestProfile(TokenSecretSelectorE2ETest.LabelledSecretsOnly.class)
class TokenSecretSelectorE2ETest extends E2ETestBase {

    static final String LABEL = "buildkite.elasticci.io/token-source";

    /** The operator configured to read only labelled Secrets. */
    public static class LabelledSecretsOnly implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("bkat.token-secret-label-selector", LABEL + "=true");
        }
    }

    @Inject
    Operator operator;

    @Test
    void anUnlabelledSecretIsNeverCachedNorReadUntilItIsLabelled() {
        k8s.tokenSecret("agent-token", TOKEN_V1);
        labelled("sentinel", "bkct_sentinel_value");
        // the sentinel in the cache shows the informer is up and would have seen the other by now
        Awaitility.await().atMost(OperatorHarness.TIMEOUT).until(() -> cached("sentinel").isPresent());
        assertThat(cached("agent-token")).as("the unlabelled Secret in the operator's cache").isEmpty();

        k8s.apply(k8s.fixture("token.yaml"));

        k8s.awaitCondition("ci-token", "Ready", "False", "TokenSecretNotFound");
        assertThat(k8s.condition("ci-token", "Ready").orElseThrow().getMessage())
                .contains("agent-token").contains("lacks the labels " + LABEL + "=true");
        assertThat(sm().secret(EAST, secretName())).as("nothing created from a Secret it must not read").isEmpty();

        kubernetes().secrets().inNamespace(k8s.namespace).withName("agent-token")
                .edit(s -> new SecretBuilder(s).editMetadata().addToLabels(LABEL, "true").endMetadata().build());

        k8s.awaitReady("ci-token");
        assertThat(sm().secret(EAST, secretName()).orElseThrow().currentValue()).isEqualTo(TOKEN_V1);
        assertThat(cached("agent-token")).isPresent();
    }

    private void labelled(String name, String value) {
        kubernetes().secrets().inNamespace(k8s.namespace).resource(new SecretBuilder().withNewMetadata()
                .withName(name).withNamespace(k8s.namespace).addToLabels(LABEL, "true").endMetadata()
                .withStringData(Map.of("token", value)).build()).create();
    }

    /** The Secret as the operator's Secret informer holds it. */
    @SuppressWarnings("unchecked")
    private Optional<Secret> cached(String name) {
        Controller<?> controller = (Controller<?>) operator.getRegisteredController(BuildkiteAgentTokenReconciler.NAME)
                .orElseThrow();
        InformerEventSource<Secret, ?> secrets = (InformerEventSource<Secret, ?>) controller.getEventSourceManager()
                .getEventSourcesFor(Secret.class).get(0);
        return secrets.get(new ResourceID(name, k8s.namespace));
    }
}
