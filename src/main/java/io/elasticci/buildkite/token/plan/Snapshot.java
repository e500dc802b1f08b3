package io.elasticci.buildkite.token.plan;

import java.util.Map;
import java.util.Optional;

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
 */
public record Snapshot(CallerIdentity identity, Optional<SecretDescription> secret, Map<String, KmsKey> desiredKeys,
        Map<String, String> currentKeyArns, Map<String, SecretDescription> foreignSecrets,
        Optional<ValueObservation> value, Optional<String> tokenSecretProblem, AccessObservation access,
        int statementRemovals, RolloutObservation rollout) {

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
    }

    public Snapshot withStatementRemovals(int removals) {
        return new Snapshot(identity, secret, desiredKeys, currentKeyArns, foreignSecrets, value, tokenSecretProblem,
                access, removals, rollout);
    }

    /** The same observation with the value's relation to the secret given from elsewhere (the plan command). */
    public Snapshot withValue(Optional<ValueObservation> observed) {
        return new Snapshot(identity, secret, desiredKeys, currentKeyArns, foreignSecrets, observed, Optional.empty(),
                access, statementRemovals, rollout);
    }

    /** The same observation with the stacks forgotten, keeping the policies observed on their roles. */
    public Snapshot withoutStacks() {
        AccessObservation bare = new AccessObservation(java.util.List.of(), access.resourcePolicy(),
                access.inlinePolicies(), access.simulations(), access.keyPolicies(), access.retainedInlinePolicies());
        return new Snapshot(identity, secret, desiredKeys, currentKeyArns, foreignSecrets, value, tokenSecretProblem,
                bare, statementRemovals, rollout);
    }

    /** A snapshot that stopped at the account check. */
    public static Snapshot identityOnly(CallerIdentity identity) {
        return new Snapshot(identity, Optional.empty(), Map.of(), Map.of(), Map.of(), Optional.empty(),
                Optional.empty(), AccessObservation.none(), 0, null);
    }
}
