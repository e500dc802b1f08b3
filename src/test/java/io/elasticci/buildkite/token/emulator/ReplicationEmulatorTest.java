package io.elasticci.buildkite.token.emulator;

import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.secretsmanager.model.CreateSecretResponse;
import software.amazon.awssdk.services.secretsmanager.model.DescribeSecretResponse;
import software.amazon.awssdk.services.secretsmanager.model.InvalidParameterException;
import software.amazon.awssdk.services.secretsmanager.model.InvalidRequestException;
import software.amazon.awssdk.services.secretsmanager.model.RemoveRegionsFromReplicationResponse;
import software.amazon.awssdk.services.secretsmanager.model.ReplicaRegionType;
import software.amazon.awssdk.services.secretsmanager.model.ReplicateSecretToRegionsResponse;
import software.amazon.awssdk.services.secretsmanager.model.ReplicationStatusType;
import software.amazon.awssdk.services.secretsmanager.model.ResourceNotFoundException;
import software.amazon.awssdk.services.secretsmanager.model.StatusType;
import software.amazon.awssdk.services.secretsmanager.model.Tag;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

class ReplicationEmulatorTest extends MultiRegionSecretsTestSupport {

    private static final String REPLICA_REFUSED =
            "Operation not permitted on a replica secret. Call must be made in primary secret's region.";

    private static KmsState kms() {
        return emulator.kms(AwsEmulator.DEFAULT_ACCOUNT);
    }

    private static ReplicaRegionType replica(String region, String kmsKeyId) {
        return ReplicaRegionType.builder().region(region).kmsKeyId(kmsKeyId).build();
    }

    @Test
    void replicateThenRemoveRegion() {
        KmsState.KeyInfo westKey = kms().createKey(WEST);
        kms().createAlias(WEST, "alias/buildkite", westKey.keyId());
        CreateSecretResponse created = east.createSecret(b -> b.name(NAME).secretString("v1")
                .tags(Tag.builder().key("team").value("ci").build()));
        String suffix = created.arn().substring(created.arn().length() - 6);

        ReplicateSecretToRegionsResponse r = east.replicateSecretToRegions(b -> b.secretId(NAME)
                .addReplicaRegions(replica(WEST, "alias/buildkite"), replica(EU, null)));
        assertThat(r.arn()).isEqualTo(created.arn());
        assertThat(r.replicationStatus()).extracting(ReplicationStatusType::region, ReplicationStatusType::status)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(WEST, StatusType.IN_SYNC),
                        org.assertj.core.groups.Tuple.tuple(EU, StatusType.IN_SYNC));

        DescribeSecretResponse primary = east.describeSecret(b -> b.secretId(NAME));
        assertThat(primary.primaryRegion()).isEqualTo(PRIMARY);
        ReplicationStatusType westStatus = primary.replicationStatus().get(0);
        assertThat(westStatus.region()).isEqualTo(WEST);
        assertThat(westStatus.kmsKeyId()).as("as the caller gave it").isEqualTo("alias/buildkite");
        assertThat(westStatus.status()).isEqualTo(StatusType.IN_SYNC);
        assertThat(westStatus.statusMessage()).isEqualTo("Replication succeeded");
        assertThat(primary.replicationStatus().get(1).kmsKeyId()).as("managed key omitted").isNull();

        // the replica, seen in its own region
        DescribeSecretResponse replica = west.describeSecret(b -> b.secretId(NAME));
        assertThat(replica.arn()).isEqualTo("arn:aws:secretsmanager:us-west-2:123456789012:secret:" + NAME + "-"
                + suffix);
        assertThat(replica.primaryRegion()).isEqualTo(PRIMARY);
        assertThat(replica.kmsKeyId()).isEqualTo(westKey.arn());
        assertThat(replica.tags()).containsExactly(Tag.builder().key("team").value("ci").build());
        assertThat(replica.replicationStatus()).isEmpty();
        assertThat(west.getSecretValue(b -> b.secretId(NAME)).secretString()).isEqualTo("v1");
        assertThat(west.getSecretValue(b -> b.secretId(replica.arn())).secretString()).isEqualTo("v1");
        assertThat(eu.getSecretValue(b -> b.secretId(NAME)).secretString()).isEqualTo("v1");
        assertThat(east.describeSecret(b -> b.secretId(NAME)).replicationStatus().get(0).lastAccessedDate())
                .isEqualTo(MutableClock.START);

