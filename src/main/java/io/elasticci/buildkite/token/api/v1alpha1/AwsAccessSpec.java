package io.elasticci.buildkite.token.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;

import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;

/** How the operator reaches the AWS account that holds the token: a role it assumes there. */
public class AwsAccessSpec {

    public static final String ROLE_ARN_PATTERN = "^arn:aws[a-z-]*:iam::[0-9]{12}:role/[\\w+=,.@/-]{1,512}$";
    public static final String EXTERNAL_ID_PATTERN = "^[\\w+=,.@:/-]{2,1224}$";
    public static final String SESSION_NAME_PATTERN = "^[\\w+=,.@-]{2,64}$";

    @Required
    @Pattern(ROLE_ARN_PATTERN)
    @JsonPropertyDescription("Role the operator assumes (STS AssumeRole) for every AWS call of this resource. Its trust "
            + "policy must allow the operator's role, with externalId when set (deploy/iam/README.md).")
    private String roleArn;

    @Pattern(EXTERNAL_ID_PATTERN)
    @JsonPropertyDescription("External ID the role's trust policy requires (sts:ExternalId).")
    private String externalId;

    @Pattern(SESSION_NAME_PATTERN)
    @JsonPropertyDescription("Session name in the target account's CloudTrail. Default bkat-<namespace>-<name>, "
            + "cut to 64 characters.")
    private String sessionName;

    public String getRoleArn() {
        return roleArn;
    }

    public void setRoleArn(String roleArn) {
        this.roleArn = roleArn;
    }

    public String getExternalId() {
        return externalId;
    }

    public void setExternalId(String externalId) {
        this.externalId = externalId;
    }

    public String getSessionName() {
        return sessionName;
    }

    public void setSessionName(String sessionName) {
        this.sessionName = sessionName;
    }
}
