package io.elasticci.buildkite.token.aws;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * A token value. Its only way out is {@link #reveal()}, called where the value is handed to the SDK; every
 * accidental rendering (toString, logging, exceptions, JSON) shows a placeholder instead.
 */
public final class SecretValue {

    private final String value;

    private SecretValue(String value) {
        this.value = value;
    }

    public static SecretValue of(String value) {
        if (value == null) {
            throw new IllegalArgumentException("a secret value must not be null");
        }
        return new SecretValue(value);
    }

    /** The raw value, for the SDK request that carries it. */
    public String reveal() {
        return value;
    }

    public byte[] bytes() {
        return value.getBytes(StandardCharsets.UTF_8);
    }

    /** SHA-256 of the value, hex: a key for caches (of clients per API token) that must not hold the value. */
    public String digest() {
        try {
            return java.util.HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes()));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Constant-time comparison, so timing says nothing about how much of a value matched. */
    public boolean sameAs(SecretValue other) {
        return other != null && MessageDigest.isEqual(bytes(), other.bytes());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SecretValue other && sameAs(other);
    }

    @Override
    public int hashCode() {
        return 0; // never leak anything about the value, not even through hashing
    }

    @Override
    public String toString() {
        return "SecretValue[redacted]";
    }
}
