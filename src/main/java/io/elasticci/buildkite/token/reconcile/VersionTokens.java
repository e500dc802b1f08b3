package io.elasticci.buildkite.token.reconcile;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.HexFormat;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import io.elasticci.buildkite.token.aws.SecretValue;

/**
 * ClientRequestTokens for secret versions: an HMAC-SHA256 of secret name and value under a per-installation key.
 * The same value always gives the same token, so retries and restarts never create a second version, and the
 * version ID says which value a version holds without anyone who can list versions being able to test guesses.
 */
public final class VersionTokens {

    private final SecretKeySpec key;

    public VersionTokens(byte[] installationKey) {
        if (installationKey.length < 16) {
            throw new IllegalArgumentException("the installation key must have at least 16 bytes");
        }
        this.key = new SecretKeySpec(installationKey.clone(), "HmacSHA256");
    }

    /** 64 hex characters: within the 32-64 characters AWS allows for a ClientRequestToken. */
    public String tokenFor(String secretName, SecretValue value) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            mac.update(secretName.getBytes(StandardCharsets.UTF_8));
            mac.update((byte) 0);
            return HexFormat.of().formatHex(mac.doFinal(value.bytes()));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }
}
