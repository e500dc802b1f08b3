package io.elasticci.buildkite.token.aws;

import java.time.Instant;

/** An IAM role: its ARN and the unique ID AWS pins in resource policies. */
public record RoleInfo(String name, String arn, String roleId, Instant created) {

    public RoleInfo {
        name = SharedStrings.of(name);
        arn = SharedStrings.of(arn);
        roleId = SharedStrings.of(roleId);
    }

    /** The role name of a role ARN ({@code arn:aws:iam::ACCOUNT:role/path/NAME}). */
    public static String nameOf(String roleArn) {
        return roleArn.substring(roleArn.lastIndexOf('/') + 1);
    }
}
