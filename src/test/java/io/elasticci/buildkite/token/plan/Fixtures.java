package io.elasticci.buildkite.token.plan;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import io.elasticci.buildkite.token.api.v1alpha1.BuildkiteAgentToken;
import io.elasticci.buildkite.token.aws.CallerIdentity;
import io.elasticci.buildkite.token.aws.KmsKey;
import io.elasticci.buildkite.token.aws.ReplicaDescription;
import io.elasticci.buildkite.token.aws.SecretDescription;

/** Builders for planner inputs: a converged two-region world that each test bends one way. */
final class Fixtures {

    static final String ACCOUNT = "123456789012";
    static final String OWNER = "cluster-1/buildkite/ci-token";
    static final String NAME = "buildkite/agent-token";
    static final String ARN = "arn:aws:secretsmanager:us-east-1:" + ACCOUNT + ":secret:" + NAME + "-AbCdEf";
    static final String TOKEN = "a".repeat(64);

    static KmsKey key(String region, String id) {
        return new KmsKey(id, "arn:aws:kms:" + region + ":" + ACCOUNT + ":key/" + id, true, false);
    }

    static KmsKey managedKey(String region) {
        return new KmsKey("managed-" + region, "arn:aws:kms:" + region + ":" + ACCOUNT + ":key/managed-" + region,
                true, true);
    }

    static DesiredToken desired(boolean valueManaged, String... regions) {
        List<DesiredToken.DesiredRegion> list = new ArrayList<>();
        for (String r : regions) {
            list.add(new DesiredToken.DesiredRegion(r, "alias/buildkite-token", List.of()));
        }
        return new DesiredToken(NAME, regions[0], list, Map.of("team", "ci"), OWNER, Optional.empty(), valueManaged);
    }

    static final class World {
        String primary = "us-east-1";
        boolean secretExists = true;
        boolean scheduledForDeletion;
        String primaryOf;
        Map<String, String> tags = new LinkedHashMap<>(Map.of("team", "ci", BuildkiteAgentToken.OWNER_TAG, OWNER,
                BuildkiteAgentToken.MANAGED_TAGS_TAG, "team"));
        Map<String, Set<String>> versions = new LinkedHashMap<>(Map.of(TOKEN, Set.of("AWSCURRENT")));
        List<ReplicaDescription> replicas = new ArrayList<>();
        Map<String, KmsKey> desiredKeys = new HashMap<>();
        Map<String, String> currentKeyArns = new HashMap<>();
        Map<String, SecretDescription> foreign = new HashMap<>();
        Optional<ValueObservation> value = Optional.of(new ValueObservation(TOKEN, true, Optional.empty()));
        String accountId = ACCOUNT;
        String partition = "aws";
        List<StackObservation> stacks = new ArrayList<>();
        Optional<String> policy = Optional.empty();
        Map<String, Optional<String>> inlinePolicies = new HashMap<>();
        Map<String, Boolean> simulations = new HashMap<>();
        Map<String, String> keyPolicies = new HashMap<>();
        Map<String, Optional<String>> retainedInline = new HashMap<>();
        int removals;
        RolloutObservation rollout;
        /** Replica regions the observation could not read. */
        Map<String, io.elasticci.buildkite.token.aws.AwsFailure> unavailable = new HashMap<>();

        /** The secret in us-east-1, replicated in sync to the other regions, everything with its spec key. */
        static World converged(String... regions) {
            World w = new World();
            for (String r : regions) {
                KmsKey k = key(r, "key-" + r);
                w.desiredKeys.put(r, k);
                w.currentKeyArns.put(r, k.arn());
                if (!r.equals(w.primary)) {
                    w.replicas.add(new ReplicaDescription(r, k.keyId(), ReplicaDescription.IN_SYNC, null));
                }
            }
            return w;
        }

        World replicaStatus(String region, String status, String message) {
            replicas.replaceAll(r -> r.region().equals(region)
                    ? new ReplicaDescription(region, r.kmsKeyRef(), status, message) : r);
            return this;
        }

        World withoutReplica(String region) {
            replicas.removeIf(r -> r.region().equals(region));
            currentKeyArns.remove(region);
            return this;
        }

        Snapshot snapshot() {
            Optional<SecretDescription> secret = secretExists
                    ? Optional.of(new SecretDescription(ARN, NAME, primary, primaryOf, null, tags, versions, replicas,
                            scheduledForDeletion))
                    : Optional.empty();
            return new Snapshot(CallerIdentity.fromArn(accountId, "arn:" + partition + ":iam::" + accountId
                    + ":role/operator"), secret, desiredKeys, currentKeyArns, foreign, value, Optional.empty(),
                    new AccessObservation(stacks, policy, inlinePolicies, simulations, keyPolicies, retainedInline),
                    removals, rollout, unavailable);
        }
    }

    static io.elasticci.buildkite.token.aws.RoleInfo role(String name) {
        return new io.elasticci.buildkite.token.aws.RoleInfo(name, "arn:aws:iam::" + ACCOUNT + ":role/" + name,
                "AROA" + Integer.toHexString(name.hashCode()).toUpperCase() + "XXXXXXXXXX",
                java.time.Instant.parse("2025-01-01T00:00:00Z"));
    }

    /** A current-shape stack whose parameters are right for its region's key in {@link World#converged}. */
    static StackObservation stack(String region, String name, io.elasticci.buildkite.token.aws.RoleInfo... roles) {
        Map<String, String> parameters = new java.util.LinkedHashMap<>();
        parameters.put("BuildkiteAgentTokenParameterStorePath", "/aws/reference/secretsmanager/" + NAME);
        parameters.put("BuildkiteAgentTokenParameterStoreKMSKey", "key-" + region);
        parameters.put("InstanceTypes", "t3.large");
        io.elasticci.buildkite.token.aws.StackDescription description = new io.elasticci.buildkite.token.aws
                .StackDescription(name, "arn:aws:cloudformation:" + region + ":" + ACCOUNT + ":stack/" + name + "/1",
                        region, "UPDATE_COMPLETE", null, parameters, Map.of(), java.time.Instant.EPOCH);
        List<io.elasticci.buildkite.token.aws.RoleInfo> list = List.of(roles);
        return new StackObservation(region, name, Optional.of(description),
                list.isEmpty() ? Optional.empty() : Optional.of(list.get(0)),
                list.size() > 1 ? list.subList(1, list.size()) : List.of(), name + "-asg", List.of());
    }

    private Fixtures() {
    }
}
