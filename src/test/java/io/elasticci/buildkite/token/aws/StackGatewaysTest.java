package io.elasticci.buildkite.token.aws;

import static io.elasticci.buildkite.token.aws.GatewayTestSupport.AWS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.elasticci.buildkite.token.config.OperatorConfig;
import io.elasticci.buildkite.token.emulator.AwsEmulator;
import io.elasticci.buildkite.token.emulator.CloudFormationState;
import io.elasticci.buildkite.token.emulator.CloudFormationState.StackShape;

/** IAM, CloudFormation, Auto Scaling/EC2 and Secrets Manager policy adapters against the emulator's wire protocols. */
class StackGatewaysTest {

    private static final String REGION = "us-west-2";
    private final AwsClients clients = GatewayTestSupport.clients();
    private final String id = UUID.randomUUID().toString().substring(0, 8);

    private SdkIamGateway iam() {
        OperatorConfig config = (OperatorConfig) java.lang.reflect.Proxy.newProxyInstance(
                getClass().getClassLoader(), new Class<?>[] {OperatorConfig.class}, (proxy, method, args) -> {
                    if (method.getName().equals("aws")) {
                        return clients.config();
                    }
                    throw new UnsupportedOperationException(method.getName());
                });
        return new SdkIamGateway(clients, new PartitionHolder(), Clock.systemUTC(), config);
    }

    private CloudFormationState cfn() {
        return AWS.cloudFormation(AwsEmulator.DEFAULT_ACCOUNT);
    }

    @AfterEach
    void clearFaults() {
        AWS.faults().clear();
    }

    @Test
    void rolesAndInlinePoliciesRoundTripAndMissingIsEmpty() {
        SdkIamGateway iam = iam();
        var created = AWS.iam(AwsEmulator.DEFAULT_ACCOUNT).createRole("gw-role-" + id);
        RoleInfo role = iam.role(created.name()).orElseThrow();
        assertThat(role.arn()).isEqualTo(created.arn());
        assertThat(role.roleId()).isEqualTo(created.roleId()).startsWith("AROA");
        assertThat(iam.role("no-such-role-" + id)).isEmpty();
        assertThat(iam.inlinePolicy(role.name(), "BuildkiteAgentToken-x")).isEmpty();

        String doc = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"ssm:GetParameter\","
                + "\"Resource\":\"arn:aws:ssm:us-west-2:123456789012:parameter/aws/reference/secretsmanager/x\"}]}";
        iam.putInlinePolicy(role.name(), "BuildkiteAgentToken-x", doc);
        assertThat(AWS.iam(AwsEmulator.DEFAULT_ACCOUNT).inlinePolicies(role.name())).containsKey("BuildkiteAgentToken-x");
        assertThat(iam.simulate(role.arn(), List.of("ssm:GetParameter"),
                List.of("arn:aws:ssm:us-west-2:123456789012:parameter/aws/reference/secretsmanager/x"), Map.of()))
                .containsValue(true);
        iam.deleteInlinePolicy(role.name(), "BuildkiteAgentToken-x");
        iam.deleteInlinePolicy(role.name(), "BuildkiteAgentToken-x"); // already gone: fine
        assertThat(AWS.iam(AwsEmulator.DEFAULT_ACCOUNT).inlinePolicies(role.name())).doesNotContainKey(
                "BuildkiteAgentToken-x");
    }

    @Test
    void inlinePolicyReadsAreCachedUntilForgotten() {
        SdkIamGateway iam = iam();
        var created = AWS.iam(AwsEmulator.DEFAULT_ACCOUNT).createRole("gw-cache-" + id);
        long before = AWS.calls().count("iam", "GetRolePolicy");
        iam.inlinePolicy(created.name(), "p");
        iam.inlinePolicy(created.name(), "p");
        assertThat(AWS.calls().count("iam", "GetRolePolicy") - before).isEqualTo(1);
        iam.forgetInlinePolicies();
        iam.inlinePolicy(created.name(), "p");
        assertThat(AWS.calls().count("iam", "GetRolePolicy") - before).isEqualTo(2);
    }

    @Test
    void iamThrottlingIsThrottled() {
        for (int i = 0; i < 2; i++) {
            AWS.faults().failNext("iam", "GetRole", "Throttling", "Rate exceeded");
        }
        assertThatThrownBy(() -> iam().role("x-" + id)).isInstanceOfSatisfying(AwsFailure.class,
                f -> assertThat(f.kind()).isEqualTo(AwsFailure.Kind.THROTTLED));
    }

