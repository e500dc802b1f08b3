package io.elasticci.buildkite.token.emulator;

import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.secretsmanager.model.DescribeSecretResponse;
import software.amazon.awssdk.services.secretsmanager.model.ReplicaRegionType;
import software.amazon.awssdk.services.secretsmanager.model.ReplicationStatusType;
import software.amazon.awssdk.services.secretsmanager.model.ResourceNotFoundException;
import software.amazon.awssdk.services.secretsmanager.model.StatusType;
import software.amazon.awssdk.services.secretsmanager.model.Tag;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Replica version lag: replicas that serve their previous versions for a while after a primary change. */
class ReplicationLagEmulatorTest extends MultiRegionSecretsTestSupport {

    private static ReplicaRegionType replica(String region) {
        return ReplicaRegionType.builder().region(region).build();
    }

    private static StatusType statusOf(String region) {
        return east.describeSecret(b -> b.secretId(NAME)).replicationStatus().stream()
                .filter(r -> r.region().equals(region)).findFirst().orElseThrow().status();
    }

    private static String createReplicated(String... regions) {
        return east.createSecret(b -> b.name(NAME).secretString("v1")
                .addReplicaRegions(java.util.Arrays.stream(regions).map(ReplicationLagEmulatorTest::replica)
                        .toList())).versionId();
    }

    @Test
    void laggedReplicaKeepsServingThePreviousVersionUntilTheLagHasPassed() {
        String v1 = createReplicated(WEST);
        state().setReplicaVersionLag(Duration.ofMinutes(5));

        String v2 = east.putSecretValue(b -> b.secretId(NAME).secretString("v2")).versionId();

        // the primary has the new version and reports the replica in progress, without a message
        assertThat(east.getSecretValue(b -> b.secretId(NAME)).secretString()).isEqualTo("v2");
        ReplicationStatusType status = east.describeSecret(b -> b.secretId(NAME)).replicationStatus().get(0);
        assertThat(status.status()).isEqualTo(StatusType.IN_PROGRESS);
        assertThat(status.statusMessage()).isNull();

        // the replica still serves v1, by stage and by ID, and describes its old stages
        assertThat(west.getSecretValue(b -> b.secretId(NAME).versionStage("AWSCURRENT")).secretString())
                .isEqualTo("v1");
        assertThat(west.getSecretValue(b -> b.secretId(NAME).versionId(v1)).secretString()).isEqualTo("v1");
        assertThatThrownBy(() -> west.getSecretValue(b -> b.secretId(NAME).versionId(v2)))
                .isInstanceOf(ResourceNotFoundException.class);
        assertThatThrownBy(() -> west.getSecretValue(b -> b.secretId(NAME).versionStage("AWSPREVIOUS")))
                .isInstanceOf(ResourceNotFoundException.class);
        DescribeSecretResponse replica = west.describeSecret(b -> b.secretId(NAME));
        assertThat(replica.versionIdsToStages()).containsExactly(Map.entry(v1, List.of("AWSCURRENT")));
        assertThat(west.listSecretVersionIds(b -> b.secretId(NAME)).versions()).singleElement()
                .satisfies(v -> assertThat(v.versionId()).isEqualTo(v1));
        assertThat(state().secret(WEST, NAME).orElseThrow().currentValue()).isEqualTo("v1");
        assertThat(state().secret(PRIMARY, NAME).orElseThrow().replica(WEST).orElseThrow().status())
                .isEqualTo(SecretsManagerState.IN_PROGRESS);

        // tags are not held back by the version lag
        east.tagResource(b -> b.tags(Tag.builder().key("team").value("ci").build()).secretId(NAME));
        assertThat(west.describeSecret(b -> b.secretId(NAME)).tags()).hasSize(1);
        assertThat(west.getSecretValue(b -> b.secretId(NAME)).secretString()).isEqualTo("v1");
        assertThat(statusOf(WEST)).isEqualTo(StatusType.IN_PROGRESS);

        emulator.clock().advance(Duration.ofMinutes(4).plusSeconds(59));
        assertThat(west.getSecretValue(b -> b.secretId(NAME)).secretString()).isEqualTo("v1");
        assertThat(statusOf(WEST)).isEqualTo(StatusType.IN_PROGRESS);

        emulator.clock().advance(Duration.ofSeconds(1));
        status = east.describeSecret(b -> b.secretId(NAME)).replicationStatus().get(0);
        assertThat(status.status()).isEqualTo(StatusType.IN_SYNC);
        assertThat(status.statusMessage()).isEqualTo("Replication succeeded");
        assertThat(west.getSecretValue(b -> b.secretId(NAME)).secretString()).isEqualTo("v2");
        assertThat(west.getSecretValue(b -> b.secretId(NAME).versionStage("AWSPREVIOUS")).versionId())
                .isEqualTo(v1);
        assertThat(west.describeSecret(b -> b.secretId(NAME)).versionIdsToStages())
                .containsOnly(Map.entry(v1, List.of("AWSPREVIOUS")), Map.entry(v2, List.of("AWSCURRENT")));
    }

