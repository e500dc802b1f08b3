package io.elasticci.buildkite.token.aws;

import java.util.List;
import java.util.Set;

/**
 * Operations AWS counts against one request quota, so that the operator paces each group apart: a burst of Secrets
 * Manager writes must not hold back DescribeSecret, which AWS allows at 10,000/s. Secrets Manager documents these
 * groups (per account and region); every other operation is paced with the rest of its service.
 */
public final class QuotaGroups {

    /** Operations of {@code service} sharing one quota; {@code key} names its rate (bkat.aws.rate-limits.KEY). */
    public record Group(String key, String service, Set<String> operations) {
    }

    private static final String SECRETS_MANAGER = "secretsmanager";

    public static final List<Group> GROUPS = List.of(
            new Group("secretsmanager-read", SECRETS_MANAGER, Set.of("DescribeSecret", "GetSecretValue")),
            new Group("secretsmanager-write", SECRETS_MANAGER, Set.of("PutSecretValue", "RemoveRegionsFromReplication",
                    "ReplicateSecretToRegions", "StopReplicationToReplica", "UpdateSecret", "UpdateSecretVersionStage")),
            new Group("secretsmanager-policy", SECRETS_MANAGER, Set.of("GetResourcePolicy", "PutResourcePolicy",
                    "DeleteResourcePolicy", "ValidateResourcePolicy")),
            new Group("secretsmanager-tag", SECRETS_MANAGER, Set.of("TagResource", "UntagResource")));

    private QuotaGroups() {
    }

    /** The key of the quota {@code operation} counts against: its group's, else the service's own name. */
    public static String of(String service, String operation) {
        for (Group group : GROUPS) {
            if (group.service().equals(service) && group.operations().contains(operation)) {
                return group.key();
            }
        }
        return service;
    }
}
