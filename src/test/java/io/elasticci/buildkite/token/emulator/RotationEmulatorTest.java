package io.elasticci.buildkite.token.emulator;

import io.elasticci.buildkite.token.emulator.SecretsManagerState.RotationConfig;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.secretsmanager.model.CancelRotateSecretResponse;
import software.amazon.awssdk.services.secretsmanager.model.DescribeSecretResponse;
import software.amazon.awssdk.services.secretsmanager.model.EncryptionFailureException;
import software.amazon.awssdk.services.secretsmanager.model.InvalidParameterException;
import software.amazon.awssdk.services.secretsmanager.model.InvalidRequestException;
import software.amazon.awssdk.services.secretsmanager.model.ReplicaRegionType;
import software.amazon.awssdk.services.secretsmanager.model.RotateSecretResponse;
import software.amazon.awssdk.services.secretsmanager.model.SecretVersionsListEntry;
import software.amazon.awssdk.services.secretsmanager.model.SecretsManagerException;
import software.amazon.awssdk.services.secretsmanager.model.StatusType;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** RotateSecret / CancelRotateSecret, the rotateNow fixture and version creation dates. */
class RotationEmulatorTest extends MultiRegionSecretsTestSupport {

    private static final String LAMBDA = "arn:aws:lambda:us-east-1:123456789012:function:rotate-buildkite-token";
    private static final Instant START = MutableClock.START;

    private static String create() {
        return east.createSecret(b -> b.name(NAME).secretString("v1")).versionId();
    }

    private static String createReplicated() {
        return east.createSecret(b -> b.name(NAME).secretString("v1")
                .addReplicaRegions(ReplicaRegionType.builder().region(WEST).build())).versionId();
    }

    @Test
    void rotateSecretStoresTheConfigurationAndRotatesImmediately() {
        String v1 = create();
        String token = UUID.randomUUID().toString();
        emulator.clock().advance(Duration.ofHours(5));

        RotateSecretResponse r = east.rotateSecret(b -> b.secretId(NAME).rotationLambdaARN(LAMBDA)
                .rotationRules(rules -> rules.scheduleExpression("rate(30 days)")).clientRequestToken(token));
        assertThat(r.name()).isEqualTo(NAME);
        assertThat(r.arn()).startsWith("arn:aws:secretsmanager:us-east-1:123456789012:secret:" + NAME + "-");
        assertThat(r.versionId()).isEqualTo(token);

        DescribeSecretResponse d = east.describeSecret(b -> b.secretId(NAME));
        assertThat(d.rotationEnabled()).isTrue();
        assertThat(d.rotationLambdaARN()).isEqualTo(LAMBDA);
        assertThat(d.rotationRules().scheduleExpression()).isEqualTo("rate(30 days)");
        assertThat(d.rotationRules().automaticallyAfterDays()).as("calculated from the schedule").isEqualTo(30L);
        assertThat(d.rotationRules().duration()).isNull();
        assertThat(d.lastRotatedDate()).isEqualTo(START.plus(Duration.ofHours(5)));
        assertThat(d.nextRotationDate()).isEqualTo(Instant.parse("2025-01-31T00:00:00Z"));
        assertThat(d.versionIdsToStages())
                .containsOnly(Map.entry(v1, List.of("AWSPREVIOUS")), Map.entry(token, List.of("AWSCURRENT")));

        assertThat(east.getSecretValue(b -> b.secretId(NAME)).secretString()).startsWith("bkua_rotated_")
                .hasSize("bkua_rotated_".length() + 32);
        assertThat(east.getSecretValue(b -> b.secretId(NAME).versionStage("AWSPREVIOUS")).secretString())
                .isEqualTo("v1");
        assertThatThrownBy(() -> east.getSecretValue(b -> b.secretId(NAME).versionStage("AWSPENDING")))
                .as("AWSPENDING cleared once the rotation finished")
                .isInstanceOf(software.amazon.awssdk.services.secretsmanager.model.ResourceNotFoundException.class);
        assertThat(state().rotation(PRIMARY, NAME))
                .contains(new RotationConfig(LAMBDA, "rate(30 days)", 30, true));

        // the same token again is a retry: nothing rotates twice
        assertThat(east.rotateSecret(b -> b.secretId(NAME).clientRequestToken(token)).versionId()).isEqualTo(token);
        assertThat(east.listSecretVersionIds(b -> b.secretId(NAME)).versions()).hasSize(2);

        // a second rotation: the previous current becomes AWSPREVIOUS, v1 is deprecated
        String v3 = east.rotateSecret(b -> b.secretId(NAME)).versionId();
        assertThat(east.describeSecret(b -> b.secretId(NAME)).versionIdsToStages())
                .containsOnly(Map.entry(token, List.of("AWSPREVIOUS")), Map.entry(v3, List.of("AWSCURRENT")));
    }

