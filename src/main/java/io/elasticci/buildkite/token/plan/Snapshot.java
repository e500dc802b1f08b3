package io.elasticci.buildkite.token.plan;

import java.util.Map;
import java.util.Optional;

import io.elasticci.buildkite.token.aws.AwsFailure;
import io.elasticci.buildkite.token.aws.CallerIdentity;
import io.elasticci.buildkite.token.aws.KmsKey;
import io.elasticci.buildkite.token.aws.SecretDescription;

/**
 * Everything observed in AWS for one resource, at one moment.
 *
 * @param identity the account the operator acts in
 * @param secret the secret in the primary region, if it exists
 * @param desiredKeys per region, the key the spec names, resolved; a region is absent when KMS has no such key
 * @param currentKeyArns per region, the ARN of the key the secret or replica is encrypted with now
 * @param foreignSecrets per replica region, a same-named secret there that is not our replica
 * @param value the desired value compared with the secret's versions; empty when no Kubernetes Secret supplies it
 *        (or when it could not be read)
 * @param tokenSecretProblem why the Kubernetes Secret could not be read, if it could not
 * @param access the stacks, their roles, the resource policy and the permissions
 * @param statementRemovals how often our resource policy statement was recently found removed by someone else
 * @param rollout how far the current version has reached (replicas, refreshes, instances)
 * @param unavailableRegions replica regions AWS failed to answer for (transiently), with the failure: nothing in
 *        them was observed, so nothing is planned in or for them
 */
public record Snapshot(CallerIdentity identity, Optional<SecretDescription> secret, Map<String, KmsKey> desiredKeys,
        Map<String, String> currentKeyArns, Map<String, SecretDescription> foreignSecrets,
        Optional<ValueObservation> value, Optional<String> tokenSecretProblem, AccessObservation access,
        int statementRemovals, RolloutObservation rollout, Map<String, AwsFailure> unavailableRegions) {

    /** A snapshot of every region. */
    public Snapshot(CallerIdentity identity, Optional<SecretDescription> secret, Map<String, KmsKey> desiredKeys,
            Map<String, String> currentKeyArns, Map<String, SecretDescription> foreignSecrets,
            Optional<ValueObservation> value, Optional<String> tokenSecretProblem, AccessObservation access,
            int statementRemovals, RolloutObservation rollout) {
        this(identity, secret, desiredKeys, currentKeyArns, foreignSecrets, value, tokenSecretProblem, access,
                statementRemovals, rollout, Map.of());
    }

    public Snapshot(CallerIdentity identity, Optional<SecretDescription> secret, Map<String, KmsKey> desiredKeys,
            Map<String, String> currentKeyArns, Map<String, SecretDescription> foreignSecrets,
            Optional<ValueObservation> value, Optional<String> tokenSecretProblem) {
        this(identity, secret, desiredKeys, currentKeyArns, foreignSecrets, value, tokenSecretProblem,
                AccessObservation.none(), 0, null);
    }

    public Snapshot {
        access = access == null ? AccessObservation.none() : access;
        rollout = rollout == null ? RolloutObservation.notObserved(java.time.Instant.EPOCH) : rollout;
        desiredKeys = Map.copyOf(desiredKeys);
        currentKeyArns = Map.copyOf(currentKeyArns);
        foreignSecrets = Map.copyOf(foreignSecrets);
        unavailableRegions = Map.copyOf(unavailableRegions);
        access = access.withoutRegions(unavailableRegions.keySet()); // what was read there before it failed is moot
    }

    /** Whether some region could not be observed. */
    public boolean partial() {
        return !unavailableRegions.isEmpty();
    }

    /** Whether the region was observed (every region is, unless AWS failed there). */
    public boolean observed(String region) {
        return !unavailableRegions.containsKey(region);
    }

    /** The same observation, with these regions unobserved. */
    public Snapshot withUnavailableRegions(Map<String, AwsFailure> unavailable) {
        return new Snapshot(identity, secret, desiredKeys, currentKeyArns, foreignSecrets, value, tokenSecretProblem,
                access, statementRemovals, rollout, unavailable);
    }

    public Snapshot withStatementRemovals(int removals) {
        return new Snapshot(identity, secret, desiredKeys, currentKeyArns, foreignSecrets, value, tokenSecretProblem,
                access, removals, rollout, unavailableRegions);
    }

    /** The same observation with the value's relation to the secret given from elsewhere (the plan command). */
    public Snapshot withValue(Optional<ValueObservation> observed) {
        return new Snapshot(identity, secret, desiredKeys, currentKeyArns, foreignSecrets, observed, Optional.empty(),
                access, statementRemovals, rollout, unavailableRegions);
    }

    /** The same observation with the stacks forgotten, keeping the policies observed on their roles. */
    public Snapshot withoutStacks() {
        AccessObservation bare = new AccessObservation(java.util.List.of(), access.resourcePolicy(),
                access.inlinePolicies(), access.simulations(), access.keyPolicies(), access.retainedInlinePolicies());
        return new Snapshot(identity, secret, desiredKeys, currentKeyArns, foreignSecrets, value, tokenSecretProblem,
                bare, statementRemovals, rollout, unavailableRegions);
    }

    /** A snapshot that stopped at the account check. */
    public static Snapshot identityOnly(CallerIdentity identity) {
        return new Snapshot(identity, Optional.empty(), Map.of(), Map.of(), Map.of(), Optional.empty(),
                Optional.empty(), AccessObservation.none(), 0, null);
    }
}
