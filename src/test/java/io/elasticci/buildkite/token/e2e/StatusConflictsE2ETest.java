package io.elasticci.buildkite.token.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.HashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import io.elasticci.buildkite.token.api.v1alpha1.BuildkiteAgentToken;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;

/**
 * Someone keeps changing the resource while the operator works on it: every status write meets a newer
 * resourceVersion now and then, and what the reconciles learnt must survive.
 */
@QuarkusTest
@WithKubernetesTestServer
@QuarkusTestResource(value = EmulatorResource.class, restrictToAnnotatedClass = true)
class StatusConflictsE2ETest extends E2ETestBase {

    /** Relabels the resource every few milliseconds until closed, as a busy GitOps controller might. */
    private final class Noise implements AutoCloseable {
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final AtomicInteger edits = new AtomicInteger();
        private final Thread thread = new Thread(() -> {
            while (running.get()) {
                editRetrying(t -> {
                    if (t.getMetadata().getLabels() == null) {
                        t.getMetadata().setLabels(new HashMap<>());
                    }
                    t.getMetadata().getLabels().put("noise", String.valueOf(edits.incrementAndGet()));
                });
                sleep(Duration.ofMillis(15));
            }
        });

        Noise() {
            thread.start();
        }

        @Override
        public void close() throws InterruptedException {
            running.set(false);
            thread.join();
        }
    }

    /** An edit that meets a newer resourceVersion is made again, as kubectl edit would have the user do. */
    private void editRetrying(java.util.function.Consumer<BuildkiteAgentToken> change) {
        for (int attempt = 0;; attempt++) {
            try {
                k8s.edit("ci-token", change);
                return;
            } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
                if (e.getCode() != 409 || attempt > 20) {
                    throw e;
                }
            }
        }
    }

    @Test
    void aRotationsBookkeepingAndASpecEditSurviveConcurrentChangesToTheResource() throws Exception {
        k8s.tokenSecret("agent-token", TOKEN_V1);
        k8s.apply(k8s.fixture("token.yaml"));
        String v1 = k8s.awaitReady("ci-token").getStatus().currentVersionId;
        int edits;
        try (Noise noise = new Noise()) {
            k8s.tokenSecret("agent-token", TOKEN_V2);
            BuildkiteAgentToken rotated = k8s.awaitAdvancing("ci-token", Duration.ofSeconds(30),
                    t -> t.getStatus().rotation != null && t.getStatus().rotation.revocableVersionIds.contains(v1));

            assertThat(rotated.getStatus().rotation.previousVersionId).isEqualTo(v1);
            assertThat(rotated.getStatus().rotation.refreshes).hasSize(2);
            assertThat(aws.calls().count("autoscaling", "StartInstanceRefresh")).as("one refresh per stack")
                    .isEqualTo(2);

            editRetrying(t -> t.getSpec().getTags().put("owner-team", "platform"));
            k8s.awaitReady("ci-token");
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> sm()
                    .secret(EAST, secretName()).orElseThrow().tags().containsKey("owner-team"));
            edits = noise.edits.get();
        }
        assertThat(edits).as("the resource changed under the operator").isGreaterThan(20);
        assertThat(sm().secret(EAST, secretName()).orElseThrow().currentValue()).isEqualTo(TOKEN_V2);
    }
}
