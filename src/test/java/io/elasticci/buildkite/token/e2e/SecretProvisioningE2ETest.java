package io.elasticci.buildkite.token.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.elasticci.buildkite.token.api.v1alpha1.BuildkiteAgentToken;
import io.elasticci.buildkite.token.api.v1alpha1.RegionSpec;
import io.elasticci.buildkite.token.emulator.SecretsManagerState.SecretInfo;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import io.quarkus.test.common.QuarkusTestResource;

@QuarkusTest
@WithKubernetesTestServer
@QuarkusTestResource(value = EmulatorResource.class, restrictToAnnotatedClass = true)
class SecretProvisioningE2ETest extends E2ETestBase {

    @Test
    void createsTheSecretFromTheKubernetesSecretAndReplicatesItWithEachRegionsKey() {
        k8s.tokenSecret("agent-token", TOKEN_V1);
        k8s.apply(k8s.fixture("token.yaml"));

        BuildkiteAgentToken token = k8s.awaitReady("ci-token");

        SecretInfo primary = sm().secret(EAST, secretName()).orElseThrow();
        assertThat(primary.currentValue()).isEqualTo(TOKEN_V1);
        assertThat(primary.kmsKeyArn()).isEqualTo(keyArnOf(EAST));
        assertThat(primary.tags()).containsEntry("team", "ci")
                .containsEntry(BuildkiteAgentToken.OWNER_TAG, "test-cluster/" + k8s.namespace + "/ci-token");
        SecretInfo replica = sm().secret(WEST, secretName()).orElseThrow();
        assertThat(replica.primaryRegion()).isEqualTo(EAST);
        assertThat(replica.currentValue()).isEqualTo(TOKEN_V1);
        assertThat(primary.replica(WEST).orElseThrow().status()).isEqualTo("InSync");

        assertThat(token.getStatus().secretArn).isEqualTo(primary.arn());
        assertThat(token.getStatus().accountId).isEqualTo("123456789012");
        assertThat(token.getStatus().parameterPath).isEqualTo("/aws/reference/secretsmanager/" + secretName());
        assertThat(token.getStatus().currentVersionId).isEqualTo(primary.currentVersionId().orElseThrow());
        assertThat(token.getStatus().regionsReady).isEqualTo("2/2");
        assertThat(token.getStatus().regions).extracting(r -> r.region + "/" + r.role + "/" + r.kmsKeyId + "/"
                + r.replicationStatus).containsExactly(
                        EAST + "/Primary/" + keyIdOf(EAST) + "/InSync",
                        WEST + "/Replica/" + keyIdOf(WEST) + "/InSync");
        assertThat(k8s.condition("ci-token", "SecretReady")).hasValueSatisfying(
                c -> assertThat(c.getStatus()).isEqualTo("True"));
        assertThat(k8s.condition("ci-token", "ReplicasInSync")).hasValueSatisfying(
                c -> assertThat(c.getStatus()).isEqualTo("True"));
        assertThat(k8s.events("ci-token")).extracting(e -> e.getReason())
                .contains("SecretCreated", "ReplicaAdded");
        // The version ID is the HMAC ClientRequestToken, never a bare hash of the value.
        assertThat(primary.currentVersionId().orElseThrow()).matches("[0-9a-f]{64}");
    }

    @Test
    void secondReconcileOfAConvergedResourceWritesNothing() {
        k8s.tokenSecret("agent-token", TOKEN_V1);
        k8s.apply(k8s.fixture("token.yaml"));
        k8s.awaitReady("ci-token");
        String version = k8s.get("ci-token").getStatus().currentVersionId;

        long writes = aws.calls().writeCount();
        long reads = aws.calls().count("secretsmanager", "GetSecretValue");
        long describes = aws.calls().count("secretsmanager", "DescribeSecret");
        k8s.requestReconcile("ci-token");
        org.awaitility.Awaitility.await().atMost(OperatorHarness.TIMEOUT)
                .until(() -> aws.calls().count("secretsmanager", "DescribeSecret") > describes);
        sleep(Duration.ofMillis(700));

        assertThat(aws.calls().writeCount()).isEqualTo(writes);
        assertThat(aws.calls().count("secretsmanager", "GetSecretValue")).as("no value read at steady state")
                .isEqualTo(reads);
        assertThat(k8s.get("ci-token").getStatus().currentVersionId).isEqualTo(version);
    }

