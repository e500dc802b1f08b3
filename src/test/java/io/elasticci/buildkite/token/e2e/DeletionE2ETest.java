package io.elasticci.buildkite.token.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import io.elasticci.buildkite.token.api.v1alpha1.BuildkiteAgentToken;
import io.elasticci.buildkite.token.api.v1alpha1.DeletionPolicy;
import io.elasticci.buildkite.token.emulator.SecretsManagerState.SecretInfo;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;

/** Deleting a BuildkiteAgentToken: its grants go, then its ownership (Retain) or its replicas and secret (Delete). */
@QuarkusTest
@WithKubernetesTestServer
@QuarkusTestResource(value = EmulatorResource.class, restrictToAnnotatedClass = true)
class DeletionE2ETest extends E2ETestBase {

    private static final String FOREIGN = "{\"Sid\":\"Audit\",\"Effect\":\"Allow\",\"Principal\":{\"AWS\":"
            + "\"arn:aws:iam::123456789012:root\"},\"Action\":\"secretsmanager:DescribeSecret\",\"Resource\":\"*\"}";

    private BuildkiteAgentToken readyToken(DeletionPolicy policy, Integer recoveryWindow) {
        k8s.tokenSecret("agent-token", TOKEN_V1);
        BuildkiteAgentToken token = k8s.fixture("token.yaml");
        token.getSpec().setDeletionPolicy(policy);
        token.getSpec().setRecoveryWindowInDays(recoveryWindow);
        k8s.apply(token);
        BuildkiteAgentToken ready = k8s.awaitReady("ci-token");
        assertThat(ready.getMetadata().getFinalizers()).containsExactly(
                "buildkiteagenttokens." + BuildkiteAgentToken.GROUP + "/finalizer");
        assertStackReadsToken(EAST, cfn().stackOrThrow(EAST, eastStack()));
        return ready;
    }

    /** Someone else's statement next to ours, as a security team might add. */
    private void addForeignStatement() throws Exception {
        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
        com.fasterxml.jackson.databind.node.ObjectNode policy = (com.fasterxml.jackson.databind.node.ObjectNode) json
                .readTree(sm().resourcePolicy(EAST, secretName()).orElseThrow());
        com.fasterxml.jackson.databind.JsonNode existing = policy.get("Statement");
        com.fasterxml.jackson.databind.node.ArrayNode statements = json.createArrayNode().add(json.readTree(FOREIGN));
        if (existing.isArray()) {
            existing.forEach(statements::add);
        } else {
            statements.add(existing);
        }
        policy.set("Statement", statements);
        sm().setResourcePolicy(EAST, secretName(), json.writeValueAsString(policy));
        assertThat(sm().resourcePolicy(EAST, secretName()).orElseThrow()).contains("Audit");
    }

    /** token.yaml as {@code name} with deletionPolicy Delete, refused the secret (SecretClaimed), then deleted. */
    private long deleteAResourceThatFindsTheSecretClaimed(String name) {
        BuildkiteAgentToken token = k8s.fixture("token.yaml");
        token.getMetadata().setName(name);
        token.getSpec().setDeletionPolicy(DeletionPolicy.Delete);
        k8s.apply(token);
        k8s.awaitCondition(name, "Stalled", "True", "SecretClaimed");
        long writes = aws.calls().writeCount();
        k8s.delete(name);
        k8s.awaitGone(name);
        return writes;
    }

    @Test
    void retainRemovesEveryGrantAndTheOwnerTagAndKeepsTheSecretWithItsReplicas() throws Exception {
        readyToken(null, null);
        addForeignStatement();

        k8s.delete("ci-token");
        k8s.awaitGone("ci-token");

        SecretInfo secret = sm().secret(EAST, secretName()).orElseThrow();
        assertThat(secret.scheduledForDeletion()).isFalse();
        assertThat(secret.currentValue()).isEqualTo(TOKEN_V1);
        assertThat(secret.replica(WEST)).isPresent();
        assertThat(secret.tags()).doesNotContainKeys(BuildkiteAgentToken.OWNER_TAG,
                BuildkiteAgentToken.MANAGED_TAGS_TAG).containsEntry("team", "ci");
        assertThat(sm().resourcePolicy(EAST, secretName()).orElseThrow()).as("the foreign statement, verbatim")
                .contains("Audit").doesNotContain("BuildkiteAgentToken");
        assertStackHasNoGrant(EAST, cfn().stackOrThrow(EAST, eastStack()));
        assertStackHasNoGrant(WEST, cfn().stackOrThrow(WEST, westStack()));
        assertThat(k8s.events("ci-token")).extracting(e -> e.getReason()).contains("DeletionFinished",
                "RolePolicyRemoved", "ResourcePolicyApplied", "SecretUntagged");
    }

