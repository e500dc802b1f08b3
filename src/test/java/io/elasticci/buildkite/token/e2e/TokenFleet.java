package io.elasticci.buildkite.token.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.elasticci.buildkite.token.api.v1alpha1.BuildkiteAgentToken;
import io.elasticci.buildkite.token.api.v1alpha1.Mode;
import io.elasticci.buildkite.token.api.v1alpha1.RegionSpec;
import io.elasticci.buildkite.token.emulator.AwsEmulator;
import io.elasticci.buildkite.token.emulator.CloudFormationState.StackInfo;
import io.elasticci.buildkite.token.emulator.CloudFormationState.StackShape;
import io.elasticci.buildkite.token.emulator.MadeOnce;

/**
 * A small fleet for the fault scenarios: tokens over three regions (us-east-1 primary, us-west-2, eu-west-1), each
 * with two Elastic CI Stacks per region: one whose instance role is a custom role (the template grants it nothing, so
 * the operator adds an inline policy) and one of fixed size. With {@code stackParameters: Manage}, the second stack
 * names the key by its alias (design §1.6) and so needs exactly one stack update.
 */
final class TokenFleet {

    static final List<String> REGIONS = List.of(ScenarioBase.EAST, ScenarioBase.WEST, ScenarioBase.EU);
    private static final ObjectMapper JSON = new ObjectMapper();

    record Stack(String region, String name, boolean needsUpdate) {
    }

    record Member(String name, String secretName, String tokenSecret, List<Stack> stacks) {
    }

    private final ScenarioBase scenario;
    private final MadeOnce made;
    private final List<Member> members = new ArrayList<>();
    /** Every value ever given to a member: none may appear in logs, Events or status. */
    private final List<String> values = new ArrayList<>();
    private final Map<String, Integer> rotations = new LinkedHashMap<>();
    private final Map<String, String> latest = new LinkedHashMap<>();
    private final Mode stackParameters;

    private TokenFleet(ScenarioBase scenario, Mode stackParameters) {
        this.scenario = scenario;
        this.stackParameters = stackParameters;
        this.made = new MadeOnce(scenario.aws, AwsEmulator.DEFAULT_ACCOUNT);
    }

    /** Creates the stacks of {@code size} tokens in AWS; {@link #apply} hands the tokens to the operator. */
    static TokenFleet create(ScenarioBase scenario, int size, Mode stackParameters) {
        TokenFleet fleet = new TokenFleet(scenario, stackParameters);
        String id = scenario.k8s.id;
        for (int i = 0; i < size; i++) {
            String secretName = scenario.secretName() + "-" + i;
            String path = "/aws/reference/secretsmanager/" + secretName;
            List<Stack> stacks = new ArrayList<>();
            for (String region : REGIONS) {
                String custom = "f" + i + "-" + region + "-custom-" + id;
                scenario.cfn().elasticCiStack(region, custom).shape(StackShape.CUSTOM_INSTANCE_ROLE)
                        .tokenParameters(path, scenario.keyIdOf(region)).create();
                stacks.add(new Stack(region, custom, false));
                String fixed = "f" + i + "-" + region + "-fixed-" + id;
                boolean wrongKey = stackParameters == Mode.Manage;
                scenario.cfn().elasticCiStack(region, fixed).shape(StackShape.FIXED_SIZE)
                        .tokenParameters(path, wrongKey ? scenario.alias() : scenario.keyIdOf(region)).create();
                stacks.add(new Stack(region, fixed, wrongKey));
            }
            fleet.members.add(new Member("fleet-" + i, secretName, "fleet-token-" + i, stacks));
        }
        return fleet;
    }

    List<Member> members() {
        return members;
    }

    /** A value unique to the member and rotation; remembered for the leak checks. */
    private String nextValue(Member member) {
        int rotation = rotations.merge(member.name(), 1, Integer::sum);
        String value = "bkua_fault_storm_" + scenario.k8s.id + "_" + member.name() + "_v" + rotation;
        values.add(value);
        latest.put(member.name(), value);
        return value;
    }

    /** Writes each member's Kubernetes Secret and creates its BuildkiteAgentToken. */
    void apply() {
        for (Member member : members) {
            scenario.k8s.tokenSecret(member.tokenSecret(), nextValue(member));
            BuildkiteAgentToken token = scenario.k8s.fixture("token.yaml");
            token.getMetadata().setName(member.name());
            token.getSpec().setSecretName(member.secretName());
            token.getSpec().getTokenSecretRef().setName(member.tokenSecret());
            token.getSpec().setStackParameters(stackParameters);
            List<RegionSpec> regions = new ArrayList<>();
            for (String region : REGIONS) {
                regions.add(new RegionSpec(region, scenario.alias(), member.stacks().stream()
                        .filter(s -> s.region().equals(region)).map(Stack::name).toList()));
            }
            token.getSpec().setRegions(regions);
            scenario.k8s.apply(token);
        }
    }

    /** A new value in every member's Kubernetes Secret: a rotation of the whole fleet. */
    void rotate() {
        members.forEach(m -> scenario.k8s.tokenSecret(m.tokenSecret(), nextValue(m)));
    }

    /** Whether the member's status shows it converged on its current spec. */
    boolean ready(Member member) {
        return scenario.k8s.condition(member.name(), "Ready").filter(c -> "True".equals(c.getStatus())
                && "Converged".equals(c.getReason())).isPresent();
    }

