package io.elasticci.buildkite.token.emulator;

import io.elasticci.buildkite.token.emulator.CloudFormationState.AutoScalingGroupChange;
import io.elasticci.buildkite.token.emulator.CloudFormationState.StackInfo;
import io.elasticci.buildkite.token.emulator.CloudFormationState.StackShape;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.cloudformation.CloudFormationClient;
import software.amazon.awssdk.services.cloudformation.model.Capability;
import software.amazon.awssdk.services.cloudformation.model.CloudFormationException;
import software.amazon.awssdk.services.cloudformation.model.InsufficientCapabilitiesException;
import software.amazon.awssdk.services.cloudformation.model.Output;
import software.amazon.awssdk.services.cloudformation.model.Parameter;
import software.amazon.awssdk.services.cloudformation.model.Stack;
import software.amazon.awssdk.services.cloudformation.model.StackResource;
import software.amazon.awssdk.services.cloudformation.model.StackResourceDetail;
import software.amazon.awssdk.services.cloudformation.model.StackStatus;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.assertj.core.groups.Tuple.tuple;

@EmulatorTestSupport.SingleAttempt
class CloudFormationEmulatorTest extends EmulatorTestSupport {

    private static final String ACCOUNT = AwsEmulator.DEFAULT_ACCOUNT;
    private static final String REGION = "us-west-2";
    private static final String PATH = "/aws/reference/secretsmanager/buildkite/agent-token";
    private static final String KEY = "1234abcd-12ab-34cd-56ef-1234567890ab";
    private static final List<Capability> ALL_CAPABILITIES = List.of(Capability.CAPABILITY_IAM,
            Capability.CAPABILITY_NAMED_IAM, Capability.CAPABILITY_AUTO_EXPAND);

    private static CloudFormationClient cfn;
    private static final List<AutoScalingGroupChange> asgChanges = new CopyOnWriteArrayList<>();
    private static final List<String> replacements = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void start() {
        cfn = clients.cloudFormation(REGION);
        stacks().onAutoScalingGroupChange(asgChanges::add);
        stacks().onAutoScalingGroupReplaced((oldName, newName) -> replacements.add(oldName + "->" + newName));
    }

    @BeforeEach
    void reset() {
        asgChanges.clear();
        replacements.clear();
    }

    private static CloudFormationState stacks() {
        return emulator.cloudFormation(ACCOUNT);
    }

    private static IamState iam() {
        return emulator.iam(ACCOUNT);
    }

    private static Stack describe(String nameOrId) {
        return cfn.describeStacks(b -> b.stackName(nameOrId)).stacks().get(0);
    }

    private static Map<String, String> parameters(Stack s) {
        Map<String, String> out = new LinkedHashMap<>();
        s.parameters().forEach(p -> out.put(p.parameterKey(), p.parameterValue()));
        return out;
    }

    private static Map<String, String> outputs(Stack s) {
        return s.outputs().stream().collect(Collectors.toMap(Output::outputKey, Output::outputValue));
    }

    private static StackResourceDetail resource(String stack, String logicalId) {
        return cfn.describeStackResource(b -> b.stackName(stack).logicalResourceId(logicalId)).stackResourceDetail();
    }

    /** What the operator sends: every parameter UsePreviousValue except the ones it sets. */
    private static void update(String stack, Map<String, String> changes, List<Capability> capabilities) {
        List<Parameter> params = new ArrayList<>();
        for (Parameter p : describe(stack).parameters()) {
            String value = changes.get(p.parameterKey());
            params.add(value == null
                    ? Parameter.builder().parameterKey(p.parameterKey()).usePreviousValue(true).build()
                    : Parameter.builder().parameterKey(p.parameterKey()).parameterValue(value).build());
        }
        cfn.updateStack(b -> b.stackName(stack).usePreviousTemplate(true).parameters(params)
                .capabilities(capabilities));
    }

    private static void assertValidationError(Runnable call, String message) {
        CloudFormationException e = catchThrowableOfType(CloudFormationException.class, call::run);
        assertThat(e).as("expected ValidationError: " + message).isNotNull();
        assertThat(e.statusCode()).isEqualTo(400);
        assertThat(e.awsErrorDetails().errorCode()).isEqualTo("ValidationError");
        assertThat(e.awsErrorDetails().errorMessage()).isEqualTo(message);
    }

