package io.elasticci.buildkite.token.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import io.elasticci.buildkite.token.api.v1alpha1.BuildkiteAgentToken;
import io.elasticci.buildkite.token.buildkite.emulator.BuildkiteEmulator;
import io.elasticci.buildkite.token.buildkite.emulator.ClusterTokens.StoredToken;
import io.elasticci.buildkite.token.emulator.AwsEmulator;
import io.elasticci.buildkite.token.emulator.CallLog;
import io.elasticci.buildkite.token.emulator.CloudFormationState.StackShape;
import io.elasticci.buildkite.token.emulator.SecretsManagerState;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;

/**
 * {@code kill -9} of the packaged operator with a plan in flight: a token created, replicated to two regions, granted
 * to five roles of three stacks (resource policy, inline policies) whose token parameters it updates, then rotated
 * with instance refreshes. AWS answers slowly, so the operator dies between two writes; each new process is a new
 * pod (another identity), which takes the Lease over once it expires. Kill points are taken from the emulator's call
 * log of an uninterrupted run: after the first, a middle and the last write of the plan, and after the rotation's
 * first instance refresh; and, for a token minted in Buildkite, after its creation there and before its write to AWS.
 * Each ends in the uninterrupted run's state with nothing made twice.
 */
class KillDashNineIT {

    private static final String NAMESPACE = "kill9";
    private static final String ACCOUNT = AwsEmulator.DEFAULT_ACCOUNT;
    private static final List<String> REGIONS = List.of("us-east-1", "us-west-2", "eu-west-1");
    private static final List<StackShape> SHAPES = List.of(StackShape.CURRENT, StackShape.FIXED_SIZE,
            StackShape.CURRENT);
    private static final String ALIAS = "alias/kill9";
    /** Every AWS call this slow: a plan takes seconds, so the kill lands between two of its writes. */
    private static final Duration LATENCY = Duration.ofMillis(80);
    private static final Duration LEASE = Duration.ofSeconds(4);
    private static final Duration CONVERGE = Duration.ofSeconds(90);

    private final StandaloneOperators servers = new StandaloneOperators("kill-dash-nine", "kube-system", NAMESPACE);
    private final Map<String, String> keyIds = new LinkedHashMap<>();
    private final List<PackagedOperator> processes = new ArrayList<>();
    private final List<String> values = new ArrayList<>();

    @Test
    void killedMidPlanANewProcessFinishesItWithNothingMadeTwice() {
        try (servers) {
            prepareAws();
            PackagedOperator operator = start();

            // The uninterrupted run: what every interrupted one must end in.
            int from = aws().calls().all().size();
            createToken("ref");
            awaitConverged("ref");
            int planWrites = successfulWrites(from);
            Map<String, Object> created = endState("ref", value("ref", 1));
            assertThat(planWrites).as("writes of the full plan").isGreaterThanOrEqualTo(8);
            assertThat(created).containsEntry("versions", 1).containsEntry("statements", 1);
            assertThat(created.get("regions").toString()).as("inline policies on the roles").contains("Role:1");
            System.out.println("kill -9: reference end state " + created + " after " + planWrites + " writes");
            rotate("ref");
            awaitRotated("ref");
            Map<String, Object> rotated = endState("ref", value("ref", 2));
            assertThat(rotated).containsEntry("versions", 2);

            Map<String, Integer> killPoints = new LinkedHashMap<>();
            killPoints.put("first", 1);
            killPoints.put("middle", (planWrites + 1) / 2);
            killPoints.put("last", planWrites);
            for (Map.Entry<String, Integer> sample : killPoints.entrySet()) {
                String id = sample.getKey();
                int start = aws().calls().all().size();
                createToken(id);
                operator = killWhen(operator, calls -> successfulWrites(calls) >= sample.getValue());
                awaitConverged(id);
                assertThat(endState(id, value(id, 1))).as("killed after write %d of %d", sample.getValue(),
                        planWrites).isEqualTo(created);
                assertAtMostOnePerStack(start, "cloudformation", "UpdateStack");
            }

            int start = aws().calls().all().size();
            rotate("first");
            operator = killWhen(operator, calls -> calls.stream()
                    .anyMatch(c -> c.operation().equals("StartInstanceRefresh") && !c.failed()));
            awaitRotated("first");
            assertThat(endState("first", value("first", 2))).as("killed mid-rotation").isEqualTo(rotated);
            assertAtMostOnePerStack(start, "autoscaling", "StartInstanceRefresh");

            operator = killBetweenMintAndWrite(operator);
            operator.close();
            for (PackagedOperator process : processes) {
                for (String value : values) {
                    assertThat(process.log()).as("%s's log", process).doesNotContain(value);
                }
            }
        } finally {
            processes.forEach(PackagedOperator::close);
        }
    }

