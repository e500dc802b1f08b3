package io.elasticci.buildkite.token.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** One cluster agent token the operator minted, as Buildkite lists it, or as it was when the operator revoked it. */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public class BuildkiteTokenStatus {

    @JsonPropertyDescription("Buildkite's ID of the token (never its value).")
    public String id;

    @JsonPropertyDescription("Secret version that holds the token's value.")
    public String versionId;

    @JsonPropertyDescription("When Buildkite created the token.")
    public String createdAt;

    @JsonPropertyDescription("When the token expires in Buildkite; empty: never.")
    public String expiresAt;

    @JsonPropertyDescription("True once the operator revoked the token in Buildkite.")
    public Boolean revoked;

    @JsonPropertyDescription("When the operator revoked the token.")
    public String revokedAt;
}
