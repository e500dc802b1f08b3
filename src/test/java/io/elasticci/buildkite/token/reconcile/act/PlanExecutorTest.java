package io.elasticci.buildkite.token.reconcile.act;

import static io.elasticci.buildkite.token.aws.GatewayTestSupport.AWS;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.elasticci.buildkite.token.aws.AwsClients;
import io.elasticci.buildkite.token.aws.AwsFailure;
import io.elasticci.buildkite.token.aws.GatewayTestSupport;
import io.elasticci.buildkite.token.aws.KeyResolver;
import io.elasticci.buildkite.token.aws.PartitionHolder;
import io.elasticci.buildkite.token.aws.SdkAutoScalingGateway;
import io.elasticci.buildkite.token.aws.SdkCloudFormationGateway;
import io.elasticci.buildkite.token.aws.SdkIamGateway;
import io.elasticci.buildkite.token.aws.SdkKmsGateway;
import io.elasticci.buildkite.token.aws.SdkSecretsManagerGateway;
import io.elasticci.buildkite.token.aws.SecretValue;
import io.elasticci.buildkite.token.emulator.AwsEmulator;
import io.elasticci.buildkite.token.emulator.CallLog;
import io.elasticci.buildkite.token.emulator.IamState;
import io.elasticci.buildkite.token.emulator.SecretsManagerState;
import io.elasticci.buildkite.token.plan.Action;
import io.elasticci.buildkite.token.reconcile.observe.Parallel;

/** The executor against the emulator: what it writes, what it leaves when a call fails, what it reports. */
class PlanExecutorTest {

    private static final String EAST = "us-east-1";
    private static final String WEST = "us-west-2";
    private static final String EU = "eu-west-1";
    private static final String POLICY_NAME = "BuildkiteAgentToken-test";

    private final String run = UUID.randomUUID().toString().substring(0, 8);
    private final String secretName = "executor/" + run;
    private final Parallel parallel = new Parallel();
    private final PlanExecutor executor = executor(parallel);
    private final List<String> roles = List.of("a-" + run, "b-" + run, "c-" + run);

    @AfterEach
    void clear() {
        AWS.faults().clear();
    }

    private static PlanExecutor executor(Parallel parallel) {
        AwsClients clients = GatewayTestSupport.clients();
        Clock clock = Clock.systemUTC();
        return new PlanExecutor(new SdkSecretsManagerGateway(clients),
                new KeyResolver(new SdkKmsGateway(clients), clock, Duration.ofMinutes(5)),
                new SdkIamGateway(clients, new PartitionHolder(), clock, Duration.ofMinutes(5), false),
                new SdkCloudFormationGateway(clients), new SdkAutoScalingGateway(clients), parallel);
    }

    @Test
    void makesOneWriteForEachActionAndAddsConsecutiveReplicasInOneCall() {
        List<Action> plan = firstConvergence(roles);
        long callsBefore = AWS.calls().all().size();

        PlanExecutor.Result result = executor.execute(plan, Optional.of(SecretValue.of("token-value")));

        assertThat(result.failed()).isFalse();
        assertThat(result.done()).as("everything, in plan order").containsExactlyElementsOf(plan);
        assertThat(writesSince(callsBefore)).containsExactlyInAnyOrder("CreateSecret", "ReplicateSecretToRegions",
                "PutResourcePolicy", "PutRolePolicy", "PutRolePolicy", "PutRolePolicy");
        SecretsManagerState sm = AWS.secretsManager(AwsEmulator.DEFAULT_ACCOUNT);
        assertThat(sm.secret(WEST, secretName)).as("replica in " + WEST).isPresent();
        assertThat(sm.secret(EU, secretName)).as("replica in " + EU).isPresent();
        roles.forEach(role -> {
            assertThat(sm.policyGrants(EAST, secretName, iam().role(role).orElseThrow().arn(),
                    "secretsmanager:GetSecretValue")).as("policy grants " + role).isTrue();
            assertThat(iam().inlinePolicies(role)).containsKey(POLICY_NAME);
        });
    }