    @Test
    void everyVersionWriteIsLaggedAndSnapshotsArriveInOrder() {
        String v1 = createReplicated(WEST);
        state().setReplicaVersionLag(Duration.ofMinutes(5));

        // a new version without AWSCURRENT, then UpdateSecretVersionStage moving AWSCURRENT to it
        String v2 = east.putSecretValue(b -> b.secretId(NAME).secretString("v2").versionStages("AWSPENDING"))
                .versionId();
        emulator.clock().advance(Duration.ofMinutes(2));
        east.updateSecretVersionStage(b -> b.secretId(NAME).versionStage("AWSCURRENT").moveToVersionId(v2)
                .removeFromVersionId(v1));
        emulator.clock().advance(Duration.ofMinutes(2));
        String v3 = east.updateSecret(b -> b.secretId(NAME).secretString("v3")).versionId();

        // t=5: the first snapshot (v2 pending) arrived, AWSCURRENT still on v1
        emulator.clock().advance(Duration.ofMinutes(1));
        assertThat(west.describeSecret(b -> b.secretId(NAME)).versionIdsToStages())
                .containsOnly(Map.entry(v1, List.of("AWSCURRENT")), Map.entry(v2, List.of("AWSPENDING")));
        assertThat(statusOf(WEST)).isEqualTo(StatusType.IN_PROGRESS);

        // t=7: AWSCURRENT moved to v2
        emulator.clock().advance(Duration.ofMinutes(2));
        assertThat(west.getSecretValue(b -> b.secretId(NAME)).versionId()).isEqualTo(v2);
        assertThat(statusOf(WEST)).isEqualTo(StatusType.IN_PROGRESS);

        // t=9: v3 arrived, in sync
        emulator.clock().advance(Duration.ofMinutes(2));
        assertThat(west.getSecretValue(b -> b.secretId(NAME)).versionId()).isEqualTo(v3);
        assertThat(statusOf(WEST)).isEqualTo(StatusType.IN_SYNC);
    }

