package io.elasticci.buildkite.token.plan;

import java.time.Instant;
import java.util.Optional;

/**
 * A Buildkite token this resource minted (its description says so), as Buildkite lists it.
 *
 * @param versionId the secret version holding its value; empty when the operator stopped before naming it
 */
public record OwnedToken(String id, String rotationId, Optional<String> versionId, Instant createdAt,
        Optional<Instant> expiresAt) {
}