        // primary changes reach the replicas: versions and tags
        String v2 = east.putSecretValue(b -> b.secretId(NAME).secretString("v2")).versionId();
        east.tagResource(b -> b.secretId(NAME).tags(Tag.builder().key("env").value("prod").build()));
        assertThat(west.getSecretValue(b -> b.secretId(NAME)).versionId()).isEqualTo(v2);
        assertThat(west.getSecretValue(b -> b.secretId(NAME)).secretString()).isEqualTo("v2");
        assertThat(west.getSecretValue(b -> b.secretId(NAME).versionStage("AWSPREVIOUS")).secretString())
                .isEqualTo("v1");
        assertThat(west.describeSecret(b -> b.secretId(NAME)).tags()).hasSize(2);

        // writes in a replica's region are refused
        InvalidRequestException put = catchThrowableOfType(() -> west.putSecretValue(b -> b.secretId(NAME)
                .secretString("x")), InvalidRequestException.class);
        assertThat(put.awsErrorDetails().errorCode()).isEqualTo("InvalidRequestException");
        assertThat(put.awsErrorDetails().errorMessage()).isEqualTo(REPLICA_REFUSED);
        assertThatThrownBy(() -> west.tagResource(b -> b.secretId(NAME).tags(Tag.builder().key("k").value("v")
                .build()))).isInstanceOf(InvalidRequestException.class).hasMessageContaining(REPLICA_REFUSED);
        assertThatThrownBy(() -> west.untagResource(b -> b.secretId(NAME).tagKeys("team")))
                .isInstanceOf(InvalidRequestException.class);
        assertThatThrownBy(() -> west.updateSecretVersionStage(b -> b.secretId(NAME).versionStage("X")
                .moveToVersionId(v2))).isInstanceOf(InvalidRequestException.class);
        assertThatThrownBy(() -> west.deleteSecret(b -> b.secretId(NAME)))
                .isInstanceOf(InvalidRequestException.class);
        assertThatThrownBy(() -> east.deleteSecret(b -> b.secretId(NAME)))
                .as("a primary with replicas can't be deleted").isInstanceOf(InvalidRequestException.class);

