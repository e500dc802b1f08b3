package io.elasticci.buildkite.token.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.elasticci.buildkite.token.deploy.HelmChart;
import io.elasticci.buildkite.token.deploy.Manifests;
import io.elasticci.buildkite.token.emulator.AwsEmulator;
import io.elasticci.buildkite.token.emulator.CallLog;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;

/**
 * Two packaged operators sharding one API server's resources by label ({@code BKAT_SHARD_SELECTOR}), each with the
 * environment the Helm chart's {@code shards} give its Deployment: each elects its own leader on a Lease of its own,
 * reconciles the resources its selector matches and never touches the other's. Each shard signs with an access key of
 * its own, so the AWS calls say which shard made them.
 */
class ShardingIT {

    private static final String OPERATORS = "operators";
    private static final String TEAMS = "teams";
    private static final String LABEL = "buildkite.elasticci.io/shard";
    private static final Map<String, String> KEYS = Map.of("a", "AKIASHARDA0000000001", "b", "AKIASHARDB0000000001");

    /** The shards as the Helm chart installs them. */
    private static final Manifests CHART = HelmChart.template("""
            shards:
              - {name: a, selector: buildkite.elasticci.io/shard=a}
              - {name: b, selector: buildkite.elasticci.io/shard=b}
            """);

    /** The environment the chart gives the shard's Deployment, AWS credentials of the shard's own. */
    private static Map<String, String> environment(StandaloneOperators servers, String shard) {
        Map<String, String> env = servers.chartEnvironment(OPERATORS,
                CHART.get("Deployment " + HelmChart.NAMESPACE + "/" + HelmChart.RELEASE + "-" + shard));
        assertThat(env).containsEntry("BKAT_SHARD_SELECTOR", LABEL + "=" + shard);
        env.put("HOSTNAME", "operator-" + shard); // the identity its Lease records
        env.put("AWS_ACCESS_KEY_ID", KEYS.get(shard));
        return env;
    }

    private static void token(StandaloneOperators servers, String shard, String name) {
        servers.adoptingToken(TEAMS, name, "buildkite/" + name, Map.of(LABEL, shard));
    }

    private static long tagCalls(StandaloneOperators servers, String shard) {
        return servers.aws.calls().by(KEYS.get(shard)).stream()
                .filter(c -> c.operation().equals("TagResource") && !c.failed()).count();
    }

    /** Tokens in the shard's controller cache, as its bkat_tokens gauges count them. */
    private static double tokensSeen(PackagedOperator operator) {
        try {
            return operator.get("/q/metrics").body().lines().filter(l -> l.startsWith("bkat_tokens{"))
                    .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void eachShardReconcilesOnlyTheResourcesItsSelectorMatches() {
        try (StandaloneOperators servers = new StandaloneOperators("sharding", "kube-system", OPERATORS, TEAMS)) {
            KEYS.values().forEach(key -> servers.aws.registerAccount(key, AwsEmulator.DEFAULT_ACCOUNT));
            try (PackagedOperator a = PackagedOperator.start("shard-a", environment(servers, "a")).awaitStarted();
                    PackagedOperator b = PackagedOperator.start("shard-b", environment(servers, "b")).awaitStarted()) {
                token(servers, "a", "alpha-1");
                token(servers, "b", "bravo-1");
                token(servers, "a", "alpha-2");
                servers.adoptingToken(TEAMS, "unlabelled", "buildkite/unlabelled");

                for (String name : List.of("alpha-1", "alpha-2", "bravo-1")) {
                    assertThat(servers.awaitReady(TEAMS, name, "True").getReason()).isEqualTo("Converged");
                }

                Map<String, String> holders = Map.of("a", holder(servers, "a"), "b", holder(servers, "b"));
                assertThat(holders).isEqualTo(Map.of("a", "operator-a", "b", "operator-b"));
                assertThat(tagCalls(servers, "a")).as("secrets shard a adopted").isEqualTo(2);
                assertThat(tagCalls(servers, "b")).as("secrets shard b adopted").isEqualTo(1);
                assertThat(servers.aws.calls().all()).extracting(CallLog.Call::accessKeyId)
                        .as("only the shards called AWS").containsOnly(KEYS.get("a"), KEYS.get("b"));
                assertThat(a.log()).contains("buildkite/alpha-1", "buildkite/alpha-2").doesNotContain("buildkite/bravo")
                        .doesNotContain("buildkite/unlabelled");
                assertThat(b.log()).contains("buildkite/bravo-1").doesNotContain("buildkite/alpha")
                        .doesNotContain("buildkite/unlabelled");
                assertThat(tokensSeen(a)).as("resources in shard a's cache").isEqualTo(2);
                assertThat(tokensSeen(b)).as("resources in shard b's cache").isEqualTo(1);
                assertThat(servers.ready(TEAMS, "unlabelled")).as("a resource no shard selects").isEmpty();
            }
        }
    }

    private static String holder(StandaloneOperators servers, String shard) {
        Lease lease = servers.api.client().leases().inNamespace(OPERATORS)
                .withName("buildkite-token-operator-lease-" + shard).get();
        return lease == null ? null : lease.getSpec().getHolderIdentity();
    }
}
