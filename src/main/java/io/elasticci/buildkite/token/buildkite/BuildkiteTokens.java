package io.elasticci.buildkite.token.buildkite;

import java.util.List;
import java.util.Optional;

/**
 * Buildkite's cluster agent tokens, as the operator needs them. Every method fails with {@link BuildkiteFailure}
 * (its {@link BuildkiteFailure.Kind} says what can be done); "not found" of a single token is a value, not a failure.
 *
 * <p>Buildkite answers 404 alike for an unknown token, cluster and organization: {@link #get} and {@link #revoke}
 * cannot tell them apart, {@link #list} can (it fails with NOT_FOUND only for the cluster or organization).
 */
public interface BuildkiteTokens {

    /**
     * Creates a token and returns it with its value, which Buildkite never shows again. A create is never repeated
     * after Buildkite may have acted on it: when no answer came, the failure says {@link BuildkiteFailure#outcomeUnknown()}
     * and the token may exist; look for it by its description in {@link #list}.
     */
    MintedToken create(ClusterTokenRef cluster, TokenRequest request);

    /** Every token of the cluster, all pages; expired tokens included, revoked ones gone. */
    List<ClusterToken> list(ClusterTokenRef cluster);

    Optional<ClusterToken> get(ClusterTokenRef cluster, String tokenId);

    ClusterToken updateDescription(ClusterTokenRef cluster, String tokenId, String description);

    /** Replaces the CIDRs agents may register from; empty allows every address (0.0.0.0/0). */
    ClusterToken updateAllowedIpAddresses(ClusterTokenRef cluster, String tokenId, List<String> cidrs);

    /** Revokes the token: agents registered with it keep running, no new agent can register with it. */
    Revocation revoke(ClusterTokenRef cluster, String tokenId);
}
