package io.elasticci.buildkite.token.api.v1alpha1;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;

import io.elasticci.buildkite.token.api.read.CarriesReadNotes;
import io.elasticci.buildkite.token.api.read.ReadNotes;

import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/** What the token should look like in AWS. */
@ValidationRule(value = "self.regions.filter(r, r.region == self.primaryRegion).size() == 1",
        message = "regions must list primaryRegion exactly once")
@ValidationRule(value = "!(has(self.tokenSecretRef) && has(self.rotation) && has(self.rotation.automatic))",
        message = "rotation.automatic and tokenSecretRef are mutually exclusive: the value comes from one or the other")
@ValidationRule(value = "!(has(self.buildkite) && has(self.tokenSecretRef))",
        message = "buildkite and tokenSecretRef are mutually exclusive: the value comes from one or the other")
@ValidationRule(value = "!(has(self.buildkite) && has(self.rotation) && has(self.rotation.automatic))",
        message = "buildkite and rotation.automatic are mutually exclusive: the value comes from one or the other")
@ValidationRule(value = "!(has(self.retainGrants) && self.retainGrants && has(self.deletionPolicy) "
        + "&& self.deletionPolicy == 'Delete')", message = "retainGrants applies to deletionPolicy Retain only")
@ValidationRule(value = "!has(self.recoveryWindowInDays) || (has(self.deletionPolicy) && self.deletionPolicy == 'Delete')",
        message = "recoveryWindowInDays applies to deletionPolicy Delete only")
public class BuildkiteAgentTokenSpec implements CarriesReadNotes {

    public static final String SECRET_NAME_PATTERN = "^[A-Za-z0-9/_.-]{1,512}$";

    @Required
    @Pattern(SECRET_NAME_PATTERN)
    @Size(max = 512)
    @ValidationRule(value = "self == oldSelf", message = "secretName is immutable")
    @JsonPropertyDescription("Name of the Secrets Manager secret that holds the token. Letters, digits and / _ . - only "
            + "(what the stack's parameter path allows). Immutable.")
    private String secretName;

    @Required
    @Pattern(RegionSpec.REGION_PATTERN)
    @Size(max = 32)
    @ValidationRule(value = "self == oldSelf", message = "primaryRegion is immutable")
    @JsonPropertyDescription("Region of the primary secret; every other region holds a replica. Must be listed in "
            + "regions. Immutable.")
    private String primaryRegion;

    @Required
    @Size(min = 1, max = 30)
    @JsonPropertyDescription("Regions the secret must live in, each with its KMS key and the stacks that read it there.")
    private List<RegionSpec> regions = new ArrayList<>();

    @Pattern("^[0-9]{12}$")
    @JsonPropertyDescription("Optional guard: the operator refuses to act in any AWS account but this one.")
    private String expectedAccountId;

    @JsonPropertyDescription("Kubernetes Secret whose value is the desired token; Kubernetes wins over changes made in "
            + "AWS. When absent, the secret must already exist in AWS and is adopted as it is.")
    private SecretKeyRef tokenSecretRef;

    @Size(max = 40)
    @ValidationRule(value = "self.all(k, !k.startsWith('aws:') && !k.startsWith('" + BuildkiteAgentToken.GROUP + "/'))",
            message = "tag keys must not start with aws: or " + BuildkiteAgentToken.GROUP + "/")
    @ValidationRule(value = "self.all(k, size(k) <= 128 && size(self[k]) <= 256)",
            message = "tag keys are at most 128 characters and values at most 256")
    @JsonPropertyDescription("Tags to set on the secret, besides the operator's own ownership tag.")
    private Map<String, String> tags = new LinkedHashMap<>();

    @Default("Manage")
    @JsonPropertyDescription("Manage: put one operator-owned inline policy on every discovered role granting "
            + "ssm:GetParameter on the region's reference parameter and kms:Decrypt on the region's key (via Secrets "
            + "Manager), removed again when the stack leaves the spec. Verify: change nothing, check with "
            + "SimulatePrincipalPolicy and report.")
    private Mode permissions = Mode.Manage;

    @Default("Verify")
    @JsonPropertyDescription("Verify: report stacks whose BuildkiteAgentTokenParameterStorePath or "
            + "BuildkiteAgentTokenParameterStoreKMSKey differ, with the values to set. Manage: update those two "
            + "parameters, which REPLACES the stack's Auto Scaling group (running jobs are interrupted); only after "
            + "the replicas and the policy are in place, never retried after a failure until the spec changes.")
    private Mode stackParameters = Mode.Verify;

    @JsonPropertyDescription("How new token versions are rolled out to the stacks' instances.")
    private RotationSpec rotation = new RotationSpec();

