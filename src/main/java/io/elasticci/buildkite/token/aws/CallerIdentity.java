package io.elasticci.buildkite.token.aws;

/** Who the operator is in AWS. */
public record CallerIdentity(String accountId, String arn, String partition) {

    public static CallerIdentity fromArn(String accountId, String arn) {
        String[] parts = arn.split(":", 3);
        return new CallerIdentity(accountId, arn, parts.length > 1 ? parts[1] : "aws");
    }
}
