package io.elasticci.buildkite.token.aws;

import static io.elasticci.buildkite.token.aws.GatewayTestSupport.AWS;
import static io.elasticci.buildkite.token.aws.GatewayTestSupport.kms;
import static io.elasticci.buildkite.token.aws.GatewayTestSupport.sm;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.elasticci.buildkite.token.emulator.AwsEmulator;

class SdkSecretsManagerGatewayTest {

    private static final String EAST = "us-east-1";
    private static final String WEST = "us-west-2";
    private static final String EU = "eu-west-1";
    private final SdkSecretsManagerGateway gateway = new SdkSecretsManagerGateway(GatewayTestSupport.clients());
    private final String name = "gw/" + UUID.randomUUID();
    private final String token1 = "1".repeat(64);
    private final String token2 = "2".repeat(64);

    @AfterEach
    void clearFaults() {
        AWS.faults().clear();
    }

    @Test
    void describeOfAMissingSecretIsEmpty() {
        assertThat(gateway.describe(EAST, name)).isEmpty();
        assertThat(gateway.value(EAST, name, token1)).isEmpty();
    }

    @Test
    void createDescribeAndReadBack() {
        String key = kms().createKey(EAST).arn();
        String arn = gateway.create(EAST, name, SecretValue.of("v1"), token1, key, Map.of("team", "ci"));

        SecretDescription d = gateway.describe(EAST, name).orElseThrow();
        assertThat(d.arn()).isEqualTo(arn);
        assertThat(d.tags()).containsEntry("team", "ci");
        assertThat(d.currentVersionId()).hasValue(token1);
        assertThat(d.isReplica()).isFalse();
        assertThat(d.kmsKeyRef()).isNotNull();
        assertThat(gateway.value(EAST, arn, token1).orElseThrow().reveal()).isEqualTo("v1");
    }

    @Test
    void managedKeyIsReportedAsNoKey() {
        gateway.create(EAST, name, SecretValue.of("v1"), token1, null, Map.of());
        assertThat(gateway.describe(EAST, name).orElseThrow().kmsKeyRef()).isNull();
    }

    @Test
    void putIsIdempotentPerTokenAndMoveCurrentRollsBack() {
        String arn = gateway.create(EAST, name, SecretValue.of("v1"), token1, null, Map.of());
        gateway.putValue(EAST, arn, SecretValue.of("v2"), token2);
        gateway.putValue(EAST, arn, SecretValue.of("v2"), token2); // a retry: no second version
        assertThat(gateway.versionIds(EAST, arn)).containsExactlyInAnyOrder(token1, token2);

        gateway.moveCurrent(EAST, arn, token1, token2);

        SecretDescription d = gateway.describe(EAST, arn).orElseThrow();
        assertThat(d.currentVersionId()).hasValue(token1);
        assertThat(d.versionStages().get(token2)).contains("AWSPREVIOUS");
    }

    @Test
    void sameTokenWithAnotherValueIsAlreadyExists() {
        String arn = gateway.create(EAST, name, SecretValue.of("v1"), token1, null, Map.of());
        assertThatThrownBy(() -> gateway.putValue(EAST, arn, SecretValue.of("other"), token1))
                .isInstanceOfSatisfying(AwsFailure.class, f -> {
                    assertThat(f.kind()).isEqualTo(AwsFailure.Kind.ALREADY_EXISTS);
                    assertThat(f.getMessage()).doesNotContain("other").contains("PutSecretValue").contains(EAST);
                });
    }

    @Test
    void createOnAnExistingNameIsAlreadyExists() {
        gateway.create(EAST, name, SecretValue.of("v1"), token1, null, Map.of());
        assertThatThrownBy(() -> gateway.create(EAST, name, SecretValue.of("v2"), token2, null, Map.of()))
                .isInstanceOfSatisfying(AwsFailure.class,
                        f -> assertThat(f.errorCode()).isEqualTo("ResourceExistsException"));
    }

