package io.elasticci.buildkite.token.buildkite;

import java.time.Instant;
import java.util.List;

/**
 * What a new token should be. {@code expiresAt} null: it never expires (Buildkite wants at least ten minutes ahead,
 * and it can never change later); {@code allowedIpAddresses} empty: Buildkite's default, 0.0.0.0/0.
 */
public record TokenRequest(String description, Instant expiresAt, List<String> allowedIpAddresses) {

    public TokenRequest {
        if (description == null || description.isBlank()) {
            throw new IllegalArgumentException("a token needs a description");
        }
        allowedIpAddresses = List.copyOf(allowedIpAddresses);
        Cidrs.checkSendable(allowedIpAddresses);
    }

    /** A token that never expires and may be used from anywhere. */
    public static TokenRequest described(String description) {
        return new TokenRequest(description, null, List.of());
    }

    public TokenRequest expiringAt(Instant expiry) {
        return new TokenRequest(description, expiry, allowedIpAddresses);
    }

    public TokenRequest allowingOnly(List<String> cidrs) {
        return new TokenRequest(description, expiresAt, cidrs);
    }
}
