package io.elasticci.buildkite.token.aws;

/** One resource of a stack; for a nested stack the physical ID is the nested stack's ID. */
public record StackResource(String logicalId, String physicalId, String type) {
}
