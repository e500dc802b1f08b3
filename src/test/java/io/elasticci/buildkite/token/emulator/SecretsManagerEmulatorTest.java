package io.elasticci.buildkite.token.emulator;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.secretsmanager.model.CreateSecretResponse;
import software.amazon.awssdk.services.secretsmanager.model.DecryptionFailureException;
import software.amazon.awssdk.services.secretsmanager.model.DescribeSecretResponse;
import software.amazon.awssdk.services.secretsmanager.model.EncryptionFailureException;
import software.amazon.awssdk.services.secretsmanager.model.Filter;
import software.amazon.awssdk.services.secretsmanager.model.FilterNameStringType;
import software.amazon.awssdk.services.secretsmanager.model.GetSecretValueResponse;
import software.amazon.awssdk.services.secretsmanager.model.InvalidParameterException;
import software.amazon.awssdk.services.secretsmanager.model.InvalidRequestException;
import software.amazon.awssdk.services.secretsmanager.model.PutSecretValueResponse;
import software.amazon.awssdk.services.secretsmanager.model.ResourceExistsException;
import software.amazon.awssdk.services.secretsmanager.model.ResourceNotFoundException;
import software.amazon.awssdk.services.secretsmanager.model.SecretVersionsListEntry;
import software.amazon.awssdk.services.secretsmanager.model.SecretsManagerException;
import software.amazon.awssdk.services.secretsmanager.model.Tag;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

class SecretsManagerEmulatorTest extends EmulatorTestSupport {

    private static final String REGION = "us-east-1";
    private static final String NAME = "buildkite/agent-token";
    private static final String TOKEN_A = "aaaaaaaa-1111-2222-3333-444444444444";
    private static final String TOKEN_B = "bbbbbbbb-1111-2222-3333-444444444444";
    private static final String TOKEN_C = "cccccccc-1111-2222-3333-444444444444";

    private static SecretsManagerClient sm;

    @BeforeAll
    static void start() {
        sm = clients.secretsManager(REGION);
    }

    private SecretsManagerState state() {
        return emulator.secretsManager(AwsEmulator.DEFAULT_ACCOUNT);
    }

    @Test
    void createDescribeAndGet() {
        CreateSecretResponse created = sm.createSecret(b -> b.name(NAME).secretString("tok-1")
                .description("agent token").clientRequestToken(TOKEN_A)
                .tags(Tag.builder().key("team").value("ci").build()));

        assertThat(created.name()).isEqualTo(NAME);
        assertThat(created.versionId()).isEqualTo(TOKEN_A);
        assertThat(created.arn()).matches("arn:aws:secretsmanager:us-east-1:123456789012:secret:"
                + "buildkite/agent-token-[A-Za-z0-9]{6}");

        DescribeSecretResponse d = sm.describeSecret(b -> b.secretId(NAME));
        assertThat(d.arn()).isEqualTo(created.arn());
        assertThat(d.description()).isEqualTo("agent token");
        assertThat(d.kmsKeyId()).as("AWS managed key is omitted").isNull();
        assertThat(d.tags()).containsExactly(Tag.builder().key("team").value("ci").build());
        assertThat(d.versionIdsToStages()).containsExactly(Map.entry(TOKEN_A, List.of("AWSCURRENT")));
        assertThat(d.createdDate()).isEqualTo(MutableClock.START);
        assertThat(d.lastChangedDate()).isEqualTo(MutableClock.START);
        assertThat(d.primaryRegion()).isEqualTo(REGION);
        assertThat(d.replicationStatus()).isEmpty();
        assertThat(d.deletedDate()).isNull();

        for (String id : List.of(NAME, created.arn(), created.arn().substring(0, created.arn().length() - 7))) {
            GetSecretValueResponse v = sm.getSecretValue(b -> b.secretId(id));
            assertThat(v.secretString()).isEqualTo("tok-1");
            assertThat(v.versionId()).isEqualTo(TOKEN_A);
            assertThat(v.versionStages()).containsExactly("AWSCURRENT");
            assertThat(v.arn()).isEqualTo(created.arn());
        }
        assertThat(sm.describeSecret(b -> b.secretId(NAME)).lastAccessedDate()).isEqualTo(MutableClock.START);

        SecretsManagerState.SecretInfo info = state().secret(REGION, NAME).orElseThrow();
        assertThat(info.currentValue()).isEqualTo("tok-1");
        assertThat(info.valueOf(TOKEN_A)).isEqualTo("tok-1");
        assertThat(info.kmsKeyArn()).isNull();
        assertThat(info.primaryRegion()).isNull();
        assertThat(info.toString()).doesNotContain("tok-1");
        assertThat(emulator.kms(AwsEmulator.DEFAULT_ACCOUNT).describe(REGION, "alias/aws/secretsmanager"))
                .get().extracting(KmsState.KeyInfo::manager).isEqualTo("AWS");
    }