    @Test
    void rotateImmediatelyFalseOnlyConfigures() {
        String v1 = create();
        emulator.clock().advance(Duration.ofHours(1));

        RotateSecretResponse r = east.rotateSecret(b -> b.secretId(NAME).rotationLambdaARN(LAMBDA)
                .rotationRules(rules -> rules.scheduleExpression("cron(0 16 1,15 * ? *)").duration("2h"))
                .rotateImmediately(false));
        assertThat(r.versionId()).isNull();

        DescribeSecretResponse d = east.describeSecret(b -> b.secretId(NAME));
        assertThat(d.rotationEnabled()).isTrue();
        assertThat(d.rotationRules().scheduleExpression()).isEqualTo("cron(0 16 1,15 * ? *)");
        assertThat(d.rotationRules().duration()).isEqualTo("2h");
        assertThat(d.rotationRules().automaticallyAfterDays()).isNull();
        assertThat(d.lastRotatedDate()).isNull();
        assertThat(d.nextRotationDate()).isEqualTo(Instant.parse("2025-01-01T16:00:00Z"));
        assertThat(d.versionIdsToStages()).containsExactly(Map.entry(v1, List.of("AWSCURRENT")));
        assertThat(east.getSecretValue(b -> b.secretId(NAME)).secretString()).isEqualTo("v1");

        // AutomaticallyAfterDays counts from the last value change
        east.rotateSecret(b -> b.secretId(NAME).rotationRules(rules -> rules.automaticallyAfterDays(7L))
                .rotateImmediately(false));
        d = east.describeSecret(b -> b.secretId(NAME));
        assertThat(d.rotationRules().automaticallyAfterDays()).isEqualTo(7L);
        assertThat(d.rotationRules().scheduleExpression()).isNull();
        assertThat(d.rotationLambdaARN()).as("kept").isEqualTo(LAMBDA);
        assertThat(d.nextRotationDate()).isEqualTo(Instant.parse("2025-01-08T00:00:00Z"));

        // rate in hours
        east.rotateSecret(b -> b.secretId(NAME).rotationRules(rules -> rules.scheduleExpression("rate(4 hours)"))
                .rotateImmediately(false));
        assertThat(east.describeSecret(b -> b.secretId(NAME)).nextRotationDate())
                .as("4 hours after the last value change").isEqualTo(START.plus(Duration.ofHours(4)));
        assertThat(east.listSecretVersionIds(b -> b.secretId(NAME)).versions()).hasSize(1);
    }

