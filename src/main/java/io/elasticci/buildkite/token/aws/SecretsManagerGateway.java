package io.elasticci.buildkite.token.aws;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/** AWS Secrets Manager, as the operator needs it. "Not found" is a value, not an exception. */
public interface SecretsManagerGateway {

    Optional<SecretDescription> describe(String region, String secretId);

    /** The value of one version; empty when the secret or version does not exist. */
    Optional<SecretValue> value(String region, String secretId, String versionId);

    /** Every version ID, including those without a stage (AWS keeps up to about 100). */
    List<String> versionIds(String region, String secretId);

    /** When a version was created; empty when the secret or version does not exist. */
    Optional<java.time.Instant> versionCreated(String region, String secretId, String versionId);

    /** Turns on Secrets Manager's rotation with this Lambda and schedule (not rotating now). */
    void configureRotation(String region, String secretId, String lambdaArn, String scheduleExpression);

    /** Creates the secret; {@code kmsKeyId} null means the AWS managed key. Returns the ARN. */
    String create(String region, String name, SecretValue value, String versionToken, String kmsKeyId,
            Map<String, String> tags);

    /** Writes a new version that becomes AWSCURRENT; idempotent for the same token and value. */
    void putValue(String region, String secretId, SecretValue value, String versionToken);

    /** Moves AWSCURRENT to an existing version. */
    void moveCurrent(String region, String secretId, String toVersionId, String fromVersionId);

    void tag(String region, String secretId, Map<String, String> tags);

    void untag(String region, String secretId, List<String> keys);

    /** Changes the key of a primary, or of a replica in place when called in the replica's region. */
    void updateKey(String region, String secretId, String kmsKeyId);

    /** Adds replica regions, all in one call (ForceOverwriteReplicaSecret false). */
    void replicate(String primaryRegion, String secretId, List<NewReplica> replicas);

    void removeReplica(String primaryRegion, String secretId, String replicaRegion);

    /**
     * DeleteSecret with a recovery window (never ForceDeleteWithoutRecovery): restorable with RestoreSecret until then.
     * AWS refuses while the secret has replicas.
     */
    void scheduleDeletion(String region, String secretId, int recoveryWindowInDays);

    /** The resource policy as AWS returns it; empty when the secret has none. */
    Optional<String> resourcePolicy(String region, String secretId);

    /** Puts the policy with BlockPublicPolicy on. */
    void putResourcePolicy(String region, String secretId, String document);

    void deleteResourcePolicy(String region, String secretId);

    /** ValidateResourcePolicy: the errors AWS finds, empty when it passes. */
    List<String> validateResourcePolicy(String region, String secretId, String document);
}
