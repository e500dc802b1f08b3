package io.elasticci.buildkite.token.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** One action of the plan, as shown in status. */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public class PlanEntry {

    @JsonPropertyDescription("Action name, for example CreateSecret, PutSecretValue, ReplicateSecret, RekeyReplica.")
    public String action;

    @JsonPropertyDescription("Region the action applies to.")
    public String region;

    @JsonPropertyDescription("What the action changes, for example the secret name.")
    public String target;

    @JsonPropertyDescription("Details such as the KMS key or version concerned. Never the token value.")
    public String detail;

    public PlanEntry() {
    }

    public PlanEntry(String action, String region, String target, String detail) {
        this.action = action;
        this.region = region;
        this.target = target;
        this.detail = detail;
    }
}
