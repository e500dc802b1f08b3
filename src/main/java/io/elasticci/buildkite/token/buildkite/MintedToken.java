package io.elasticci.buildkite.token.buildkite;

import io.elasticci.buildkite.token.aws.SecretValue;

/**
 * A token just created, with its value: Buildkite shows the value in this one answer only, so whoever holds this must
 * store the value before anything else can fail. The value is a {@link SecretValue}: toString shows a placeholder.
 */
public record MintedToken(ClusterToken token, SecretValue value) {
}