    @Test
    void listStacksPagesSummariesAndFiltersByStatus() {
        for (int i = 0; i < CloudFormationService.LIST_PAGE + 5; i++) {
            stacks().elasticCiStack(REGION, "listed-" + i).shape(StackShape.FIXED_SIZE).create();
        }
        stacks().elasticCiStack("us-east-1", "elsewhere").shape(StackShape.FIXED_SIZE).create();
        stacks().deleteStack(REGION, "listed-0");
        stacks().setStatus(REGION, "listed-1", "UPDATE_IN_PROGRESS");

        var all = cfn.listStacksPaginator(b -> { }).stackSummaries().stream().toList();
        assertThat(all).hasSize(CloudFormationService.LIST_PAGE + 5).extracting(s -> s.stackName())
                .doesNotContain("elsewhere");
        assertThat(emulator.calls().count("cloudformation", "ListStacks")).as("two pages").isEqualTo(2);
        assertThat(all).filteredOn(s -> s.stackName().equals("listed-0")).singleElement()
                .satisfies(s -> assertThat(s.stackStatus()).isEqualTo(StackStatus.DELETE_COMPLETE));
        StackInfo second = stacks().stackOrThrow(REGION, "listed-1");
        assertThat(all).filteredOn(s -> s.stackName().equals("listed-1")).singleElement().satisfies(s -> {
            assertThat(s.stackId()).isEqualTo(second.stackId());
            assertThat(s.stackStatusAsString()).isEqualTo("UPDATE_IN_PROGRESS");
            assertThat(s.creationTime()).isEqualTo(second.creationTime());
        });

        var active = cfn.listStacksPaginator(b -> b.stackStatusFiltersWithStrings("CREATE_COMPLETE",
                "UPDATE_IN_PROGRESS")).stackSummaries().stream().toList();
        assertThat(active).hasSize(CloudFormationService.LIST_PAGE + 4)
                .noneMatch(s -> s.stackStatus() == StackStatus.DELETE_COMPLETE);
    }