    @Test
    void perRegionLagWinsOverTheGlobalOne() {
        createReplicated(WEST, EU);
        state().setReplicaVersionLag(Duration.ofMinutes(1));
        state().lagReplica(EU, Duration.ofMinutes(10));
        assertThat(state().replicaVersionLag(EU)).isEqualTo(Duration.ofMinutes(10));
        assertThat(state().replicaVersionLag(WEST)).isEqualTo(Duration.ofMinutes(1));

        east.putSecretValue(b -> b.secretId(NAME).secretString("v2"));
        emulator.clock().advance(Duration.ofMinutes(1));
        assertThat(west.getSecretValue(b -> b.secretId(NAME)).secretString()).isEqualTo("v2");
        assertThat(statusOf(WEST)).isEqualTo(StatusType.IN_SYNC);
        assertThat(eu.getSecretValue(b -> b.secretId(NAME)).secretString()).as("the lagging replica")
                .isEqualTo("v1");
        assertThat(statusOf(EU)).isEqualTo(StatusType.IN_PROGRESS);

        emulator.clock().advance(Duration.ofMinutes(9));
        assertThat(eu.getSecretValue(b -> b.secretId(NAME)).secretString()).isEqualTo("v2");
        assertThat(statusOf(EU)).isEqualTo(StatusType.IN_SYNC);

        // a zero override wins too: only EU follows at once
        state().lagReplica(EU, Duration.ZERO);
        east.putSecretValue(b -> b.secretId(NAME).secretString("v3"));
        assertThat(eu.getSecretValue(b -> b.secretId(NAME)).secretString()).isEqualTo("v3");
        assertThat(west.getSecretValue(b -> b.secretId(NAME)).secretString()).isEqualTo("v2");

        // removing the override: the global lag applies again
        state().lagReplica(EU, null);
        assertThat(state().replicaVersionLag(EU)).isEqualTo(Duration.ofMinutes(1));
    }

    @Test
    void defaultLagIsZeroAndResetClearsIt() {
        assertThat(state().replicaVersionLag()).isZero();
        state().setReplicaVersionLag(Duration.ofMinutes(3));
        state().lagReplica(WEST, Duration.ofMinutes(3));
        emulator.reset();
        assertThat(state().replicaVersionLag()).isZero();
        assertThat(state().replicaVersionLag(WEST)).isZero();

        createReplicated(WEST);
        east.putSecretValue(b -> b.secretId(NAME).secretString("v2"));
        assertThat(west.getSecretValue(b -> b.secretId(NAME)).secretString()).isEqualTo("v2");
        assertThat(statusOf(WEST)).isEqualTo(StatusType.IN_SYNC);
        assertThatThrownBy(() -> state().setReplicaVersionLag(Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void lagCombinesWithTheReplicationDelay() {
        createReplicated(WEST);
        state().setReplicationDelay(Duration.ofMinutes(2));
        state().lagReplica(WEST, Duration.ofMinutes(1));

        east.putSecretValue(b -> b.secretId(NAME).secretString("v2"));
        emulator.clock().advance(Duration.ofMinutes(1));
        assertThat(west.getSecretValue(b -> b.secretId(NAME)).secretString())
                .as("a lag shorter than the delay counts as the delay").isEqualTo("v1");
        emulator.clock().advance(Duration.ofMinutes(1));
        assertThat(west.getSecretValue(b -> b.secretId(NAME)).secretString()).isEqualTo("v2");
        assertThat(statusOf(WEST)).isEqualTo(StatusType.IN_SYNC);
    }

    @Test
    void aFailedReplicationDropsTheVersionsOnTheirWay() {
        createReplicated(WEST);
        state().setReplicaVersionLag(Duration.ofMinutes(5));
        state().failReplication(WEST, "Replication failed: injected by the test.");
        east.putSecretValue(b -> b.secretId(NAME).secretString("v2"));
        assertThat(statusOf(WEST)).isEqualTo(StatusType.FAILED);
        emulator.clock().advance(Duration.ofMinutes(5));
        assertThat(west.getSecretValue(b -> b.secretId(NAME)).secretString()).isEqualTo("v1");
        assertThat(statusOf(WEST)).isEqualTo(StatusType.FAILED);

        // the next version write replicates again, after the lag
        east.putSecretValue(b -> b.secretId(NAME).secretString("v3"));
        assertThat(statusOf(WEST)).isEqualTo(StatusType.IN_PROGRESS);
        emulator.clock().advance(Duration.ofMinutes(5));
        assertThat(west.getSecretValue(b -> b.secretId(NAME)).secretString()).isEqualTo("v3");
        assertThat(statusOf(WEST)).isEqualTo(StatusType.IN_SYNC);
    }
}
