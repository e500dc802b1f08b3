package io.elasticci.buildkite.token.aws;

/** A KMS key resolved from a key ID, key ARN or alias. */
public record KmsKey(String keyId, String arn, boolean enabled, boolean awsManaged) {
}