    @Test
    void currentStackWithNestedScaler() {
        emulator.clock().advance(Duration.ofHours(1));
        StackInfo info = stacks().elasticCiStack(REGION, "buildkite-ci").tokenParameters(PATH, KEY)
                .tag("team", "ci").create();
        assertThat(info.shape()).isEqualTo(StackShape.CURRENT);
        assertThat(info.stackId()).matches("arn:aws:cloudformation:us-west-2:" + ACCOUNT
                + ":stack/buildkite-ci/[0-9a-f-]{36}");

        Stack byName = describe("buildkite-ci");
        Stack byId = describe(info.stackId());
        assertThat(byId.stackName()).isEqualTo("buildkite-ci");
        assertThat(byName.stackId()).isEqualTo(info.stackId());
        assertThat(byName.stackStatus()).isEqualTo(StackStatus.CREATE_COMPLETE);
        assertThat(byName.creationTime()).isEqualTo(MutableClock.START.plus(Duration.ofHours(1)));
        assertThat(byName.lastUpdatedTime()).isNull();
        assertThat(byName.capabilities()).containsExactlyInAnyOrderElementsOf(ALL_CAPABILITIES);
        assertThat(byName.tags()).extracting(t -> t.key(), t -> t.value()).containsExactly(tuple("team", "ci"));
        Map<String, String> params = parameters(byName);
        assertThat(params).containsEntry("BuildkiteAgentToken", "****").containsEntry("InstanceRoleARN", "")
                .containsEntry("MinSize", "0").containsEntry("MaxSize", "10")
                .containsEntry("LambdaArchitecture", "x86_64").containsEntry(CloudFormationState.TOKEN_PATH, PATH)
                .containsEntry(CloudFormationState.TOKEN_KMS_KEY, KEY)
                .containsKeys("InstanceTypes", "AgentsPerInstance");

        StackResourceDetail role = resource("buildkite-ci", "IAMRole");
        assertThat(role.physicalResourceId()).isEqualTo("buildkite-ci-Role");
        assertThat(role.resourceType()).isEqualTo("AWS::IAM::Role");
        assertThat(role.resourceStatusAsString()).isEqualTo("CREATE_COMPLETE");
        StackResourceDetail asg = resource("buildkite-ci", "AgentAutoScaleGroup");
        assertThat(asg.physicalResourceId()).matches("buildkite-ci-AgentAutoScaleGroup-[A-Z0-9]{12}");
        assertThat(asg.resourceType()).isEqualTo("AWS::AutoScaling::AutoScalingGroup");
        assertThat(outputs(byName)).containsEntry("InstanceRoleName", "buildkite-ci-Role")
                .containsEntry("AutoScalingGroupName", asg.physicalResourceId());
        assertThat(byName.outputs()).extracting(Output::exportName)
                .contains("buildkite-ci-AutoScalingGroupName", "buildkite-ci-InstanceRoleName");

        List<StackResource> resources = cfn.describeStackResources(b -> b.stackName("buildkite-ci")).stackResources();
        assertThat(resources).extracting(StackResource::logicalResourceId)
                .contains("IAMRole", "AgentAutoScaleGroup", "Autoscaling", "AsgProcessSuspenderRole")
                .doesNotContain("AutoscalingArm64", "AutoscalingLambdaExecutionRole");
        StackResource nestedResource = resources.stream().filter(r -> r.logicalResourceId().equals("Autoscaling"))
                .findFirst().orElseThrow();
        assertThat(nestedResource.resourceType()).isEqualTo("AWS::CloudFormation::Stack");

        Stack nested = describe(nestedResource.physicalResourceId());
        assertThat(nested.stackName()).matches("buildkite-ci-Autoscaling-[A-Z0-9]{12}");
        assertThat(nested.parentId()).isEqualTo(info.stackId());
        assertThat(nested.rootId()).isEqualTo(info.stackId());
        assertThat(parameters(nested)).containsEntry("BuildkiteAgentTokenParameter", PATH)
                .containsEntry("AgentAutoScaleGroup", asg.physicalResourceId());
        StackResourceDetail exec = resource(nested.stackId(), "ExecutionRole");
        assertThat(exec.resourceType()).isEqualTo("AWS::IAM::Role");
        assertThat(exec.stackName()).isEqualTo(nested.stackName());
        assertThat(exec.physicalResourceId()).hasSizeLessThanOrEqualTo(64).contains("ExecutionRole");
        assertThat(outputs(nested)).containsEntry("ExecutionRoleName", exec.physicalResourceId());
        assertThat(cfn.describeStacks().stacks()).extracting(Stack::stackName)
                .containsExactly("buildkite-ci", nested.stackName());

        // the roles exist in IAM, and the fixture reports them with their unique IDs
        IamState.RoleInfo instanceRole = iam().role("buildkite-ci-Role").orElseThrow();
        IamState.RoleInfo scalerRole = iam().role(exec.physicalResourceId()).orElseThrow();
        assertThat(info.instanceRole().roleId()).isEqualTo(instanceRole.roleId());
        assertThat(info.instanceRole().arn()).isEqualTo(instanceRole.arn());
        assertThat(info.scalerRoles()).singleElement().satisfies(r -> {
            assertThat(r.roleId()).isEqualTo(scalerRole.roleId());
            assertThat(r.logicalId()).isEqualTo("ExecutionRole");
            assertThat(r.stackName()).isEqualTo(nested.stackName());
        });
        assertThat(info.autoScalingGroupName()).isEqualTo(asg.physicalResourceId());
        assertThat(info.nestedStackId()).isEqualTo(nested.stackId());

        // the template's own grants, with arn:aws: hard-coded
        String param = "arn:aws:ssm:us-west-2:" + ACCOUNT + ":parameter" + PATH;
        String key = "arn:aws:kms:us-west-2:" + ACCOUNT + ":key/" + KEY;
        for (String r : List.of(instanceRole.name(), scalerRole.name())) {
            assertThat(iam().inlinePolicies(r)).containsKeys("ReadAgentToken", "DecryptAgentToken");
            assertThat(iam().allows(r, "ssm:GetParameter", param, Map.of())).isTrue();
            assertThat(iam().allows(r, "kms:Decrypt", key, Map.of())).isTrue();
            assertThat(iam().allows(r, "kms:Decrypt", key.replace("us-west-2", "us-east-1"), Map.of())).isFalse();
        }
        assertThat(asgChanges).containsExactly(new AutoScalingGroupChange(ACCOUNT, REGION, "buildkite-ci", null,
                asg.physicalResourceId(), 0, 10));
    }

