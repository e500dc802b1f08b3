package io.elasticci.buildkite.token.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;

import org.jboss.logmanager.LogManager;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.elasticci.buildkite.token.api.v1alpha1.BuildkiteAgentToken;
import io.elasticci.buildkite.token.emulator.SecretsManagerState.SecretInfo;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;

@QuarkusTest
@WithKubernetesTestServer
@QuarkusTestResource(value = EmulatorResource.class, restrictToAnnotatedClass = true)
class SecretValueE2ETest extends E2ETestBase {

    @Test
    void changedKubernetesSecretPushesANewVersionThenRollsBackByVersionStage() {
        k8s.tokenSecret("agent-token", TOKEN_V1);
        k8s.apply(k8s.fixture("token.yaml"));
        k8s.awaitReady("ci-token");
        String v1 = sm().secret(EAST, secretName()).orElseThrow().currentVersionId().orElseThrow();

        k8s.tokenSecret("agent-token", TOKEN_V2);
        BuildkiteAgentToken rotated = k8s.await("ci-token", t -> t.getStatus() != null
                && !v1.equals(t.getStatus().currentVersionId) && t.getStatus().currentVersionId != null);
        SecretInfo afterRotate = sm().secret(EAST, secretName()).orElseThrow();
        assertThat(afterRotate.currentValue()).isEqualTo(TOKEN_V2);
        assertThat(afterRotate.versions()).hasSize(2);
        assertThat(afterRotate.versions().get(v1)).contains("AWSPREVIOUS");
        assertThat(rotated.getStatus().currentVersionId).isEqualTo(afterRotate.currentVersionId().orElseThrow());
        k8s.awaitCondition("ci-token", "ReplicasInSync", "True", "Converged");
        assertThat(sm().secret(WEST, secretName()).orElseThrow().currentValue()).isEqualTo(TOKEN_V2);
        long puts = aws.calls().count("secretsmanager", "PutSecretValue");

        k8s.tokenSecret("agent-token", TOKEN_V1);
        k8s.await("ci-token", t -> t.getStatus() != null && v1.equals(t.getStatus().currentVersionId));

        SecretInfo afterRollback = sm().secret(EAST, secretName()).orElseThrow();
        assertThat(afterRollback.currentVersionId()).hasValue(v1);
        assertThat(afterRollback.versions()).as("no third version").hasSize(2);
        assertThat(aws.calls().count("secretsmanager", "PutSecretValue")).isEqualTo(puts);
        assertThat(aws.calls().count("secretsmanager", "UpdateSecretVersionStage")).isPositive();
        assertThat(k8s.events("ci-token")).extracting(e -> e.getReason())
                .contains("SecretValueUpdated", "SecretVersionRestored");
    }

    @Test
    void adoptedValueEqualToTheKubernetesSecretIsNotWrittenAgain() {
        SecretInfo existing = sm().createSecret(EAST, secretName(), TOKEN_V1, alias(), java.util.Map.of());
        long puts = aws.calls().count("secretsmanager", "PutSecretValue");
        k8s.tokenSecret("agent-token", TOKEN_V1);
        k8s.apply(k8s.fixture("token.yaml"));

        k8s.awaitReady("ci-token");

        assertThat(sm().secret(EAST, secretName()).orElseThrow().currentVersionId())
                .isEqualTo(existing.currentVersionId());
        assertThat(aws.calls().count("secretsmanager", "PutSecretValue")).isEqualTo(puts);
    }

    @Test
    void tokenValuesNeverAppearInLogsEventsOrStatus() throws Exception {
        List<String> logs;
        LogCapture capture = LogCapture.start();
        try {
            k8s.tokenSecret("agent-token", TOKEN_V1);
            k8s.apply(k8s.fixture("token.yaml"));
            k8s.awaitReady("ci-token");
            String v1 = k8s.get("ci-token").getStatus().currentVersionId;
            k8s.tokenSecret("agent-token", TOKEN_V2);
            k8s.await("ci-token", t -> !v1.equals(t.getStatus().currentVersionId));
            k8s.awaitCondition("ci-token", "SecretReady", "True", "Converged");
            aws.faults().failNext("secretsmanager", "PutSecretValue", "InvalidRequestException", "rejected");
            k8s.tokenSecret("agent-token", "bkua_e2e_third_token_value_0003");
            k8s.awaitCondition("ci-token", "Stalled", "True", "RequestRejected");
        } finally {
            capture.close();
        }
        logs = capture.lines();

        assertThat(logs).as("the capture saw the operator at work").anyMatch(l -> l.contains("PutSecretValue"));
        String status = new ObjectMapper().writeValueAsString(k8s.get("ci-token").getStatus());
        String events = new ObjectMapper().writeValueAsString(k8s.events("ci-token"));
        for (String value : List.of(TOKEN_V1, TOKEN_V2, "bkua_e2e_third_token_value_0003")) {
            assertThat(logs).noneMatch(l -> l.contains(value));
            assertThat(status).doesNotContain(value);
            assertThat(events).doesNotContain(value);
        }
    }
}
