package io.elasticci.buildkite.token.buildkite;

/** What a revoke found. Revoking is idempotent: a token already gone (or never there) is not a failure. */
public enum Revocation {
    REVOKED,
    ALREADY_GONE
}