    @Test
    void binarySecrets() {
        sm.createSecret(b -> b.name("bin").secretBinary(SdkBytes.fromByteArray(new byte[] {1, 2, 3})));
        assertThat(sm.getSecretValue(b -> b.secretId("bin")).secretBinary().asByteArray())
                .containsExactly(1, 2, 3);
        assertThat(sm.getSecretValue(b -> b.secretId("bin")).secretString()).isNull();
    }

    @Test
    void customerManagedKeyByEveryReference() {
        KmsState kms = emulator.kms(AwsEmulator.DEFAULT_ACCOUNT);
        KmsState.KeyInfo key = kms.createKey(REGION);
        kms.createAlias(REGION, "alias/buildkite", key.keyId());
        List<String> refs = List.of(key.keyId(), key.arn(), "alias/buildkite",
                "arn:aws:kms:us-east-1:123456789012:alias/buildkite");
        for (int i = 0; i < refs.size(); i++) {
            String name = "s" + i;
            String ref = refs.get(i);
            sm.createSecret(b -> b.name(name).secretString("v").kmsKeyId(ref));
            assertThat(sm.describeSecret(b -> b.secretId(name)).kmsKeyId()).as(ref).isEqualTo(key.arn());
        }
        sm.createSecret(b -> b.name("managed").secretString("v").kmsKeyId("alias/aws/secretsmanager"));
        assertThat(sm.describeSecret(b -> b.secretId("managed")).kmsKeyId()).isNull();
        assertThat(state().secret(REGION, "s0").orElseThrow().kmsKeyArn()).isEqualTo(key.arn());
    }

    @Test
    void createOnExistingName() {
        sm.createSecret(b -> b.name(NAME).secretString("v1").clientRequestToken(TOKEN_A));

        // a retry with the same token and value is accepted and changes nothing
        CreateSecretResponse again = sm.createSecret(b -> b.name(NAME).secretString("v1").clientRequestToken(TOKEN_A));
        assertThat(again.versionId()).isEqualTo(TOKEN_A);
        assertThat(state().secret(REGION, NAME).orElseThrow().versions()).hasSize(1);

        ResourceExistsException e = catchThrowableOfType(
                () -> sm.createSecret(b -> b.name(NAME).secretString("v2")), ResourceExistsException.class);
        assertThat(e.awsErrorDetails().errorCode()).isEqualTo("ResourceExistsException");
        assertThat(e.statusCode()).isEqualTo(400);
        assertThat(e.awsErrorDetails().errorMessage()).contains(NAME).contains("already exists");
    }

