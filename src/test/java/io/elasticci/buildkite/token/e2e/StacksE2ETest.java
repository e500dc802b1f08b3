package io.elasticci.buildkite.token.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.elasticci.buildkite.token.api.v1alpha1.BuildkiteAgentToken;
import io.elasticci.buildkite.token.api.v1alpha1.Mode;
import io.elasticci.buildkite.token.api.v1alpha1.RegionSpec;
import io.elasticci.buildkite.token.api.v1alpha1.StackStatus;
import io.elasticci.buildkite.token.emulator.CloudFormationState.StackInfo;
import io.elasticci.buildkite.token.emulator.CloudFormationState.StackShape;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;

/** Stacks: roles discovered, granted by the resource policy and inline policies, parameters verified or managed. */
@QuarkusTest
@WithKubernetesTestServer
@QuarkusTestResource(value = EmulatorResource.class, restrictToAnnotatedClass = true)
class StacksE2ETest extends E2ETestBase {

    private static final String GET = "secretsmanager:GetSecretValue";

    private BuildkiteAgentToken applyReadyToken() {
        k8s.tokenSecret("agent-token", TOKEN_V1);
        k8s.apply(k8s.fixture("token.yaml"));
        return k8s.awaitReady("ci-token");
    }

    private static StackStatus stackStatus(BuildkiteAgentToken token, String region, String name) {
        return token.getStatus().regions.stream().filter(r -> r.region.equals(region))
                .flatMap(r -> r.stacks.stream()).filter(s -> s.name.equals(name)).findFirst().orElseThrow();
    }

    @Test
    void everyStackShapeIsDiscoveredAndCanReadTheToken() {
        String legacy = "legacy-" + k8s.id;
        String custom = "custom-" + k8s.id;
        var customRole = iam().createRole("custom-agents-" + k8s.id);
        stack(WEST, legacy, StackShape.LEGACY);
        cfn().elasticCiStack(WEST, custom).shape(StackShape.CUSTOM_INSTANCE_ROLE).instanceRoleArn(customRole.arn())
                .tokenParameters("/aws/reference/secretsmanager/" + secretName(), keyIdOf(WEST)).create();
        k8s.tokenSecret("agent-token", TOKEN_V1);
        BuildkiteAgentToken token = k8s.fixture("token.yaml");
        token.getSpec().getRegions().get(1).setStacks(List.of(westStack(), legacy, custom));
        k8s.apply(token);

        BuildkiteAgentToken ready = k8s.awaitReady("ci-token");

        StackInfo current = cfn().stackOrThrow(EAST, eastStack());
        assertThat(stackStatus(ready, EAST, eastStack())).satisfies(s -> {
            assertThat(s.instanceRole.arn).isEqualTo(current.instanceRole().arn());
            assertThat(s.instanceRole.roleId).isEqualTo(current.instanceRole().roleId()).startsWith("AROA");
            assertThat(s.scalerRoles).extracting(r -> r.arn).containsExactly(current.scalerRoles().get(0).arn());
            assertThat(s.autoScalingGroup).isEqualTo(current.autoScalingGroupName());
            assertThat(s.parametersValid).isTrue();
            assertThat(s.expectedParameters).containsEntry("BuildkiteAgentTokenParameterStoreKMSKey", keyIdOf(EAST));
        });
        assertThat(stackStatus(ready, WEST, westStack()).scalerRoles).as("fixed size: no scaler").isEmpty();
        assertThat(stackStatus(ready, WEST, legacy).scalerRoles).extracting(r -> r.arn)
                .containsExactly(cfn().stackOrThrow(WEST, legacy).scalerRoles().get(0).arn());
        assertThat(stackStatus(ready, WEST, custom).instanceRole.arn).isEqualTo(customRole.arn());
        assertThat(ready.getStatus().stacksReady).isEqualTo("4/4");
        assertStackReadsToken(EAST, current);
        for (String name : List.of(westStack(), legacy, custom)) {
            assertStackReadsToken(WEST, cfn().stackOrThrow(WEST, name));
        }
        assertThat(sm().resourcePolicy(WEST, secretName())).as("replicas receive the policy").isPresent();
        assertThat(k8s.condition("ci-token", "ResourcePolicyApplied").orElseThrow().getStatus()).isEqualTo("True");
        assertThat(k8s.condition("ci-token", "PermissionsGranted").orElseThrow().getStatus()).isEqualTo("True");
        assertThat(k8s.condition("ci-token", "StacksConfigured").orElseThrow().getStatus()).isEqualTo("True");
    }

