package io.elasticci.buildkite.token.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.elasticci.buildkite.token.api.v1alpha1.BuildkiteAgentToken;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;

/** Resources this build cannot fully read: reported on their own, never stopping the operator for the others. */
@QuarkusTest
@WithKubernetesTestServer
@QuarkusTestResource(value = EmulatorResource.class, restrictToAnnotatedClass = true)
class UpgradeSafetyE2ETest extends E2ETestBase {

    @Inject
    MeterRegistry metrics;

    @Test
    void fieldsFromANewerSchemaAreNamedAndNothingIsWrittenWhileOthersConverge() {
        k8s.tokenSecret("agent-token", TOKEN_V1);
        long writes = aws.calls().writeCount();
        k8s.applyRaw("future-fields.yaml");

        BuildkiteAgentToken future = k8s.awaitCondition("future-token", "Ready", "False", "UnknownFields");

        String message = k8s.condition("future-token", "Ready").orElseThrow().getMessage();
        assertThat(message).contains("spec.vault, spec.sharding, spec.regions[0].weight are not understood")
                .contains("(version 0.1.0").contains("upgrade the operator");
        assertThat(k8s.condition("future-token", "Stalled").orElseThrow().getStatus()).isEqualTo("True");
        assertThat(future.getStatus().plan).as("what it would do, on what it understands")
                .extracting(p -> p.action).contains("CreateSecret");
        assertThat(aws.calls().writeCount()).as("no AWS write").isEqualTo(writes);
        assertThat(sm().secret(EAST, "buildkite/" + k8s.id + "/future-token")).isEmpty();
        k8s.awaitEvent("future-token", "ReconcileStalled");
        assertThat(metrics.get("bkat.resources.unknown.fields").gauge().value()).isGreaterThanOrEqualTo(1);

        k8s.apply(k8s.fixture("token.yaml"));
        k8s.awaitReady("ci-token");
    }

    @Test
    void anObjectOfTheWrongTypeIsUnreadableAloneAndHealsWhenFixed() {
        long calls = aws.calls().all().size();
        k8s.applyRaw("wrong-type.yaml");

        k8s.awaitCondition("wrong-type-token", "Ready", "False", "Unreadable");

        assertThat(k8s.condition("wrong-type-token", "Ready").orElseThrow().getMessage())
                .startsWith("spec.regions: expected a list: this operator (version 0.1.0")
                .doesNotContain("us-east-1");
        assertThat(aws.calls().all()).as("nothing observed, nothing written").hasSize((int) calls);
        assertThat(metrics.get("bkat.resources.unreadable").gauge().value()).isGreaterThanOrEqualTo(1);

        k8s.tokenSecret("agent-token", TOKEN_V1);
        k8s.apply(k8s.fixture("token.yaml"));
        k8s.awaitReady("ci-token");

        k8s.mergePatch("wrong-type-token", "{\"spec\": {\"regions\": [{\"region\": \"us-east-1\", "
                + "\"kmsKeyId\": \"alias/bk-" + k8s.id + "\"}], \"tokenSecretRef\": {\"name\": \"agent-token\"}}}");
        k8s.awaitReady("wrong-type-token");
    }
}
