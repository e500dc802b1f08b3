package io.elasticci.buildkite.token.emulator;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.kms.model.KmsException;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.secretsmanager.model.ResourceNotFoundException;
import software.amazon.awssdk.services.secretsmanager.model.SecretsManagerException;
import software.amazon.awssdk.services.sts.model.GetCallerIdentityResponse;
import software.amazon.awssdk.services.sts.model.StsException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

class StsAndAccountsEmulatorTest extends EmulatorTestSupport {

    private static final String REGION = "us-east-1";
    private static final String OTHER_KEY = "AKIAEMULATOR000002";
    private static final String OTHER_ACCOUNT = "210987654321";

    @BeforeAll
    static void start() {
        emulator.registerAccount(OTHER_KEY, OTHER_ACCOUNT);
    }

    @Test
    void callerIdentityPerAccount() {
        GetCallerIdentityResponse main = clients.sts(REGION, AwsEmulator.ACCESS_KEY).getCallerIdentity();
        assertThat(main.account()).isEqualTo(AwsEmulator.DEFAULT_ACCOUNT);
        assertThat(main.arn()).isEqualTo("arn:aws:iam::123456789012:user/emulator");
        assertThat(main.userId()).isEqualTo("AIDAEMULATOR000001");

        GetCallerIdentityResponse other = clients.sts("eu-central-1", OTHER_KEY).getCallerIdentity();
        assertThat(other.account()).isEqualTo(OTHER_ACCOUNT);
        assertThat(other.arn()).isEqualTo("arn:aws:iam::210987654321:user/emulator");

        assertThat(emulator.calls().all()).extracting(CallLog.Call::service, CallLog.Call::operation,
                CallLog.Call::region, CallLog.Call::account).containsExactly(
                org.assertj.core.groups.Tuple.tuple("sts", "GetCallerIdentity", REGION, AwsEmulator.DEFAULT_ACCOUNT),
                org.assertj.core.groups.Tuple.tuple("sts", "GetCallerIdentity", "eu-central-1", OTHER_ACCOUNT));
    }

    @Test
    void accountsAreIsolated() {
        SecretsManagerClient mine = clients.secretsManager(REGION);
        SecretsManagerClient theirs = clients.secretsManager(REGION, OTHER_KEY);
        String arn = mine.createSecret(b -> b.name("shared-name").secretString("mine")).arn();
        assertThat(arn).contains(":123456789012:");
        assertThatThrownBy(() -> theirs.getSecretValue(b -> b.secretId("shared-name")))
                .isInstanceOf(ResourceNotFoundException.class);
        assertThatThrownBy(() -> theirs.getSecretValue(b -> b.secretId(arn)))
                .isInstanceOf(ResourceNotFoundException.class);
        String theirArn = theirs.createSecret(b -> b.name("shared-name").secretString("theirs")).arn();
        assertThat(theirArn).contains(":210987654321:");
        assertThat(emulator.secretsManager(OTHER_ACCOUNT).value(REGION, "shared-name", "AWSCURRENT"))
                .contains("theirs");
        assertThat(emulator.secretsManager(AwsEmulator.DEFAULT_ACCOUNT).value(REGION, "shared-name", "AWSCURRENT"))
                .contains("mine");
        assertThat(clients.kms(REGION, OTHER_KEY).describeKey(b -> b.keyId("alias/aws/secretsmanager"))
                .keyMetadata().arn()).startsWith("arn:aws:kms:us-east-1:210987654321:key/");
    }

    @Test
    void unknownAccessKeyIsRefusedInEachProtocol() {
        String unknown = "AKIAUNKNOWN000000000";
        SecretsManagerException sm = catchThrowableOfType(() -> clients.secretsManager(REGION, unknown)
                .describeSecret(b -> b.secretId("x")), SecretsManagerException.class);
        assertThat(sm.awsErrorDetails().errorCode()).isEqualTo("UnrecognizedClientException");
        assertThat(sm.statusCode()).isEqualTo(400);
        assertThat(sm.awsErrorDetails().errorMessage())
                .isEqualTo("The security token included in the request is invalid.");

        KmsException kms = catchThrowableOfType(() -> clients.kms(REGION, unknown).listKeys(), KmsException.class);
        assertThat(kms.awsErrorDetails().errorCode()).isEqualTo("UnrecognizedClientException");

        StsException sts = catchThrowableOfType(() -> clients.sts(REGION, unknown).getCallerIdentity(),
                StsException.class);
        assertThat(sts.awsErrorDetails().errorCode()).isEqualTo("InvalidClientTokenId");
        assertThat(sts.statusCode()).isEqualTo(403);
        assertThat(sts.awsErrorDetails().errorMessage())
                .isEqualTo("The security token included in the request is invalid.");

        assertThat(emulator.calls().all()).allSatisfy(c -> assertThat(c.account()).isNull())
                .extracting(CallLog.Call::errorCode)
                .containsExactly("UnrecognizedClientException", "UnrecognizedClientException", "InvalidClientTokenId");
    }
}