    @Test
    void putSecretValueIsIdempotentPerToken() {
        sm.createSecret(b -> b.name(NAME).secretString("v1").clientRequestToken(TOKEN_A));

        PutSecretValueResponse p = sm.putSecretValue(b -> b.secretId(NAME).secretString("v2")
                .clientRequestToken(TOKEN_B));
        assertThat(p.versionId()).isEqualTo(TOKEN_B);
        assertThat(p.versionStages()).containsExactly("AWSCURRENT");
        assertThat(sm.describeSecret(b -> b.secretId(NAME)).versionIdsToStages()).containsOnly(
                Map.entry(TOKEN_A, List.of("AWSPREVIOUS")), Map.entry(TOKEN_B, List.of("AWSCURRENT")));

        // same token, same value: no new version, same answer
        PutSecretValueResponse same = sm.putSecretValue(b -> b.secretId(NAME).secretString("v2")
                .clientRequestToken(TOKEN_B));
        assertThat(same.versionId()).isEqualTo(TOKEN_B);
        assertThat(state().secret(REGION, NAME).orElseThrow().versions()).hasSize(2);

        // same token, different value: refused
        ResourceExistsException e = catchThrowableOfType(() -> sm.putSecretValue(b -> b.secretId(NAME)
                .secretString("other").clientRequestToken(TOKEN_B)), ResourceExistsException.class);
        assertThat(e.awsErrorDetails().errorCode()).isEqualTo("ResourceExistsException");

        sm.putSecretValue(b -> b.secretId(NAME).secretString("v3").clientRequestToken(TOKEN_C));
        assertThat(sm.getSecretValue(b -> b.secretId(NAME)).secretString()).isEqualTo("v3");
        assertThat(sm.getSecretValue(b -> b.secretId(NAME).versionStage("AWSPREVIOUS")).secretString())
                .isEqualTo("v2");
        assertThat(sm.getSecretValue(b -> b.secretId(NAME).versionId(TOKEN_A)).secretString()).isEqualTo("v1");
        assertThat(sm.getSecretValue(b -> b.secretId(NAME).versionId(TOKEN_A)).versionStages()).isEmpty();

        List<SecretVersionsListEntry> listed = sm.listSecretVersionIds(b -> b.secretId(NAME)).versions();
        assertThat(listed).extracting(SecretVersionsListEntry::versionId).containsExactly(TOKEN_B, TOKEN_C);
        assertThat(listed.get(0).createdDate()).isEqualTo(MutableClock.START);
        assertThat(sm.listSecretVersionIds(b -> b.secretId(NAME).includeDeprecated(true)).versions())
                .extracting(SecretVersionsListEntry::versionId).containsExactly(TOKEN_A, TOKEN_B, TOKEN_C);

        // the SDK fills in a token when none is given: every call makes a new version
        String auto = sm.putSecretValue(b -> b.secretId(NAME).secretString("v4")).versionId();
        assertThat(auto).isNotIn(TOKEN_A, TOKEN_B, TOKEN_C).hasSizeGreaterThanOrEqualTo(32);
    }

    @Test
    void getSecretValueErrors() {
        sm.createSecret(b -> b.name(NAME).secretString("v1").clientRequestToken(TOKEN_A));
        ResourceNotFoundException noStage = catchThrowableOfType(() -> sm.getSecretValue(
                b -> b.secretId(NAME).versionStage("AWSPREVIOUS")), ResourceNotFoundException.class);
        assertThat(noStage.awsErrorDetails().errorMessage()).contains("staging label: AWSPREVIOUS");
        assertThatThrownBy(() -> sm.getSecretValue(b -> b.secretId(NAME).versionId(TOKEN_A)
                .versionStage("AWSPENDING"))).isInstanceOf(ResourceNotFoundException.class);
        assertThatThrownBy(() -> sm.getSecretValue(b -> b.secretId(NAME).versionId(TOKEN_B)))
                .isInstanceOf(ResourceNotFoundException.class);
        ResourceNotFoundException missing = catchThrowableOfType(() -> sm.getSecretValue(b -> b.secretId("nope")),
                ResourceNotFoundException.class);
        assertThat(missing.awsErrorDetails().errorCode()).isEqualTo("ResourceNotFoundException");
        assertThat(missing.awsErrorDetails().errorMessage())
                .isEqualTo("Secrets Manager can't find the specified secret.");
        assertThat(missing.statusCode()).isEqualTo(400);
        assertThatThrownBy(() -> sm.describeSecret(b -> b.secretId(
                "arn:aws:secretsmanager:us-east-1:123456789012:secret:nope-AbCdEf")))
                .isInstanceOf(ResourceNotFoundException.class);
        assertThatThrownBy(() -> sm.putSecretValue(b -> b.secretId(NAME)))
                .isInstanceOf(InvalidRequestException.class);
    }