    @Test
    void steadyStateWithStacksWritesNothing() {
        applyReadyToken();
        long writes = aws.calls().writeCount();
        long describes = aws.calls().count("cloudformation", "DescribeStacks");
        k8s.requestReconcile("ci-token");
        org.awaitility.Awaitility.await().atMost(OperatorHarness.TIMEOUT)
                .until(() -> aws.calls().count("cloudformation", "DescribeStacks") > describes);
        sleep(Duration.ofMillis(700));
        assertThat(aws.calls().writes()).as("writes after a second reconcile").hasSize((int) writes);
    }

    @Test
    void addingAndRemovingAStackGrantsAndRevokes() {
        applyReadyToken();
        String extra = "extra-" + k8s.id;
        StackInfo added = stack(EAST, extra, StackShape.CURRENT);

        k8s.edit("ci-token", t -> t.getSpec().getRegions().get(0).setStacks(List.of(eastStack(), extra)));
        k8s.awaitCondition("ci-token", "Ready", "True", "Converged");
        k8s.await("ci-token", t -> "3/3".equals(t.getStatus().stacksReady));
        assertStackReadsToken(EAST, added);

        k8s.edit("ci-token", t -> t.getSpec().getRegions().get(0).setStacks(List.of(eastStack())));
        k8s.await("ci-token", t -> "2/2".equals(t.getStatus().stacksReady));
        k8s.awaitReady("ci-token");
        for (var role : added.roles()) {
            assertThat(sm().policyGrants(EAST, secretName(), role.arn(), GET)).as("revoked %s", role.name())
                    .isFalse();
            assertThat(iam().inlinePolicies(role.name()).keySet()).as("our inline policy removed from %s", role.name())
                    .noneMatch(n -> n.startsWith("BuildkiteAgentToken-"));
        }
    }

    @Test
    void aRecreatedRoleIsRepaired() {
        applyReadyToken();
        var role = cfn().stackOrThrow(EAST, eastStack()).instanceRole();
        var recreated = iam().recreateRole(role.name());
        assertThat(sm().policyGrants(EAST, secretName(), role.arn(), GET)).as("AWS pinned the old ID").isFalse();
        assertThat(sm().resourcePolicy(EAST, secretName()).orElseThrow()).contains(role.roleId());

        k8s.requestReconcile("ci-token");

        org.awaitility.Awaitility.await().atMost(OperatorHarness.TIMEOUT)
                .until(() -> sm().policyGrants(EAST, secretName(), recreated.arn(), GET));
        k8s.await("ci-token", t -> recreated.roleId().equals(stackStatus(t, EAST, eastStack()).instanceRole.roleId));
        k8s.awaitReady("ci-token");
        assertThat(k8s.events("ci-token")).extracting(e -> e.getReason()).contains("RoleRecreated");
        assertThat(iam().inlinePolicies(role.name())).as("the new role got the inline policy").isNotEmpty();
    }

    @Test
    void foreignStatementsAreKeptAndAnInvalidOneIsReported() {
        var auditor = iam().createRole("auditor-" + k8s.id);
        sm().createSecret(EAST, secretName(), TOKEN_V1, alias(), Map.of());
        String foreign = "{\"Sid\":\"Audit\",\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"" + auditor.arn()
                + "\"},\"Action\":\"secretsmanager:DescribeSecret\",\"Resource\":\"*\"}";
        sm().setResourcePolicy(EAST, secretName(), "{\"Version\":\"2012-10-17\",\"Statement\":[" + foreign + "]}");
        applyReadyToken();
        assertThat(sm().policyGrants(EAST, secretName(), auditor.arn(), "secretsmanager:DescribeSecret")).isTrue();
        assertThat(sm().resourcePolicy(EAST, secretName()).orElseThrow()).contains("\"Audit\"");

        iam().deleteRole(auditor.name()); // AWS now shows its bare unique ID and refuses the document as it is
        String extra = "extra-" + k8s.id;
        stack(EAST, extra, StackShape.FIXED_SIZE);
        long puts = aws.calls().count("secretsmanager", "PutResourcePolicy");
        k8s.edit("ci-token", t -> t.getSpec().getRegions().get(0).setStacks(List.of(eastStack(), extra)));

        k8s.awaitCondition("ci-token", "Stalled", "True", "ForeignStatementInvalid");
        assertThat(k8s.condition("ci-token", "ResourcePolicyApplied").orElseThrow().getMessage())
                .contains(auditor.roleId());
        assertThat(aws.calls().count("secretsmanager", "PutResourcePolicy")).isEqualTo(puts);
    }