    @Test
    void deleteRemovesTheReplicasAndSchedulesTheSecretsDeletionWithItsRecoveryWindow() {
        readyToken(DeletionPolicy.Delete, 7);
        long forced = aws.calls().calls("secretsmanager", "DeleteSecret").stream()
                .filter(c -> c.toString().contains("ForceDeleteWithoutRecovery")).count();

        k8s.delete("ci-token");
        k8s.awaitGone("ci-token");

        SecretInfo secret = sm().secret(EAST, secretName()).orElseThrow();
        assertThat(secret.scheduledForDeletion()).isTrue();
        assertThat(Duration.between(secret.deletedDate(), secret.deletionDate())).isEqualTo(Duration.ofDays(7));
        assertThat(secret.replicas()).isEmpty();
        assertThat(sm().secret(WEST, secretName())).as("the replica is gone").isEmpty();
        assertThat(sm().resourcePolicy(EAST, secretName())).isEmpty();
        assertStackHasNoGrant(EAST, cfn().stackOrThrow(EAST, eastStack()));
        assertStackHasNoGrant(WEST, cfn().stackOrThrow(WEST, westStack()));
        assertThat(aws.calls().calls("secretsmanager", "DeleteSecret").stream()
                .filter(c -> c.toString().contains("ForceDeleteWithoutRecovery")).count()).isEqualTo(forced);
        assertThat(k8s.events("ci-token")).extracting(e -> e.getReason()).contains("ReplicaRemoved",
                "SecretDeletionScheduled", "DeletionFinished");

        k8s.apply(k8s.fixture("token.yaml"));
        k8s.awaitCondition("ci-token", "Stalled", "True", "SecretScheduledForDeletion");
        assertThat(k8s.condition("ci-token", "Ready").orElseThrow().getMessage())
                .contains("aws secretsmanager restore-secret --secret-id " + secretName() + " --region " + EAST);
    }

    @Test
    void aDeletionThatCannotFinishKeepsTheFinalizerSaysWhereAndWhyAndFinishesOnceAwsAnswers() {
        readyToken(DeletionPolicy.Delete, null);
        aws.faults().regionOutage(WEST, true);

        k8s.delete("ci-token");

        BuildkiteAgentToken stuck = k8s.awaitCondition("ci-token", "Ready", "False", "RegionUnavailable");
        assertThat(stuck.getMetadata().getDeletionTimestamp()).isNotNull();
        assertThat(k8s.condition("ci-token", "Ready").orElseThrow().getMessage()).startsWith("deleting: ")
                .contains(WEST);
        assertThat(k8s.condition("ci-token", "Reconciling").orElseThrow().getStatus()).isEqualTo("True");
        assertThat(sm().secret(EAST, secretName()).orElseThrow().scheduledForDeletion()).isFalse();

        aws.faults().regionOutage(WEST, false);

        k8s.awaitGone("ci-token");
        assertThat(sm().secret(EAST, secretName()).orElseThrow().scheduledForDeletion()).isTrue();
    }

    @Test
    void aSecretAnotherResourceOwnsIsNeverTouched() {
        sm().createSecret(EAST, secretName(), "bkua_theirs", null,
                java.util.Map.of(BuildkiteAgentToken.OWNER_TAG, "other-cluster/ns/their-token"));
        k8s.tokenSecret("agent-token", TOKEN_V1);
        long writes = deleteAResourceThatFindsTheSecretClaimed("ci-token");

        SecretInfo secret = sm().secret(EAST, secretName()).orElseThrow();
        assertThat(secret.scheduledForDeletion()).isFalse();
        assertThat(secret.tags()).containsEntry(BuildkiteAgentToken.OWNER_TAG, "other-cluster/ns/their-token");
        assertThat(aws.calls().writeCount()).as("nothing written").isEqualTo(writes);
    }

