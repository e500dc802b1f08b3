package io.elasticci.buildkite.token.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.elasticci.buildkite.token.aws.AwsClients;
import io.elasticci.buildkite.token.aws.KeyResolver;
import io.elasticci.buildkite.token.aws.PartitionHolder;
import io.elasticci.buildkite.token.aws.SdkAutoScalingGateway;
import io.elasticci.buildkite.token.aws.SdkCloudFormationGateway;
import io.elasticci.buildkite.token.aws.SdkIamGateway;
import io.elasticci.buildkite.token.aws.SdkKmsGateway;
import io.elasticci.buildkite.token.aws.SdkSecretsManagerGateway;
import io.elasticci.buildkite.token.aws.SdkStsGateway;
import io.elasticci.buildkite.token.aws.GatewayTestSupport;
import io.elasticci.buildkite.token.aws.SecretValue;
import io.elasticci.buildkite.token.e2e.EmulatorResource;
import io.elasticci.buildkite.token.emulator.AwsEmulator;
import io.elasticci.buildkite.token.emulator.MadeOnce;
import io.elasticci.buildkite.token.emulator.CloudFormationState;
import io.elasticci.buildkite.token.emulator.SecretsManagerState.SecretInfo;
import io.elasticci.buildkite.token.plan.DesiredToken;
import io.elasticci.buildkite.token.plan.RotationState;
import io.elasticci.buildkite.token.reconcile.act.PlanExecutor;
import io.elasticci.buildkite.token.reconcile.act.StatementRemovals;
import io.elasticci.buildkite.token.reconcile.observe.AccessObserver;
import io.elasticci.buildkite.token.reconcile.observe.AwsObserver;
import io.elasticci.buildkite.token.reconcile.observe.Parallel;
import io.elasticci.buildkite.token.reconcile.observe.RolloutObserver;
import io.elasticci.buildkite.token.reconcile.observe.StackDiscovery;
import io.elasticci.buildkite.token.reconcile.observe.StackListings;
import io.elasticci.buildkite.token.reconcile.observe.TokenSource;

/**
 * Restarts at every step: a full plan (create, replicate, resource policy, inline policies, stack parameters), then
 * a rotation (new value, instance refreshes), each interrupted after its k-th AWS write for every k — with the answer
 * of that write lost or not — and finished by a new process (fresh clients and caches, the status as the last
 * completed reconcile left it). Every run must end in the same state as an uninterrupted one, with nothing made
 * twice: one secret version per value, one replica, one resource policy statement, one inline policy per role, at
 * most one stack update per stack and one instance refresh per group and rotation.
 */
class RestartSweepTest {

    private static final AwsEmulator AWS = EmulatorResource.emulator();
    private static final String ACCOUNT = AwsEmulator.DEFAULT_ACCOUNT;
    private static final String EAST = "us-east-1";
    private static final String WEST = "us-west-2";
    private static final VersionTokens TOKENS = new VersionTokens("restart-sweep-installation-key".getBytes());
    /** More restarts than any plan has writes: a run that needs them is a run that loops. */
    private static final int MAX_RESTARTS = 12;
    private static final MadeOnce MADE = new MadeOnce(AWS, ACCOUNT);

    /** One operator process: its own clients, caches and pools, as after a restart. */
    private static Convergence newProcess() {
        Clock clock = Clock.systemUTC();
        AwsClients clients = GatewayTestSupport.clients();
        PartitionHolder partition = new PartitionHolder();
        SdkSecretsManagerGateway secrets = new SdkSecretsManagerGateway(clients);
        SdkKmsGateway kms = new SdkKmsGateway(clients);
        SdkIamGateway iam = new SdkIamGateway(clients, partition, clock, java.time.Duration.ofMinutes(5), false);
        SdkCloudFormationGateway cloudFormation = new SdkCloudFormationGateway(clients);
        SdkAutoScalingGateway autoScaling = new SdkAutoScalingGateway(clients);
        KeyResolver keys = new KeyResolver(kms, clock, java.time.Duration.ofMinutes(5));
        Parallel parallel = new Parallel();
        AwsObserver observer = new AwsObserver(new SdkStsGateway(clients), secrets, keys, parallel,
                new AccessObserver(new StackDiscovery(cloudFormation, iam, new StackListings(cloudFormation, clock,
                        java.time.Duration.ofMinutes(1))), secrets, iam, kms, parallel),
                new RolloutObserver(secrets, autoScaling, parallel, clock,
                        java.time.temporal.ChronoUnit.FOREVER.getDuration()), partition);
        return new Convergence(observer, new PlanExecutor(secrets, keys, iam, cloudFormation, autoScaling, parallel),
                new StatementRemovals(), clock);
    }