    @Test
    void arm64UsesAutoscalingArm64AndNoTokenParametersMeanNoGrants() {
        StackInfo info = stacks().elasticCiStack(REGION, "ci-arm").lambdaArchitecture("arm64").create();
        assertThat(info.resource("AutoscalingArm64")).isPresent();
        assertThat(info.resource("Autoscaling")).isEmpty();
        Stack nested = describe(resource("ci-arm", "AutoscalingArm64").physicalResourceId());
        assertThat(nested.stackName()).startsWith("ci-arm-AutoscalingArm64-");
        assertThat(info.scalerRoles()).hasSize(1);
        assertThat(iam().inlinePolicies(info.instanceRole().name())).containsOnlyKeys("InstancePolicy");
        assertThat(iam().inlinePolicies(info.scalerRoles().get(0).name()))
                .containsOnlyKeys("AutoScalingGroups", "WriteCloudwatchMetrics");
    }

    @Test
    void fixedSizeStackHasNoScaler() {
        StackInfo info = stacks().createElasticCiStack(REGION, "ci-fixed", StackShape.FIXED_SIZE, Map.of());
        assertThat(info.shape()).isEqualTo(StackShape.FIXED_SIZE);
        assertThat(parameters(describe("ci-fixed"))).containsEntry("MinSize", "2").containsEntry("MaxSize", "2");
        assertThat(info.scalerRoles()).isEmpty();
        assertThat(info.nestedStackId()).isNull();
        assertThat(cfn.describeStackResources(b -> b.stackName("ci-fixed")).stackResources())
                .extracting(StackResource::resourceType).doesNotContain("AWS::CloudFormation::Stack");
        assertValidationError(() -> resource("ci-fixed", "Autoscaling"),
                "Resource Autoscaling does not exist for stack ci-fixed");
        assertThat(cfn.describeStacks().stacks()).hasSize(1);
    }

    @Test
    void legacyStackHasTopLevelScalerRole() {
        StackInfo info = stacks().elasticCiStack(REGION, "ci-legacy").shape(StackShape.LEGACY)
                .tokenParameters(PATH, "").create();
        Stack s = describe("ci-legacy");
        assertThat(parameters(s)).doesNotContainKeys("InstanceRoleARN", "LambdaArchitecture")
                .containsKey("InstanceType");
        assertThat(s.capabilities()).containsExactly(Capability.CAPABILITY_NAMED_IAM);
        StackResourceDetail scaler = resource("ci-legacy", "AutoscalingLambdaExecutionRole");
        assertThat(scaler.resourceType()).isEqualTo("AWS::IAM::Role");
        assertThat(scaler.physicalResourceId()).startsWith("ci-legacy-AutoscalingLambdaExecutionRole-");
        assertThat(info.scalerRoles()).extracting(CloudFormationState.RoleRef::name)
                .containsExactly(scaler.physicalResourceId());
        assertThat(info.nestedStackId()).isNull();
        assertThat(outputs(s)).containsEntry("InstanceRoleName", "ci-legacy-Role");
        assertThat(iam().inlinePolicies(scaler.physicalResourceId())).containsKey("ReadAgentToken")
                .doesNotContainKey("DecryptAgentToken");
        assertThat(cfn.describeStacks().stacks()).hasSize(1);
    }

    @Test
    void customInstanceRoleStackCreatesNoInstanceRole() {
        IamState.RoleInfo custom = iam().createRole("/agents/", "shared-agent-role");
        StackInfo info = stacks().elasticCiStack(REGION, "ci-custom").shape(StackShape.CUSTOM_INSTANCE_ROLE)
                .instanceRoleArn(custom.arn()).tokenParameters(PATH, KEY).create();
        Stack s = describe("ci-custom");
        assertThat(parameters(s)).containsEntry("InstanceRoleARN", custom.arn());
        assertThat(outputs(s)).containsEntry("InstanceRoleName", "shared-agent-role");
        assertThat(info.resource("IAMRole")).isEmpty();
        assertValidationError(() -> resource("ci-custom", "IAMRole"),
                "Resource IAMRole does not exist for stack ci-custom");
        assertThat(info.instanceRole()).isEqualTo(new CloudFormationState.RoleRef(null, null, "shared-agent-role",
                custom.arn(), custom.roleId()));
        assertThat(iam().inlinePolicies("shared-agent-role")).isEmpty(); // the template grants it nothing
        assertThat(info.scalerRoles()).hasSize(1);

        // without an explicit role the fixture creates one
        StackInfo created = stacks().createElasticCiStack(REGION, "ci-custom2", StackShape.CUSTOM_INSTANCE_ROLE,
                Map.of());
        assertThat(created.instanceRole().arn()).isEqualTo("arn:aws:iam::" + ACCOUNT
                + ":role/buildkite/ci-custom2-instance-role");
        assertThat(created.instanceRole().roleId()).isNotNull();
    }

