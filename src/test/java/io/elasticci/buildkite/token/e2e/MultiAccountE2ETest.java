package io.elasticci.buildkite.token.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import org.junit.jupiter.api.Test;

import io.elasticci.buildkite.token.api.v1alpha1.AwsAccessSpec;
import io.elasticci.buildkite.token.api.v1alpha1.BuildkiteAgentToken;
import io.elasticci.buildkite.token.emulator.AwsEmulator;
import io.elasticci.buildkite.token.emulator.CallLog;
import io.elasticci.buildkite.token.emulator.SecretsManagerState;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;

/** spec.aws: every call of a resource acts in another account, through a role assumed with an external ID. */
@QuarkusTest
@WithKubernetesTestServer
@QuarkusTestResource(value = EmulatorResource.class, restrictToAnnotatedClass = true)
class MultiAccountE2ETest extends E2ETestBase {

    private static final String TARGET = "210987654321";

    private String role() {
        return "token-operator-" + k8s.id;
    }

    private String roleArn() {
        return "arn:aws:iam::" + TARGET + ":role/" + role();
    }

    private SecretsManagerState targetSecrets() {
        return aws.secretsManager(TARGET);
    }

    /** The target account's role, trusting the operator's account with an external ID; a secret to adopt there. */
    private void targetAccount() {
        aws.iam(TARGET).createRoleTrusting(role(), "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
                + "\"Principal\":{\"AWS\":\"arn:aws:iam::" + AwsEmulator.DEFAULT_ACCOUNT + ":root\"},\"Action\":"
                + "\"sts:AssumeRole\",\"Condition\":{\"StringEquals\":{\"sts:ExternalId\":\"bkat-" + k8s.id + "\"}}}]}");
        targetSecrets().createSecret(EAST, "buildkite/" + k8s.id + "/legacy-token", "bkua_in_target", null, Map.of());
    }

    private BuildkiteAgentToken adopting(String externalId, String expectedAccount) {
        BuildkiteAgentToken token = k8s.fixture("adopt.yaml");
        token.getSpec().setPrimaryRegion(EAST);
        token.getSpec().getRegions().get(0).setRegion(EAST);
        token.getSpec().getRegions().subList(1, token.getSpec().getRegions().size()).clear();
        AwsAccessSpec access = new AwsAccessSpec();
        access.setRoleArn(roleArn());
        access.setExternalId(externalId);
        token.getSpec().setAws(access);
        token.getSpec().setExpectedAccountId(expectedAccount);
        return token;
    }

    @Test
    void actsInTheTargetAccountThroughTheAssumedRoleAndNeverInItsOwn() {
        targetAccount();
        long assumedBefore = aws.calls().count("sts", "AssumeRole");
        k8s.apply(adopting("bkat-" + k8s.id, TARGET));

        BuildkiteAgentToken ready = k8s.awaitReady("legacy-token");

        assertThat(ready.getStatus().accountId).isEqualTo(TARGET);
        assertThat(targetSecrets().secret(EAST, "buildkite/" + k8s.id + "/legacy-token").orElseThrow().tags())
                .containsEntry(BuildkiteAgentToken.OWNER_TAG, "test-cluster/" + k8s.namespace + "/legacy-token");
        assertThat(sm().secret(EAST, "buildkite/" + k8s.id + "/legacy-token")).as("nothing in the operator's account")
                .isEmpty();
        assertThat(aws.calls().all()).filteredOn(c -> "TagResource".equals(c.operation()))
                .extracting(CallLog.Call::account).contains(TARGET).doesNotContain(AwsEmulator.DEFAULT_ACCOUNT);

        // The emulator's clock stands in 2025 here, so the SDK sees its sessions expired and assumes again: that the
        // credentials are cached and refreshed before expiry is shown on the jar, whose emulator keeps real time.
        assertThat(aws.calls().count("sts", "AssumeRole")).isGreaterThan(assumedBefore);

        k8s.delete("legacy-token");
        k8s.awaitGone("legacy-token");
        assertThat(targetSecrets().secret(EAST, "buildkite/" + k8s.id + "/legacy-token").orElseThrow().tags())
                .as("released in the target account").doesNotContainKey(BuildkiteAgentToken.OWNER_TAG);
    }

    @Test
    void aWrongExternalIdIsAccessDeniedNamingAssumeRoleAndWritesNothing() {
        targetAccount();
        long writes = aws.calls().writeCount();
        k8s.apply(adopting("not-the-external-id", TARGET));

        k8s.awaitCondition("legacy-token", "Ready", "False", "AccessDenied");

        assertThat(k8s.condition("legacy-token", "Ready").orElseThrow().getMessage()).contains("sts:AssumeRole")
                .contains(roleArn());
        assertThat(aws.calls().writeCount()).isEqualTo(writes);
    }

    @Test
    void expectedAccountIdIsCheckedAgainstTheAssumedIdentity() {
        targetAccount();
        long writes = aws.calls().writeCount();
        k8s.apply(adopting("bkat-" + k8s.id, AwsEmulator.DEFAULT_ACCOUNT));

        k8s.awaitCondition("legacy-token", "Stalled", "True", "AccountMismatch");

        assertThat(k8s.condition("legacy-token", "Ready").orElseThrow().getMessage()).contains(TARGET);
        assertThat(aws.calls().writeCount()).isEqualTo(writes);
    }
}
