package io.elasticci.buildkite.token.plan;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

import io.elasticci.buildkite.token.api.v1alpha1.BuildkiteAgentToken;
import io.elasticci.buildkite.token.aws.KmsKey;
import io.elasticci.buildkite.token.aws.ReplicaDescription;
import io.elasticci.buildkite.token.aws.SecretDescription;

/**
 * (desired, snapshot) → plan. Pure: no I/O, no clock; the same input always gives the same plan, and a converged
 * system gives an empty one.
 */
public final class Planner {

    private Planner() {
    }

    public static Plan plan(DesiredToken desired, Snapshot snapshot) {
        String account = snapshot.identity().accountId();
        if (desired.expectedAccountId().isPresent() && !desired.expectedAccountId().get().equals(account)) {
            return Plan.blocked(Problem.secret(Reason.AccountMismatch, null, "credentials are for AWS account "
                    + account + " but spec.expectedAccountId is " + desired.expectedAccountId().get()));
        }
        Plan secretPlan = snapshot.secret().map(secret -> planExisting(desired, snapshot, secret))
                .orElseGet(() -> planCreate(desired, snapshot));
        if (secretPlan.blocked()) {
            return secretPlan;
        }
        List<Action> actions = new ArrayList<>(secretPlan.actions());
        List<Problem> problems = new ArrayList<>(secretPlan.problems());
        String secretId = snapshot.secret().map(SecretDescription::arn).orElse(desired.secretName());
        ResourcePolicyPlanner.plan(desired, secretId, snapshot.access().resourcePolicy(),
                ResourcePolicyPlanner.distinctRoles(snapshot.access().stacks()), snapshot.statementRemovals(),
                snapshot.partial(), actions, problems);
        PermissionsPlanner.plan(desired, snapshot, actions, problems);
        snapshot.secret().ifPresent(secret -> RetainedGrantsPlanner.plan(desired, snapshot, secret, actions, problems));
        boolean ready = actions.isEmpty() && problems.isEmpty() && allReplicasInSync(desired, snapshot);
        StackPlanner.plan(desired, snapshot, ready, actions, problems);
        snapshot.secret().ifPresent(secret -> RotationPlanner.planAutomaticRotation(desired, secret, actions));
        Optional<RotationState> rotation = RotationPlanner.plan(desired, snapshot, actions, problems);
        new java.util.TreeMap<>(snapshot.unavailableRegions()).forEach((region, failure) -> problems.add(Problem
                .replica(Reason.RegionUnavailable, region, "region " + region + " could not be observed, so nothing "
                        + "is changed in it until it answers: " + failure.getMessage())));
        return new Plan(actions, problems, false, rotation);
    }

    /** Every observed replica region in sync (an unobserved region waits: it must not hold back the others). */
    private static boolean allReplicasInSync(DesiredToken desired, Snapshot snapshot) {
        return snapshot.secret().map(secret -> desired.replicaRegions().stream()
                .filter(r -> snapshot.observed(r.region())).allMatch(r -> secret.replica(r.region())
                        .map(rep -> ReplicaDescription.IN_SYNC.equals(rep.status())).orElse(false)))
                .orElse(false);
    }

    private static Plan planCreate(DesiredToken desired, Snapshot snapshot) {
        String primary = desired.primaryRegion();
        if (!desired.valueManaged()) {
            return Plan.blocked(Problem.secret(Reason.SecretNotFound, primary, "secret " + desired.secretName()
                    + " does not exist in " + primary + " and spec.tokenSecretRef is not set, so there is nothing "
                    + "to adopt or create it from"));
        }
        if (snapshot.value().isEmpty()) {
            return Plan.blocked(tokenSecretProblem(snapshot));
        }
        KmsKey key = snapshot.desiredKeys().get(primary);
        if (key == null || !key.enabled()) {
            return Plan.blocked(keyProblem(Problem.Scope.SECRET, desired, primary, key));
        }
        List<Action> actions = new ArrayList<>();
        List<Problem> problems = new ArrayList<>();
        actions.add(new Action.CreateSecret(primary, desired.secretName(), keyIdFor(key), key.keyId(),
                desiredTags(desired), snapshot.value().get().versionToken()));
        for (DesiredToken.DesiredRegion wanted : observedReplicaRegions(desired, snapshot)) {
            // The new secret has no ARN yet: replicas address it by name.
            planMissingReplica(desired, snapshot, wanted.region(), desired.secretName(), actions, problems);
        }
        return new Plan(actions, problems);
    }

