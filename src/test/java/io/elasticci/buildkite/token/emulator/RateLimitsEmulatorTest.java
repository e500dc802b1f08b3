package io.elasticci.buildkite.token.emulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import org.junit.jupiter.api.Test;

import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.services.cloudformation.model.CloudFormationException;
import software.amazon.awssdk.services.iam.model.IamException;
import software.amazon.awssdk.services.kms.model.KmsException;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.secretsmanager.model.SecretsManagerException;

/**
 * A call beyond an AWS quota is answered as AWS answers it: ThrottlingException with HTTP 400 over JSON, Throttling
 * "Rate exceeded" with HTTP 400 over the query protocol, which the SDK takes for throttling. The quotas here are one
 * call an hour, so that the second call is throttled whatever the timing.
 */
@EmulatorTestSupport.SingleAttempt
class RateLimitsEmulatorTest extends EmulatorTestSupport {

    private static final String EAST = "us-east-1";
    private static final String WEST = "us-west-2";
    private static final double ONE_AN_HOUR = 1.0 / 3600;

    private static void assertThrottled(AwsServiceException e, String code) {
        assertThat(e.awsErrorDetails().errorCode()).isEqualTo(code);
        assertThat(e.awsErrorDetails().errorMessage()).isEqualTo("Rate exceeded");
        assertThat(e.statusCode()).isEqualTo(400);
        assertThat(e.isThrottlingException()).isTrue();
    }

    @Test
    void secretsManagerPolicyCallsShareAQuotaPerRegion() {
        SecretsManagerClient east = clients.secretsManager(EAST);
        SecretsManagerClient west = clients.secretsManager(WEST);
        east.createSecret(b -> b.name("quota").secretString("v"));
        west.createSecret(b -> b.name("quota").secretString("v"));
        emulator.rateLimits().limit("secretsmanager", RateLimits.Scope.REGION, ONE_AN_HOUR, "GetResourcePolicy",
                "PutResourcePolicy");

        east.getResourcePolicy(b -> b.secretId("quota"));
        assertThrottled(catchThrowableOfType(() -> east.putResourcePolicy(b -> b.secretId("quota")
                .resourcePolicy("{\"Version\":\"2012-10-17\",\"Statement\":[]}")), SecretsManagerException.class),
                "ThrottlingException");
        assertThat(east.describeSecret(b -> b.secretId("quota")).name()).as("another quota").isEqualTo("quota");
        assertThat(west.getResourcePolicy(b -> b.secretId("quota")).name()).as("another region's quota")
                .isEqualTo("quota");
    }

    @Test
    void iamIsThrottledAccountWideOverTheQueryProtocol() {
        emulator.iam(AwsEmulator.DEFAULT_ACCOUNT).createRole("quota-role");
        emulator.rateLimits().limit("iam", RateLimits.Scope.ACCOUNT, ONE_AN_HOUR);

        clients.iam().getRole(b -> b.roleName("quota-role"));
        assertThrottled(catchThrowableOfType(() -> clients.iam().getRole(b -> b.roleName("quota-role")),
                IamException.class), "Throttling");
        assertThat(emulator.calls().calls("iam", "GetRole")).extracting(CallLog.Call::errorCode)
                .containsExactly(null, "Throttling");
    }

    @Test
    void cloudFormationAndKmsUseTheirOwnCodes() {
        emulator.rateLimits().limit("cloudformation", RateLimits.Scope.REGION, ONE_AN_HOUR)
                .limit("kms", RateLimits.Scope.REGION, ONE_AN_HOUR);

        clients.cloudFormation(EAST).describeStacks();
        assertThrottled(catchThrowableOfType(() -> clients.cloudFormation(EAST).describeStacks(),
                CloudFormationException.class), "Throttling");
        clients.kms(EAST).describeKey(b -> b.keyId("alias/aws/secretsmanager"));
        assertThrottled(catchThrowableOfType(() -> clients.kms(EAST).describeKey(b -> b.keyId(
                "alias/aws/secretsmanager")), KmsException.class), "ThrottlingException");
    }

    @Test
    void resetRemovesTheQuotas() {
        emulator.rateLimits().limit("cloudformation", RateLimits.Scope.REGION, ONE_AN_HOUR);
        clients.cloudFormation(EAST).describeStacks();
        emulator.reset();
        clients.cloudFormation(EAST).describeStacks();
        assertThat(emulator.calls().failures()).isEmpty();
    }
}
