package io.elasticci.buildkite.token.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import io.elasticci.buildkite.token.api.v1alpha1.BuildkiteAgentToken;
import io.elasticci.buildkite.token.emulator.AwsEmulator;
import io.elasticci.buildkite.token.emulator.CloudFormationState.RoleRef;
import io.elasticci.buildkite.token.emulator.CloudFormationState.StackShape;
import io.elasticci.buildkite.token.emulator.IamState;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;

/**
 * The packaged operator with {@code BKAT_AWS_IAM_ACCOUNT_READS=true}: it learns the stacks' roles and its inline
 * policies from GetAccountAuthorizationDetails, never role by role, and still repairs an inline policy someone removed
 * once the account read is renewed (here every 3 s instead of 15 minutes).
 */
class IamAccountReadsIT {

    private static final String NAMESPACE = "teams";
    private static final String REGION = "us-east-1";
    private static final String PARAMETER = "/aws/reference/secretsmanager/buildkite/ci/agent-token";

    private static List<String> ours(IamState iam, RoleRef role) {
        return iam.inlinePolicies(role.name()).keySet().stream().filter(n -> n.startsWith("BuildkiteAgentToken-"))
                .toList();
    }

    @Test
    void grantsStacksFromAccountReadsAndRepairsDriftWithoutPerRoleReads() {
        try (StandaloneOperators servers = new StandaloneOperators("iam-account-reads", "kube-system", NAMESPACE)) {
            var key = servers.aws.kms(AwsEmulator.DEFAULT_ACCOUNT).createKey(REGION);
            servers.aws.kms(AwsEmulator.DEFAULT_ACCOUNT).createAlias(REGION, "alias/buildkite", key.keyId());
            var cfn = servers.aws.cloudFormation(AwsEmulator.DEFAULT_ACCOUNT);
            List<RoleRef> roles = List.of(
                    cfn.elasticCiStack(REGION, "ci-one").shape(StackShape.CURRENT)
                            .tokenParameters(PARAMETER, key.keyId()).create(),
                    cfn.elasticCiStack(REGION, "ci-two").shape(StackShape.FIXED_SIZE)
                            .tokenParameters(PARAMETER, key.keyId()).create())
                    .stream().flatMap(s -> s.roles().stream()).toList();
            servers.api.client().resource(new SecretBuilder().withNewMetadata().withName("agent-token")
                    .withNamespace(NAMESPACE).endMetadata().addToStringData("token", "bkua_account_reads").build())
                    .create();
            BuildkiteAgentToken token = Serialization.unmarshal("""
                    apiVersion: buildkite.elasticci.io/v1alpha1
                    kind: BuildkiteAgentToken
                    metadata:
                      name: ci
                      namespace: teams
                    spec:
                      secretName: buildkite/ci/agent-token
                      primaryRegion: us-east-1
                      regions:
                        - region: us-east-1
                          kmsKeyId: alias/buildkite
                          stacks: [ci-one, ci-two]
                      tokenSecretRef:
                        name: agent-token
                        key: token
                    """, BuildkiteAgentToken.class);
            Map<String, String> env = servers.environment(NAMESPACE);
            env.put("BKAT_AWS_IAM_ACCOUNT_READS", "true");
            env.put("BKAT_AWS_INLINE_POLICY_CACHE_TTL", "PT3S");
            env.put("BKAT_RESYNC_INTERVAL", "PT2S");
            IamState iam = servers.aws.iam(AwsEmulator.DEFAULT_ACCOUNT);
            try (PackagedOperator operator = PackagedOperator.start("iam-account-reads", env).awaitStarted()) {
                servers.api.client().resource(token).create();
                assertThat(servers.awaitReady(NAMESPACE, "ci", "True").getReason()).isEqualTo("Converged");

                assertThat(roles).allSatisfy(r -> assertThat(ours(iam, r)).hasSize(1));
                assertThat(servers.aws.calls().count("iam", "GetAccountAuthorizationDetails")).isPositive();

                RoleRef edited = roles.get(0);
                String policy = ours(iam, edited).get(0);
                iam.deleteInlinePolicy(edited.name(), policy);
                Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250))
                        .until(() -> iam.inlinePolicies(edited.name()).containsKey(policy));

                assertThat(servers.aws.calls().count("iam", "GetRole")).as("roles learnt from account reads")
                        .isZero();
                assertThat(servers.aws.calls().count("iam", "GetRolePolicy")).as("policies learnt from account reads")
                        .isZero();
                assertThat(servers.aws.calls().count("iam", "PutRolePolicy")).as("one per role, and the repair")
                        .isEqualTo(roles.size() + 1);
                assertThat(operator.log()).doesNotContain("bkua_account_reads");
            }
        }
    }
}
