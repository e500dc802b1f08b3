package io.elasticci.buildkite.token.aws;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A secret as DescribeSecret shows it in one region. {@code kmsKeyRef} is null for the AWS managed key;
 * {@code primaryRegion} is null for a standalone secret; {@code rotationLambdaArn} is null while Secrets Manager's
 * rotation is off.
 */
public record SecretDescription(String arn, String name, String region, String primaryRegion, String kmsKeyRef,
        Map<String, String> tags, Map<String, Set<String>> versionStages, List<ReplicaDescription> replicas,
        boolean scheduledForDeletion, String rotationLambdaArn, String rotationSchedule) {

    public SecretDescription(String arn, String name, String region, String primaryRegion, String kmsKeyRef,
            Map<String, String> tags, Map<String, Set<String>> versionStages, List<ReplicaDescription> replicas,
            boolean scheduledForDeletion) {
        this(arn, name, region, primaryRegion, kmsKeyRef, tags, versionStages, replicas, scheduledForDeletion, null,
                null);
    }

    public static final String AWSCURRENT = "AWSCURRENT";

    public SecretDescription {
        tags = Map.copyOf(tags);
        versionStages = Map.copyOf(versionStages);
        replicas = List.copyOf(replicas);
    }

    /** Whether this is a replica of a secret whose primary lives elsewhere. */
    public boolean isReplica() {
        return primaryRegion != null && !primaryRegion.equals(region);
    }

    public Optional<String> currentVersionId() {
        return versionStages.entrySet().stream().filter(e -> e.getValue().contains(AWSCURRENT)).map(Map.Entry::getKey)
                .findFirst();
    }

    public Optional<ReplicaDescription> replica(String replicaRegion) {
        return replicas.stream().filter(r -> r.region().equals(replicaRegion)).findFirst();
    }
}
