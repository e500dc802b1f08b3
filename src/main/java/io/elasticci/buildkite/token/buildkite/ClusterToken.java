package io.elasticci.buildkite.token.buildkite;

import java.time.Instant;
import java.util.List;

/**
 * A cluster agent token as Buildkite lists it (never with its value). {@code expiresAt} is null for a token that
 * never expires; an expired token stays listed, but no new agent can register with it.
 *
 * @param allowedIpAddresses the CIDRs agents may register from (Buildkite's one space-separated string, split)
 */
public record ClusterToken(String id, String graphqlId, String description, List<String> allowedIpAddresses,
        Instant createdAt, Instant expiresAt, String url) {

    public ClusterToken {
        allowedIpAddresses = List.copyOf(allowedIpAddresses);
    }

    public boolean expiredAt(Instant now) {
        return expiresAt != null && !now.isBefore(expiresAt);
    }
}