        // remove a region: AWS deletes the replica there ("deletes the secret replicas from the Regions you specify")
        RemoveRegionsFromReplicationResponse removed = east.removeRegionsFromReplication(b -> b.secretId(NAME)
                .removeReplicaRegions(WEST));
        assertThat(removed.arn()).isEqualTo(created.arn());
        assertThat(removed.replicationStatus()).extracting(ReplicationStatusType::region).containsExactly(EU);
        assertThatThrownBy(() -> west.describeSecret(b -> b.secretId(NAME)))
                .isInstanceOf(ResourceNotFoundException.class);
        assertThat(state().secret(WEST, NAME)).isEmpty();
        assertThat(east.getSecretValue(b -> b.secretId(NAME)).secretString()).isEqualTo("v2");
        assertThat(state().secret(EU, NAME).orElseThrow().primaryRegion()).isEqualTo(PRIMARY);
        assertThatThrownBy(() -> east.removeRegionsFromReplication(b -> b.secretId(NAME).removeReplicaRegions(WEST)))
                .isInstanceOf(InvalidParameterException.class);
    }

    @Test
    void createWithReplicaRegions() {
        CreateSecretResponse created = east.createSecret(b -> b.name(NAME).secretString("v1")
                .addReplicaRegions(replica(WEST, null)));
        assertThat(created.replicationStatus()).singleElement()
                .satisfies(s -> assertThat(s.status()).isEqualTo(StatusType.IN_SYNC));
        assertThat(west.getSecretValue(b -> b.secretId(NAME)).secretString()).isEqualTo("v1");
        SecretsManagerState.SecretInfo info = state().secret(PRIMARY, NAME).orElseThrow();
        assertThat(info.replica(WEST)).get().extracting(SecretsManagerState.ReplicaInfo::status)
                .isEqualTo("InSync");
    }

    @Test
    void replicaKeyChangesInPlaceInItsRegion() {
        KmsState.KeyInfo first = kms().createKey(WEST);
        KmsState.KeyInfo second = kms().createKey(WEST);
        east.createSecret(b -> b.name(NAME).secretString("v1").addReplicaRegions(replica(WEST, first.keyId())));

        west.updateSecret(b -> b.secretId(NAME).kmsKeyId(second.arn()));
        assertThat(west.describeSecret(b -> b.secretId(NAME)).kmsKeyId()).isEqualTo(second.arn());
        assertThat(east.describeSecret(b -> b.secretId(NAME)).replicationStatus().get(0).kmsKeyId())
                .isEqualTo(second.arn());
        assertThat(west.getSecretValue(b -> b.secretId(NAME)).secretString()).isEqualTo("v1");

        InvalidRequestException value = catchThrowableOfType(() -> west.updateSecret(b -> b.secretId(NAME)
                .secretString("x")), InvalidRequestException.class);
        assertThat(value.awsErrorDetails().errorMessage()).isEqualTo(REPLICA_REFUSED);
        assertThatThrownBy(() -> west.updateSecret(b -> b.secretId(NAME).description("d")))
                .isInstanceOf(InvalidRequestException.class);
        assertThatThrownBy(() -> west.updateSecret(b -> b.secretId(NAME).kmsKeyId("alias/missing")))
                .isInstanceOf(InvalidParameterException.class);
    }

    @Test
    void nameConflictInTargetRegionFailsUnlessForced() {
        west.createSecret(b -> b.name(NAME).secretString("squatter"));
        east.createSecret(b -> b.name(NAME).secretString("v1"));

        ReplicateSecretToRegionsResponse r = east.replicateSecretToRegions(b -> b.secretId(NAME)
                .addReplicaRegions(replica(WEST, null)));
        ReplicationStatusType status = r.replicationStatus().get(0);
        assertThat(status.status()).isEqualTo(StatusType.FAILED);
        assertThat(status.statusMessage()).isEqualTo("Replication failed: Secret name already exists in region.");
        assertThat(east.describeSecret(b -> b.secretId(NAME)).replicationStatus().get(0).status())
                .isEqualTo(StatusType.FAILED);
        DescribeSecretResponse squatter = west.describeSecret(b -> b.secretId(NAME));
        assertThat(squatter.primaryRegion()).isEqualTo(WEST);
        assertThat(west.getSecretValue(b -> b.secretId(NAME)).secretString()).isEqualTo("squatter");

        // a later primary change does not retry a replication that never created its replica
        east.putSecretValue(b -> b.secretId(NAME).secretString("v2"));
        assertThat(east.describeSecret(b -> b.secretId(NAME)).replicationStatus().get(0).status())
                .isEqualTo(StatusType.FAILED);

        // replicating again with ForceOverwriteReplicaSecret replaces the squatter
        east.replicateSecretToRegions(b -> b.secretId(NAME).addReplicaRegions(replica(WEST, null))
                .forceOverwriteReplicaSecret(true));
        assertThat(west.describeSecret(b -> b.secretId(NAME)).primaryRegion()).isEqualTo(PRIMARY);
        assertThat(west.getSecretValue(b -> b.secretId(NAME)).secretString()).isEqualTo("v2");

        // replicating to a region that is already replicated is refused
        assertThatThrownBy(() -> east.replicateSecretToRegions(b -> b.secretId(NAME)
                .addReplicaRegions(replica(WEST, null)))).isInstanceOf(InvalidParameterException.class);
        assertThatThrownBy(() -> east.replicateSecretToRegions(b -> b.secretId(NAME)
                .addReplicaRegions(replica(PRIMARY, null)))).isInstanceOf(InvalidParameterException.class);
    }

    @Test
    void missingKeyInTargetRegionFailsTheReplication() {
        KmsState.KeyInfo eastKey = kms().createKey(PRIMARY);
        east.createSecret(b -> b.name(NAME).secretString("v1"));
        ReplicateSecretToRegionsResponse r = east.replicateSecretToRegions(b -> b.secretId(NAME)
                .addReplicaRegions(replica(WEST, eastKey.keyId())));
        assertThat(r.replicationStatus().get(0).status()).isEqualTo(StatusType.FAILED);
        assertThat(r.replicationStatus().get(0).statusMessage()).contains("KMS key").contains(eastKey.keyId());
        assertThatThrownBy(() -> west.describeSecret(b -> b.secretId(NAME)))
                .isInstanceOf(ResourceNotFoundException.class);

        KmsState.KeyInfo disabled = kms().createKey(EU);
        kms().disableKey(EU, disabled.keyId());
        r = east.replicateSecretToRegions(b -> b.secretId(NAME).addReplicaRegions(replica(EU, disabled.arn())));
        assertThat(r.replicationStatus().get(0).status()).isEqualTo(StatusType.FAILED);
        assertThat(r.replicationStatus().get(0).statusMessage()).contains("disabled");
    }

    @Test
    void replicationDelayOnTheEmulatorClock() {
        state().setReplicationDelay(Duration.ofMinutes(2));
        east.createSecret(b -> b.name(NAME).secretString("v1"));
        ReplicateSecretToRegionsResponse r = east.replicateSecretToRegions(b -> b.secretId(NAME)
                .addReplicaRegions(replica(WEST, null)));
        assertThat(r.replicationStatus().get(0).status()).isEqualTo(StatusType.IN_PROGRESS);
        assertThatThrownBy(() -> west.getSecretValue(b -> b.secretId(NAME)))
                .as("not there before the first sync").isInstanceOf(ResourceNotFoundException.class);

        emulator.clock().advance(Duration.ofMinutes(2));
        assertThat(east.describeSecret(b -> b.secretId(NAME)).replicationStatus().get(0).status())
                .isEqualTo(StatusType.IN_SYNC);
        assertThat(west.getSecretValue(b -> b.secretId(NAME)).secretString()).isEqualTo("v1");

        east.putSecretValue(b -> b.secretId(NAME).secretString("v2"));
        assertThat(east.describeSecret(b -> b.secretId(NAME)).replicationStatus().get(0).status())
                .isEqualTo(StatusType.IN_PROGRESS);
        assertThat(west.getSecretValue(b -> b.secretId(NAME)).secretString())
                .as("still the previous versions while in progress").isEqualTo("v1");
        assertThat(state().secret(WEST, NAME).orElseThrow().versions()).hasSize(1);

        emulator.clock().advance(Duration.ofMinutes(1));
        assertThat(west.getSecretValue(b -> b.secretId(NAME)).secretString()).isEqualTo("v1");
        emulator.clock().advance(Duration.ofMinutes(1));
        assertThat(west.getSecretValue(b -> b.secretId(NAME)).secretString()).isEqualTo("v2");
        assertThat(state().secret(PRIMARY, NAME).orElseThrow().replica(WEST).orElseThrow().status())
                .isEqualTo("InSync");

        // the primary's own key is not replicated: no new replication round
        KmsState.KeyInfo key = kms().createKey(PRIMARY);
        east.updateSecret(b -> b.secretId(NAME).kmsKeyId(key.arn()));
        assertThat(east.describeSecret(b -> b.secretId(NAME)).replicationStatus().get(0).status())
                .isEqualTo(StatusType.IN_SYNC);
        assertThat(west.describeSecret(b -> b.secretId(NAME)).kmsKeyId()).isNull();
    }

    @Test
    void injectedReplicationFailure() {
        east.createSecret(b -> b.name(NAME).secretString("v1").addReplicaRegions(replica(WEST, null)));
        state().failReplication(WEST, "Replication failed: injected by the test.");
        east.putSecretValue(b -> b.secretId(NAME).secretString("v2"));
        ReplicationStatusType s = east.describeSecret(b -> b.secretId(NAME)).replicationStatus().get(0);
        assertThat(s.status()).isEqualTo(StatusType.FAILED);
        assertThat(s.statusMessage()).isEqualTo("Replication failed: injected by the test.");
        assertThat(west.getSecretValue(b -> b.secretId(NAME)).secretString()).as("stale").isEqualTo("v1");

        // the next change replicates again
        east.putSecretValue(b -> b.secretId(NAME).secretString("v3"));
        assertThat(west.getSecretValue(b -> b.secretId(NAME)).secretString()).isEqualTo("v3");
    }

    @Test
    void stopReplicationToReplicaPromotesIt() {
        east.createSecret(b -> b.name(NAME).secretString("v1").addReplicaRegions(replica(WEST, null)));
        assertThatThrownBy(() -> east.stopReplicationToReplica(b -> b.secretId(NAME)))
                .isInstanceOf(InvalidRequestException.class);
        west.stopReplicationToReplica(b -> b.secretId(NAME));
        assertThat(west.describeSecret(b -> b.secretId(NAME)).primaryRegion()).isEqualTo(WEST);
        assertThat(east.describeSecret(b -> b.secretId(NAME)).replicationStatus()).isEmpty();
        east.deleteSecret(b -> b.secretId(NAME).forceDeleteWithoutRecovery(true));
        assertThat(west.getSecretValue(b -> b.secretId(NAME)).secretString()).isEqualTo("v1");
    }

    @Test
    void fixtureReplication() {
        state().createSecret(PRIMARY, NAME, "v1", null, java.util.Map.of());
        state().replicate(PRIMARY, NAME, WEST, null);
        assertThat(west.getSecretValue(b -> b.secretId(NAME)).secretString()).isEqualTo("v1");
        List<SecretsManagerState.SecretInfo> westSecrets = state().secrets(WEST);
        assertThat(westSecrets).singleElement().satisfies(s -> assertThat(s.primaryRegion()).isEqualTo(PRIMARY));
    }
}
