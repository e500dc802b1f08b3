package io.elasticci.buildkite.token.plan;

import java.util.Map;
import java.util.TreeMap;

/**
 * One change to make in AWS. Actions carry identifiers and key ARNs only: the token value is fetched by the executor
 * at the moment it is sent, so a plan can be published in status safely.
 */
public sealed interface Action {

    /** Region the call is made in. */
    String region();

    /** Name shown in status.plan and Events. */
    default String name() {
        return getClass().getSimpleName();
    }

    /** What the action changes. */
    String target();

    /** Human detail for status.plan, never a value. */
    String detail();

    /** Which condition a pending or failed action holds back. */
    Problem.Scope scope();

    /** {@code kmsKeyId} null: the AWS managed key. */
    record CreateSecret(String region, String secretName, String kmsKeyId, String keyDisplay,
            Map<String, String> tags, String versionToken) implements Action {
        public String target() {
            return secretName;
        }

        public String detail() {
            return "key " + keyDisplay;
        }

        public Problem.Scope scope() {
            return Problem.Scope.SECRET;
        }
    }

    record TagSecret(String region, String secretArn, Map<String, String> tags) implements Action {
        public String target() {
            return secretArn;
        }

        public String detail() {
            return "tags " + String.join(",", new TreeMap<>(tags).keySet());
        }

        public Problem.Scope scope() {
            return Problem.Scope.SECRET;
        }
    }

    /** Removes tags the operator set earlier and the spec dropped. */
    record UntagSecret(String region, String secretArn, java.util.List<String> keys) implements Action {
        public String target() {
            return secretArn;
        }

        public String detail() {
            return "remove tags " + String.join(",", keys);
        }

        public Problem.Scope scope() {
            return Problem.Scope.SECRET;
        }
    }

    record UpdateSecretKey(String region, String secretArn, String kmsKeyId, String keyDisplay) implements Action {
        public String target() {
            return secretArn;
        }

        public String detail() {
            return "key " + keyDisplay;
        }

        public Problem.Scope scope() {
            return Problem.Scope.SECRET;
        }
    }

    /** {@code replacesExternalChange}: AWSCURRENT was changed outside the operator, and Kubernetes wins. */
    record PutSecretValue(String region, String secretArn, String versionToken, boolean replacesExternalChange)
            implements Action {
        public String target() {
            return secretArn;
        }

        public String detail() {
            return "new version " + versionToken;
        }

        public Problem.Scope scope() {
            return Problem.Scope.SECRET;
        }
    }

    /** The desired value is an older version: move AWSCURRENT back to it instead of writing it again. */
    record RestoreVersion(String region, String secretArn, String versionId, String fromVersionId,
            boolean replacesExternalChange) implements Action {
        public String target() {
            return secretArn;
        }

        public String detail() {
            return "AWSCURRENT " + fromVersionId + " -> " + versionId;
        }

        public Problem.Scope scope() {
            return Problem.Scope.SECRET;
        }
    }

    /**
     * Adds a replica; {@code region} is the replica's region, the call goes to {@code primaryRegion}.
     * {@code secretId} is the ARN, or the name when the secret is created in the same pass.
     */
    record ReplicateSecret(String region, String primaryRegion, String secretId, String kmsKeyId, String keyDisplay)
            implements Action {
        public String target() {
            return secretId;
        }

        public String detail() {
            return "key " + keyDisplay;
        }

        public Problem.Scope scope() {
            return Problem.Scope.REPLICAS;
        }
    }

    /** Changes a replica's key in place, in the replica's own region: stacks there never lose the token. */
    record RekeyReplica(String region, String replicaArn, String kmsKeyId, String keyDisplay) implements Action {
        public String target() {
            return replicaArn;
        }

        public String detail() {
            return "key " + keyDisplay;
        }

        public Problem.Scope scope() {
            return Problem.Scope.REPLICAS;
        }
    }

    /** Stops replicating to {@code region}; AWS leaves a standalone secret there. */
    record RemoveReplica(String region, String primaryRegion, String secretArn, String why) implements Action {
        public String target() {
            return secretArn;
        }

        public String detail() {
            return why;
        }

        public Problem.Scope scope() {
            return Problem.Scope.REPLICAS;
        }
    }

    /** Writes the whole resource policy (ours plus everyone else's statements), with BlockPublicPolicy on. */
    /** DeleteSecret with a recovery window, once the replicas are gone (the resource was deleted with Delete). */
    record ScheduleSecretDeletion(String region, String secretArn, int recoveryWindowInDays) implements Action {
        public String target() {
            return secretArn;
        }

        public String detail() {
            return "restorable for " + recoveryWindowInDays + " days (RestoreSecret)";
        }

        public Problem.Scope scope() {
            return Problem.Scope.SECRET;
        }
    }

    record PutResourcePolicy(String region, String secretId, String document, String detail, boolean repairsDrift,
            java.time.Instant newestRoleCreated) implements Action {
        public String target() {
            return secretId;
        }

        public Problem.Scope scope() {
            return Problem.Scope.POLICY;
        }
    }

    /** Our statement was the only one and no role is left to grant. */
    record DeleteResourcePolicy(String region, String secretId, String detail) implements Action {
        public String target() {
            return secretId;
        }

        public Problem.Scope scope() {
            return Problem.Scope.POLICY;
        }
    }

    /** The operator's inline policy on a role (IAM is global: region is "global"). */
    record PutRolePolicy(String region, String roleName, String policyName, String document, String detail)
            implements Action {
        public String target() {
            return roleName;
        }

        public Problem.Scope scope() {
            return Problem.Scope.PERMISSIONS;
        }
    }

    record DeleteRolePolicy(String region, String roleName, String policyName, String detail) implements Action {
        public String target() {
            return roleName;
        }

        public Problem.Scope scope() {
            return Problem.Scope.PERMISSIONS;
        }
    }

    /**
     * Sets a stack's two token parameters, everything else at its previous value. This replaces the stack's Auto
     * Scaling group: planned only in stackParameters Manage, after everything else is in place.
     */
    record UpdateStackParameters(String region, String stackName, String stackId, java.util.List<String> parameterKeys,
            Map<String, String> values) implements Action {
        public String target() {
            return stackName;
        }

        public String detail() {
            return "set " + new TreeMap<>(values) + "; this replaces the stack's Auto Scaling group";
        }

        public Problem.Scope scope() {
            return Problem.Scope.STACKS;
        }
    }

    /** A rolling instance refresh of a stack's group, so its instances boot with the new version. */
    record StartInstanceRefresh(String region, String stack, String group, int minHealthyPercentage,
            String protectedInstances, String versionId) implements Action {
        public String target() {
            return group;
        }

        public String detail() {
            return "stack " + stack + " for version " + versionId + " (min healthy " + minHealthyPercentage
                    + "%, protected instances: " + protectedInstances + ")";
        }

        public Problem.Scope scope() {
            return Problem.Scope.ROLLOUT;
        }
    }

    /** Secrets Manager's own rotation with the spec's Lambda and schedule. */
    record ConfigureRotation(String region, String secretArn, String lambdaArn, String scheduleExpression)
            implements Action {
        public String target() {
            return secretArn;
        }

        public String detail() {
            return lambdaArn + " " + scheduleExpression;
        }

        public Problem.Scope scope() {
            return Problem.Scope.SECRET;
        }
    }
}