    @Test
    void missingStack() {
        assertValidationError(() -> cfn.describeStacks(b -> b.stackName("nope")), "Stack with id nope does not exist");
        assertValidationError(() -> cfn.describeStackResources(b -> b.stackName("nope")),
                "Stack with id nope does not exist");
        assertValidationError(() -> cfn.updateStack(b -> b.stackName("nope").usePreviousTemplate(true)),
                "Stack with id nope does not exist");
    }

    @Test
    void updateChangingTokenParametersReplacesTheAutoScalingGroup() {
        StackInfo before = stacks().createElasticCiStack(REGION, "ci", StackShape.CURRENT, Map.of());
        String oldAsg = before.autoScalingGroupName();
        asgChanges.clear();
        emulator.clock().advance(Duration.ofMinutes(3));

        stacks().setUpdateDuration(Duration.ofMinutes(2));
        update("ci", Map.of(CloudFormationState.TOKEN_PATH, PATH, CloudFormationState.TOKEN_KMS_KEY, KEY),
                ALL_CAPABILITIES);
        StackInfo inProgress = stacks().stack(REGION, "ci").orElseThrow();
        assertThat(inProgress.status()).isEqualTo(CloudFormationState.UPDATE_IN_PROGRESS);
        assertThat(inProgress.parameter(CloudFormationState.TOKEN_PATH)).isEqualTo(PATH);
        assertThat(inProgress.autoScalingGroupName()).isEqualTo(oldAsg);
        assertThat(asgChanges).isEmpty();

        emulator.clock().advance(Duration.ofMinutes(2));
        Stack done = describe("ci");
        assertThat(done.stackStatus()).isEqualTo(StackStatus.UPDATE_COMPLETE);
        assertThat(done.lastUpdatedTime()).isEqualTo(MutableClock.START.plus(Duration.ofMinutes(3)));
        assertThat(parameters(done)).containsEntry(CloudFormationState.TOKEN_PATH, PATH)
                .containsEntry(CloudFormationState.TOKEN_KMS_KEY, KEY).containsEntry("BuildkiteAgentToken", "****");
        String newAsg = outputs(done).get("AutoScalingGroupName");
        assertThat(newAsg).isNotEqualTo(oldAsg).startsWith("ci-AgentAutoScaleGroup-");
        StackResourceDetail asg = resource("ci", "AgentAutoScaleGroup");
        assertThat(asg.physicalResourceId()).isEqualTo(newAsg);
        assertThat(asg.resourceStatusAsString()).isEqualTo("UPDATE_COMPLETE");
        assertThat(asgChanges)
                .containsExactly(new AutoScalingGroupChange(ACCOUNT, REGION, "ci", oldAsg, newAsg, 0, 10));
        assertThat(replacements).containsExactly(oldAsg + "->" + newAsg);

        StackInfo after = stacks().stack(REGION, "ci").orElseThrow();
        assertThat(after.instanceRole().roleId()).isEqualTo(before.instanceRole().roleId()); // roles stay
        assertThat(after.scalerRoles()).isEqualTo(before.scalerRoles());
        assertThat(iam().inlinePolicies("ci-Role")).containsKeys("ReadAgentToken", "DecryptAgentToken");
        Stack nested = describe(after.nestedStackId());
        assertThat(nested.stackStatus()).isEqualTo(StackStatus.UPDATE_COMPLETE);
        assertThat(parameters(nested)).containsEntry("AgentAutoScaleGroup", newAsg)
                .containsEntry("BuildkiteAgentTokenParameter", PATH);

        // the same values again: nothing to do
        assertValidationError(() -> update("ci", Map.of(CloudFormationState.TOKEN_PATH, PATH), ALL_CAPABILITIES),
                "No updates are to be performed.");

        // MinSize changes do not replace the group; with update duration zero an update completes on the next call
        asgChanges.clear();
        stacks().setUpdateDuration(Duration.ZERO);
        update("ci", Map.of("MinSize", "1"), ALL_CAPABILITIES);
        assertThat(describe("ci").stackStatus()).isEqualTo(StackStatus.UPDATE_COMPLETE);
        assertThat(stacks().stack(REGION, "ci").orElseThrow().autoScalingGroupName()).isEqualTo(newAsg);
        assertThat(asgChanges).isEmpty();
    }

