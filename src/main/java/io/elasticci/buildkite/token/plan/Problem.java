package io.elasticci.buildkite.token.plan;

/**
 * Something that keeps the token from being ready. {@code region} is null for problems of the whole resource.
 * {@code scope} says which condition it belongs to.
 */
public record Problem(Reason reason, Scope scope, String region, String message) {

    public enum Scope {
        /** The primary secret, its value, ownership and the account. */
        SECRET,
        /** A replica region. */
        REPLICAS,
        /** The secret's resource policy. */
        POLICY,
        /** The roles' IAM permissions and the keys' policies. */
        PERMISSIONS,
        /** The stacks: discovery and token parameters. */
        STACKS,
        /** A new version's way to every instance: replica sync, instance refreshes. */
        ROLLOUT
    }

    public static Problem secret(Reason reason, String region, String message) {
        return new Problem(reason, Scope.SECRET, region, message);
    }

    public static Problem of(Scope scope, Reason reason, String region, String message) {
        return new Problem(reason, scope, region, message);
    }

    public static Problem replica(Reason reason, String region, String message) {
        return new Problem(reason, Scope.REPLICAS, region, message);
    }
}
