package io.elasticci.buildkite.token.emulator;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.model.AliasListEntry;
import software.amazon.awssdk.services.kms.model.AlreadyExistsException;
import software.amazon.awssdk.services.kms.model.InvalidAliasNameException;
import software.amazon.awssdk.services.kms.model.KeyManagerType;
import software.amazon.awssdk.services.kms.model.KeyMetadata;
import software.amazon.awssdk.services.kms.model.KeyState;
import software.amazon.awssdk.services.kms.model.MalformedPolicyDocumentException;
import software.amazon.awssdk.services.kms.model.NotFoundException;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

class KmsEmulatorTest extends EmulatorTestSupport {

    private static final String REGION = "us-east-1";
    private static final String OTHER = "ap-southeast-2";

    private static KmsClient kms;

    @BeforeAll
    static void start() {
        kms = clients.kms(REGION);
    }

    @Test
    void describeByIdArnAliasAndAliasArn() {
        KeyMetadata created = kms.createKey(b -> b.description("buildkite token key")).keyMetadata();
        assertThat(created.keyId()).matches("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
        assertThat(created.arn()).isEqualTo("arn:aws:kms:us-east-1:123456789012:key/" + created.keyId());
        assertThat(created.keyManager()).isEqualTo(KeyManagerType.CUSTOMER);
        assertThat(created.keyState()).isEqualTo(KeyState.ENABLED);
        assertThat(created.enabled()).isTrue();
        assertThat(created.awsAccountId()).isEqualTo(AwsEmulator.DEFAULT_ACCOUNT);
        assertThat(created.creationDate()).isEqualTo(MutableClock.START);
        assertThat(created.description()).isEqualTo("buildkite token key");

        kms.createAlias(b -> b.aliasName("alias/buildkite").targetKeyId(created.keyId()));
        for (String ref : List.of(created.keyId(), created.arn(), "alias/buildkite",
                "arn:aws:kms:us-east-1:123456789012:alias/buildkite")) {
            KeyMetadata m = kms.describeKey(b -> b.keyId(ref)).keyMetadata();
            assertThat(m.keyId()).as(ref).isEqualTo(created.keyId());
            assertThat(m.arn()).isEqualTo(created.arn());
        }
        List<AliasListEntry> aliases = kms.listAliases(b -> b.keyId(created.keyId())).aliases();
        assertThat(aliases).singleElement().satisfies(a -> {
            assertThat(a.aliasName()).isEqualTo("alias/buildkite");
            assertThat(a.aliasArn()).isEqualTo("arn:aws:kms:us-east-1:123456789012:alias/buildkite");
            assertThat(a.targetKeyId()).isEqualTo(created.keyId());
        });
        assertThat(kms.listKeys().keys()).extracting(k -> k.keyId()).containsExactly(created.keyId());

        // the state API resolves the same references
        KmsState state = emulator.kms(AwsEmulator.DEFAULT_ACCOUNT);
        assertThat(state.describe(REGION, "arn:aws:kms:us-east-1:123456789012:alias/buildkite")).get()
                .extracting(KmsState.KeyInfo::keyId).isEqualTo(created.keyId());
    }

    @Test
    void awsManagedKeyIsCreatedOnFirstReference() {
        assertThat(kms.listAliases().aliases()).isEmpty();
        KeyMetadata managed = kms.describeKey(b -> b.keyId("alias/aws/secretsmanager")).keyMetadata();
        assertThat(managed.keyManager()).isEqualTo(KeyManagerType.AWS);
        assertThat(managed.keyState()).isEqualTo(KeyState.ENABLED);
        assertThat(kms.describeKey(b -> b.keyId("arn:aws:kms:us-east-1:123456789012:alias/aws/secretsmanager"))
                .keyMetadata().keyId()).isEqualTo(managed.keyId());
        assertThat(kms.listAliases().aliases()).extracting(AliasListEntry::aliasName)
                .containsExactly("alias/aws/secretsmanager");
        assertThat(emulator.kms(AwsEmulator.DEFAULT_ACCOUNT).awsManagedKey(REGION).keyId()).isEqualTo(managed.keyId());
        // one per region
        assertThat(emulator.kms(AwsEmulator.DEFAULT_ACCOUNT).awsManagedKey(OTHER).keyId()).isNotEqualTo(managed.keyId());

        InvalidAliasNameException reserved = catchThrowableOfType(() -> kms.createAlias(b -> b
                .aliasName("alias/aws/mine").targetKeyId(managed.keyId())), InvalidAliasNameException.class);
        assertThat(reserved.awsErrorDetails().errorCode()).isEqualTo("InvalidAliasNameException");
    }

    @Test
    void notFound() {
        NotFoundException alias = catchThrowableOfType(() -> kms.describeKey(b -> b.keyId("alias/nope")),
                NotFoundException.class);
        assertThat(alias.awsErrorDetails().errorCode()).isEqualTo("NotFoundException");
        assertThat(alias.statusCode()).isEqualTo(400);
        assertThat(alias.awsErrorDetails().errorMessage())
                .isEqualTo("Alias arn:aws:kms:us-east-1:123456789012:alias/nope is not found.");

        String id = "1234abcd-12ab-34cd-56ef-1234567890ab";
        NotFoundException key = catchThrowableOfType(() -> kms.describeKey(b -> b.keyId(id)), NotFoundException.class);
        assertThat(key.awsErrorDetails().errorMessage())
                .isEqualTo("Key 'arn:aws:kms:us-east-1:123456789012:key/" + id + "' does not exist");

        // keys are regional
        KmsState.KeyInfo elsewhere = emulator.kms(AwsEmulator.DEFAULT_ACCOUNT).createKey(OTHER);
        assertThatThrownBy(() -> kms.describeKey(b -> b.keyId(elsewhere.keyId()))).isInstanceOf(NotFoundException.class);
        assertThatThrownBy(() -> kms.describeKey(b -> b.keyId(elsewhere.arn()))).isInstanceOf(NotFoundException.class);
        assertThat(clients.kms(OTHER).describeKey(b -> b.keyId(elsewhere.arn())).keyMetadata().keyId())
                .isEqualTo(elsewhere.keyId());
        assertThatThrownBy(() -> kms.createAlias(b -> b.aliasName("alias/x").targetKeyId(id)))
                .isInstanceOf(NotFoundException.class);
    }

    @Test
    void disableAndEnable() {
        String keyId = kms.createKey().keyMetadata().keyId();
        kms.disableKey(b -> b.keyId(keyId));
        KeyMetadata disabled = kms.describeKey(b -> b.keyId(keyId)).keyMetadata();
        assertThat(disabled.keyState()).isEqualTo(KeyState.DISABLED);
        assertThat(disabled.enabled()).isFalse();
        assertThat(emulator.kms(AwsEmulator.DEFAULT_ACCOUNT).describe(REGION, keyId)).get()
                .extracting(KmsState.KeyInfo::state).isEqualTo("Disabled");
        kms.enableKey(b -> b.keyId(keyId));
        assertThat(kms.describeKey(b -> b.keyId(keyId)).keyMetadata().keyState()).isEqualTo(KeyState.ENABLED);

        kms.scheduleKeyDeletion(b -> b.keyId(keyId).pendingWindowInDays(7));
        assertThat(kms.describeKey(b -> b.keyId(keyId)).keyMetadata().keyState()).isEqualTo(KeyState.PENDING_DELETION);
        kms.cancelKeyDeletion(b -> b.keyId(keyId));
        assertThat(kms.describeKey(b -> b.keyId(keyId)).keyMetadata().keyState()).isEqualTo(KeyState.DISABLED);
    }

    @Test
    void aliasesAndPolicies() throws Exception {
        String keyId = kms.createKey().keyMetadata().keyId();
        kms.createAlias(b -> b.aliasName("alias/a").targetKeyId(keyId));
        AlreadyExistsException dup = catchThrowableOfType(() -> kms.createAlias(b -> b.aliasName("alias/a")
                .targetKeyId(keyId)), AlreadyExistsException.class);
        assertThat(dup.awsErrorDetails().errorCode()).isEqualTo("AlreadyExistsException");

        var policy = kms.getKeyPolicy(b -> b.keyId(keyId).policyName("default"));
        assertThat(policy.policyName()).isEqualTo("default");
        JsonNode doc = JsonProtocol.MAPPER.readTree(policy.policy());
        assertThat(doc.at("/Statement/0/Principal/AWS").asText()).isEqualTo("arn:aws:iam::123456789012:root");
        assertThat(doc.at("/Statement/0/Action").asText()).isEqualTo("kms:*");

        String newPolicy = "{\"Version\":\"2012-10-17\",\"Statement\":[]}";
        kms.putKeyPolicy(b -> b.keyId("alias/a").policy(newPolicy));
        assertThat(kms.getKeyPolicy(b -> b.keyId(keyId)).policy()).isEqualTo(newPolicy);
        assertThat(emulator.kms(AwsEmulator.DEFAULT_ACCOUNT).keyPolicy(REGION, keyId)).isEqualTo(newPolicy);
        assertThatThrownBy(() -> kms.putKeyPolicy(b -> b.keyId(keyId).policy("not json")))
                .isInstanceOf(MalformedPolicyDocumentException.class);

        emulator.kms(AwsEmulator.DEFAULT_ACCOUNT).setKeyPolicy(REGION, keyId, "{\"Statement\":[]}");
        assertThat(kms.getKeyPolicy(b -> b.keyId(keyId)).policy()).isEqualTo("{\"Statement\":[]}");
    }
}
