package io.elasticci.buildkite.token.api.v1alpha1;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** One Elastic CI Stack as discovered: its roles, Auto Scaling group and token parameters. */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public class StackStatus {

    @JsonPropertyDescription("CloudFormation stack name.")
    public String name;

    @JsonPropertyDescription("CloudFormation stack status, for example UPDATE_COMPLETE.")
    public String stackStatus;

    @JsonPropertyDescription("The role of the stack's instances (IAMRole, or the role InstanceRoleARN names).")
    public RoleRef instanceRole;

    @JsonPropertyDescription("The scaler Lambda's roles; empty for a fixed-size stack.")
    public List<RoleRef> scalerRoles = new ArrayList<>();

    @JsonPropertyDescription("Name of the stack's agent Auto Scaling group.")
    public String autoScalingGroup;

    @JsonPropertyDescription("The values the stack's token parameters must have.")
    public Map<String, String> expectedParameters = new LinkedHashMap<>();

    @JsonPropertyDescription("Whether the stack's token parameters have the expected values.")
    public Boolean parametersValid;

    @JsonPropertyDescription("The metadata.generation at which the operator last started a parameter update of this "
            + "stack (stackParameters: Manage); a failed update is not retried until the generation changes.")
    public Long parameterUpdateGeneration;

    @JsonPropertyDescription("What is wrong with this stack, if anything.")
    public String message;

    /** A role by ARN and the unique ID Secrets Manager pins. */
    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    public static class RoleRef {
        @JsonPropertyDescription("Role ARN.")
        public String arn;

        @JsonPropertyDescription("The role's unique ID (AROA…).")
        public String roleId;

        public RoleRef() {
        }

        public RoleRef(String arn, String roleId) {
            this.arn = arn;
            this.roleId = roleId;
        }
    }
}
