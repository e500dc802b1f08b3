package io.elasticci.buildkite.token.api.v1alpha1;

/** Whether the operator changes something itself or only checks and reports. */
public enum Mode {
    Manage,
    Verify
}