    @Test
    void adoptsAnExistingSecretWithoutChangingItsValue() {
        String name = "buildkite/" + k8s.id + "/legacy-token";
        SecretInfo existing = sm().createSecret(EU, name, "bkua_legacy_value", null, java.util.Map.of());
        k8s.apply(k8s.fixture("adopt.yaml"));

        k8s.awaitReady("legacy-token");

        SecretInfo adopted = sm().secret(EU, name).orElseThrow();
        assertThat(adopted.currentVersionId()).isEqualTo(existing.currentVersionId());
        assertThat(adopted.currentValue()).isEqualTo("bkua_legacy_value");
        assertThat(adopted.tags()).containsEntry(BuildkiteAgentToken.OWNER_TAG,
                "test-cluster/" + k8s.namespace + "/legacy-token");
        assertThat(sm().secret(EU_CENTRAL, name).orElseThrow().currentValue()).isEqualTo("bkua_legacy_value");
        assertThat(k8s.get("legacy-token").getStatus().regions.get(0).kmsKeyId)
                .as("the AWS managed key, as a bare key ID")
                .isEqualTo(kms().awsManagedKey(EU).keyId());
        assertThat(k8s.events("legacy-token")).extracting(e -> e.getReason()).contains("SecretTagged");
    }

    @Test
    void addsARegionAddedToTheSpec() {
        k8s.tokenSecret("agent-token", TOKEN_V1);
        k8s.apply(k8s.fixture("token.yaml"));
        k8s.awaitReady("ci-token");

        k8s.edit("ci-token", t -> t.getSpec().getRegions().add(new RegionSpec(EU, alias(), List.of())));

        BuildkiteAgentToken token = k8s.awaitReady("ci-token");
        assertThat(sm().secret(EU, secretName()).orElseThrow().kmsKeyArn()).isEqualTo(keyArnOf(EU));
        assertThat(token.getStatus().regionsReady).isEqualTo("3/3");
        assertThat(token.getStatus().plan).extracting(p -> p.action + " " + p.region)
                .containsExactly("ReplicateSecret " + EU);
    }

    @Test
    void aTagDroppedFromTheSpecIsRemoved() {
        k8s.tokenSecret("agent-token", TOKEN_V1);
        k8s.apply(k8s.fixture("token.yaml"));
        k8s.awaitReady("ci-token");

        k8s.edit("ci-token", t -> t.getSpec().setTags(new java.util.LinkedHashMap<>(java.util.Map.of("cost", "42"))));

        org.awaitility.Awaitility.await().atMost(OperatorHarness.TIMEOUT).until(() -> {
            var tags = sm().secret(EAST, secretName()).orElseThrow().tags();
            return "42".equals(tags.get("cost")) && !tags.containsKey("team");
        });
        assertThat(sm().secret(EAST, secretName()).orElseThrow().tags())
                .containsEntry(BuildkiteAgentToken.OWNER_TAG, "test-cluster/" + k8s.namespace + "/ci-token");
        k8s.awaitEvent("ci-token", "SecretUntagged");
    }

    @Test
    void removesARegionThatLeavesTheSpec() {
        k8s.tokenSecret("agent-token", TOKEN_V1);
        k8s.apply(k8s.fixture("token.yaml"));
        k8s.awaitReady("ci-token");

        k8s.edit("ci-token", t -> t.getSpec().setRegions(new ArrayList<>(t.getSpec().getRegions().subList(0, 1))));

        k8s.awaitReady("ci-token");
        assertThat(sm().secret(EAST, secretName()).orElseThrow().replicas()).isEmpty();
        assertThat(sm().secret(WEST, secretName())).as("AWS deletes the replica").isEmpty();
        assertThat(k8s.events("ci-token")).extracting(e -> e.getReason()).contains("ReplicaRemoved");
    }

