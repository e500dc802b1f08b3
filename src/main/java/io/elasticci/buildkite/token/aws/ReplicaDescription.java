package io.elasticci.buildkite.token.aws;

/**
 * One replica as the primary describes it. {@code kmsKeyRef} is whatever Secrets Manager reports (key ID, ARN or
 * alias; null for the AWS managed key), so it must be resolved before it is compared.
 */
public record ReplicaDescription(String region, String kmsKeyRef, String status, String message) {

    public static final String IN_SYNC = "InSync";
    public static final String IN_PROGRESS = "InProgress";
    public static final String FAILED = "Failed";
}
