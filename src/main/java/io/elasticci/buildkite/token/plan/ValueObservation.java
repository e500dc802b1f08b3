package io.elasticci.buildkite.token.plan;

import java.util.Optional;

/**
 * How the desired value (from the Kubernetes Secret) relates to the secret's versions, without the value itself.
 * {@code versionToken} is the HMAC of the value: the ClientRequestToken, and so the VersionId, of a version written
 * with it. {@code matchingVersionId} is an existing non-current version holding the desired value (a rollback).
 */
public record ValueObservation(String versionToken, boolean currentMatches, Optional<String> matchingVersionId) {

    public static ValueObservation forNewSecret(String versionToken) {
        return new ValueObservation(versionToken, false, Optional.empty());
    }
}
