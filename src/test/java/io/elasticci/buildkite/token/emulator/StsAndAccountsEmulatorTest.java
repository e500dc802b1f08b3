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

    private static String trust(String principal, String externalId) {
        return "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\""
                + principal + "\"},\"Action\":\"sts:AssumeRole\",\"Condition\":{\"StringEquals\":"
                + "{\"sts:ExternalId\":\"" + externalId + "\"}}}]}";
    }

    @Test
    void assumeRoleChecksTheTrustPolicyAndItsExternalIdAndActsInTheRolesAccount() {
        emulator.iam(OTHER_ACCOUNT).createRoleTrusting("token-operator",
                trust("arn:aws:iam::" + AwsEmulator.DEFAULT_ACCOUNT + ":root", "ext-123"));
        String roleArn = "arn:aws:iam::" + OTHER_ACCOUNT + ":role/token-operator";
        software.amazon.awssdk.services.sts.StsClient sts = clients.sts(REGION, AwsEmulator.ACCESS_KEY);

        var assumed = sts.assumeRole(b -> b.roleArn(roleArn).roleSessionName("bkat").externalId("ext-123"));

        assertThat(assumed.assumedRoleUser().arn())
                .isEqualTo("arn:aws:sts::" + OTHER_ACCOUNT + ":assumed-role/token-operator/bkat");
        assertThat(assumed.credentials().accessKeyId()).startsWith("ASIA");
        var session = software.amazon.awssdk.services.sts.StsClient.builder().endpointOverride(emulator.endpoint())
                .region(software.amazon.awssdk.regions.Region.of(REGION))
                .credentialsProvider(software.amazon.awssdk.auth.credentials.StaticCredentialsProvider.create(
                        software.amazon.awssdk.auth.credentials.AwsSessionCredentials.create(
                                assumed.credentials().accessKeyId(), assumed.credentials().secretAccessKey(),
                                assumed.credentials().sessionToken())))
                .build();
        var identity = session.getCallerIdentity();
        assertThat(identity.account()).isEqualTo(OTHER_ACCOUNT);
        assertThat(identity.arn()).isEqualTo(assumed.assumedRoleUser().arn());

        assertThatThrownBy(() -> sts.assumeRole(b -> b.roleArn(roleArn).roleSessionName("bkat").externalId("wrong")))
                .as("wrong external ID").isInstanceOfSatisfying(
                        software.amazon.awssdk.services.sts.model.StsException.class,
                        e -> assertThat(e.awsErrorDetails().errorCode()).isEqualTo("AccessDenied"));
        assertThatThrownBy(() -> sts.assumeRole(b -> b.roleArn(roleArn).roleSessionName("bkat")))
                .as("no external ID").isInstanceOf(software.amazon.awssdk.services.sts.model.StsException.class);
        assertThatThrownBy(() -> clients.sts(REGION, OTHER_KEY).assumeRole(b -> b
                .roleArn("arn:aws:iam::" + OTHER_ACCOUNT + ":role/missing").roleSessionName("x")))
                .as("no such role").isInstanceOf(software.amazon.awssdk.services.sts.model.StsException.class);

        emulator.clock().advance(java.time.Duration.ofHours(2));
        assertThatThrownBy(session::getCallerIdentity).as("expired on the emulator's clock")
                .isInstanceOfSatisfying(software.amazon.awssdk.services.sts.model.StsException.class,
                        e -> assertThat(e.awsErrorDetails().errorCode()).isEqualTo("ExpiredToken"));
        session.close();
    }
}
