package io.elasticci.buildkite.token.api.v1alpha1;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** The rollout of the current token version to every instance, and which older versions may be revoked. */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public class RotationStatus {

    @JsonPropertyDescription("The version being rolled out (the secret's AWSCURRENT).")
    public String versionId;

    @JsonPropertyDescription("The version it replaced, if the operator saw the change.")
    public String previousVersionId;

    @JsonPropertyDescription("When the operator first saw this version as AWSCURRENT (RFC 3339).")
    public String observedAt;

    @JsonPropertyDescription("When every replica region served this version as AWSCURRENT (RFC 3339).")
    public String inSyncAt;

    @JsonPropertyDescription("One instance refresh per stack for this version.")
    public List<RefreshStatus> refreshes = new ArrayList<>();

    @JsonPropertyDescription("Older versions no running instance can still hold: every in-service instance of every "
            + "stack was launched after this version was current everywhere. Safe to revoke in Buildkite.")
    public List<String> revocableVersionIds = new ArrayList<>();

    @JsonPropertyDescription("Refreshes of earlier rotations, never to be mistaken for this one's.")
    public List<String> earlierRefreshIds = new ArrayList<>();

    /** One stack's instance refresh. */
    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    public static class RefreshStatus {
        @JsonPropertyDescription("Stack name.")
        public String stack;

        @JsonPropertyDescription("Stack region.")
        public String region;

        @JsonPropertyDescription("Auto Scaling group.")
        public String autoScalingGroup;

        @JsonPropertyDescription("Instance refresh ID.")
        public String id;

        @JsonPropertyDescription("Pending, InProgress, Baking, Successful, Failed, Cancelling, Cancelled, "
                + "RollbackInProgress, RollbackSuccessful or RollbackFailed.")
        public String status;

        @JsonPropertyDescription("Percentage of the group refreshed.")
        public Integer percentComplete;

        @JsonPropertyDescription("Why the refresh is in its status, as Auto Scaling says.")
        public String statusReason;
    }
}