    /**
     * Whether the member converged on its latest value: Ready for its generation, AWS holds that value as current
     * and status says so, and after a rotation every group's refresh succeeded.
     */
    private boolean settled(Member member, BuildkiteAgentToken token) {
        var secret = scenario.sm().secret(ScenarioBase.EAST, member.secretName());
        if (token.getStatus() == null || secret.isEmpty() || !ready(member)
                || !token.getMetadata().getGeneration().equals(token.getStatus().observedGeneration)
                || !latest.get(member.name()).equals(secret.get().currentValue())
                || !secret.get().currentVersionId().orElseThrow().equals(token.getStatus().currentVersionId)) {
            return false;
        }
        var rotation = token.getStatus().rotation;
        return rotations.get(member.name()) == 1 || rotation != null
                && token.getStatus().currentVersionId.equals(rotation.versionId)
                && rotation.refreshes.size() == member.stacks().size()
                && rotation.refreshes.stream().allMatch(r -> "Successful".equals(r.status));
    }

    /** Whether every member settled on its latest value. */
    boolean allSettled() {
        return members.stream().allMatch(m -> {
            BuildkiteAgentToken token = scenario.k8s.get(m.name());
            return token != null && settled(m, token);
        });
    }

    /** Waits for every member to settle on its latest value, moving the emulator clock so that refreshes progress. */
    void awaitReady() {
        for (Member member : members) {
            scenario.k8s.awaitAdvancing(member.name(), Duration.ofSeconds(30), t -> settled(member, t));
        }
    }

    /** Waits for every member to settle on its latest value without moving the emulator clock. */
    void awaitReadyStandingClock() {
        for (Member member : members) {
            scenario.k8s.await(member.name(), t -> settled(member, t));
        }
    }

    /** The fixed stacks whose parameters the operator had to update (Manage mode). */
    private List<Stack> stacksNeedingUpdate() {
        return members.stream().flatMap(m -> m.stacks().stream()).filter(Stack::needsUpdate).toList();
    }

    /**
     * Every member converged with nothing made twice since the call log's {@code mark}: one version per value, one
     * replica per region, one resource policy statement, one inline policy per custom role (none twice anywhere),
     * every stack able to read the token, each stack updated at most once and each group refreshed once per rotation.
     */
    void assertConvergedWithNothingMadeTwice(int mark) {
        for (Member member : members) {
            String secret = member.secretName();
            int rotationsDone = rotations.get(member.name());
            assertThat(made.versions(ScenarioBase.EAST, secret)).as("versions of %s", secret).isEqualTo(rotationsDone);
            assertThat(made.repeatedValues(ScenarioBase.EAST, secret)).as("values written twice").isZero();
            assertThat(made.replicaRegions(ScenarioBase.EAST, secret)).as("replicas of %s", secret)
                    .containsExactly(ScenarioBase.EU, ScenarioBase.WEST);
            assertThat(made.policyStatements(ScenarioBase.EAST, secret)).as("statements").isEqualTo(1);
            for (Stack stack : member.stacks()) {
                StackInfo info = scenario.cfn().stackOrThrow(stack.region(), stack.name());
                scenario.assertStackReadsToken(secret, stack.region(), info);
                Map<String, Long> inline = made.operatorInlinePolicies(info.roles().stream().map(r -> r.name())
                        .toList());
                assertThat(inline).as("inline policies of %s", stack.name()).allSatisfy((role, count) ->
                        assertThat(count).isLessThanOrEqualTo(1L));
                if (info.shape() == StackShape.CUSTOM_INSTANCE_ROLE) { // the template grants a custom role nothing
                    assertThat(inline).containsEntry(info.instanceRole().name(), 1L);
                }
                if (stack.needsUpdate()) {
                    assertThat(info.parameter("BuildkiteAgentTokenParameterStoreKMSKey"))
                            .isEqualTo(scenario.keyIdOf(stack.region()));
                }
                if (rotationsDone > 1) {
                    assertThat(scenario.aws.autoScaling(AwsEmulator.DEFAULT_ACCOUNT).refreshes(stack.region(),
                            info.autoScalingGroupName())).as("refreshes of %s", stack.name())
                            .hasSize(rotationsDone - 1);
                }
            }
        }
        // Each stack that needed it was updated (its parameter is right) and no stack twice: one success each.
        for (String region : REGIONS) {
            assertThat(made.succeeded("cloudformation", "UpdateStack", region, mark)).as("stack updates in %s", region)
                    .isEqualTo(stacksNeedingUpdate().stream().filter(s -> s.region().equals(region)).count());
        }
    }

    /** No value the fleet ever had appears in the captured logs, in any Event or in any status. */
    void assertNoValueLeaked(LogCapture logs) {
        List<String> lines = logs.lines();
        assertThat(lines).as("the capture saw the operator at work").isNotEmpty();
        for (Member member : members) {
            String status;
            String events;
            try {
                status = JSON.writeValueAsString(scenario.k8s.get(member.name()).getStatus());
                events = JSON.writeValueAsString(scenario.k8s.events(member.name()));
            } catch (JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
            for (int v = 0; v < values.size(); v++) {
                String value = values.get(v);
                assertThat(lines.stream().noneMatch(l -> l.contains(value))).as("value %d in the logs", v).isTrue();
                assertThat(status.contains(value)).as("value %d in the status of %s", v, member.name()).isFalse();
                assertThat(events.contains(value)).as("value %d in the Events of %s", v, member.name()).isFalse();
            }
        }
    }
}