    @Test
    void capabilitiesAreRequired() {
        stacks().createElasticCiStack(REGION, "ci", StackShape.CURRENT, Map.of());
        InsufficientCapabilitiesException expand = catchThrowableOfType(InsufficientCapabilitiesException.class,
                () -> update("ci", Map.of(CloudFormationState.TOKEN_PATH, PATH), List.of(Capability.CAPABILITY_IAM)));
        assertThat(expand.awsErrorDetails().errorMessage())
                .isEqualTo("Requires capabilities : [CAPABILITY_AUTO_EXPAND]");
        assertThat(expand.statusCode()).isEqualTo(400);
        InsufficientCapabilitiesException named = catchThrowableOfType(InsufficientCapabilitiesException.class,
                () -> update("ci", Map.of(CloudFormationState.TOKEN_PATH, PATH),
                        List.of(Capability.CAPABILITY_IAM, Capability.CAPABILITY_AUTO_EXPAND)));
        assertThat(named.awsErrorDetails().errorMessage()).isEqualTo("Requires capabilities : [CAPABILITY_NAMED_IAM]");

        IamState.RoleInfo custom = iam().createRole("shared");
        stacks().elasticCiStack(REGION, "ci-custom").shape(StackShape.CUSTOM_INSTANCE_ROLE)
                .instanceRoleArn(custom.arn()).create();
        InsufficientCapabilitiesException iamOnly = catchThrowableOfType(InsufficientCapabilitiesException.class,
                () -> update("ci-custom", Map.of(CloudFormationState.TOKEN_PATH, PATH),
                        List.of(Capability.CAPABILITY_AUTO_EXPAND)));
        assertThat(iamOnly.awsErrorDetails().errorMessage()).isEqualTo("Requires capabilities : [CAPABILITY_IAM]");
        update("ci-custom", Map.of(CloudFormationState.TOKEN_PATH, PATH),
                List.of(Capability.CAPABILITY_IAM, Capability.CAPABILITY_AUTO_EXPAND));

        stacks().elasticCiStack(REGION, "ci-legacy").shape(StackShape.LEGACY).create();
        InsufficientCapabilitiesException legacy = catchThrowableOfType(InsufficientCapabilitiesException.class,
                () -> update("ci-legacy", Map.of(CloudFormationState.TOKEN_PATH, PATH), List.of()));
        assertThat(legacy.awsErrorDetails().errorMessage()).isEqualTo("Requires capabilities : [CAPABILITY_NAMED_IAM]");
        assertThat(describe("ci").stackStatus()).isEqualTo(StackStatus.CREATE_COMPLETE);
    }

    @Test
    void busyStacksRefuseUpdates() {
        StackInfo info = stacks().createElasticCiStack(REGION, "ci", StackShape.CURRENT, Map.of());
        stacks().setUpdateDuration(Duration.ofMinutes(10));
        update("ci", Map.of(CloudFormationState.TOKEN_PATH, PATH), ALL_CAPABILITIES);
        emulator.clock().advance(Duration.ofMinutes(9));
        assertThat(describe("ci").stackStatus()).isEqualTo(StackStatus.UPDATE_IN_PROGRESS);
        assertThat(describe(info.nestedStackId()).stackStatus()).isEqualTo(StackStatus.UPDATE_IN_PROGRESS);
        assertValidationError(() -> update("ci", Map.of(CloudFormationState.TOKEN_KMS_KEY, KEY), ALL_CAPABILITIES),
                "Stack:" + info.stackId() + " is in UPDATE_IN_PROGRESS state and can not be updated.");
        emulator.clock().advance(Duration.ofMinutes(1));
        assertThat(describe("ci").stackStatus()).isEqualTo(StackStatus.UPDATE_COMPLETE);

        // someone else's update
        stacks().setStatus(REGION, "ci", CloudFormationState.UPDATE_IN_PROGRESS);
        emulator.clock().advance(Duration.ofHours(1));
        assertValidationError(() -> update("ci", Map.of(CloudFormationState.TOKEN_KMS_KEY, KEY), ALL_CAPABILITIES),
                "Stack:" + info.stackId() + " is in UPDATE_IN_PROGRESS state and can not be updated.");
        stacks().setStatus(REGION, "ci", CloudFormationState.UPDATE_COMPLETE);
        update("ci", Map.of(CloudFormationState.TOKEN_KMS_KEY, KEY), ALL_CAPABILITIES);
    }

