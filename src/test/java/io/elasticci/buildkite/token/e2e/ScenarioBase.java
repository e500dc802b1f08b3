package io.elasticci.buildkite.token.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

import io.elasticci.buildkite.token.api.v1alpha1.BuildkiteAgentToken;
import io.elasticci.buildkite.token.emulator.AwsEmulator;
import io.elasticci.buildkite.token.emulator.CloudFormationState;
import io.elasticci.buildkite.token.emulator.CloudFormationState.StackInfo;
import io.elasticci.buildkite.token.emulator.IamState;
import io.elasticci.buildkite.token.emulator.KmsState;
import io.elasticci.buildkite.token.emulator.SecretsManagerState;
import io.fabric8.kubernetes.client.KubernetesClient;

/**
 * Shared set-up of the end-to-end tests, in process ({@link E2ETestBase}) and on the packaged jar: each test gets its
 * own namespace and names, a KMS key aliased alias/bk-ID in the regions the fixtures use, and the stacks token.yaml
 * names. Subclasses say which Kubernetes API and AWS emulator the operator under test uses.
 */
public abstract class ScenarioBase {

    static {
        // An operator thread's exception (say, JOSDK scheduling a retry while a test application stops) is the
        // operator's business, judged by status: it must not fail whichever test happens to be awaiting.
        org.awaitility.Awaitility.doNotCatchUncaughtExceptionsByDefault();
    }


    protected static final String EAST = "us-east-1";
    protected static final String WEST = "us-west-2";
    protected static final String EU = "eu-west-1";
    protected static final String EU_CENTRAL = "eu-central-1";
    protected static final String TOKEN_V1 = "bkua_e2e_first_token_value_0001";
    protected static final String TOKEN_V2 = "bkua_e2e_second_token_value_0002";

    protected OperatorHarness k8s;
    protected AwsEmulator aws;

    /** The Kubernetes API the operator watches. */
    protected abstract KubernetesClient kubernetes();

    /** The AWS the operator acts on. */
    protected abstract AwsEmulator emulator();

    /** Runs before each test's fixtures are made. */
    protected void beforeFixtures() {
    }

    @BeforeEach
    void setUpHarness() {
        beforeFixtures();
        k8s = new OperatorHarness(kubernetes(), emulator());
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
    protected CloudFormationState.StackInfo stack(String region, String name, CloudFormationState.StackShape shape) {
        return cfn().elasticCiStack(region, name).shape(shape)
                .tokenParameters("/aws/reference/secretsmanager/" + secretName(), keyIdOf(region)).create();
    }

    protected String eastStack() {
        return "ci-" + k8s.id;
    }

    protected String westStack() {
        return "ci-west-" + k8s.id;
    }

    protected CloudFormationState cfn() {
        return aws.cloudFormation(AwsEmulator.DEFAULT_ACCOUNT);
    }

    protected IamState iam() {
        return aws.iam(AwsEmulator.DEFAULT_ACCOUNT);
    }

    /**
     * Deletes the test's resources and waits for their finalizers, so a deletion's AWS calls never land in the next
     * test. A deletion that waits for a person (Stalled) has its finalizer removed, as its message tells a user to.
     */
    @AfterEach
    void removeResources() {
        aws.faults().clear();
        var resources = kubernetes().resources(BuildkiteAgentToken.class).inNamespace(k8s.namespace);
        resources.delete();
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30))
                .pollInterval(java.time.Duration.ofMillis(100)).until(() -> {
                    resources.list().getItems().stream().filter(ScenarioBase::deletionWaitsByDesign)
                            .forEach(t -> removeFinalizers(t.getMetadata().getName()));
                    return resources.list().getItems().isEmpty();
                });
    }

    /** A deletion that needs a person (Stalled): a spec this build cannot read, someone else's invalid statement. */
    private static boolean deletionWaitsByDesign(BuildkiteAgentToken token) {
        return token.getMetadata().getDeletionTimestamp() != null && token.getStatus() != null
                && token.getStatus().conditions.stream().anyMatch(c -> "Stalled".equals(c.getType())
                        && "True".equals(c.getStatus()));
    }

    private void removeFinalizers(String name) {
        try {
            kubernetes().genericKubernetesResources(BuildkiteAgentToken.GROUP + "/" + BuildkiteAgentToken.VERSION,
                    "BuildkiteAgentToken").inNamespace(k8s.namespace).withName(name)
                    .patch(io.fabric8.kubernetes.client.dsl.base.PatchContext.of(
                            io.fabric8.kubernetes.client.dsl.base.PatchType.JSON_MERGE),
                            "{\"metadata\":{\"finalizers\":null}}");
        } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
            if (e.getCode() != 404) { // gone between the list and the patch: what the patch was for
                throw e;
            }
        }
    }

    /** A real pause: for checking that nothing happens. */
    protected static void sleep(java.time.Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    protected String alias() {
        return "alias/bk-" + k8s.id;
    }

    protected KmsState kms() {
        return aws.kms(AwsEmulator.DEFAULT_ACCOUNT);
    }

    protected SecretsManagerState sm() {
        return aws.secretsManager(AwsEmulator.DEFAULT_ACCOUNT);
    }

    protected String secretName() {
        return "buildkite/" + k8s.id + "/agent-token";
    }

    protected String keyIdOf(String region) {
        return kms().describe(region, alias()).orElseThrow().keyId();
    }

    protected String keyArnOf(String region) {
        return kms().describe(region, alias()).orElseThrow().arn();
    }

    /** Everything a stack needs to read the token, checked in AWS's own terms. */
    protected void assertStackReadsToken(String region, StackInfo stack) {
        assertStackReadsToken(secretName(), region, stack);
    }

    /** Everything a stack needs to read the token of that secret (primary in us-east-1). */
    protected void assertStackReadsToken(String secretName, String region, StackInfo stack) {
        for (var role : stack.roles()) {
            assertThat(sm().policyGrants(EAST, secretName, role.arn(), "secretsmanager:GetSecretValue"))
                    .as("policy grants %s", role.name()).isTrue();
            String parameter = "arn:aws:ssm:" + region + ":123456789012:parameter/aws/reference/secretsmanager/"
                    + secretName;
            assertThat(iam().allows(role.name(), "ssm:GetParameter", parameter, Map.of()))
                    .as("%s may read the parameter", role.name()).isTrue();
            assertThat(iam().allows(role.name(), "kms:Decrypt", keyArnOf(region),
                    Map.of("kms:ViaService", "secretsmanager." + region + ".amazonaws.com")))
                    .as("%s may decrypt", role.name()).isTrue();
        }
    }

    /** No grant of ours is left for the stack's roles: neither the resource policy nor an inline policy. */
    protected void assertStackHasNoGrant(String region, StackInfo stack) {
        for (var role : stack.roles()) {
            assertThat(sm().policyGrants(EAST, secretName(), role.arn(), "secretsmanager:GetSecretValue"))
                    .as("policy grants %s", role.name()).isFalse();
            assertThat(iam().inlinePolicies(role.name()).keySet()).as("inline policies of %s", role.name())
                    .noneMatch(name -> name.startsWith("BuildkiteAgentToken"));
        }
    }
}