    @Test
    void rotateSecretRefusesWhatAwsRefuses() {
        create();
        InvalidRequestException noLambda = catchThrowableOfType(() -> east.rotateSecret(b -> b.secretId(NAME)),
                InvalidRequestException.class);
        assertThat(noLambda.awsErrorDetails().errorMessage())
                .isEqualTo("No Lambda rotation function ARN is associated with this secret.");
        assertThatThrownBy(() -> east.rotateSecret(b -> b.secretId(NAME).rotationLambdaARN(LAMBDA)
                .rotationRules(rules -> rules.automaticallyAfterDays(7L).scheduleExpression("rate(7 days)"))))
                .isInstanceOf(InvalidParameterException.class);
        SecretsManagerException tooMany = catchThrowableOfType(() -> east.rotateSecret(b -> b.secretId(NAME)
                .rotationLambdaARN(LAMBDA).rotationRules(rules -> rules.automaticallyAfterDays(1001L))),
                SecretsManagerException.class);
        assertThat(tooMany.awsErrorDetails().errorCode()).isEqualTo("ValidationException");
        for (String bad : List.of("rate(2 hours)", "rate(0 days)", "every day", "cron(0 16 * * * *)")) {
            assertThatThrownBy(() -> east.rotateSecret(b -> b.secretId(NAME).rotationLambdaARN(LAMBDA)
                    .rotationRules(rules -> rules.scheduleExpression(bad)))).as(bad)
                    .isInstanceOf(InvalidParameterException.class);
        }
        assertThatThrownBy(() -> east.rotateSecret(b -> b.secretId(NAME).rotationLambdaARN(LAMBDA)
                .rotationRules(rules -> rules.scheduleExpression("rate(1 day)").duration("25h"))))
                .isInstanceOf(InvalidParameterException.class);
        assertThatThrownBy(() -> east.rotateSecret(b -> b.secretId(NAME).rotationLambdaARN("rotate-function")))
                .isInstanceOf(InvalidParameterException.class);
        assertThat(state().rotation(PRIMARY, NAME)).as("nothing stored by a refused call").isEmpty();

        // a rotation still in progress: AWSPENDING on a version that is not AWSCURRENT
        String pending = east.putSecretValue(b -> b.secretId(NAME).secretString("half-done")
                .versionStages("AWSPENDING")).versionId();
        InvalidRequestException busy = catchThrowableOfType(() -> east.rotateSecret(b -> b.secretId(NAME)
                .rotationLambdaARN(LAMBDA)), InvalidRequestException.class);
        assertThat(busy.awsErrorDetails().errorMessage())
                .isEqualTo("A previous rotation isn't complete. That rotation will be reattempted.");
        assertThatThrownBy(() -> state().rotateNow(PRIMARY, NAME)).isInstanceOf(AwsError.class)
                .hasMessageContaining("previous rotation");
        CancelRotateSecretResponse cancelled = east.cancelRotateSecret(b -> b.secretId(NAME));
        assertThat(cancelled.versionId()).as("the rotation in progress").isEqualTo(pending);
        assertThat(cancelled.name()).isEqualTo(NAME);

        // a key that can't encrypt fails the rotation before anything changes
        east.updateSecretVersionStage(b -> b.secretId(NAME).versionStage("AWSPENDING").removeFromVersionId(pending));
        KmsState.KeyInfo key = emulator.kms(AwsEmulator.DEFAULT_ACCOUNT).createKey(PRIMARY);
        east.updateSecret(b -> b.secretId(NAME).kmsKeyId(key.arn()));
        emulator.kms(AwsEmulator.DEFAULT_ACCOUNT).disableKey(PRIMARY, key.keyId());
        assertThatThrownBy(() -> east.rotateSecret(b -> b.secretId(NAME).rotationLambdaARN(LAMBDA)))
                .isInstanceOf(EncryptionFailureException.class);
        assertThat(state().rotation(PRIMARY, NAME)).isEmpty();
    }

    @Test
    void cancelRotateSecretTurnsRotationOff() {
        String v1 = create();
        east.rotateSecret(b -> b.secretId(NAME).rotationLambdaARN(LAMBDA)
                .rotationRules(rules -> rules.automaticallyAfterDays(30L)).rotateImmediately(false));

        CancelRotateSecretResponse c = east.cancelRotateSecret(b -> b.secretId(NAME));
        assertThat(c.versionId()).isNull();
        DescribeSecretResponse d = east.describeSecret(b -> b.secretId(NAME));
        assertThat(d.rotationEnabled()).isFalse();
        assertThat(d.rotationLambdaARN()).isEqualTo(LAMBDA);
        assertThat(d.rotationRules().automaticallyAfterDays()).isEqualTo(30L);
        assertThat(d.nextRotationDate()).isNull();
        assertThat(d.versionIdsToStages()).containsExactly(Map.entry(v1, List.of("AWSCURRENT")));
        assertThat(state().rotation(PRIMARY, NAME)).contains(new RotationConfig(LAMBDA, null, 30, false));

        // RotateSecret without parameters turns it on again with the stored Lambda and rules, and rotates
        String v2 = east.rotateSecret(b -> b.secretId(NAME)).versionId();
        d = east.describeSecret(b -> b.secretId(NAME));
        assertThat(d.rotationEnabled()).isTrue();
        assertThat(d.nextRotationDate()).isEqualTo(Instant.parse("2025-01-31T00:00:00Z"));
        assertThat(d.versionIdsToStages().get(v2)).containsExactly("AWSCURRENT");
    }