    @Test
    void updateSecretVersionStage() {
        sm.createSecret(b -> b.name(NAME).secretString("v1").clientRequestToken(TOKEN_A));
        PutSecretValueResponse pending = sm.putSecretValue(b -> b.secretId(NAME).secretString("v2")
                .clientRequestToken(TOKEN_B).versionStages("AWSPENDING"));
        assertThat(pending.versionStages()).containsExactly("AWSPENDING");
        assertThat(sm.getSecretValue(b -> b.secretId(NAME)).secretString()).as("current unchanged").isEqualTo("v1");

        // moving a label held by another version needs RemoveFromVersionId
        InvalidParameterException noRemove = catchThrowableOfType(() -> sm.updateSecretVersionStage(b -> b
                .secretId(NAME).versionStage("AWSCURRENT").moveToVersionId(TOKEN_B)),
                InvalidParameterException.class);
        assertThat(noRemove.awsErrorDetails().errorCode()).isEqualTo("InvalidParameterException");
        // RemoveFromVersionId must hold the label
        InvalidParameterException wrongRemove = catchThrowableOfType(() -> sm.updateSecretVersionStage(b -> b
                .secretId(NAME).versionStage("AWSCURRENT").moveToVersionId(TOKEN_B).removeFromVersionId(TOKEN_B)),
                InvalidParameterException.class);
        assertThat(wrongRemove.awsErrorDetails().errorCode()).isEqualTo("InvalidParameterException");

        sm.updateSecretVersionStage(b -> b.secretId(NAME).versionStage("AWSCURRENT").moveToVersionId(TOKEN_B)
                .removeFromVersionId(TOKEN_A));
        assertThat(sm.describeSecret(b -> b.secretId(NAME)).versionIdsToStages()).containsOnly(
                Map.entry(TOKEN_A, List.of("AWSPREVIOUS")), Map.entry(TOKEN_B, List.of("AWSPENDING", "AWSCURRENT")));
        assertThat(sm.getSecretValue(b -> b.secretId(NAME)).secretString()).isEqualTo("v2");

        // remove a custom label, then roll AWSCURRENT back to the previous version
        sm.updateSecretVersionStage(b -> b.secretId(NAME).versionStage("AWSPENDING").removeFromVersionId(TOKEN_B));
        sm.updateSecretVersionStage(b -> b.secretId(NAME).versionStage("AWSCURRENT").moveToVersionId(TOKEN_A)
                .removeFromVersionId(TOKEN_B));
        assertThat(sm.describeSecret(b -> b.secretId(NAME)).versionIdsToStages()).containsOnly(
                Map.entry(TOKEN_A, List.of("AWSCURRENT")), Map.entry(TOKEN_B, List.of("AWSPREVIOUS")));

        assertThatThrownBy(() -> sm.updateSecretVersionStage(b -> b.secretId(NAME).versionStage("AWSCURRENT")
                .moveToVersionId(TOKEN_C).removeFromVersionId(TOKEN_A)))
                .isInstanceOf(ResourceNotFoundException.class);
    }

    @Test
    void updateSecret() {
        KmsState.KeyInfo key = emulator.kms(AwsEmulator.DEFAULT_ACCOUNT).createKey(REGION);
        sm.createSecret(b -> b.name(NAME).secretString("v1").clientRequestToken(TOKEN_A));
        emulator.clock().advance(Duration.ofMinutes(5));

        var r = sm.updateSecret(b -> b.secretId(NAME).description("new").kmsKeyId(key.keyId()));
        assertThat(r.versionId()).as("no value, no version").isNull();
        DescribeSecretResponse d = sm.describeSecret(b -> b.secretId(NAME));
        assertThat(d.description()).isEqualTo("new");
        assertThat(d.kmsKeyId()).isEqualTo(key.arn());
        assertThat(d.lastChangedDate()).isEqualTo(MutableClock.START.plus(Duration.ofMinutes(5)));

        var withValue = sm.updateSecret(b -> b.secretId(NAME).secretString("v2").clientRequestToken(TOKEN_B));
        assertThat(withValue.versionId()).isEqualTo(TOKEN_B);
        assertThat(sm.getSecretValue(b -> b.secretId(NAME)).secretString()).isEqualTo("v2");
        assertThat(sm.describeSecret(b -> b.secretId(NAME)).versionIdsToStages()).containsOnly(
                Map.entry(TOKEN_A, List.of("AWSPREVIOUS")), Map.entry(TOKEN_B, List.of("AWSCURRENT")));

        // back to the AWS managed key
        sm.updateSecret(b -> b.secretId(NAME).kmsKeyId("alias/aws/secretsmanager"));
        assertThat(sm.describeSecret(b -> b.secretId(NAME)).kmsKeyId()).isNull();
    }