    @Test
    void stacksAreDescribedWithResourcesAndAMissingStackIsEmpty() {
        SdkCloudFormationGateway gateway = new SdkCloudFormationGateway(clients);
        var stack = cfn().elasticCiStack(REGION, "gw-" + id).shape(StackShape.CURRENT).create();
        StackDescription d = gateway.describe(REGION, stack.stackName()).orElseThrow();
        assertThat(d.stackId()).isEqualTo(stack.stackId());
        assertThat(d.outputs()).containsEntry("AutoScalingGroupName", stack.autoScalingGroupName());
        assertThat(gateway.resources(REGION, stack.stackId())).extracting(StackResource::logicalId)
                .contains("IAMRole", "AgentAutoScaleGroup");
        assertThat(gateway.resource(REGION, stack.nestedStackId(), "ExecutionRole")).isPresent();
        assertThat(gateway.resource(REGION, stack.stackId(), "NoSuchResource")).isEmpty();
        assertThat(gateway.describe(REGION, "gw-missing-" + id)).isEmpty();
    }

    @Test
    void stacksAreListedWithTheirLastChangeAndWithoutDeletedOnes() {
        SdkCloudFormationGateway gateway = new SdkCloudFormationGateway(clients);
        var kept = cfn().elasticCiStack(REGION, "gw-list-" + id).shape(StackShape.FIXED_SIZE).create();
        var gone = cfn().elasticCiStack(REGION, "gw-gone-" + id).shape(StackShape.FIXED_SIZE).create();
        cfn().deleteStack(REGION, gone.stackName());

        List<StackSummary> listed = gateway.list(REGION);

        assertThat(listed).extracting(StackSummary::name).contains(kept.stackName())
                .doesNotContain(gone.stackName());
        assertThat(listed).filteredOn(s -> s.name().equals(kept.stackName())).singleElement()
                .isEqualTo(new StackSummary(kept.stackName(), kept.stackId(), "CREATE_COMPLETE", kept.creationTime()));
        StackDescription described = gateway.describe(REGION, kept.stackName()).orElseThrow();
        assertThat(described.lastChanged()).as("the same instant as DescribeStacks shows")
                .isEqualTo(kept.creationTime());
    }

    @Test
    void parameterUpdateChangesOnlyTheGivenParametersAndNothingToDoIsFalse() {
        SdkCloudFormationGateway gateway = new SdkCloudFormationGateway(clients);
        var stack = cfn().elasticCiStack(REGION, "gw-up-" + id).shape(StackShape.FIXED_SIZE)
                .tokenParameters("/old", "old-key").create();
        List<String> keys = List.copyOf(stack.parameters().keySet());
        Map<String, String> values = Map.of("BuildkiteAgentTokenParameterStorePath", "/new",
                "BuildkiteAgentTokenParameterStoreKMSKey", "new-key");
        assertThat(gateway.updateParameters(REGION, stack.stackId(), keys, values)).isTrue();
        var updated = cfn().stackOrThrow(REGION, stack.stackName());
        assertThat(updated.parameter("BuildkiteAgentTokenParameterStorePath")).isEqualTo("/new");
        assertThat(updated.parameter("InstanceTypes")).isEqualTo(stack.parameter("InstanceTypes"));
        assertThat(gateway.updateParameters(REGION, stack.stackId(), keys, values)).as("no updates to perform")
                .isFalse();
    }

    @Test
    void refreshesAndLaunchTimes() {
        SdkAutoScalingGateway gateway = new SdkAutoScalingGateway(clients);
        var group = AWS.autoScaling(AwsEmulator.DEFAULT_ACCOUNT).createGroup(REGION, "gw-asg-" + id, 2);
        List<InstanceDescription> instances = gateway.instances(REGION, group.name());
        assertThat(instances).hasSize(2).allSatisfy(i -> {
            assertThat(i.launchTime()).isNotNull();
            assertThat(i.inService()).isTrue();
        });
        assertThat(gateway.instances(REGION, "gw-no-group-" + id)).isEmpty();

        String refresh = gateway.startRefresh(REGION, group.name(), 90, "Wait");
        assertThat(gateway.refreshes(REGION, group.name())).singleElement().satisfies(r -> {
            assertThat(r.id()).isEqualTo(refresh);
            assertThat(r.active()).isTrue();
        });
        assertThatThrownBy(() -> gateway.startRefresh(REGION, group.name(), 90, "Wait"))
                .isInstanceOfSatisfying(AwsFailure.class,
                        f -> assertThat(f.errorCode()).isEqualTo("InstanceRefreshInProgress"));
    }

