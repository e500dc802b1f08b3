package io.elasticci.buildkite.token.api.v1alpha1;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

import io.elasticci.buildkite.token.api.read.CarriesReadNotes;
import io.elasticci.buildkite.token.api.read.ReadNotes;

/** What the operator observed and did, in kstatus form. Plain data: the logic that fills it lives elsewhere. */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public class BuildkiteAgentTokenStatus implements CarriesReadNotes {

    @JsonPropertyDescription("The metadata.generation the status was computed from.")
    public Long observedGeneration;

    @JsonPropertyDescription("AWS account the secret lives in.")
    public String accountId;

    @JsonPropertyDescription("ARN of the primary secret.")
    public String secretArn;

    @JsonPropertyDescription("Value for the stacks' BuildkiteAgentTokenParameterStorePath parameter.")
    public String parameterPath;

    @JsonPropertyDescription("Version ID of the secret's AWSCURRENT version in the primary region.")
    public String currentVersionId;

    @JsonPropertyDescription("Regions in sync out of regions declared, for example 2/3.")
    public String regionsReady;

    @JsonPropertyDescription("Stacks whose token parameters are right, out of stacks declared, for example 3/3.")
    public String stacksReady;

    @JsonPropertyDescription("Per-region state: role, resolved KMS key and replication status.")
    public List<RegionStatus> regions = new ArrayList<>();

    @JsonPropertyDescription("The rollout of the current version: replica sync, instance refreshes, revocable versions.")
    public RotationStatus rotation;

    @JsonPropertyDescription("With spec.buildkite: the tokens minted in Buildkite and the secret versions holding them.")
    public BuildkiteStatus buildkite;

    @JsonPropertyDescription("What the last reconcile did, or would do when dryRun is set. At most 50 entries.")
    public List<PlanEntry> plan = new ArrayList<>();

    @JsonPropertyDescription("Ready, Reconciling, Stalled, SecretReady, ReplicasInSync, ResourcePolicyApplied, "
            + "PermissionsGranted, StacksConfigured.")
    public List<Condition> conditions = new ArrayList<>();

    /** What reading this part found that this build does not understand; not part of the resource. */
    private transient ReadNotes readNotes = ReadNotes.NONE;

    @Override
    public ReadNotes readNotes() {
        return readNotes;
    }

    @Override
    public void readNotes(ReadNotes notes) {
        this.readNotes = notes;
    }
}
