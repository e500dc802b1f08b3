package io.elasticci.buildkite.token.reconcile.observe;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import io.elasticci.buildkite.token.aws.CallerIdentity;
import io.elasticci.buildkite.token.aws.KeyResolver;
import io.elasticci.buildkite.token.aws.KmsKey;
import io.elasticci.buildkite.token.aws.PartitionHolder;
import io.elasticci.buildkite.token.aws.ReplicaDescription;
import io.elasticci.buildkite.token.aws.SecretDescription;
import io.elasticci.buildkite.token.aws.SecretValue;
import io.elasticci.buildkite.token.aws.SecretsManagerGateway;
import io.elasticci.buildkite.token.aws.StsGateway;
import io.elasticci.buildkite.token.plan.AccessObservation;
import io.elasticci.buildkite.token.plan.DesiredToken;
import io.elasticci.buildkite.token.plan.RolloutObservation;
import io.elasticci.buildkite.token.plan.Snapshot;
import io.elasticci.buildkite.token.plan.ValueObservation;
import io.elasticci.buildkite.token.reconcile.VersionTokens;

/**
 * Reads everything the planner needs into one immutable {@link Snapshot}, regions in parallel. Only reads: a
 * snapshot of a converged resource costs a handful of Describe calls and no value reads.
 */
@ApplicationScoped
public class AwsObserver {

    private final StsGateway sts;
    private final SecretsManagerGateway secrets;
    private final KeyResolver keys;
    private final Parallel parallel;
    private final AccessObserver access;
    private final RolloutObserver rollout;
    private final PartitionHolder partition;
    /** (secret ARN, version ID) → token of the value that version holds: a version's value never changes. */
    private final Map<String, String> versionValueTokens = new ConcurrentHashMap<>();

    @Inject
    public AwsObserver(StsGateway sts, SecretsManagerGateway secrets, KeyResolver keys, Parallel parallel,
            AccessObserver access, RolloutObserver rollout, PartitionHolder partition) {
        this.rollout = rollout;
        this.sts = sts;
        this.secrets = secrets;
        this.keys = keys;
        this.parallel = parallel;
        this.access = access;
        this.partition = partition;
    }

    /**
     * @param desiredValue the value from the Kubernetes Secret, read by the caller (empty when adopting, or when
     *        it could not be read: then {@code valueProblem} says why)
     * @param previousRoles roles granted before, per status, so that roles of departed stacks are cleaned up
     */
    public Snapshot observe(DesiredToken desired, Optional<SecretValue> desiredValue, Optional<String> valueProblem,
            VersionTokens tokens, Set<String> previousRoles) {
        CallerIdentity identity = sts.callerIdentity();
        partition.set(identity.partition());
        if (desired.expectedAccountId().isPresent() && !desired.expectedAccountId().get().equals(identity.accountId())) {
            return Snapshot.identityOnly(identity); // not one more call in an account we must not touch
        }
        String primary = desired.primaryRegion();
        RegionOutages outages = new RegionOutages(primary);
        CompletableFuture<Optional<SecretDescription>> secretFuture =
                parallel.start(() -> secrets.describe(primary, desired.secretName()));
        Map<String, Optional<KmsKey>> resolved = parallel.map(
                desired.regions().stream().map(DesiredToken.DesiredRegion::region).toList(),
                region -> outages.read(region, () -> keys.resolve(region, keyRefOf(desired, region)),
                        Optional.empty()));
        Optional<SecretDescription> secret = Parallel.join(secretFuture);

        Map<String, KmsKey> desiredKeys = new HashMap<>();
        resolved.forEach((region, key) -> key.ifPresent(k -> desiredKeys.put(region, k)));
        Map<String, String> currentKeyArns = new HashMap<>();
        Map<String, SecretDescription> foreign = new HashMap<>();
        if (secret.isPresent() && !secret.get().isReplica()) {
            currentKeyArns.putAll(currentKeys(secret.get(), primary, outages));
            foreign.putAll(foreignSecrets(desired, secret.get(), outages));
        } else if (secret.isEmpty()) {
            foreign.putAll(foreignSecrets(desired, null, outages));
        }
        Optional<ValueObservation> value = desiredValue
                .map(v -> observeValue(desired, secret.orElse(null), v, tokens));
        AccessObservation stacks = access.observe(desired, identity, secret, desiredKeys, previousRoles, outages);
        RolloutObservation reached = rollout.observe(desired, secret, stacks, outages);
        return new Snapshot(identity, secret, desiredKeys, currentKeyArns, foreign, value, valueProblem, stacks, 0,
                reached, outages.failures());
    }

