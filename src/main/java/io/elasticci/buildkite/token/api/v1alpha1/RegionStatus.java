package io.elasticci.buildkite.token.api.v1alpha1;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** The secret in one region. */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public class RegionStatus {

    @JsonPropertyDescription("AWS region name.")
    public String region;

    @JsonPropertyDescription("Primary or Replica.")
    public String role;

    @JsonPropertyDescription("Bare key ID of the region's KMS key: the value for the stacks' "
            + "BuildkiteAgentTokenParameterStoreKMSKey parameter.")
    public String kmsKeyId;

    @JsonPropertyDescription("InSync, InProgress, Failed, or Missing while the replica is not created yet. The primary "
            + "is always InSync.")
    public String replicationStatus;

    @JsonPropertyDescription("Replication detail reported by Secrets Manager, if any.")
    public String message;

    @JsonPropertyDescription("The stacks declared in this region, as discovered.")
    public List<StackStatus> stacks = new ArrayList<>();
}