    @Test
    void scheduleDeletionKeepsTheSecretRestorableAndIsRefusedWhileReplicasRemain() {
        String arn = gateway.create(EAST, name, SecretValue.of("v1"), token1, null, Map.of());
        gateway.replicate(EAST, arn, List.of(new NewReplica(WEST, null)));
        assertThatThrownBy(() -> gateway.scheduleDeletion(EAST, arn, 7))
                .isInstanceOfSatisfying(AwsFailure.class, f -> {
                    assertThat(f.errorCode()).isEqualTo("InvalidRequestException");
                    assertThat(f.kind()).isEqualTo(AwsFailure.Kind.INVALID_REQUEST);
                });
        gateway.removeReplica(EAST, arn, WEST);

        gateway.scheduleDeletion(EAST, arn, 7);

        var secret = sm().secret(EAST, name).orElseThrow();
        assertThat(secret.scheduledForDeletion()).isTrue();
        assertThat(java.time.Duration.between(secret.deletedDate(), secret.deletionDate()))
                .isEqualTo(java.time.Duration.ofDays(7));
        assertThat(gateway.describe(EAST, name).orElseThrow().scheduledForDeletion()).isTrue();
        assertThatThrownBy(() -> gateway.scheduleDeletion(EAST, arn, 7)).as("already scheduled")
                .isInstanceOfSatisfying(AwsFailure.class, f -> assertThat(f.kind())
                        .isEqualTo(AwsFailure.Kind.INVALID_REQUEST));
    }

    @Test
    void createOnANameScheduledForDeletionIsInvalidRequest() {
        sm().createSecret(EAST, name, "old", null, Map.of());
        sm().scheduleDeletion(EAST, name);
        assertThat(gateway.describe(EAST, name).orElseThrow().scheduledForDeletion()).isTrue();
        assertThatThrownBy(() -> gateway.create(EAST, name, SecretValue.of("v"), token1, null, Map.of()))
                .isInstanceOfSatisfying(AwsFailure.class, f -> {
                    assertThat(f.errorCode()).isEqualTo("InvalidRequestException");
                    assertThat(f.kind()).isEqualTo(AwsFailure.Kind.INVALID_REQUEST);
                });
    }

    @Test
    void aReplicationThatLandedEarlierMakesItsRepeatASuccessAndOtherRefusalsStayFailures() {
        String arn = gateway.create(EAST, name, SecretValue.of("v1"), token1, null, Map.of());
        gateway.replicate(EAST, arn, List.of(new NewReplica(WEST, null)));

        // the same request again, as when the first answer came too late for the operator: AWS refuses it
        gateway.replicate(EAST, arn, List.of(new NewReplica(WEST, null)));

        assertThat(gateway.describe(EAST, arn).orElseThrow().replicas()).extracting(ReplicaDescription::region)
                .containsExactly(WEST);
        assertThatThrownBy(() -> gateway.replicate(EAST, arn, List.of(new NewReplica(EAST, null))))
                .as("replicating to the primary's own region is refused, and stays a failure")
                .isInstanceOfSatisfying(AwsFailure.class,
                        f -> assertThat(f.kind()).isEqualTo(AwsFailure.Kind.INVALID_REQUEST));
    }

    @Test
    void replicateRekeyInPlaceAndRemove() {
        String arn = gateway.create(EAST, name, SecretValue.of("v1"), token1, null, Map.of());
        String westKey = kms().createKey(WEST).arn();
        gateway.replicate(EAST, arn, List.of(new NewReplica(WEST, westKey)));

        SecretDescription replica = gateway.describe(WEST, name).orElseThrow();
        assertThat(replica.isReplica()).isTrue();
        assertThat(replica.primaryRegion()).isEqualTo(EAST);
        assertThat(gateway.describe(EAST, arn).orElseThrow().replica(WEST)).hasValueSatisfying(
                r -> assertThat(r.status()).isEqualTo(ReplicaDescription.IN_SYNC));

        String newKey = kms().createKey(WEST).arn();
        gateway.updateKey(WEST, replica.arn(), newKey);
        assertThat(sm().secret(WEST, name).orElseThrow().kmsKeyArn()).isEqualTo(newKey);

        gateway.removeReplica(EAST, arn, WEST);
        assertThat(gateway.describe(EAST, arn).orElseThrow().replicas()).isEmpty();
        assertThat(gateway.describe(WEST, name)).as("AWS deletes the replica").isEmpty();
    }