    private Map<String, String> currentKeys(SecretDescription secret, String primary, RegionOutages outages) {
        Map<String, String> refs = new HashMap<>();
        refs.put(primary, secret.kmsKeyRef());
        secret.replicas().forEach(r -> refs.put(r.region(), r.kmsKeyRef()));
        Map<String, String> arns = new HashMap<>();
        parallel.map(List.copyOf(refs.keySet()),
                region -> outages.read(region, () -> keys.resolve(region, refs.get(region)), Optional.<KmsKey>empty()))
                .forEach((region, key) -> key.ifPresent(k -> arns.put(region, k.arn())));
        return arns;
    }

    /** Same-named secrets in replica regions that are not our replicas: a conflict, never to be overwritten. */
    private Map<String, SecretDescription> foreignSecrets(DesiredToken desired, SecretDescription secret,
            RegionOutages outages) {
        List<String> unreplicated = desired.replicaRegions().stream().map(DesiredToken.DesiredRegion::region)
                .filter(region -> secret == null || secret.replica(region).isEmpty()
                        || ReplicaDescription.FAILED.equals(secret.replica(region).get().status()))
                .toList();
        Map<String, SecretDescription> foreign = new HashMap<>();
        parallel.map(unreplicated, region -> outages.read(region, () -> secrets.describe(region, desired.secretName()),
                Optional.<SecretDescription>empty()))
                .forEach((region, found) -> found
                        .filter(f -> !f.isReplica() || !f.primaryRegion().equals(desired.primaryRegion()))
                        .ifPresent(f -> foreign.put(region, f)));
        return foreign;
    }

    private ValueObservation observeValue(DesiredToken desired, SecretDescription secret, SecretValue value,
            VersionTokens tokens) {
        String token = tokens.tokenFor(desired.secretName(), value);
        if (secret == null) {
            return ValueObservation.forNewSecret(token);
        }
        String current = secret.currentVersionId().orElse(null);
        if (token.equals(current)) {
            return new ValueObservation(token, true, Optional.empty());
        }
        if (current != null && token.equals(valueTokenOf(desired, secret, current, tokens))) {
            return new ValueObservation(token, true, Optional.empty()); // adopted value, written by someone else
        }
        // Our token names the version that holds this value: it exists if we ever wrote this value (a rollback).
        boolean exists = secret.versionStages().containsKey(token)
                || secrets.versionIds(desired.primaryRegion(), secret.arn()).contains(token);
        return new ValueObservation(token, false, exists ? Optional.of(token) : Optional.empty());
    }

    private String valueTokenOf(DesiredToken desired, SecretDescription secret, String versionId,
            VersionTokens tokens) {
        String cacheKey = secret.arn() + "|" + versionId;
        String cached = versionValueTokens.get(cacheKey);
        if (cached != null) {
            return cached;
        }
        Optional<SecretValue> value = secrets.value(desired.primaryRegion(), secret.arn(), versionId);
        if (value.isEmpty()) {
            return null;
        }
        String token = tokens.tokenFor(desired.secretName(), value.get());
        versionValueTokens.put(cacheKey, token);
        return token;
    }

    private static String keyRefOf(DesiredToken desired, String region) {
        return desired.regions().stream().filter(r -> r.region().equals(region)).findFirst()
                .map(DesiredToken.DesiredRegion::kmsKeyRef).orElse(null);
    }
}
