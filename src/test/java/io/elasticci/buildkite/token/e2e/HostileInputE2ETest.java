package io.elasticci.buildkite.token.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

import jakarta.inject.Inject;

import org.assertj.core.api.SoftAssertions;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.elasticci.buildkite.token.api.v1alpha1.BuildkiteAgentToken;
import io.elasticci.buildkite.token.api.v1alpha1.Condition;
import io.elasticci.buildkite.token.hostile.HostileSpecs;
import io.elasticci.buildkite.token.reconcile.Printable;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;

/**
 * The hostile corpus ({@link HostileSpecs}) through the whole operator in process. The fabric8 mock server does not
 * enforce the CRD's schema, so every case reaches the operator as a cluster with a looser CRD would hand it over: the
 * operator is the last line, and each case must end in a clear terminal condition naming the field, with no AWS write
 * and no reconcile loop. All cases run as one batch, in one namespace, on one application.
 */
@QuarkusTest
@WithKubernetesTestServer
@QuarkusTestResource(value = EmulatorResource.class, restrictToAnnotatedClass = true)
class HostileInputE2ETest extends E2ETestBase {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Inject
    MeterRegistry metrics;

    @Test
    void everyHostileSpecEndsInAClearConditionWithoutAnAwsWriteOrAReconcileLoop() throws Exception {
        List<HostileSpecs.Case> cases = HostileSpecs.all();
        for (HostileSpecs.TokenSecret secret : HostileSpecs.TokenSecret.values()) {
            createSecret(secret);
        }
        long writes = aws.calls().writeCount();

        cases.forEach(this::applyRaw);
        Map<String, BuildkiteAgentToken> settled = awaitSettled(cases);
        double reconciles = reconciles();
        sleep(Duration.ofSeconds(3)); // the quiet window in which a loop would show

        SoftAssertions soft = new SoftAssertions();
        for (HostileSpecs.Case c : cases) {
            BuildkiteAgentToken token = settled.get(c.name());
            Condition ready = condition(token, "Ready").orElseThrow();
            soft.assertThat(ready.getStatus()).as("%s: Ready", c).isEqualTo("False");
            soft.assertThat(ready.getMessage()).as("%s: Ready names the field", c).contains(c.field());
            if (!"DryRun".equals(c.reason())) {
                soft.assertThat(condition(token, "Stalled").map(Condition::getStatus)).as("%s: Stalled", c)
                        .hasValue("True");
            }
            for (Condition condition : token.getStatus().conditions) {
                soft.assertThat(Printable.hasUnprintable(condition.getMessage()))
                        .as("%s: %s message without raw control characters: %s", c, condition.getType(),
                                condition.getMessage()).isFalse();
                soft.assertThat(condition.getMessage().length()).as("%s: %s message size", c, condition.getType())
                        .isLessThanOrEqualTo(Printable.MAX_MESSAGE);
            }
            k8s.events(c.name()).forEach(e -> soft.assertThat(Printable.hasUnprintable(e.getMessage()))
                    .as("%s: Event %s without raw control characters", c, e.getReason()).isFalse());
            String status = JSON.writeValueAsString(token.getStatus());
            for (HostileSpecs.TokenSecret secret : HostileSpecs.TokenSecret.values()) {
                Optional.ofNullable(secret.data()).map(d -> d.get("token")).filter(v -> v.length > 8)
                        .map(String::new).ifPresent(value -> soft.assertThat(status)
                                .as("%s: no token value in status", c).doesNotContain(value));
            }
        }
        soft.assertThat(aws.calls().writeCount()).as("AWS writes while the corpus was reconciled: %s",
                aws.calls().writes()).isEqualTo(writes);
        soft.assertThat(reconciles).as("the meter counts reconciles").isGreaterThanOrEqualTo(cases.size());
        soft.assertThat(reconciles() - reconciles).as("reconciles of %s settled resources in 3 s", cases.size())
                .isLessThanOrEqualTo(2);
        soft.assertAll();
    }