    @Test
    void startsNothingThatWaitsForAFailureAndReportsTheFirstFailureInPlanOrder() {
        // "ghost" has no role: its PutRolePolicy fails (NoSuchEntity), after the secret's failure in plan order
        List<Action> plan = firstConvergence(List.of(roles.get(0), "ghost-" + run, roles.get(1)));
        AWS.faults().failNext("secretsmanager", "CreateSecret", "AccessDeniedException", "not allowed");
        long callsBefore = AWS.calls().all().size();

        PlanExecutor.Result result = executor.execute(plan, Optional.of(SecretValue.of("token-value")));

        assertThat(result.failedAction()).hasValue(plan.get(0));
        assertThat(result.failure()).hasValueSatisfying(f -> assertThat(f.kind())
                .isEqualTo(AwsFailure.Kind.ACCESS_DENIED));
        assertThat(result.done()).as("the roles that exist: independent of the secret")
                .containsExactly(plan.get(4), plan.get(6));
        assertThat(callsSince(callsBefore)).as("nothing that waits for the secret was sent")
                .doesNotContain("ReplicateSecretToRegions", "ValidateResourcePolicy", "PutResourcePolicy")
                .contains("CreateSecret");
        assertThat(AWS.secretsManager(AwsEmulator.DEFAULT_ACCOUNT).secret(EAST, secretName)).isEmpty();
        assertThat(iam().inlinePolicies(roles.get(0))).containsKey(POLICY_NAME);
        assertThat(iam().inlinePolicies(roles.get(1))).containsKey(POLICY_NAME);
    }

    @Test
    void aFailedRoleLeavesTheRestOfThePlanDoneAndIsTheFailureReported() {
        List<Action> plan = firstConvergence(List.of(roles.get(0), "ghost-" + run));

        PlanExecutor.Result result = executor.execute(plan, Optional.of(SecretValue.of("token-value")));

        assertThat(result.failedAction()).hasValue(plan.get(5));
        assertThat(result.failure()).hasValueSatisfying(f -> assertThat(f.kind())
                .isEqualTo(AwsFailure.Kind.NOT_FOUND));
        assertThat(result.done()).containsExactlyElementsOf(plan.subList(0, 5));
        assertThat(AWS.secretsManager(AwsEmulator.DEFAULT_ACCOUNT).secret(EU, secretName)).isPresent();
    }

    /** Create, two replicas, the resource policy naming the roles that exist, one inline policy per role. */
    private List<Action> firstConvergence(List<String> roleNames) {
        String principals = roleNames.stream().map(name -> iam().role(name)).flatMap(Optional::stream)
                .map(r -> "\"" + r.arn() + "\"").reduce((x, y) -> x + "," + y).orElseThrow();
        String document = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\"Test\",\"Effect\":\"Allow\","
                + "\"Principal\":{\"AWS\":[" + principals + "]},\"Action\":\"secretsmanager:GetSecretValue\","
                + "\"Resource\":\"*\"}]}";
        String inline = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
                + "\"Action\":\"ssm:GetParameter\",\"Resource\":\"arn:aws:ssm:us-east-1:123456789012:parameter/x\"}]}";
        List<Action> plan = new java.util.ArrayList<>(List.of(
                new Action.CreateSecret(EAST, secretName, null, "aws/secretsmanager", Map.of(), "1".repeat(64)),
                new Action.ReplicateSecret(WEST, EAST, secretName, null, "aws/secretsmanager"),
                new Action.ReplicateSecret(EU, EAST, secretName, null, "aws/secretsmanager"),
                new Action.PutResourcePolicy(EAST, secretName, document, "grant", false, null)));
        roleNames.forEach(name -> plan.add(new Action.PutRolePolicy("global", name, POLICY_NAME, inline, "")));
        return plan;
    }

    private IamState iam() {
        IamState iam = AWS.iam(AwsEmulator.DEFAULT_ACCOUNT);
        roles.forEach(name -> {
            if (iam.role(name).isEmpty()) {
                iam.createRole(name);
            }
        });
        return iam;
    }

    private static List<String> callsSince(long before) {
        return AWS.calls().all().stream().skip(before).map(CallLog.Call::operation).toList();
    }

    private static List<String> writesSince(long before) {
        return AWS.calls().all().stream().skip(before).filter(CallLog.Call::write).map(CallLog.Call::operation)
                .toList();
    }
}