    @Test
    void aWholeDocumentOwnerRemovingOurStatementAgainAndAgainIsAConflict() {
        applyReadyToken();
        String foreignOnly = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\"Terraform\",\"Effect\":\"Deny\","
                + "\"Principal\":\"*\",\"Action\":\"secretsmanager:DeleteSecret\",\"Resource\":\"*\"}]}";
        for (int round = 1; round <= 3; round++) {
            sm().setResourcePolicy(EAST, secretName(), foreignOnly);
            k8s.requestReconcile("ci-token");
            if (round < 3) {
                org.awaitility.Awaitility.await().atMost(OperatorHarness.TIMEOUT).until(() -> sm()
                        .resourcePolicy(EAST, secretName()).orElse("").contains("BuildkiteAgentToken"));
            }
        }
        k8s.awaitCondition("ci-token", "Stalled", "True", "PolicyConflict");
        assertThat(sm().resourcePolicy(EAST, secretName()).orElseThrow()).doesNotContain("BuildkiteAgentToken")
                .contains("Terraform");
    }

    @Test
    void parameterMismatchIsReportedThenFixedByManage() {
        stack(WEST, "wrong-" + k8s.id, StackShape.CURRENT);
        String wrong = "wrong-" + k8s.id;
        cfn().elasticCiStack(WEST, wrong + "2").shape(StackShape.CURRENT)
                .tokenParameters("/aws/reference/secretsmanager/old-token", "alias/buildkite-token").create();
        long stackUpdates = aws.calls().count("cloudformation", "UpdateStack");
        k8s.tokenSecret("agent-token", TOKEN_V1);
        BuildkiteAgentToken token = k8s.fixture("token.yaml");
        token.getSpec().getRegions().get(1).setStacks(List.of(westStack(), wrong + "2"));
        k8s.apply(token);

        k8s.awaitCondition("ci-token", "StacksConfigured", "False", "StackParametersMismatch");
        assertThat(k8s.condition("ci-token", "StacksConfigured").orElseThrow().getMessage()).contains(wrong + "2")
                .contains("BuildkiteAgentTokenParameterStorePath=/aws/reference/secretsmanager/" + secretName())
                .contains("BuildkiteAgentTokenParameterStoreKMSKey=" + keyIdOf(WEST));
        assertThat(aws.calls().count("cloudformation", "UpdateStack")).as("Verify writes nothing")
                .isEqualTo(stackUpdates);
        String oldGroup = cfn().stackOrThrow(WEST, wrong + "2").autoScalingGroupName();

        k8s.edit("ci-token", t -> t.getSpec().setStackParameters(Mode.Manage));

        k8s.awaitReady("ci-token");
        StackInfo fixed = cfn().stackOrThrow(WEST, wrong + "2");
        assertThat(fixed.parameter("BuildkiteAgentTokenParameterStorePath"))
                .isEqualTo("/aws/reference/secretsmanager/" + secretName());
        assertThat(fixed.parameter("BuildkiteAgentTokenParameterStoreKMSKey")).isEqualTo(keyIdOf(WEST));
        assertThat(fixed.parameter("InstanceTypes")).as("other parameters kept").isNotNull();
        assertThat(fixed.autoScalingGroupName()).as("the group was replaced").isNotEqualTo(oldGroup);
        k8s.await("ci-token", t -> fixed.autoScalingGroupName().equals(stackStatus(t, WEST, wrong + "2")
                .autoScalingGroup));
        assertThat(k8s.events("ci-token")).extracting(e -> e.getReason()).contains("StackUpdateStarted");
    }

    @Test
    void aFailedStackUpdateIsNotRetriedUntilTheSpecChanges() {
        long before = aws.calls().count("cloudformation", "UpdateStack");
        String name = "failing-" + k8s.id;
        cfn().elasticCiStack(WEST, name).shape(StackShape.FIXED_SIZE)
                .tokenParameters("/old", "alias/old").create();
        cfn().failNextUpdate(WEST, name, "Resource handler returned message: boom");
        k8s.tokenSecret("agent-token", TOKEN_V1);
        BuildkiteAgentToken token = k8s.fixture("token.yaml");
        token.getSpec().getRegions().get(1).setStacks(List.of(name));
        token.getSpec().setStackParameters(Mode.Manage);
        k8s.apply(token);

        k8s.awaitCondition("ci-token", "Stalled", "True", "StackUpdateFailed");
        long updates = aws.calls().count("cloudformation", "UpdateStack");
        assertThat(updates).isEqualTo(before + 1);
        k8s.requestReconcile("ci-token");
        sleep(Duration.ofSeconds(2));
        assertThat(aws.calls().count("cloudformation", "UpdateStack")).isEqualTo(updates);
        assertThat(k8s.condition("ci-token", "StacksConfigured").orElseThrow().getMessage()).contains("boom");

        k8s.edit("ci-token", t -> t.getSpec().getTags().put("retry", "1")); // a new generation may retry
        k8s.awaitReady("ci-token");
        assertThat(aws.calls().count("cloudformation", "UpdateStack")).isEqualTo(updates + 1);
    }

