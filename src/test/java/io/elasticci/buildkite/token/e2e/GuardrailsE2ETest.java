package io.elasticci.buildkite.token.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import org.junit.jupiter.api.Test;

import io.elasticci.buildkite.token.api.v1alpha1.BuildkiteAgentToken;
import io.elasticci.buildkite.token.emulator.CallLog;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;

@QuarkusTest
@WithKubernetesTestServer
@QuarkusTestResource(value = EmulatorResource.class, restrictToAnnotatedClass = true)
class GuardrailsE2ETest extends E2ETestBase {

    @Test
    void invalidSpecIsStalledNamingTheFieldAndCallsNoAws() {
        long calls = aws.calls().all().size();
        k8s.apply(k8s.fixture("invalid.yaml"));

        k8s.awaitCondition("bad-token", "Stalled", "True", "InvalidSpec");

        String message = k8s.condition("bad-token", "Ready").orElseThrow().getMessage();
        assertThat(message).contains("spec.secretName").contains("spec.regions: must list primaryRegion us-east-1");
        assertThat(k8s.condition("bad-token", "Ready").orElseThrow().getStatus()).isEqualTo("False");
        assertThat(aws.calls().all()).hasSize((int) calls);
    }

    @Test
    void missingSecretWithoutTokenSecretRefIsSecretNotFound() {
        long writes = aws.calls().writeCount();
        k8s.apply(k8s.fixture("adopt.yaml"));

        k8s.awaitCondition("legacy-token", "Ready", "False", "SecretNotFound");

        assertThat(k8s.condition("legacy-token", "Stalled").orElseThrow().getStatus()).isEqualTo("True");
        assertThat(k8s.condition("legacy-token", "SecretReady").orElseThrow().getMessage())
                .contains("buildkite/" + k8s.id + "/legacy-token").contains(EU);
        assertThat(aws.calls().writeCount()).isEqualTo(writes);
    }

    @Test
    void missingKubernetesSecretWaitsAndRecoversWhenItAppears() {
        k8s.apply(k8s.fixture("token.yaml"));
        k8s.awaitCondition("ci-token", "Ready", "False", "TokenSecretNotFound");
        assertThat(sm().secret(EAST, secretName())).isEmpty();

        k8s.tokenSecret("agent-token", TOKEN_V1);

        k8s.awaitReady("ci-token");
        assertThat(sm().secret(EAST, secretName()).orElseThrow().currentValue()).isEqualTo(TOKEN_V1);
    }

    @Test
    void secretOwnedByAnotherResourceIsClaimedAndLeftAlone() {
        sm().createSecret(EAST, secretName(), "bkua_theirs", null,
                Map.of(BuildkiteAgentToken.OWNER_TAG, "other-cluster/ns/their-token"));
        long writes = aws.calls().writeCount();
        k8s.tokenSecret("agent-token", TOKEN_V1);
        k8s.apply(k8s.fixture("token.yaml"));

        k8s.awaitCondition("ci-token", "Stalled", "True", "SecretClaimed");

        assertThat(k8s.condition("ci-token", "Ready").orElseThrow().getMessage())
                .contains("other-cluster/ns/their-token");
        assertThat(aws.calls().writeCount()).isEqualTo(writes);
        assertThat(sm().secret(EAST, secretName()).orElseThrow().currentValue()).isEqualTo("bkua_theirs");
    }

    @Test
    void anotherAccountIsRefusedWithZeroWrites() {
        long writes = aws.calls().writeCount();
        long secretsCalls = aws.calls().count("secretsmanager", "DescribeSecret");
        k8s.tokenSecret("agent-token", TOKEN_V1);
        BuildkiteAgentToken token = k8s.fixture("token.yaml");
        token.getSpec().setExpectedAccountId("999999999999");
        k8s.apply(token);

        k8s.awaitCondition("ci-token", "Stalled", "True", "AccountMismatch");

        assertThat(k8s.condition("ci-token", "Ready").orElseThrow().getMessage()).contains("123456789012")
                .contains("999999999999");
        assertThat(aws.calls().writeCount()).isEqualTo(writes);
        assertThat(aws.calls().count("secretsmanager", "DescribeSecret")).isEqualTo(secretsCalls);
    }

