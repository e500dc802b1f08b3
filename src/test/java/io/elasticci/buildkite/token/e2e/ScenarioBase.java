package io.elasticci.buildkite.token.e2e;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

import io.elasticci.buildkite.token.api.v1alpha1.BuildkiteAgentToken;
import io.elasticci.buildkite.token.emulator.AwsEmulator;
import io.elasticci.buildkite.token.emulator.CloudFormationState;
import io.elasticci.buildkite.token.emulator.IamState;
import io.elasticci.buildkite.token.emulator.KmsState;
import io.elasticci.buildkite.token.emulator.SecretsManagerState;
import io.fabric8.kubernetes.client.KubernetesClient;

/**
 * Shared set-up of the end-to-end tests: every subclass carries the same Quarkus test annotations, so one
 * application (operator + mock Kubernetes API + emulator) serves them all. Each test gets its own namespace and
 * names, and a KMS key aliased alias/bk-ID in the regions the fixtures use.
 */
abstract class E2ETestBase {

    static final String EAST = "us-east-1";
    static final String WEST = "us-west-2";
    static final String EU = "eu-west-1";
    static final String EU_CENTRAL = "eu-central-1";
    static final String TOKEN_V1 = "bkua_e2e_first_token_value_0001";
    static final String TOKEN_V2 = "bkua_e2e_second_token_value_0002";

    @Inject
    KubernetesClient client;

    OperatorHarness k8s;
    AwsEmulator aws;

    @BeforeEach
    void setUpHarness() {
        k8s = new OperatorHarness(client);
        aws = k8s.aws();
        aws.faults().clear();
        for (String region : new String[] {EAST, WEST, EU, EU_CENTRAL}) {
            KmsState.KeyInfo key = kms().createKey(region);
            kms().createAlias(region, alias(), key.keyId());
        }
        // The stacks token.yaml names, configured for the token it declares.
        stack(EAST, eastStack(), CloudFormationState.StackShape.CURRENT);
        stack(WEST, westStack(), CloudFormationState.StackShape.FIXED_SIZE);
    }

    /** An Elastic CI Stack whose token parameters are right for {@link #secretName()}. */
    CloudFormationState.StackInfo stack(String region, String name, CloudFormationState.StackShape shape) {
        return cfn().elasticCiStack(region, name).shape(shape)
                .tokenParameters("/aws/reference/secretsmanager/" + secretName(), keyIdOf(region)).create();
    }

    String eastStack() {
        return "ci-" + k8s.id;
    }

    String westStack() {
        return "ci-west-" + k8s.id;
    }

    CloudFormationState cfn() {
        return aws.cloudFormation(AwsEmulator.DEFAULT_ACCOUNT);
    }

    IamState iam() {
        return aws.iam(AwsEmulator.DEFAULT_ACCOUNT);
    }

    @AfterEach
    void removeResources() {
        aws.faults().clear();
        client.resources(BuildkiteAgentToken.class).inNamespace(k8s.namespace).delete();
    }

    /** A real pause: for checking that nothing happens. */
    static void sleep(java.time.Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    String alias() {
        return "alias/bk-" + k8s.id;
    }

    KmsState kms() {
        return aws.kms(AwsEmulator.DEFAULT_ACCOUNT);
    }

    SecretsManagerState sm() {
        return aws.secretsManager(AwsEmulator.DEFAULT_ACCOUNT);
    }

    String secretName() {
        return "buildkite/" + k8s.id + "/agent-token";
    }

    String keyIdOf(String region) {
        return kms().describe(region, alias()).orElseThrow().keyId();
    }

    String keyArnOf(String region) {
        return kms().describe(region, alias()).orElseThrow().arn();
    }
}