    @Test
    void replicatesToSeveralRegionsInOneCallAndAConflictFailsOnlyItsRegion() {
        String arn = gateway.create(EAST, name, SecretValue.of("v1"), token1, null, Map.of());
        String westKey = kms().createKey(WEST).arn();
        sm().createSecret(EU, name, "squatter", null, Map.of());
        long before = AWS.calls().count("secretsmanager", "ReplicateSecretToRegions", EAST);

        gateway.replicate(EAST, arn, List.of(new NewReplica(WEST, westKey), new NewReplica(EU, null)));

        assertThat(AWS.calls().count("secretsmanager", "ReplicateSecretToRegions", EAST) - before).isEqualTo(1);
        SecretDescription primary = gateway.describe(EAST, arn).orElseThrow();
        assertThat(primary.replica(WEST)).hasValueSatisfying(r -> {
            assertThat(r.status()).isEqualTo(ReplicaDescription.IN_SYNC);
            assertThat(r.kmsKeyRef()).isEqualTo(westKey);
        });
        assertThat(primary.replica(EU)).hasValueSatisfying(r -> assertThat(r.status())
                .isEqualTo(ReplicaDescription.FAILED));
        assertThat(gateway.value(WEST, name, token1).orElseThrow().reveal()).isEqualTo("v1");
        assertThat(gateway.describe(EU, name).orElseThrow().isReplica()).as("the squatter is never overwritten")
                .isFalse();
    }

    @Test
    void writesOnAReplicaAreRefused() {
        String arn = gateway.create(EAST, name, SecretValue.of("v1"), token1, null, Map.of());
        gateway.replicate(EAST, arn, List.of(new NewReplica(WEST, null)));
        String replicaArn = gateway.describe(WEST, name).orElseThrow().arn();
        assertThatThrownBy(() -> gateway.tag(WEST, replicaArn, Map.of("a", "b")))
                .isInstanceOfSatisfying(AwsFailure.class, f -> assertThat(f.kind())
                        .isEqualTo(AwsFailure.Kind.INVALID_REQUEST));
    }

    @Test
    void tagsAreMerged() {
        String arn = gateway.create(EAST, name, SecretValue.of("v1"), token1, null, Map.of("a", "1"));
        gateway.tag(EAST, arn, Map.of("b", "2"));
        assertThat(gateway.describe(EAST, arn).orElseThrow().tags()).containsEntry("a", "1").containsEntry("b", "2");
    }

    @Test
    void awsErrorsMapToKinds() {
        record Case(String code, AwsFailure.Kind kind) {
        }
        for (Case c : List.of(new Case("AccessDeniedException", AwsFailure.Kind.ACCESS_DENIED),
                new Case("InvalidRequestException", AwsFailure.Kind.INVALID_REQUEST),
                new Case("InvalidParameterException", AwsFailure.Kind.INVALID_REQUEST),
                new Case("ResourceNotFoundException", AwsFailure.Kind.NOT_FOUND),
                new Case("EncryptionFailure", AwsFailure.Kind.KMS_KEY_INVALID))) {
            AWS.faults().failNext("secretsmanager", "TagResource", c.code(), "injected");
            assertThatThrownBy(() -> gateway.tag(EAST, name, Map.of("a", "b"))).as(c.code())
                    .isInstanceOfSatisfying(AwsFailure.class, f -> {
                        assertThat(f.kind()).isEqualTo(c.kind());
                        assertThat(f.errorCode()).isEqualTo(c.code());
                    });
        }
    }

    @Test
    void throttlingSurvivesOneRetryAndIsThrottledAfterTheLast() {
        String arn = gateway.create(EAST, name, SecretValue.of("v1"), token1, null, Map.of());
        AWS.faults().failNext("secretsmanager", "DescribeSecret", "ThrottlingException", "Rate exceeded");
        assertThat(gateway.describe(EAST, arn)).isPresent(); // the SDK's STANDARD retry took it

        AWS.faults().failNext("secretsmanager", "DescribeSecret", "ThrottlingException", "Rate exceeded");
        AWS.faults().failNext("secretsmanager", "DescribeSecret", "ThrottlingException", "Rate exceeded");
        assertThatThrownBy(() -> gateway.describe(EAST, arn)).isInstanceOfSatisfying(AwsFailure.class,
                f -> assertThat(f.kind()).isEqualTo(AwsFailure.Kind.THROTTLED));
    }

    @Test
    void regionOutageIsUnavailable() {
        AWS.faults().regionOutage(WEST, true);
        assertThatThrownBy(() -> gateway.describe(WEST, name)).isInstanceOfSatisfying(AwsFailure.class,
                f -> assertThat(f.kind()).isEqualTo(AwsFailure.Kind.UNAVAILABLE));
    }
}