    @Test
    void groupReadsMadeAtTheSameTimeShareCalls() throws Exception {
        SdkAutoScalingGateway gateway = new SdkAutoScalingGateway(clients);
        List<String> groups = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            groups.add(AWS.autoScaling(AwsEmulator.DEFAULT_ACCOUNT).createGroup(REGION, "gw-many-" + i + "-" + id, 2)
                    .name());
        }
        long before = AWS.calls().count("autoscaling", "DescribeAutoScalingGroups")
                + AWS.calls().count("ec2", "DescribeInstances");
        AWS.faults().latency(Duration.ofMillis(500)); // the first call is in flight while the others are asked
        ExecutorService pool = Executors.newFixedThreadPool(groups.size());
        try {
            List<Future<List<InstanceDescription>>> reads = new ArrayList<>();
            for (String group : groups) {
                reads.add(pool.submit(() -> gateway.instances(REGION, group)));
            }
            Set<String> seen = new HashSet<>();
            for (Future<List<InstanceDescription>> read : reads) {
                List<InstanceDescription> instances = read.get(30, TimeUnit.SECONDS);
                assertThat(instances).hasSize(2).allSatisfy(i -> assertThat(i.launchTime()).isNotNull());
                instances.forEach(i -> assertThat(seen.add(i.id())).as("each group its own instances").isTrue());
            }
        } finally {
            pool.shutdownNow();
        }
        long calls = AWS.calls().count("autoscaling", "DescribeAutoScalingGroups")
                + AWS.calls().count("ec2", "DescribeInstances") - before;
        assertThat(calls).as("calls for 8 groups: 2 per group alone, 2 for the first and 2 for the rest together")
                .isLessThanOrEqualTo(6);
    }

    @Test
    void resourcePoliciesRoundTripAndAreRefusedOnReplicas() {
        SdkSecretsManagerGateway sm = new SdkSecretsManagerGateway(clients);
        var role = AWS.iam(AwsEmulator.DEFAULT_ACCOUNT).createRole("gw-reader-" + id);
        String arn = sm.create("us-east-1", "gw/policy-" + id, SecretValue.of("v"), "3".repeat(64), null, Map.of());
        assertThat(sm.resourcePolicy("us-east-1", arn)).isEmpty();
        String doc = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\"S\",\"Effect\":\"Allow\",\"Principal\":"
                + "{\"AWS\":\"" + role.arn() + "\"},\"Action\":\"secretsmanager:GetSecretValue\",\"Resource\":\"*\"}]}";
        assertThat(sm.validateResourcePolicy("us-east-1", arn, doc)).isEmpty();
        sm.putResourcePolicy("us-east-1", arn, doc);
        assertThat(sm.resourcePolicy("us-east-1", arn).orElseThrow()).contains(role.arn());

        String open = doc.replace("{\"AWS\":\"" + role.arn() + "\"}", "\"*\"");
        assertThatThrownBy(() -> sm.putResourcePolicy("us-east-1", arn, open)).isInstanceOfSatisfying(
                AwsFailure.class, f -> assertThat(f.kind()).isEqualTo(AwsFailure.Kind.PUBLIC_POLICY));
        String ghost = doc.replace(role.arn(), "arn:aws:iam::123456789012:role/ghost-" + id);
        assertThatThrownBy(() -> sm.putResourcePolicy("us-east-1", arn, ghost)).isInstanceOfSatisfying(
                AwsFailure.class, f -> {
                    assertThat(f.kind()).isEqualTo(AwsFailure.Kind.MALFORMED_POLICY);
                    assertThat(f.getMessage()).contains("unsupported principal");
                });

        sm.replicate("us-east-1", arn, java.util.List.of(new NewReplica(REGION, null)));
        String replica = sm.describe(REGION, "gw/policy-" + id).orElseThrow().arn();
        assertThatThrownBy(() -> sm.putResourcePolicy(REGION, replica, doc)).isInstanceOfSatisfying(
                AwsFailure.class, f -> assertThat(f.kind()).isEqualTo(AwsFailure.Kind.INVALID_REQUEST));
        sm.deleteResourcePolicy("us-east-1", arn);
        assertThat(sm.resourcePolicy("us-east-1", arn)).isEmpty();
    }

    @Test
    void rotationIsConfiguredWithoutRotatingNow() {
        SdkSecretsManagerGateway sm = new SdkSecretsManagerGateway(clients);
        String arn = sm.create("us-east-1", "gw/rotate-" + id, SecretValue.of("v"), "4".repeat(64), null, Map.of());
        sm.configureRotation("us-east-1", arn, "arn:aws:lambda:us-east-1:123456789012:function:rotate", "rate(7 days)");
        SecretDescription d = sm.describe("us-east-1", arn).orElseThrow();
        assertThat(d.rotationLambdaArn()).isEqualTo("arn:aws:lambda:us-east-1:123456789012:function:rotate");
        assertThat(d.rotationSchedule()).isEqualTo("rate(7 days)");
        assertThat(d.versionStages()).hasSize(1);
        assertThat(sm.versionCreated("us-east-1", arn, "4".repeat(64))).isPresent();
        assertThat(sm.versionCreated("us-east-1", arn, "5".repeat(64))).isEmpty();
    }
}