    @Test
    void dryRunPublishesThePlanAndWritesNothing() {
        long writes = aws.calls().writeCount();
        k8s.tokenSecret("agent-token", TOKEN_V1);
        BuildkiteAgentToken token = k8s.fixture("token.yaml");
        token.getSpec().setDryRun(true);
        k8s.apply(token);

        BuildkiteAgentToken seen = k8s.awaitCondition("ci-token", "Ready", "False", "DryRun");

        assertThat(seen.getStatus().plan).extracting(p -> p.action + " " + p.region)
                .startsWith("CreateSecret " + EAST, "ReplicateSecret " + WEST, "PutResourcePolicy " + EAST);
        assertThat(seen.getStatus().plan.get(0).detail).contains(keyIdOf(EAST));
        assertThat(aws.calls().writeCount()).isEqualTo(writes);
        assertThat(sm().secret(EAST, secretName())).isEmpty();

        k8s.edit("ci-token", t -> t.getSpec().setDryRun(false));
        k8s.awaitReady("ci-token");
    }

    @Test
    void suspendedResourceCallsNoAws() {
        long calls = aws.calls().all().size();
        k8s.tokenSecret("agent-token", TOKEN_V1);
        BuildkiteAgentToken token = k8s.fixture("token.yaml");
        token.getSpec().setSuspend(true);
        k8s.apply(token);

        k8s.awaitCondition("ci-token", "Ready", "Unknown", "Suspended");

        assertThat(aws.calls().all()).hasSize((int) calls);
        k8s.edit("ci-token", t -> t.getSpec().setSuspend(false));
        k8s.awaitReady("ci-token");
    }

    @Test
    void accessDeniedIsReportedThenRetried() {
        aws.faults().failNext("secretsmanager", "CreateSecret", "AccessDeniedException",
                "User is not authorized to perform: secretsmanager:CreateSecret");
        k8s.tokenSecret("agent-token", TOKEN_V1);
        k8s.apply(k8s.fixture("token.yaml"));

        k8s.awaitCondition("ci-token", "Stalled", "True", "AccessDenied");
        assertThat(k8s.condition("ci-token", "Ready").orElseThrow().getMessage()).contains("CreateSecret")
                .contains(EAST);

        k8s.awaitReady("ci-token"); // retried slowly, and the fault was one-shot
    }

    @Test
    void regionOutageIsTransientAndRecovers() {
        k8s.tokenSecret("agent-token", TOKEN_V1);
        k8s.apply(k8s.fixture("token.yaml"));
        k8s.awaitReady("ci-token");
        aws.faults().regionOutage(WEST, true);
        k8s.edit("ci-token", t -> t.getSpec().getRegions().get(1).setKmsKeyId(kms().createKey(WEST).keyId()));

        k8s.awaitCondition("ci-token", "Reconciling", "True", "RegionUnavailable");
        assertThat(k8s.condition("ci-token", "Stalled").orElseThrow().getStatus()).isEqualTo("False");

        aws.faults().regionOutage(WEST, false);
        k8s.awaitCondition("ci-token", "ReplicasInSync", "True", "Converged");
    }

    @Test
    void throttlingIsTransientAndRecovers() {
        for (int i = 0; i < 2; i++) { // every SDK attempt of one call
            aws.faults().failNext("secretsmanager", "CreateSecret", "ThrottlingException", "Rate exceeded");
        }
        k8s.tokenSecret("agent-token", TOKEN_V1);
        k8s.apply(k8s.fixture("token.yaml"));

        k8s.awaitCondition("ci-token", "Reconciling", "True", "Throttled");
        k8s.awaitReady("ci-token");
        assertThat(aws.calls().calls("secretsmanager", "CreateSecret")).extracting(CallLog.Call::errorCode)
                .contains("ThrottlingException");
    }
}