    @Test
    void changesAReplicasKeyInPlace() {
        k8s.tokenSecret("agent-token", TOKEN_V1);
        k8s.apply(k8s.fixture("token.yaml"));
        k8s.awaitReady("ci-token");
        String newKey = kms().createKey(WEST).keyId();
        long removals = aws.calls().count("secretsmanager", "RemoveRegionsFromReplication", EAST);

        k8s.edit("ci-token", t -> t.getSpec().getRegions().get(1).setKmsKeyId(newKey));

        BuildkiteAgentToken token = k8s.awaitCondition("ci-token", "ReplicasInSync", "True", "Converged");
        assertThat(token.getStatus().regions.get(1).kmsKeyId).isEqualTo(newKey);
        // The stack in that region still names the old key: Verify mode says exactly what to set.
        assertThat(k8s.condition("ci-token", "StacksConfigured").orElseThrow()).satisfies(c -> {
            assertThat(c.getReason()).isEqualTo("StackParametersMismatch");
            assertThat(c.getMessage()).contains(westStack()).contains("BuildkiteAgentTokenParameterStoreKMSKey=" + newKey);
        });
        assertThat(sm().secret(WEST, secretName()).orElseThrow().kmsKeyArn())
                .isEqualTo(kms().describe(WEST, newKey).orElseThrow().arn());
        assertThat(aws.calls().count("secretsmanager", "RemoveRegionsFromReplication", EAST))
                .as("never removed and re-added").isEqualTo(removals);
        assertThat(token.getStatus().plan).extracting(p -> p.action).contains("RekeyReplica")
                .doesNotContain("RemoveReplica", "ReplicateSecret");
    }

    @Test
    void sameKeyNamedByAnotherReferenceIsNotAChange() {
        k8s.tokenSecret("agent-token", TOKEN_V1);
        k8s.apply(k8s.fixture("token.yaml"));
        k8s.awaitReady("ci-token");
        long writes = aws.calls().writeCount();

        k8s.edit("ci-token", t -> t.getSpec().getRegions().get(1).setKmsKeyId(keyArnOf(WEST)));

        k8s.awaitReady("ci-token");
        assertThat(aws.calls().writeCount()).as("alias and ARN of one key compare equal").isEqualTo(writes);
    }

    @Test
    void sameNamedSecretInAReplicaRegionIsAConflictNeverOverwritten() {
        SecretInfo squatter = sm().createSecret(WEST, secretName(), "someone-elses-value", null, java.util.Map.of());
        long replications = aws.calls().count("secretsmanager", "ReplicateSecretToRegions");
        k8s.tokenSecret("agent-token", TOKEN_V1);
        k8s.apply(k8s.fixture("token.yaml"));

        k8s.awaitCondition("ci-token", "Stalled", "True", "ReplicaConflict");

        assertThat(k8s.condition("ci-token", "Ready").orElseThrow().getReason()).isEqualTo("ReplicaConflict");
        assertThat(k8s.condition("ci-token", "ReplicasInSync").orElseThrow().getMessage()).contains(WEST);
        assertThat(k8s.condition("ci-token", "SecretReady").orElseThrow().getStatus()).isEqualTo("True");
        SecretInfo after = sm().secret(WEST, secretName()).orElseThrow();
        assertThat(after.currentValue()).isEqualTo("someone-elses-value");
        assertThat(after.arn()).isEqualTo(squatter.arn());
        assertThat(aws.calls().count("secretsmanager", "ReplicateSecretToRegions")).isEqualTo(replications);
        assertThat(k8s.events("ci-token")).extracting(e -> e.getReason()).contains("ReconcileStalled");
    }

    @Test
    void requeuesWhileReplicationIsInProgress() {
        sm().setReplicationDelay(Duration.ofMinutes(1));
        try {
            k8s.tokenSecret("agent-token", TOKEN_V1);
            k8s.apply(k8s.fixture("token.yaml"));

            k8s.awaitCondition("ci-token", "Reconciling", "True", "ReplicationInProgress");
            assertThat(k8s.condition("ci-token", "ReplicasInSync").orElseThrow().getMessage()).contains(WEST);
            assertThat(k8s.get("ci-token").getStatus().regionsReady).isEqualTo("1/2");

            aws.clock().advance(Duration.ofMinutes(2)); // no event in Kubernetes: only the requeue notices
            k8s.awaitReady("ci-token");
        } finally {
            sm().setReplicationDelay(Duration.ZERO);
        }
    }

    @Test
    void missingKmsKeyInARegionIsReportedAndOtherRegionsProceed() {
        k8s.tokenSecret("agent-token", TOKEN_V1);
        BuildkiteAgentToken token = k8s.fixture("token.yaml");
        token.getSpec().getRegions().get(1).setKmsKeyId("alias/no-such-key-" + k8s.id);
        k8s.apply(token);

        k8s.awaitCondition("ci-token", "Stalled", "True", "KmsKeyNotFound");

        assertThat(k8s.condition("ci-token", "ReplicasInSync").orElseThrow().getMessage())
                .contains("alias/no-such-key-" + k8s.id).contains(WEST);
        assertThat(sm().secret(EAST, secretName())).as("the primary is still created").isPresent();
        assertThat(sm().secret(WEST, secretName())).isEmpty();
    }
}