    @Test
    void tags() {
        sm.createSecret(b -> b.name(NAME).secretString("v1").tags(Tag.builder().key("a").value("1").build()));
        sm.tagResource(b -> b.secretId(NAME).tags(Tag.builder().key("b").value("2").build(),
                Tag.builder().key("a").value("3").build()));
        assertThat(sm.describeSecret(b -> b.secretId(NAME)).tags()).containsExactly(
                Tag.builder().key("a").value("3").build(), Tag.builder().key("b").value("2").build());
        sm.untagResource(b -> b.secretId(NAME).tagKeys("a", "missing"));
        assertThat(state().secret(REGION, NAME).orElseThrow().tags()).containsExactly(Map.entry("b", "2"));
        assertThatThrownBy(() -> sm.tagResource(b -> b.secretId(NAME).tags(Tag.builder().key("aws:x").value("1")
                .build()))).isInstanceOf(InvalidParameterException.class);
    }

    @Test
    void nameValidation() {
        InvalidParameterException badChars = catchThrowableOfType(() -> sm.createSecret(b -> b.name("bad name!")
                .secretString("v")), InvalidParameterException.class);
        assertThat(badChars.awsErrorDetails().errorCode()).isEqualTo("InvalidParameterException");

        SecretsManagerException tooLong = catchThrowableOfType(() -> sm.createSecret(b -> b.name("a".repeat(513))
                .secretString("v")), SecretsManagerException.class);
        assertThat(tooLong.awsErrorDetails().errorCode()).isEqualTo("ValidationException");
        assertThat(tooLong.statusCode()).isEqualTo(400);

        sm.createSecret(b -> b.name("a".repeat(512)).secretString("v"));
        sm.createSecret(b -> b.name("Az09/_+=.@-").secretString("v"));
    }

    @Test
    void kmsKeyProblems() {
        InvalidParameterException unknownAlias = catchThrowableOfType(() -> sm.createSecret(b -> b.name(NAME)
                .secretString("v").kmsKeyId("alias/nope")), InvalidParameterException.class);
        assertThat(unknownAlias.awsErrorDetails().errorCode()).isEqualTo("InvalidParameterException");
        assertThat(unknownAlias.awsErrorDetails().errorMessage())
                .contains("Alias arn:aws:kms:us-east-1:123456789012:alias/nope is not found.");
        assertThat(state().secret(REGION, NAME)).isEmpty();

        KmsState kms = emulator.kms(AwsEmulator.DEFAULT_ACCOUNT);
        KmsState.KeyInfo key = kms.createKey(REGION);
        kms.disableKey(REGION, key.keyId());
        EncryptionFailureException disabled = catchThrowableOfType(() -> sm.createSecret(b -> b.name(NAME)
                .secretString("v").kmsKeyId(key.arn())), EncryptionFailureException.class);
        assertThat(disabled.awsErrorDetails().errorCode()).isEqualTo("EncryptionFailure");

        kms.enableKey(REGION, key.keyId());
        sm.createSecret(b -> b.name(NAME).secretString("v").kmsKeyId(key.arn()));
        kms.disableKey(REGION, key.keyId());
        DecryptionFailureException cannotRead = catchThrowableOfType(() -> sm.getSecretValue(b -> b.secretId(NAME)),
                DecryptionFailureException.class);
        assertThat(cannotRead.awsErrorDetails().errorCode()).isEqualTo("DecryptionFailure");
        assertThatThrownBy(() -> sm.putSecretValue(b -> b.secretId(NAME).secretString("v2")))
                .isInstanceOf(EncryptionFailureException.class);
        assertThatThrownBy(() -> sm.updateSecret(b -> b.secretId(NAME).kmsKeyId("0b9c7c1e-0000-4000-8000-000000000000")))
                .isInstanceOf(InvalidParameterException.class)
                .hasMessageContaining("Key 'arn:aws:kms:us-east-1:123456789012:key/0b9c7c1e-0000-4000-8000-000000000000' does not exist");
    }