    private static Plan planExisting(DesiredToken desired, Snapshot snapshot, SecretDescription secret) {
        String primary = desired.primaryRegion();
        if (secret.scheduledForDeletion()) {
            return Plan.blocked(Problem.secret(Reason.SecretScheduledForDeletion, primary, "secret "
                    + desired.secretName() + " in " + primary + " is scheduled for deletion; restore it ("
                    + "aws secretsmanager restore-secret --secret-id " + desired.secretName() + " --region " + primary
                    + ") or wait for the deletion to complete"));
        }
        if (secret.isReplica()) {
            return Plan.blocked(Problem.secret(Reason.ReplicaConflict, primary, "secret " + desired.secretName()
                    + " in " + primary + " is a replica of the secret in " + secret.primaryRegion()
                    + "; spec.primaryRegion must name " + secret.primaryRegion()));
        }
        String owner = secret.tags().get(BuildkiteAgentToken.OWNER_TAG);
        if (owner != null && !owner.equals(desired.owner())) {
            return Plan.blocked(Problem.secret(Reason.SecretClaimed, primary, "secret " + desired.secretName()
                    + " is already managed by " + owner + " (tag " + BuildkiteAgentToken.OWNER_TAG + ")"));
        }

        List<Action> actions = new ArrayList<>();
        List<Problem> problems = new ArrayList<>();
        Map<String, String> missingTags = missingTags(desiredTags(desired), secret.tags());
        if (!missingTags.isEmpty()) {
            actions.add(new Action.TagSecret(primary, secret.arn(), missingTags));
        }
        List<String> dropped = droppedTags(desired, secret.tags());
        if (!dropped.isEmpty()) {
            actions.add(new Action.UntagSecret(primary, secret.arn(), dropped));
        }
        KmsKey primaryKey = snapshot.desiredKeys().get(primary);
        if (primaryKey == null || !primaryKey.enabled()) {
            problems.add(keyProblem(Problem.Scope.SECRET, desired, primary, primaryKey));
        } else if (!primaryKey.arn().equals(snapshot.currentKeyArns().get(primary))) {
            actions.add(new Action.UpdateSecretKey(primary, secret.arn(), keyIdFor(primaryKey), primaryKey.keyId()));
        }
        planValue(desired, snapshot, secret, actions, problems);
        planReplicas(desired, snapshot, secret, actions, problems);
        return new Plan(actions, problems);
    }

    private static void planValue(DesiredToken desired, Snapshot snapshot, SecretDescription secret,
            List<Action> actions, List<Problem> problems) {
        if (!desired.valueManaged()) {
            return;
        }
        if (snapshot.value().isEmpty()) {
            problems.add(tokenSecretProblem(snapshot));
            return;
        }
        ValueObservation value = snapshot.value().get();
        if (value.currentMatches()) {
            return;
        }
        String current = secret.currentVersionId().orElse(null);
        if (value.matchingVersionId().isPresent() && current != null) {
            actions.add(new Action.RestoreVersion(desired.primaryRegion(), secret.arn(),
                    value.matchingVersionId().get(), current, changedOutside(desired, value, current)));
        } else {
            actions.add(new Action.PutSecretValue(desired.primaryRegion(), secret.arn(), value.versionToken(),
                    changedOutside(desired, value, current)));
        }
    }

    /** We had converged on our version and AWSCURRENT moved away from it: a change made outside the operator. */
    private static boolean changedOutside(DesiredToken desired, ValueObservation value, String current) {
        return desired.rollout().lastKnownVersionId().map(known -> known.equals(value.versionToken())
                && !known.equals(current)).orElse(false);
    }

    private static void planReplicas(DesiredToken desired, Snapshot snapshot, SecretDescription secret,
            List<Action> actions, List<Problem> problems) {
        String primary = desired.primaryRegion();
        for (DesiredToken.DesiredRegion wanted : observedReplicaRegions(desired, snapshot)) {
            String region = wanted.region();
            KmsKey key = snapshot.desiredKeys().get(region);
            ReplicaDescription replica = secret.replica(region).orElse(null);
            SecretDescription foreign = snapshot.foreignSecrets().get(region);
            if (replica == null) {
                planMissingReplica(desired, snapshot, region, secret.arn(), actions, problems);
                continue;
            }
            if (ReplicaDescription.FAILED.equals(replica.status())) {
                if (foreign != null) {
                    problems.add(conflict(desired, region, foreign));
                } else if (key == null || !key.enabled()) {
                    problems.add(keyProblem(Problem.Scope.REPLICAS, desired, region, key));
                } else if (!key.arn().equals(snapshot.currentKeyArns().get(region))) {
                    // A failed replica holds nothing stacks could read: retrying with the spec's new key is safe.
                    actions.add(new Action.RemoveReplica(region, primary, secret.arn(),
                            "replication failed; retrying with key " + key.keyId()));
                    actions.add(new Action.ReplicateSecret(region, primary, secret.arn(), keyIdFor(key),
                            key.keyId()));
                } else {
                    problems.add(Problem.replica(Reason.ReplicationFailed, region, "replication to " + region
                            + " failed: " + Objects.requireNonNullElse(replica.message(), "no detail from AWS")));
                }
                continue;
            }
            if (key == null || !key.enabled()) {
                problems.add(keyProblem(Problem.Scope.REPLICAS, desired, region, key));
            } else if (!key.arn().equals(snapshot.currentKeyArns().get(region))) {
                actions.add(new Action.RekeyReplica(region, replicaArn(secret.arn(), region), keyIdFor(key),
                        key.keyId()));
            }
            if (ReplicaDescription.IN_PROGRESS.equals(replica.status())) {
                problems.add(Problem.replica(Reason.ReplicationInProgress, region,
                        "replication to " + region + " is in progress"));
            }
        }
        for (ReplicaDescription replica : secret.replicas()) {
            if (!desired.declares(replica.region()) && snapshot.observed(replica.region())) {
                actions.add(new Action.RemoveReplica(replica.region(), primary, secret.arn(),
                        "region no longer in spec"));
            }
        }
    }