    /** What a completed reconcile leaves in status for the next one: the rotation and the stack updates started. */
    private static final class Status {
        DesiredToken desired;

        Status(DesiredToken desired) {
            this.desired = desired;
        }
    }

    private record World(String secretName, DesiredToken desired, List<String> groups) {
    }

    @AfterEach
    void noFaults() {
        AWS.faults().clear();
    }

    private static World world(String id) {
        String secretName = "restart/" + id;
        String parameterPath = "/aws/reference/secretsmanager/" + secretName;
        var cfn = AWS.cloudFormation(ACCOUNT);
        String eastKey = AWS.kms(ACCOUNT).createKey(EAST).keyId();
        String westKey = AWS.kms(ACCOUNT).createKey(WEST).keyId();
        List<String> groups = new ArrayList<>();
        for (var stack : List.of(cfn.elasticCiStack(EAST, "rs-" + id + "-east")
                        .shape(CloudFormationState.StackShape.CURRENT),
                cfn.elasticCiStack(WEST, "rs-" + id + "-west").shape(CloudFormationState.StackShape.FIXED_SIZE))) {
            var created = stack.create();
            created.resource("AgentAutoScaleGroup").ifPresent(r -> groups.add(r.physicalId()));
        }
        DesiredToken desired = new DesiredToken(secretName, EAST, List.of(
                new DesiredToken.DesiredRegion(EAST, eastKey, List.of("rs-" + id + "-east")),
                new DesiredToken.DesiredRegion(WEST, westKey, List.of("rs-" + id + "-west"))),
                Map.of("team", "ci"), "sweep-cluster/ns/" + id, Optional.empty(), true, true, true, 1, Map.of(),
                Map.of(), new DesiredToken.Rollout(true, 50, "Wait", Optional.empty(), Optional.empty(),
                        Optional.empty(), Optional.empty()));
        return new World(secretName, desired, groups);
    }

    /** Reconciles until nothing is left to do, a new process each time; the last completed result is kept. */
    private static Convergence.Result converge(Status status, SecretValue value) {
        Convergence.Result last = null;
        for (int attempt = 0; attempt < MAX_RESTARTS; attempt++) {
            Convergence.Result result = newProcess().run(new Convergence.Request(status.desired,
                    new TokenSource.Read(Optional.of(value), Optional.empty()), TOKENS, Set.of(), false), a -> {
                    });
            if (result.failure().isEmpty()) {
                // a completed reconcile: its status is written
                status.desired = result.desired().withRotation(result.rotation());
                last = result;
                if (result.pending().isEmpty() && result.problems().stream().noneMatch(p -> p.reason()
                        .isTerminal())) {
                    return result;
                }
            }
        }
        throw new AssertionError("no convergence after " + MAX_RESTARTS + " reconciles; last: " + last);
    }

    /** The first reconcile dies after {@code k} writes (its status is never written); later ones run normally. */
    private static void crashThenConverge(Status status, SecretValue value, int k, boolean loseAnswer) {
        AWS.faults().stopAfterWrites(k, loseAnswer);
        newProcess().run(new Convergence.Request(status.desired, new TokenSource.Read(Optional.of(value),
                Optional.empty()), TOKENS, Set.of(), false), a -> {
                });
        AWS.faults().clear();
        converge(status, value);
    }

