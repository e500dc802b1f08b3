package io.elasticci.buildkite.token.api.v1alpha1;

/** What deleting the resource does to the secret in AWS (its grants go either way). */
public enum DeletionPolicy {
    Retain,
    Delete
}