    @Test
    void rotateNowRotatesAsALambdaWouldAlsoWithoutConfiguration() {
        String v1 = create();
        emulator.clock().advance(Duration.ofMinutes(3));
        String v2 = state().rotateNow(PRIMARY, NAME);

        assertThat(state().value(PRIMARY, NAME, "AWSCURRENT").orElseThrow()).startsWith("bkua_rotated_");
        SecretsManagerState.SecretInfo info = state().secret(PRIMARY, NAME).orElseThrow();
        assertThat(info.currentVersionId()).contains(v2);
        assertThat(info.versions()).containsOnly(Map.entry(v1, java.util.Set.of("AWSPREVIOUS")),
                Map.entry(v2, java.util.Set.of("AWSCURRENT")));
        assertThat(info.lastRotatedDate()).isEqualTo(START.plus(Duration.ofMinutes(3)));
        assertThat(info.rotation()).isNull();
        assertThat(state().rotation(PRIMARY, NAME)).isEmpty();
        DescribeSecretResponse d = east.describeSecret(b -> b.secretId(NAME));
        assertThat(d.rotationEnabled()).isFalse();
        assertThat(d.rotationLambdaARN()).isNull();
        assertThat(d.lastRotatedDate()).isEqualTo(START.plus(Duration.ofMinutes(3)));
        assertThat(d.nextRotationDate()).isNull();
        assertThat(state().rotation(PRIMARY, "no-such-secret")).isEmpty();
    }

    @Test
    void rotationIsRefusedOnAReplicaAndReachesItAfterTheLag() {
        String v1 = createReplicated();
        state().setReplicaVersionLag(Duration.ofMinutes(10));

        String replicaRefused =
                "Operation not permitted on a replica secret. Call must be made in primary secret's region.";
        InvalidRequestException refused = catchThrowableOfType(() -> west.rotateSecret(b -> b.secretId(NAME)
                .rotationLambdaARN(LAMBDA)), InvalidRequestException.class);
        assertThat(refused.awsErrorDetails().errorMessage()).isEqualTo(replicaRefused);
        assertThatThrownBy(() -> west.cancelRotateSecret(b -> b.secretId(NAME)))
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining(replicaRefused);
        assertThatThrownBy(() -> state().rotateNow(WEST, NAME)).isInstanceOf(AwsError.class)
                .hasMessageContaining(replicaRefused);

        String v2 = east.rotateSecret(b -> b.secretId(NAME).rotationLambdaARN(LAMBDA)
                .rotationRules(rules -> rules.scheduleExpression("rate(30 days)"))).versionId();
        assertThat(east.describeSecret(b -> b.secretId(NAME)).replicationStatus().get(0).status())
                .isEqualTo(StatusType.IN_PROGRESS);
        DescribeSecretResponse replica = west.describeSecret(b -> b.secretId(NAME));
        assertThat(replica.versionIdsToStages()).containsExactly(Map.entry(v1, List.of("AWSCURRENT")));
        assertThat(replica.rotationEnabled()).as("configuration is not held back").isTrue();
        assertThat(west.getSecretValue(b -> b.secretId(NAME)).secretString()).isEqualTo("v1");

        emulator.clock().advance(Duration.ofMinutes(10));
        assertThat(west.getSecretValue(b -> b.secretId(NAME)).versionId()).isEqualTo(v2);
        assertThat(west.getSecretValue(b -> b.secretId(NAME)).secretString()).startsWith("bkua_rotated_");
        assertThat(east.describeSecret(b -> b.secretId(NAME)).replicationStatus().get(0).status())
                .isEqualTo(StatusType.IN_SYNC);

        // the fixture too
        String v3 = state().rotateNow(PRIMARY, NAME);
        assertThat(west.getSecretValue(b -> b.secretId(NAME)).versionId()).isEqualTo(v2);
        emulator.clock().advance(Duration.ofMinutes(10));
        assertThat(west.getSecretValue(b -> b.secretId(NAME)).versionId()).isEqualTo(v3);
    }