    /** The end state, described so that two runs compare equal, plus a count of everything made. */
    private static Map<String, Object> endState(World world) {
        Map<String, Object> state = new TreeMap<>();
        SecretInfo secret = AWS.secretsManager(ACCOUNT).secret(EAST, world.secretName()).orElseThrow();
        state.put("versions", MADE.versions(EAST, world.secretName()));
        state.put("repeatedValues", MADE.repeatedValues(EAST, world.secretName()));
        state.put("current", secret.currentValue());
        state.put("replicas", secret.replicas().stream().map(r -> r.region() + ":" + r.status()).toList());
        state.put("statements", MADE.policyStatements(EAST, world.secretName()));
        state.put("tags", new TreeMap<>(secret.tags()).keySet());
        String prefix = "rs-" + idOf(world) + "-";
        Map<String, Long> inline = new TreeMap<>();
        MADE.operatorInlinePolicies(AWS.iam(ACCOUNT).roles().stream().map(r -> r.name())
                .filter(n -> n.startsWith(prefix)).toList())
                .forEach((role, count) -> inline.put(role.replace(prefix, "rs-").replaceAll("-[A-Z0-9]{8,}", ""),
                        count));
        state.put("inlinePolicies", inline);
        return state;
    }

    private static String idOf(World world) {
        return world.secretName().substring("restart/".length());
    }

    @Test
    void everyInterruptionOfTheFirstConvergenceEndsInTheSameStateWithNothingMadeTwice() {
        World reference = world("ref");
        Status referenceStatus = new Status(reference.desired());
        long writesBefore = AWS.calls().writeCount();
        converge(referenceStatus, SecretValue.of("bkua_sweep_first_value"));
        long writes = AWS.calls().writeCount() - writesBefore;
        Map<String, Object> expected = endState(reference);
        assertThat(writes).as("writes of a full plan").isGreaterThanOrEqualTo(7);
        assertThat(expected).containsEntry("versions", 1).containsEntry("repeatedValues", 0L)
                .containsEntry("statements", 1);

        for (int k = 0; k < writes; k++) {
            for (boolean loseAnswer : List.of(false, true)) {
                World world = world("k" + k + (loseAnswer ? "l" : "a"));
                int mark = AWS.calls().size();
                crashThenConverge(new Status(world.desired()), SecretValue.of("bkua_sweep_first_value"), k,
                        loseAnswer);
                assertThat(endState(world)).as("after a crash at write %d (answer lost: %s)", k, loseAnswer)
                        .isEqualTo(expected);
                assertThat(MADE.succeeded("cloudformation", "UpdateStack", null, mark)).as("stack updates")
                        .isLessThanOrEqualTo(2);
            }
        }
    }

    @Test
    void everyInterruptionOfARotationWritesOneVersionAndRefreshesEachGroupOnce() {
        World reference = world("rot-ref");
        Status referenceStatus = new Status(reference.desired());
        converge(referenceStatus, SecretValue.of("bkua_sweep_v1"));
        long writesBefore = AWS.calls().writeCount();
        converge(referenceStatus, SecretValue.of("bkua_sweep_v2"));
        long writes = AWS.calls().writeCount() - writesBefore;
        Map<String, Object> expected = endState(reference);
        assertThat(expected).containsEntry("versions", 2).containsEntry("current", "bkua_sweep_v2");
        assertThat(writes).as("writes of a rotation").isGreaterThanOrEqualTo(2);

        for (int k = 0; k < writes; k++) {
            for (boolean loseAnswer : List.of(false, true)) {
                World world = world("rot-k" + k + (loseAnswer ? "l" : "a"));
                Status status = new Status(world.desired());
                converge(status, SecretValue.of("bkua_sweep_v1"));
                int mark = AWS.calls().size();
                crashThenConverge(status, SecretValue.of("bkua_sweep_v2"), k, loseAnswer);
                assertThat(endState(world)).as("after a crash at write %d (answer lost: %s)", k, loseAnswer)
                        .isEqualTo(expected);
                assertThat(MADE.succeeded("autoscaling", "StartInstanceRefresh", null, mark)).as("instance refreshes")
                        .isLessThanOrEqualTo(world.groups().size());
            }
        }
    }
}