    /** A Secret that held a good token is changed to binary data: AWS keeps the last good value, nothing is written. */
    @Test
    void aTokenSecretTurnedBinaryKeepsTheLastGoodValueInAws() {
        k8s.tokenSecret("agent-token", TOKEN_V1);
        k8s.apply(k8s.fixture("token.yaml"));
        k8s.awaitReady("ci-token");
        long writes = aws.calls().writeCount();

        kubernetes().secrets().inNamespace(k8s.namespace).resource(new SecretBuilder().withNewMetadata()
                .withName("agent-token").withNamespace(k8s.namespace).endMetadata()
                .withData(Map.of("token", Base64.getEncoder().encodeToString(new byte[] {(byte) 0xc3, 0x28})))
                .build()).update();

        k8s.awaitCondition("ci-token", "Ready", "False", "TokenSecretNotFound");
        assertThat(k8s.condition("ci-token", "Ready").orElseThrow().getMessage()).contains("not UTF-8");
        assertThat(aws.calls().writeCount()).as("writes after the Secret turned binary").isEqualTo(writes);
        assertThat(sm().secret(EAST, secretName()).orElseThrow().currentValue()).isEqualTo(TOKEN_V1);

        k8s.tokenSecret("agent-token", TOKEN_V2);
        k8s.awaitCondition("ci-token", "SecretReady", "True", "Converged");
        assertThat(sm().secret(EAST, secretName()).orElseThrow().currentValue()).isEqualTo(TOKEN_V2);
    }

    private void createSecret(HostileSpecs.TokenSecret kind) {
        if (kind.data() == null) {
            return;
        }
        Map<String, String> data = new LinkedHashMap<>();
        kind.data().forEach((key, bytes) -> data.put(key, Base64.getEncoder().encodeToString(bytes)));
        Secret secret = new SecretBuilder().withNewMetadata().withName(kind.secretName).withNamespace(k8s.namespace)
                .endMetadata().withData(data).build();
        kubernetes().secrets().inNamespace(k8s.namespace).resource(secret).create();
    }

    /** Created as raw JSON: the operator's model never stands between the case and the API. */
    private void applyRaw(HostileSpecs.Case c) {
        GenericKubernetesResource raw = new GenericKubernetesResource();
        raw.setApiVersion(BuildkiteAgentToken.GROUP + "/" + BuildkiteAgentToken.VERSION);
        raw.setKind("BuildkiteAgentToken");
        raw.setMetadata(new ObjectMetaBuilder().withName(c.name()).withNamespace(k8s.namespace).build());
        raw.setAdditionalProperty("spec", c.spec(k8s.id));
        kubernetes().genericKubernetesResources(raw.getApiVersion(), raw.getKind()).inNamespace(k8s.namespace)
                .resource(raw).create();
    }

    /** Waits until every case's Ready reason is the expected one for its generation; says which are not on time-out. */
    private Map<String, BuildkiteAgentToken> awaitSettled(List<HostileSpecs.Case> cases) {
        Map<String, String> expected = cases.stream()
                .collect(Collectors.toMap(HostileSpecs.Case::name, HostileSpecs.Case::reason));
        Map<String, BuildkiteAgentToken> seen = new LinkedHashMap<>();
        try {
            Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250)).until(() -> {
                seen.clear();
                kubernetes().resources(BuildkiteAgentToken.class).inNamespace(k8s.namespace).list().getItems()
                        .forEach(t -> seen.put(t.getMetadata().getName(), t));
                return expected.entrySet().stream().allMatch(e -> settled(seen.get(e.getKey()), e.getValue()));
            });
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            String unsettled = expected.entrySet().stream().filter(x -> !settled(seen.get(x.getKey()), x.getValue()))
                    .map(x -> x.getKey() + " expected " + x.getValue() + " but "
                            + Optional.ofNullable(seen.get(x.getKey())).flatMap(t -> condition(t, "Ready"))
                                    .map(r -> r.getReason() + ": " + r.getMessage()).orElse("no Ready condition"))
                    .collect(Collectors.joining("\n"));
            throw new AssertionError("cases not settled:\n" + unsettled, e);
        }
        return seen;
    }

    private static boolean settled(BuildkiteAgentToken token, String reason) {
        return token != null && token.getStatus() != null
                && token.getMetadata().getGeneration().equals(token.getStatus().observedGeneration)
                && condition(token, "Ready").filter(c -> reason.equals(c.getReason())).isPresent();
    }

    private static Optional<Condition> condition(BuildkiteAgentToken token, String type) {
        return token.getStatus().conditions.stream().filter(c -> type.equals(c.getType())).findFirst();
    }

    private double reconciles() {
        return Reconciles.started(metrics);
    }
}