    /** The minted token: the operator dies after Buildkite created it and before AWS holds it. */
    private PackagedOperator killBetweenMintAndWrite(PackagedOperator operator) {
        servers.api.client().secrets().inNamespace(NAMESPACE).resource(new SecretBuilder().withNewMetadata()
                .withName("buildkite-api").endMetadata().withStringData(Map.of("token", BuildkiteEmulator.API_TOKEN))
                .build()).create();
        for (int i = 0; i < 100; i++) { // the write cannot get through before the kill
            aws().faults().failNext("secretsmanager", "CreateSecret", "InternalServiceError", "held");
        }
        servers.api.client().resource(Serialization.unmarshal("""
                apiVersion: buildkite.elasticci.io/v1alpha1
                kind: BuildkiteAgentToken
                metadata: {name: minted, namespace: kill9}
                spec:
                  secretName: kill9/minted
                  primaryRegion: us-east-1
                  regions: [{region: us-east-1, kmsKeyId: alias/kill9}]
                  buildkite:
                    organization: acme
                    clusterId: 4d2ac7c4-65a5-4a3e-9f7e-0c3b1e1f2a10
                    apiTokenSecretRef: {name: buildkite-api}
                """, BuildkiteAgentToken.class)).create();
        Awaitility.await().atMost(CONVERGE).pollInterval(Duration.ofMillis(5)).until(() -> !mintedTokens().isEmpty());
        operator.kill();
        List<StoredToken> orphans = mintedTokens();
        assertThat(sm().secret(REGIONS.get(0), "kill9/minted")).as("killed before the write").isEmpty();
        assertThat(orphans).hasSize(1);
        aws().faults().clear();
        aws().faults().latency(LATENCY);

        PackagedOperator next = start();
        awaitConverged("minted");
        String value = sm().secret(REGIONS.get(0), "kill9/minted").orElseThrow().currentValue();
        values.add(value);
        assertThat(mintedTokens()).as("one live token, the one the secret holds").singleElement()
                .satisfies(t -> assertThat(t.id()).isNotEqualTo(orphans.get(0).id()));
        assertThat(servers.buildkite.tokens().acceptsAgentToken(value)).isTrue();
        assertThat(servers.api.client().v1().events().inNamespace(NAMESPACE).list().getItems())
                .filteredOn(e -> "minted".equals(e.getInvolvedObject().getName()))
                .extracting(e -> e.getReason()).contains("OrphanTokenRevoked");
        return next;
    }

    private List<StoredToken> mintedTokens() {
        return servers.buildkite.tokens().tokens(BuildkiteEmulator.ORGANIZATION, BuildkiteEmulator.CLUSTER).stream()
                .filter(t -> t.description() != null && t.description().contains(NAMESPACE + "/minted")).toList();
    }

    private void prepareAws() {
        for (String region : REGIONS) {
            String keyId = aws().kms(ACCOUNT).createKey(region, "kill -9").keyId();
            aws().kms(ACCOUNT).createAlias(region, ALIAS, keyId);
            keyIds.put(region, keyId);
        }
        aws().cloudFormation(ACCOUNT).setUpdateDuration(Duration.ofSeconds(1));
        aws().autoScaling(ACCOUNT).setPendingDuration(Duration.ofMillis(500));
        aws().autoScaling(ACCOUNT).setReplacementDuration(Duration.ofSeconds(1));
        aws().faults().latency(LATENCY);
    }

    /** A new pod: its own identity, so it must wait for the dead one's Lease to expire. */
    private PackagedOperator start() {
        String name = "kill9-" + (processes.size() + 1);
        Map<String, String> env = servers.environment(NAMESPACE);
        env.put("HOSTNAME", name);
        env.put("BKAT_LEADER_ELECTION_LEASE_DURATION", LEASE.toString());
        env.put("BKAT_LEADER_ELECTION_RENEW_DEADLINE", "PT3S");
        env.put("BKAT_LEADER_ELECTION_RETRY_PERIOD", "PT0.5S");
        PackagedOperator operator = PackagedOperator.start(name, env);
        processes.add(operator);
        return operator.awaitStarted();
    }