    /** The replica regions the snapshot observed: nothing is replicated, rekeyed or removed in the others. */
    private static List<DesiredToken.DesiredRegion> observedReplicaRegions(DesiredToken desired, Snapshot snapshot) {
        return desired.replicaRegions().stream().filter(r -> snapshot.observed(r.region())).toList();
    }

    private static void planMissingReplica(DesiredToken desired, Snapshot snapshot, String region, String secretId,
            List<Action> actions, List<Problem> problems) {
        KmsKey key = snapshot.desiredKeys().get(region);
        SecretDescription foreign = snapshot.foreignSecrets().get(region);
        if (foreign != null) {
            problems.add(conflict(desired, region, foreign));
        } else if (key == null || !key.enabled()) {
            problems.add(keyProblem(Problem.Scope.REPLICAS, desired, region, key));
        } else {
            actions.add(new Action.ReplicateSecret(region, desired.primaryRegion(), secretId, keyIdFor(key),
                    key.keyId()));
        }
    }

    private static Problem conflict(DesiredToken desired, String region, SecretDescription foreign) {
        return Problem.replica(Reason.ReplicaConflict, region, "a secret named " + desired.secretName()
                + " already exists in " + region + " (" + foreign.arn() + "); it is never overwritten: delete or "
                + "rename it, or drop " + region + " from spec");
    }

    /** The replica's ARN: the primary's with the replica's region (the name suffix is shared). */
    static String replicaArn(String primaryArn, String region) {
        String[] parts = primaryArn.split(":", 5);
        return parts.length < 5 ? primaryArn
                : parts[0] + ":" + parts[1] + ":" + parts[2] + ":" + region + ":" + parts[4];
    }

    /** What to send as KmsKeyId: the key ARN for a customer key, nothing for the AWS managed key. */
    private static String keyIdFor(KmsKey key) {
        return key.awsManaged() ? null : key.arn();
    }

    private static Map<String, String> desiredTags(DesiredToken desired) {
        Map<String, String> tags = new LinkedHashMap<>(desired.tags());
        tags.put(BuildkiteAgentToken.OWNER_TAG, desired.owner());
        tags.put(BuildkiteAgentToken.MANAGED_TAGS_TAG, managedTagsValue(desired.tags().keySet()));
        return tags;
    }

    /** The spec's tag keys, as one tag value (at most 256 characters: keys that do not fit are not tracked). */
    static String managedTagsValue(java.util.Set<String> keys) {
        StringBuilder value = new StringBuilder();
        for (String key : new java.util.TreeSet<>(keys)) {
            if (value.length() + key.length() + 1 > 256) {
                break;
            }
            value.append(value.length() == 0 ? "" : " ").append(key);
        }
        return value.toString();
    }

    /** Tags the operator set earlier (per the managed-tags tag) whose keys the spec no longer has. */
    private static List<String> droppedTags(DesiredToken desired, Map<String, String> actual) {
        String managed = actual.get(BuildkiteAgentToken.MANAGED_TAGS_TAG);
        if (managed == null || managed.isBlank()) {
            return List.of();
        }
        return java.util.Arrays.stream(managed.split(" ")).filter(k -> !k.isBlank())
                .filter(k -> !desired.tags().containsKey(k) && actual.containsKey(k)).sorted().toList();
    }

    private static Map<String, String> missingTags(Map<String, String> desired, Map<String, String> actual) {
        Map<String, String> missing = new LinkedHashMap<>();
        desired.forEach((k, v) -> {
            if (!v.equals(actual.get(k))) {
                missing.put(k, v);
            }
        });
        return missing;
    }

    private static Problem keyProblem(Problem.Scope scope, DesiredToken desired, String region, KmsKey key) {
        String ref = desired.regions().stream().filter(r -> r.region().equals(region)).findFirst()
                .map(DesiredToken.DesiredRegion::kmsKeyRef).orElse("?");
        String message = key == null ? "KMS key " + ref + " not found in " + region
                : "KMS key " + ref + " (" + key.keyId() + ") in " + region + " is not enabled";
        return new Problem(Reason.KmsKeyNotFound, scope, region, message);
    }

    private static Problem tokenSecretProblem(Snapshot snapshot) {
        return Problem.secret(Reason.TokenSecretNotFound, null,
                snapshot.tokenSecretProblem().orElse("the Kubernetes Secret named by spec.tokenSecretRef is missing"));
    }
}