    @Test
    void injectedFailureRollsBack() {
        StackInfo before = stacks().createElasticCiStack(REGION, "ci", StackShape.CURRENT, Map.of());
        asgChanges.clear();
        stacks().setUpdateDuration(Duration.ofMinutes(5));
        stacks().failNextUpdate(REGION, "ci", "The following resource(s) failed to update: [AgentAutoScaleGroup].");
        update("ci", Map.of(CloudFormationState.TOKEN_PATH, PATH), ALL_CAPABILITIES);
        assertThat(describe("ci").stackStatus()).isEqualTo(StackStatus.UPDATE_IN_PROGRESS);
        emulator.clock().advance(Duration.ofMinutes(5));
        Stack rollingBack = describe("ci");
        assertThat(rollingBack.stackStatus()).isEqualTo(StackStatus.UPDATE_ROLLBACK_IN_PROGRESS);
        assertThat(rollingBack.stackStatusReason())
                .isEqualTo("The following resource(s) failed to update: [AgentAutoScaleGroup].");
        emulator.clock().advance(Duration.ofMinutes(5));
        Stack rolledBack = describe("ci");
        assertThat(rolledBack.stackStatus()).isEqualTo(StackStatus.UPDATE_ROLLBACK_COMPLETE);
        assertThat(rolledBack.stackStatusReason()).contains("AgentAutoScaleGroup");
        assertThat(parameters(rolledBack)).containsEntry(CloudFormationState.TOKEN_PATH, "");
        assertThat(outputs(rolledBack)).containsEntry("AutoScalingGroupName", before.autoScalingGroupName());
        assertThat(describe(before.nestedStackId()).stackStatus()).isEqualTo(StackStatus.UPDATE_ROLLBACK_COMPLETE);
        assertThat(iam().inlinePolicies("ci-Role")).doesNotContainKey("ReadAgentToken");
        assertThat(asgChanges).isEmpty();

        // the failure was used up: the same update now succeeds (and a rolled-back stack is updatable)
        stacks().setUpdateDuration(Duration.ZERO);
        update("ci", Map.of(CloudFormationState.TOKEN_PATH, PATH), ALL_CAPABILITIES);
        assertThat(describe("ci").stackStatus()).isEqualTo(StackStatus.UPDATE_COMPLETE);
        assertThat(asgChanges).hasSize(1);
    }

    @Test
    void updateParameterRules() {
        stacks().createElasticCiStack(REGION, "ci", StackShape.CURRENT, Map.of("InstanceTypes", "c5.large"));
        // omitted parameters take their defaults, not their previous values
        cfn.updateStack(b -> b.stackName("ci").usePreviousTemplate(true).capabilities(ALL_CAPABILITIES)
                .parameters(Parameter.builder().parameterKey("BuildkiteAgentToken").usePreviousValue(true).build(),
                        Parameter.builder().parameterKey(CloudFormationState.TOKEN_PATH).parameterValue(PATH).build()));
        assertThat(parameters(describe("ci"))).containsEntry("InstanceTypes", "t3.large")
                .containsEntry(CloudFormationState.TOKEN_PATH, PATH);

        assertValidationError(() -> cfn.updateStack(b -> b.stackName("ci").usePreviousTemplate(true)
                        .capabilities(ALL_CAPABILITIES)
                        .parameters(Parameter.builder().parameterKey("Bogus").parameterValue("x").build())),
                "Parameters: [Bogus] do not exist in the template");
        assertValidationError(() -> cfn.updateStack(b -> b.stackName("ci").usePreviousTemplate(true)
                        .capabilities(ALL_CAPABILITIES).parameters(Parameter.builder()
                                .parameterKey("MinSize").parameterValue("1").usePreviousValue(true).build())),
                "Invalid input for parameter key MinSize. Cannot specify usePreviousValue as true and non empty "
                        + "value for a parameter");
        assertValidationError(() -> update("ci", Map.of(CloudFormationState.TOKEN_PATH, "no-leading-slash"),
                        ALL_CAPABILITIES), "Parameter BuildkiteAgentTokenParameterStorePath failed to satisfy "
                        + "constraint: Expects a leading forward slash for parameter path or full SSM parameter ARN "
                        + "for cross-account access");
        assertValidationError(() -> update("ci", Map.of("LambdaArchitecture", "sparc"), ALL_CAPABILITIES),
                "Parameter 'LambdaArchitecture' must be one of AllowedValues");
        assertValidationError(() -> cfn.updateStack(b -> b.stackName("ci").capabilities(ALL_CAPABILITIES)),
                "Either Template URL or Template Body must be specified.");
    }

