package io.elasticci.buildkite.token.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.elasticci.buildkite.token.api.v1alpha1.BuildkiteAgentToken;
import io.elasticci.buildkite.token.emulator.AwsEmulator;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;

/**
 * The packaged operator with JSON logs switched on, as a user would (an environment variable): every line is one JSON
 * object, each AWS action's line carries the resource, action, region and outcome as fields, and no line holds a
 * token value, through a create and a rotation.
 */
class JsonLogsIT {

    private static final String NAMESPACE = "apps";
    private static final String V1 = "bkua_json_logs_first_value_0001";
    private static final String V2 = "bkua_json_logs_second_value_0002";
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void everyLineIsJsonWithTheActionsFieldsAndNoTokenValue() throws Exception {
        try (StandaloneOperators servers = new StandaloneOperators("json-logs", "kube-system", NAMESPACE)) {
            Map<String, String> env = servers.environment(NAMESPACE);
            env.put("QUARKUS_LOG_CONSOLE_JSON_ENABLED", "true");
            try (PackagedOperator operator = PackagedOperator.start("json-logs", env).awaitStarted()) {
                tokenSecret(servers, V1);
                servers.api.client().resource(Serialization.unmarshal("""
                        apiVersion: buildkite.elasticci.io/v1alpha1
                        kind: BuildkiteAgentToken
                        metadata: {name: json-token, namespace: apps}
                        spec:
                          secretName: buildkite/json-logs
                          primaryRegion: us-east-1
                          regions: [{region: us-east-1}]
                          tokenSecretRef: {name: agent-token}
                        """, BuildkiteAgentToken.class)).create();
                servers.awaitReady(NAMESPACE, "json-token", "True");
                tokenSecret(servers, V2);
                Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> V2.equals(servers.aws
                        .secretsManager(AwsEmulator.DEFAULT_ACCOUNT).secret("us-east-1", "buildkite/json-logs")
                        .orElseThrow().currentValue()));
                Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> operator.log().contains("PutSecretValue"));

                List<JsonNode> lines = new ArrayList<>();
                for (String line : operator.log().lines().toList()) {
                    if (line.startsWith("Picked up JAVA_TOOL_OPTIONS")) {
                        continue; // the JVM's own notice, before logging starts
                    }
                    lines.add(JSON.readTree(line));
                }

                assertThat(operator.log()).doesNotContain(V1).doesNotContain(V2);
                assertThat(lines).isNotEmpty().allSatisfy(l -> assertThat(l.has("message")).isTrue());
                JsonNode put = lines.stream().filter(l -> "PutSecretValue".equals(l.path("mdc").path("action")
                        .asText())).findFirst().orElseThrow();
                assertThat(put.path("mdc").path("region").asText()).isEqualTo("us-east-1");
                assertThat(put.path("mdc").path("outcome").asText()).isEqualTo("done");
                assertThat(put.path("mdc").path("resource.name").asText()).isEqualTo("json-token");
                assertThat(put.path("mdc").path("resource.namespace").asText()).isEqualTo(NAMESPACE);
                assertThat(put.path("level").asText()).isEqualTo("INFO");
            }
        }
    }

    private static void tokenSecret(StandaloneOperators servers, String value) {
        servers.api.client().secrets().inNamespace(NAMESPACE).resource(new SecretBuilder().withNewMetadata()
                .withName("agent-token").withNamespace(NAMESPACE).endMetadata()
                .withStringData(Map.of("token", value)).build()).createOr(r -> r.update());
    }
}