    @Test
    void deleteAndRestore() {
        CreateSecretResponse created = sm.createSecret(b -> b.name(NAME).secretString("v1"));
        emulator.clock().advance(Duration.ofHours(1));
        var deleted = sm.deleteSecret(b -> b.secretId(NAME).recoveryWindowInDays(7L));
        assertThat(deleted.deletionDate()).isEqualTo(emulator.clock().instant().plus(Duration.ofDays(7)));
        assertThat(sm.describeSecret(b -> b.secretId(NAME)).deletedDate()).isEqualTo(emulator.clock().instant());

        InvalidRequestException recreate = catchThrowableOfType(() -> sm.createSecret(b -> b.name(NAME)
                .secretString("v")), InvalidRequestException.class);
        assertThat(recreate.awsErrorDetails().errorMessage()).isEqualTo(
                "You can't create this secret because a secret with this name is already scheduled for deletion.");
        InvalidRequestException read = catchThrowableOfType(() -> sm.getSecretValue(b -> b.secretId(NAME)),
                InvalidRequestException.class);
        assertThat(read.awsErrorDetails().errorMessage()).contains("marked for deletion");
        assertThat(sm.listSecrets(b -> b.includePlannedDeletion(false)).secretList()).isEmpty();
        assertThat(sm.listSecrets(b -> b.includePlannedDeletion(true)).secretList()).hasSize(1);

        assertThat(sm.restoreSecret(b -> b.secretId(NAME)).arn()).isEqualTo(created.arn());
        assertThat(sm.getSecretValue(b -> b.secretId(NAME)).secretString()).isEqualTo("v1");

        // the recovery window passes: gone
        state().scheduleDeletion(REGION, NAME);
        emulator.clock().advance(Duration.ofDays(30));
        assertThatThrownBy(() -> sm.describeSecret(b -> b.secretId(NAME))).isInstanceOf(ResourceNotFoundException.class);
        sm.createSecret(b -> b.name(NAME).secretString("again"));

        sm.deleteSecret(b -> b.secretId(NAME).forceDeleteWithoutRecovery(true));
        assertThat(state().secret(REGION, NAME)).isEmpty();
        assertThatThrownBy(() -> sm.deleteSecret(b -> b.secretId("x").forceDeleteWithoutRecovery(true)
                .recoveryWindowInDays(7L))).isInstanceOf(InvalidParameterException.class);
    }

    @Test
    void listSecretsWithFilters() {
        sm.createSecret(b -> b.name("buildkite/a").secretString("v"));
        sm.createSecret(b -> b.name("buildkite/b").secretString("v").tags(Tag.builder().key("k").value("x").build()));
        sm.createSecret(b -> b.name("other").secretString("v"));
        assertThat(sm.listSecrets(b -> b.filters(Filter.builder().key(FilterNameStringType.NAME)
                .values("buildkite/").build())).secretList()).extracting(e -> e.name())
                .containsExactly("buildkite/a", "buildkite/b");
        assertThat(sm.listSecrets(b -> b.filters(Filter.builder().key(FilterNameStringType.TAG_KEY).values("k")
                .build())).secretList()).extracting(e -> e.name()).containsExactly("buildkite/b");
    }

    @Test
    void fixtureApiMatchesWire() {
        var info = state().createSecret(REGION, NAME, "fixture", null, Map.of("owner", "test"));
        assertThat(sm.getSecretValue(b -> b.secretId(info.arn())).secretString()).isEqualTo("fixture");
        String v2 = state().putValue(REGION, NAME, "second");
        assertThat(state().value(REGION, NAME, "AWSCURRENT")).contains("second");
        assertThat(state().value(REGION, NAME, v2)).contains("second");
        assertThat(state().value(REGION, NAME, "AWSPREVIOUS")).contains("fixture");
        assertThat(state().value(REGION, "nope", "AWSCURRENT")).isEmpty();
        AwsError fixtureError = catchThrowableOfType(() -> state().createSecret(REGION, NAME, "x", null, Map.of()),
                AwsError.class);
        assertThat(fixtureError.code()).isEqualTo("ResourceExistsException");
    }
}