    @Test
    void changingShapeCreatesAndDeletesRoles() {
        StackInfo x86 = stacks().createElasticCiStack(REGION, "ci", StackShape.CURRENT, Map.of());
        String oldScaler = x86.scalerRoles().get(0).name();
        update("ci", Map.of("LambdaArchitecture", "arm64"), ALL_CAPABILITIES);
        StackInfo arm = stacks().stack(REGION, "ci").orElseThrow();
        assertThat(arm.resource("AutoscalingArm64")).isPresent();
        assertThat(arm.resource("Autoscaling")).isEmpty();
        assertThat(arm.scalerRoles().get(0).name()).isNotEqualTo(oldScaler).contains("AutoscalingArm64");
        assertThat(iam().role(oldScaler)).isEmpty();
        assertThat(stacks().stack(REGION, x86.nestedStackId()).orElseThrow().status())
                .isEqualTo(CloudFormationState.DELETE_COMPLETE);

        update("ci", Map.of("MinSize", "3", "MaxSize", "3"), ALL_CAPABILITIES);
        StackInfo fixed = stacks().stack(REGION, "ci").orElseThrow();
        assertThat(fixed.shape()).isEqualTo(StackShape.FIXED_SIZE);
        assertThat(fixed.scalerRoles()).isEmpty();
        assertThat(iam().role(arm.scalerRoles().get(0).name())).isEmpty();
    }

    @Test
    void deleteStackRemovesItsRoles() {
        StackInfo info = stacks().createElasticCiStack(REGION, "ci", StackShape.CURRENT, Map.of());
        asgChanges.clear();
        stacks().deleteStack(REGION, "ci");
        assertValidationError(() -> describe("ci"), "Stack with id ci does not exist");
        assertThat(describe(info.stackId()).stackStatus()).isEqualTo(StackStatus.DELETE_COMPLETE);
        assertThat(describe(info.nestedStackId()).stackStatus()).isEqualTo(StackStatus.DELETE_COMPLETE);
        assertThat(iam().role("ci-Role")).isEmpty();
        assertThat(iam().role(info.scalerRoles().get(0).name())).isEmpty();
        assertThat(asgChanges).containsExactly(new AutoScalingGroupChange(ACCOUNT, REGION, "ci",
                info.autoScalingGroupName(), null, 0, 10));
        assertThat(replacements).isEmpty();
        assertThat(cfn.describeStacks().stacks()).isEmpty();
        // the name is free again
        stacks().createElasticCiStack(REGION, "ci", StackShape.LEGACY, Map.of());
    }

    @Test
    void callLogMarksUpdateStackAsWrite() {
        stacks().createElasticCiStack(REGION, "ci", StackShape.CURRENT, Map.of());
        describe("ci");
        resource("ci", "IAMRole");
        cfn.describeStackResources(b -> b.stackName("ci"));
        update("ci", Map.of(CloudFormationState.TOKEN_PATH, PATH), ALL_CAPABILITIES);
        assertValidationError(() -> update("ci", Map.of(), ALL_CAPABILITIES), "No updates are to be performed.");
        assertThat(emulator.calls().calls("cloudformation", null))
                .extracting(CallLog.Call::operation, CallLog.Call::write, CallLog.Call::region, CallLog.Call::errorCode)
                .containsExactly(
                        tuple("DescribeStacks", false, REGION, null),
                        tuple("DescribeStackResource", false, REGION, null),
                        tuple("DescribeStackResources", false, REGION, null),
                        tuple("DescribeStacks", false, REGION, null),
                        tuple("UpdateStack", true, REGION, null),
                        tuple("DescribeStacks", false, REGION, null),
                        tuple("UpdateStack", true, REGION, "ValidationError"));
    }
}
