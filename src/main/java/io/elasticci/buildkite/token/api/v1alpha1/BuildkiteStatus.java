package io.elasticci.buildkite.token.api.v1alpha1;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** The Buildkite side of the token: which cluster agent token each secret version holds. */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public class BuildkiteStatus {

    @JsonPropertyDescription("ID of the Buildkite token the current version holds; empty when the current value is "
            + "not a token the operator minted (it is then left alone, never revoked).")
    public String currentTokenId;

    @JsonPropertyDescription("Set when the current value is not a token this operator minted (an adopted secret): it "
            + "is left alone and never revoked; annotate rotate-at to replace it with a minted one.")
    public String message;

    @JsonPropertyDescription("When the next token is due (rotateEvery after the current version was written).")
    public String nextRotationAt;

    @JsonPropertyDescription("Tokens the operator minted for this resource, newest first: those Buildkite still lists "
            + "and the last ones it revoked. At most 10.")
    public List<BuildkiteTokenStatus> tokens = new ArrayList<>();
}