    @Test
    void verifyPermissionsReportsWithoutWriting() {
        var bare = iam().createRole("bare-" + k8s.id);
        String custom = "custom-" + k8s.id;
        cfn().elasticCiStack(WEST, custom).shape(StackShape.CUSTOM_INSTANCE_ROLE).instanceRoleArn(bare.arn())
                .tokenParameters("/aws/reference/secretsmanager/" + secretName(), keyIdOf(WEST)).create();
        long rolePolicies = aws.calls().count("iam", "PutRolePolicy");
        k8s.tokenSecret("agent-token", TOKEN_V1);
        BuildkiteAgentToken token = k8s.fixture("token.yaml");
        token.getSpec().getRegions().get(1).setStacks(List.of(custom));
        token.getSpec().setPermissions(Mode.Verify);
        k8s.apply(token);

        k8s.awaitCondition("ci-token", "PermissionsGranted", "False", "PermissionsMissing");
        assertThat(k8s.condition("ci-token", "PermissionsGranted").orElseThrow().getMessage()).contains(bare.arn())
                .contains("ssm:GetParameter");
        assertThat(aws.calls().count("iam", "PutRolePolicy")).isEqualTo(rolePolicies);
        assertThat(aws.calls().count("iam", "SimulatePrincipalPolicy")).isPositive();
    }

    @Test
    void missingAndBusyStacksAreReported() {
        k8s.tokenSecret("agent-token", TOKEN_V1);
        BuildkiteAgentToken token = k8s.fixture("token.yaml");
        token.getSpec().getRegions().get(1).setStacks(List.of("nope-" + k8s.id));
        k8s.apply(token);
        k8s.awaitCondition("ci-token", "Stalled", "True", "StackNotFound");
        assertThat(k8s.condition("ci-token", "StacksConfigured").orElseThrow().getMessage())
                .contains("nope-" + k8s.id).contains(WEST);

        cfn().setStatus(EAST, eastStack(), "UPDATE_IN_PROGRESS");
        k8s.edit("ci-token", t -> t.getSpec().getRegions().get(1).setStacks(List.of(westStack())));
        k8s.awaitCondition("ci-token", "Reconciling", "True", "StackUpdateInProgress");
        cfn().setStatus(EAST, eastStack(), "UPDATE_COMPLETE");
        k8s.awaitReady("ci-token");
    }

    @Test
    void aKeyPolicyThatIgnoresIamIsReported() {
        kms().setKeyPolicyWithoutRootDelegation(WEST, keyIdOf(WEST), "arn:aws:iam::123456789012:role/admin");
        k8s.tokenSecret("agent-token", TOKEN_V1);
        k8s.apply(k8s.fixture("token.yaml"));
        k8s.awaitCondition("ci-token", "Stalled", "True", "KmsKeyPolicyDenied");
        assertThat(k8s.condition("ci-token", "PermissionsGranted").orElseThrow().getMessage()).contains(keyIdOf(WEST));
    }

    @Test
    void aRoleIamHasNotPropagatedYetIsRetried() {
        iam().setPropagationDelay(Duration.ofMinutes(1));
        try {
            String fresh = "fresh-" + k8s.id;
            stack(EAST, fresh, StackShape.FIXED_SIZE); // its role is created now, on the emulator clock
            k8s.tokenSecret("agent-token", TOKEN_V1);
            BuildkiteAgentToken token = k8s.fixture("token.yaml");
            token.getSpec().getRegions().get(0).setStacks(List.of(fresh));
            k8s.apply(token);

            k8s.awaitCondition("ci-token", "Reconciling", "True", "PrincipalNotYetValid");
            aws.clock().advance(Duration.ofMinutes(2));
            k8s.awaitReady("ci-token");
        } finally {
            iam().setPropagationDelay(Duration.ZERO);
        }
    }

    @Test
    void aStackManagedByAnotherResourceIsRefused() {
        k8s.tokenSecret("agent-token", TOKEN_V1);
        BuildkiteAgentToken first = k8s.fixture("token.yaml");
        first.getSpec().setStackParameters(Mode.Manage);
        k8s.apply(first);
        k8s.awaitReady("ci-token");

        BuildkiteAgentToken second = k8s.fixture("token.yaml");
        second.getMetadata().setName("second-token");
        second.getSpec().setSecretName(secretName() + "-2");
        second.getSpec().setStackParameters(Mode.Manage);
        second.getSpec().setRegions(new ArrayList<>(List.of(new RegionSpec(EAST, alias(), List.of(eastStack())))));
        k8s.apply(second);

        k8s.awaitCondition("second-token", "Stalled", "True", "StackClaimed");
        assertThat(k8s.condition("second-token", "StacksConfigured").orElseThrow().getMessage())
                .contains(k8s.namespace + "/ci-token");
    }
}
