package io.elasticci.buildkite.token.aws;

/** A replica to add: its region and key ({@code kmsKeyId} null: the AWS managed key of that region). */
public record NewReplica(String region, String kmsKeyId) {
}