    @JsonPropertyDescription("When true the operator observes nothing and changes nothing.")
    private boolean suspend;

    @JsonPropertyDescription("When true the operator observes AWS and publishes what it would do in status.plan, "
            + "but changes nothing.")
    private boolean dryRun;

    // No schema defaults on fields added after the first release (deploy/UPGRADING.md): the operator applies them.
    @JsonPropertyDescription("Act in another AWS account through a role assumed there; unset: the operator's own "
            + "credentials. expectedAccountId is checked against the assumed identity.")
    private AwsAccessSpec aws;

    @JsonPropertyDescription("What deleting this resource does in AWS. Either way the grants it made go first: its "
            + "statement in the secret's resource policy (foreign statements are kept verbatim) and its inline policies "
            + "on the stacks' roles, then its owner tag. Retain (the default when unset) keeps the secret and its "
            + "replicas. Delete removes the replicas and schedules the secret's deletion with recoveryWindowInDays "
            + "(never without recovery). A secret another resource owns is never touched.")
    private DeletionPolicy deletionPolicy;

    @Min(7)
    @Max(30)
    @JsonPropertyDescription("With deletionPolicy Delete: days Secrets Manager keeps the deleted secret restorable "
            + "(7-30; 30 when unset).")
    private Integer recoveryWindowInDays;

    @JsonPropertyDescription("With deletionPolicy Retain: keep the grants (resource policy statement, inline role "
            + "policies) when this resource is deleted, so stacks keep reading the token while another resource takes "
            + "the secret over; only the owner tag is removed. Default false.")
    private Boolean retainGrants;

    @JsonPropertyDescription("Tokens minted in Buildkite by the operator: it creates a cluster agent token, writes it "
            + "as the new version, rolls it out and revokes the old one once no running instance can hold it. "
            + "Excludes tokenSecretRef and rotation.automatic.")
    private BuildkiteSpec buildkite;

    public AwsAccessSpec getAws() {
        return aws;
    }

    public void setAws(AwsAccessSpec aws) {
        this.aws = aws;
    }

    public DeletionPolicy getDeletionPolicy() {
        return deletionPolicy;
    }

    public void setDeletionPolicy(DeletionPolicy deletionPolicy) {
        this.deletionPolicy = deletionPolicy;
    }

    public Integer getRecoveryWindowInDays() {
        return recoveryWindowInDays;
    }

    public void setRecoveryWindowInDays(Integer recoveryWindowInDays) {
        this.recoveryWindowInDays = recoveryWindowInDays;
    }

    public BuildkiteSpec getBuildkite() {
        return buildkite;
    }

    public void setBuildkite(BuildkiteSpec buildkite) {
        this.buildkite = buildkite;
    }

    public Boolean getRetainGrants() {
        return retainGrants;
    }

    public void setRetainGrants(Boolean retainGrants) {
        this.retainGrants = retainGrants;
    }

    public String getSecretName() {
        return secretName;
    }

    public void setSecretName(String secretName) {
        this.secretName = secretName;
    }

    public String getPrimaryRegion() {
        return primaryRegion;
    }

    public void setPrimaryRegion(String primaryRegion) {
        this.primaryRegion = primaryRegion;
    }

    public List<RegionSpec> getRegions() {
        return regions;
    }

    public void setRegions(List<RegionSpec> regions) {
        this.regions = regions;
    }

    public String getExpectedAccountId() {
        return expectedAccountId;
    }

    public void setExpectedAccountId(String expectedAccountId) {
        this.expectedAccountId = expectedAccountId;
    }

    public SecretKeyRef getTokenSecretRef() {
        return tokenSecretRef;
    }

    public void setTokenSecretRef(SecretKeyRef tokenSecretRef) {
        this.tokenSecretRef = tokenSecretRef;
    }

    public Map<String, String> getTags() {
        return tags;
    }

    public void setTags(Map<String, String> tags) {
        this.tags = tags;
    }

    public Mode getPermissions() {
        return permissions;
    }

    public void setPermissions(Mode permissions) {
        this.permissions = permissions;
    }

    public Mode getStackParameters() {
        return stackParameters;
    }

    public void setStackParameters(Mode stackParameters) {
        this.stackParameters = stackParameters;
    }

    public RotationSpec getRotation() {
        return rotation;
    }

    public void setRotation(RotationSpec rotation) {
        this.rotation = rotation;
    }

    public boolean isSuspend() {
        return suspend;
    }

    public void setSuspend(boolean suspend) {
        this.suspend = suspend;
    }

    public boolean isDryRun() {
        return dryRun;
    }

    public void setDryRun(boolean dryRun) {
        this.dryRun = dryRun;
    }

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