    @Test
    void aSecondResourceTakesOverARetainedSecretWithoutAGapInAnyStacksAccess() {
        k8s.tokenSecret("agent-token", TOKEN_V1);
        BuildkiteAgentToken first = k8s.fixture("token.yaml");
        first.getSpec().setRetainGrants(true);
        k8s.apply(first);
        k8s.awaitReady("ci-token");
        BuildkiteAgentToken second = k8s.fixture("token.yaml");
        second.getMetadata().setName("ci-token-next");
        k8s.apply(second);
        k8s.awaitCondition("ci-token-next", "Stalled", "True", "SecretClaimed");

        k8s.delete("ci-token");
        k8s.awaitGone("ci-token");

        assertThat(sm().secret(EAST, secretName()).orElseThrow().tags()).doesNotContainKey(BuildkiteAgentToken.OWNER_TAG)
                .containsKey(BuildkiteAgentToken.RETAINED_GRANTS_TAG);
        assertStackReadsToken(EAST, cfn().stackOrThrow(EAST, eastStack()));
        assertStackReadsToken(WEST, cfn().stackOrThrow(WEST, westStack()));

        k8s.requestReconcile("ci-token-next");
        k8s.awaitReady("ci-token-next");

        assertThat(sm().secret(EAST, secretName()).orElseThrow().tags()).containsEntry(BuildkiteAgentToken.OWNER_TAG,
                "test-cluster/" + k8s.namespace + "/ci-token-next");
        assertStackReadsToken(EAST, cfn().stackOrThrow(EAST, eastStack()));
        assertStackReadsToken(WEST, cfn().stackOrThrow(WEST, westStack()));
        assertThat(sm().secret(EAST, secretName()).orElseThrow().currentValue()).isEqualTo(TOKEN_V1);

        // The new owner removes what the old one retained, once its own grants are in place: nothing lingers.
        String oldSid = "BuildkiteAgentToken" + io.elasticci.buildkite.token.plan.PolicyDocuments.ownerHash(
                "test-cluster/" + k8s.namespace + "/ci-token");
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30)).until(() -> !sm()
                .secret(EAST, secretName()).orElseThrow().tags().containsKey(BuildkiteAgentToken.RETAINED_GRANTS_TAG));
        assertThat(sm().resourcePolicy(EAST, secretName()).orElseThrow()).doesNotContain(oldSid);
        for (var stack : java.util.List.of(cfn().stackOrThrow(EAST, eastStack()), cfn().stackOrThrow(WEST,
                westStack()))) {
            for (var role : stack.roles()) {
                assertThat(iam().inlinePolicies(role.name()).keySet()).as("inline policies of %s", role.name())
                        .filteredOn(n -> n.startsWith("BuildkiteAgentToken")).containsExactly("BuildkiteAgentToken-" + io.elasticci.buildkite.token.plan.PolicyDocuments
                                .ownerHash("test-cluster/" + k8s.namespace + "/ci-token-next"));
            }
        }
        assertStackReadsToken(EAST, cfn().stackOrThrow(EAST, eastStack()));
        assertStackReadsToken(WEST, cfn().stackOrThrow(WEST, westStack()));
    }

    @Test
    void deletingTheSecondOfTwoResourcesDeclaringOneSecretLeavesTheFirstUntouched() {
        readyToken(null, null);

        long writes = deleteAResourceThatFindsTheSecretClaimed("ci-token-twin");

        assertThat(aws.calls().writeCount()).as("the twin never wrote, so its deletion writes nothing").isEqualTo(writes);
        SecretInfo secret = sm().secret(EAST, secretName()).orElseThrow();
        assertThat(secret.scheduledForDeletion()).isFalse();
        assertThat(secret.tags()).containsEntry(BuildkiteAgentToken.OWNER_TAG,
                "test-cluster/" + k8s.namespace + "/ci-token");
        assertStackReadsToken(EAST, cfn().stackOrThrow(EAST, eastStack()));
        assertStackReadsToken(WEST, cfn().stackOrThrow(WEST, westStack()));
        k8s.requestReconcile("ci-token");
        k8s.awaitReady("ci-token");
    }
}
