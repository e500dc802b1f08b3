package io.elasticci.buildkite.token.aws;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ConnectException;

import org.junit.jupiter.api.Test;

import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkClientException;

class AwsErrorsTest {

    @Test
    void noCredentialsFromTheProviderChainIsItsOwnKind() {
        SdkClientException e = SdkClientException.create("Unable to load credentials from any of the providers in the "
                + "chain AwsCredentialsProviderChain(credentialsProviders=[...]) : [...]");

        AwsFailure failure = AwsErrors.map(e, "sts", "GetCallerIdentity", "us-east-1");

        assertThat(failure.kind()).isEqualTo(AwsFailure.Kind.CREDENTIALS_UNAVAILABLE);
        assertThat(failure.kind().isTransient()).isFalse();
        assertThat(failure.getMessage()).startsWith("sts GetCallerIdentity in us-east-1 failed: NoCredentials")
                .contains("default provider chain");
    }

    @Test
    void noAnswerAtAllNamesTheCause() {
        SdkClientException e = SdkClientException.builder().message("Unable to execute HTTP request")
                .cause(new RuntimeException("wrapped", new ConnectException("Connection refused"))).build();

        AwsFailure failure = AwsErrors.map(e, "secretsmanager", "DescribeSecret", "eu-west-1");

        assertThat(failure.kind()).isEqualTo(AwsFailure.Kind.UNAVAILABLE);
        assertThat(failure.getMessage()).isEqualTo("secretsmanager DescribeSecret in eu-west-1 failed: NoResponse "
                + "(ConnectException: Connection refused)");
    }

    @Test
    void serviceErrorsMapByCodeThenByStatus() {
        AwsServiceException throttled = AwsServiceException.builder().statusCode(400).awsErrorDetails(
                AwsErrorDetails.builder().errorCode("Throttling").errorMessage("Rate exceeded").build()).build();
        AwsServiceException unknown = AwsServiceException.builder().statusCode(503).awsErrorDetails(
                AwsErrorDetails.builder().errorCode("SomethingNew").build()).build();

        assertThat(AwsErrors.map(throttled, "iam", "GetRolePolicy", "global").kind())
                .isEqualTo(AwsFailure.Kind.THROTTLED);
        assertThat(AwsErrors.map(unknown, "kms", "DescribeKey", "us-east-1").kind())
                .isEqualTo(AwsFailure.Kind.UNAVAILABLE);
    }
}
