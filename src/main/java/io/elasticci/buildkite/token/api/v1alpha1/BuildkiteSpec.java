package io.elasticci.buildkite.token.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;

import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/**
 * Tokens minted by the operator in Buildkite: it creates a cluster agent token, writes it as the new version, rolls it
 * out, and revokes the previous token once no running instance can hold it.
 */
@ValidationRule(value = "!has(self.tokenExpiresAfter) || !has(self.rotateEvery) "
        + "|| duration(self.tokenExpiresAfter) > duration(self.rotateEvery)",
        message = "tokenExpiresAfter must be longer than rotateEvery: a token must outlive its successor's rollout")
public class BuildkiteSpec {

    public static final String ORGANIZATION_PATTERN = "^[a-z0-9][a-z0-9-]{0,99}$";
    public static final String CLUSTER_ID_PATTERN = "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}"
            + "-[0-9a-fA-F]{12}$";
    /** Go-style durations as Kubernetes writes them: 720h, 90m, 1h30m. */
    public static final String DURATION_PATTERN = "^([0-9]{1,6}(h|m|s))+$";
    public static final String CIDRS_PATTERN = "^[0-9a-fA-F.:/]+( [0-9a-fA-F.:/]+)*$";

    @Required
    @Pattern(ORGANIZATION_PATTERN)
    @JsonPropertyDescription("Buildkite organization slug.")
    private String organization;

    @Required
    @Pattern(CLUSTER_ID_PATTERN)
    @JsonPropertyDescription("ID (UUID) of the Buildkite cluster whose agent tokens the operator mints.")
    private String clusterId;

    @Required
    @JsonPropertyDescription("Kubernetes Secret holding a Buildkite API access token with the read_clusters and "
            + "write_clusters scopes.")
    private ApiTokenSecretRef apiTokenSecretRef;

    @Pattern(DURATION_PATTERN)
    @JsonPropertyDescription("Mint a new token this long after the current one was written, e.g. 720h. Unset: only "
            + "when asked (the annotation " + BuildkiteAgentToken.ROTATE_AT_ANNOTATION + ").")
    private String rotateEvery;

    @Pattern(DURATION_PATTERN)
    @JsonPropertyDescription("Tokens expire in Buildkite this long after they are minted: a safety net, longer than "
            + "rotateEvery plus a full rollout. Unset: tokens do not expire.")
    private String tokenExpiresAfter;

    @Size(max = 1000)
    @Pattern(CIDRS_PATTERN)
    @JsonPropertyDescription("Space-separated CIDRs agents may register from with the token. Unset: any address.")
    private String allowedIpAddresses;

    @JsonPropertyDescription("Revoke a token in Buildkite once its version is revocable (no running instance can hold "
            + "it). Default true.")
    private Boolean revokeOldTokens;

    public String getOrganization() {
        return organization;
    }

    public void setOrganization(String organization) {
        this.organization = organization;
    }

    public String getClusterId() {
        return clusterId;
    }

    public void setClusterId(String clusterId) {
        this.clusterId = clusterId;
    }

    public ApiTokenSecretRef getApiTokenSecretRef() {
        return apiTokenSecretRef;
    }

    public void setApiTokenSecretRef(ApiTokenSecretRef apiTokenSecretRef) {
        this.apiTokenSecretRef = apiTokenSecretRef;
    }

    public String getRotateEvery() {
        return rotateEvery;
    }

    public void setRotateEvery(String rotateEvery) {
        this.rotateEvery = rotateEvery;
    }

    public String getTokenExpiresAfter() {
        return tokenExpiresAfter;
    }

    public void setTokenExpiresAfter(String tokenExpiresAfter) {
        this.tokenExpiresAfter = tokenExpiresAfter;
    }

    public String getAllowedIpAddresses() {
        return allowedIpAddresses;
    }

    public void setAllowedIpAddresses(String allowedIpAddresses) {
        this.allowedIpAddresses = allowedIpAddresses;
    }

    public Boolean getRevokeOldTokens() {
        return revokeOldTokens;
    }

    public void setRevokeOldTokens(Boolean revokeOldTokens) {
        this.revokeOldTokens = revokeOldTokens;
    }

    /** revokeOldTokens with its default. */
    public boolean revokesOldTokens() {
        return !Boolean.FALSE.equals(revokeOldTokens);
    }
}