    /** Kills the operator (SIGKILL) as soon as the calls since now satisfy {@code reached}; starts the next. */
    private PackagedOperator killWhen(PackagedOperator operator, Predicate<List<CallLog.Call>> reached) {
        int from = aws().calls().all().size();
        Awaitility.await().atMost(CONVERGE).pollInterval(Duration.ofMillis(5)).until(() -> {
            List<CallLog.Call> all = aws().calls().all();
            return reached.test(all.subList(from, all.size()));
        });
        operator.kill();
        return start();
    }

    private static int successfulWrites(List<CallLog.Call> calls) {
        return (int) calls.stream().filter(c -> c.write() && !c.failed()).count();
    }

    private int successfulWrites(int from) {
        List<CallLog.Call> all = aws().calls().all();
        return successfulWrites(all.subList(from, all.size()));
    }

    /** At most one successful call of that operation per stack since call {@code from}. */
    private void assertAtMostOnePerStack(int from, String service, String operation) {
        List<CallLog.Call> all = aws().calls().all();
        assertThat(all.subList(from, all.size())).filteredOn(c -> c.service().equals(service)
                && c.operation().equals(operation) && !c.failed()).as(operation).hasSizeLessThanOrEqualTo(SHAPES.size());
    }

    private static String secretName(String id) {
        return "kill9/" + id;
    }

    private static String stackName(String id, int region) {
        return "k9-" + id + "-" + region;
    }

    private static String value(String id, int version) {
        return "bkua_kill9_" + id + "_v" + version;
    }

    /** Stacks whose token parameters are not set yet (the operator updates them), its Secret and the resource. */
    private void createToken(String id) {
        StringBuilder regions = new StringBuilder();
        for (int r = 0; r < REGIONS.size(); r++) {
            aws().cloudFormation(ACCOUNT).elasticCiStack(REGIONS.get(r), stackName(id, r)).shape(SHAPES.get(r))
                    .create();
            regions.append("    - {region: ").append(REGIONS.get(r)).append(", kmsKeyId: ").append(ALIAS)
                    .append(", stacks: [").append(stackName(id, r)).append("]}\n");
        }
        putValue(id, value(id, 1));
        servers.api.client().resource(Serialization.unmarshal("""
                apiVersion: buildkite.elasticci.io/v1alpha1
                kind: BuildkiteAgentToken
                metadata: {name: %s, namespace: %s}
                spec:
                  secretName: %s
                  primaryRegion: us-east-1
                  tokenSecretRef: {name: %s, key: token}
                  permissions: Manage
                  stackParameters: Manage
                  rotation: {refreshInstances: true, minHealthyPercentage: 50}
                  regions:
                %s""".formatted(id, NAMESPACE, secretName(id), id, regions), BuildkiteAgentToken.class)).create();
    }

    private void rotate(String id) {
        putValue(id, value(id, 2));
    }

    private void putValue(String id, String value) {
        values.add(value);
        servers.api.client().secrets().inNamespace(NAMESPACE).resource(new SecretBuilder().withNewMetadata()
                .withName(id).endMetadata().withStringData(Map.of("token", value)).build()).createOr(r -> r.update());
    }

    private void awaitConverged(String id) {
        Awaitility.await().atMost(CONVERGE).pollInterval(Duration.ofMillis(250))
                .until(() -> servers.converged(NAMESPACE, id));
    }

    /** Converged with the previous version revocable: every group refreshed after the new one was in sync. */
    private void awaitRotated(String id) {
        Awaitility.await().atMost(CONVERGE).pollInterval(Duration.ofMillis(250)).until(() -> {
            BuildkiteAgentToken token = servers.api.client().resources(BuildkiteAgentToken.class)
                    .inNamespace(NAMESPACE).withName(id).get();
            return servers.converged(NAMESPACE, id) && token.getStatus().rotation != null
                    && !token.getStatus().rotation.revocableVersionIds.isEmpty();
        });
    }

    private Map<String, Object> endState(String id, String value) {
        Map<String, List<String>> stacks = new LinkedHashMap<>();
        for (int r = 0; r < REGIONS.size(); r++) {
            stacks.put(REGIONS.get(r), List.of(stackName(id, r)));
        }
        return TokenFootprint.of(aws(), secretName(id), value, stacks, keyIds);
    }

    private AwsEmulator aws() {
        return servers.aws;
    }

    private SecretsManagerState sm() {
        return aws().secretsManager(ACCOUNT);
    }
}
