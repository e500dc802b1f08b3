package io.elasticci.buildkite.token.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import io.elasticci.buildkite.token.api.v1alpha1.Condition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;

/**
 * Version skew on the packaged jar (deploy/UPGRADING.md): an older CRD in the cluster, a rollout where old and new
 * pods overlap, and an informer that stops for good. Fields from a newer CRD are in {@link PackagedOperatorIT}.
 */
class UpgradeSkewIT {

    private static final String NAMESPACE = "apps";

    @Test
    void anOlderCrdIsReportedAndNothingIsWrittenUntilThisReleasesCrdIsApplied() {
        try (StandaloneOperators servers = new StandaloneOperators("skew-older-crd", "kube-system", NAMESPACE)) {
            servers.api.applyCrd(olderCrd());
            try (PackagedOperator operator = PackagedOperator.start("skew-older-crd",
                    servers.environment(NAMESPACE)).awaitStarted()) {
                long writes = servers.aws.calls().writeCount();
                servers.adoptingToken(NAMESPACE, "adopted", "buildkite/adopted");

                Condition ready = awaitReason(servers, "adopted", "CRDOutdated");

                assertThat(ready.getStatus()).isEqualTo("False");
                assertThat(ready.getMessage()).contains("spec.dryRun is missing, status.rotation is missing")
                        .contains("(version 0.1.0").contains("kubectl apply --server-side -k crds/");
                assertThat(servers.aws.calls().writeCount()).as("nothing written in AWS").isEqualTo(writes);

                servers.api.applyCrd(MockKubernetesApi.crd());
                Instant applied = Instant.now();

                servers.awaitReady(NAMESPACE, "adopted", "True");
                System.out.println("Ready after applying the CRD (check interval 2 s): "
                        + Duration.between(applied, Instant.now()).toMillis() + " ms");
                assertThat(servers.aws.calls().writeCount()).isGreaterThan(writes);
            }
        }
    }

    @Test
    void aRolloutOverlapsOldAndNewPodsWithOneWriterAtATime() throws IOException {
        try (StandaloneOperators servers = new StandaloneOperators("skew-rollout", "kube-system", NAMESPACE)) {
            PackagedOperator old = PackagedOperator.start("rollout-old", electing(servers, "pod-old")).awaitStarted();
            try (old; PackagedOperator next = PackagedOperator.start("rollout-new", electing(servers, "pod-new"))
                    .awaitStarted()) {
                Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> holder(servers).isPresent());
                servers.adoptingToken(NAMESPACE, "during-overlap", "buildkite/during-overlap");
                servers.awaitReady(NAMESPACE, "during-overlap", "True");

                assertThat(holder(servers)).hasValue("pod-old");
                assertThat(next.get("/q/health/ready").statusCode())
                        .as("the standby is ready, so a rolling update can stop the old pod").isEqualTo(200);
                assertThat(servers.aws.calls().calls("secretsmanager", "TagResource"))
                        .as("one owner tag written, by one writer").hasSize(1);

                old.close(); // SIGTERM, as a rollout stops the old pod
                Instant stopped = Instant.now();
                Awaitility.await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200))
                        .until(() -> holder(servers).filter("pod-new"::equals).isPresent());
                Duration handOver = Duration.between(stopped, Instant.now());
                servers.adoptingToken(NAMESPACE, "after-rollout", "buildkite/after-rollout");
                servers.awaitReady(NAMESPACE, "after-rollout", "True");

                assertThat(servers.aws.calls().calls("secretsmanager", "TagResource")).hasSize(2);
                System.out.println("rollout hand-over after SIGTERM: " + handOver.toMillis() + " ms");
            }
        }
    }

    @Test
    void anInformerThatStopsForGoodTakesLivenessAndReadinessDownWithTheCause() throws IOException {
        try (StandaloneOperators servers = new StandaloneOperators("informer-stops", "kube-system", NAMESPACE);
                PackagedOperator operator = PackagedOperator.start("informer-stops",
                        servers.environment(NAMESPACE)).awaitStarted()) {
            assertThat(operator.get("/q/health/live").statusCode()).isEqualTo(200);

            // A Secret no API server would admit (data must be a map): the client's watch cannot read it and gives up.
            servers.api.createRaw("/api/v1/namespaces/" + NAMESPACE + "/secrets", """
                    {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "broken", "namespace": "%s"},
                     "data": "not-a-map"}
                    """.formatted(NAMESPACE));
            Instant created = Instant.now();

            Awaitility.await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100))
                    .until(() -> operator.get("/q/health/live").statusCode() == 503);
            System.out.println("liveness DOWN after the unreadable object: "
                    + Duration.between(created, Instant.now()).toMillis() + " ms");
            HttpResponse<String> live = operator.get("/q/health/live");
            HttpResponse<String> ready = operator.get("/q/health/ready");

            assertThat(live.body()).contains("\"informers\"")
                    .contains("\"Secret informer\": \"stopped: an object cannot be read at data")
                    .doesNotContain("not-a-map");
            assertThat(ready.statusCode()).isEqualTo(503);
            assertThat(ready.body()).contains("Secret informer");
        }
    }

    private static Map<String, String> electing(StandaloneOperators servers, String identity) {
        Map<String, String> env = servers.environment(NAMESPACE);
        env.put("HOSTNAME", identity);
        env.put("BKAT_LEADER_ELECTION_LEASE_DURATION", "PT6S");
        env.put("BKAT_LEADER_ELECTION_RENEW_DEADLINE", "PT4S");
        env.put("BKAT_LEADER_ELECTION_RETRY_PERIOD", "PT1S");
        return env;
    }

    private static Optional<String> holder(StandaloneOperators servers) {
        Lease lease = servers.api.client().leases().inNamespace(NAMESPACE)
                .withName("buildkite-token-operator-lease").get();
        return Optional.ofNullable(lease).map(l -> l.getSpec().getHolderIdentity());
    }

    private static Condition awaitReason(StandaloneOperators servers, String name, String reason) {
        Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                .until(() -> servers.ready(NAMESPACE, name).filter(c -> reason.equals(c.getReason())).isPresent());
        return servers.ready(NAMESPACE, name).orElseThrow();
    }

    /** This build's CRD as an earlier release had it: without spec.dryRun and status.rotation. */
    private static CustomResourceDefinition olderCrd() {
        CustomResourceDefinition crd = MockKubernetesApi.crd();
        Map<String, JSONSchemaProps> root = crd.getSpec().getVersions().get(0).getSchema().getOpenAPIV3Schema()
                .getProperties();
        root.get("spec").getProperties().remove("dryRun");
        root.get("status").getProperties().remove("rotation");
        return crd;
    }
}