    @Test
    void listSecretVersionIdsGivesCreationDatesFromTheEmulatorClock() {
        String v1 = create();
        emulator.clock().advance(Duration.ofMinutes(1));
        String v2 = east.putSecretValue(b -> b.secretId(NAME).secretString("v2")).versionId();
        emulator.clock().advance(Duration.ofMinutes(1));
        String v3 = state().rotateNow(PRIMARY, NAME);

        List<SecretVersionsListEntry> versions = east.listSecretVersionIds(b -> b.secretId(NAME)
                .includeDeprecated(true)).versions();
        assertThat(versions).extracting(SecretVersionsListEntry::versionId).containsExactly(v1, v2, v3);
        assertThat(versions).extracting(SecretVersionsListEntry::createdDate).containsExactly(START,
                START.plus(Duration.ofMinutes(1)), START.plus(Duration.ofMinutes(2)));
        assertThat(versions).extracting(SecretVersionsListEntry::versionStages).containsExactly(List.of(),
                List.of("AWSPREVIOUS"), List.of("AWSCURRENT"));
        assertThat(east.listSecretVersionIds(b -> b.secretId(NAME)).versions())
                .extracting(SecretVersionsListEntry::versionId).as("deprecated left out").containsExactly(v2, v3);
        assertThat(state().secret(PRIMARY, NAME).orElseThrow().versionDetails())
                .extracting(SecretsManagerState.VersionInfo::createdDate)
                .containsExactly(START, START.plus(Duration.ofMinutes(1)), START.plus(Duration.ofMinutes(2)));
    }

    @Test
    void nextRotationDateFollowsCronSchedulesRoughly() {
        Instant saturday = Instant.parse("2025-01-04T10:30:00Z");
        assertThat(RotationSchedule.next(null, "cron(0 8 ? * MON-FRI *)", saturday))
                .isEqualTo(Instant.parse("2025-01-06T08:00:00Z"));
        assertThat(RotationSchedule.next(null, "cron(15 */6 * * ? *)", saturday))
                .isEqualTo(Instant.parse("2025-01-04T12:15:00Z"));
        assertThat(RotationSchedule.next(null, "cron(0 0 1 JAN,JUL ? *)", saturday))
                .isEqualTo(Instant.parse("2025-07-01T00:00:00Z"));
        assertThat(RotationSchedule.next(null, "cron(0 4 ? * 1 *)", saturday)).as("1 is Sunday")
                .isEqualTo(Instant.parse("2025-01-05T04:00:00Z"));
        assertThat(RotationSchedule.next(null, "cron(0 4 L * ? *)", saturday)).as("L read as any day")
                .isEqualTo(Instant.parse("2025-01-05T04:00:00Z"));
        assertThat(RotationSchedule.next(3L, null, saturday)).isEqualTo(Instant.parse("2025-01-07T00:00:00Z"));
        assertThat(RotationSchedule.next(null, null, saturday)).isNull();
    }

    @Test
    void rotateAndCancelAreLoggedAsWrites() {
        create();
        east.rotateSecret(b -> b.secretId(NAME).rotationLambdaARN(LAMBDA).rotateImmediately(false));
        east.cancelRotateSecret(b -> b.secretId(NAME));
        assertThatThrownBy(() -> west.rotateSecret(b -> b.secretId(NAME).rotationLambdaARN(LAMBDA)))
                .isInstanceOf(software.amazon.awssdk.services.secretsmanager.model.ResourceNotFoundException.class);
        east.describeSecret(b -> b.secretId(NAME));

        CallLog log = emulator.calls();
        assertThat(log.calls("secretsmanager", "RotateSecret")).hasSize(2).allSatisfy(c -> assertThat(c.write())
                .isTrue());
        assertThat(log.calls("secretsmanager", "RotateSecret").get(1).errorCode())
                .isEqualTo("ResourceNotFoundException");
        assertThat(log.calls("secretsmanager", "CancelRotateSecret")).singleElement()
                .satisfies(c -> assertThat(c.write()).isTrue());
        assertThat(log.calls("secretsmanager", "DescribeSecret")).singleElement()
                .satisfies(c -> assertThat(c.write()).isFalse());
    }
}
