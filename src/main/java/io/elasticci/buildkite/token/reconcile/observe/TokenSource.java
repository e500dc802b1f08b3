package io.elasticci.buildkite.token.reconcile.observe;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;

import io.elasticci.buildkite.token.api.v1alpha1.SecretKeyRef;
import io.elasticci.buildkite.token.aws.SecretValue;
import io.fabric8.kubernetes.api.model.Secret;

/** Reads the desired token from the Kubernetes Secret that spec.tokenSecretRef names. */
public final class TokenSource {

    /** Either a value or why there is none (naming the Secret and key, never the content). */
    public record Read(Optional<SecretValue> value, Optional<String> problem) {
        static Read of(SecretValue value) {
            return new Read(Optional.of(value), Optional.empty());
        }

        static Read missing(String problem) {
            return new Read(Optional.empty(), Optional.of(problem));
        }
    }

    /** Secrets Manager's limit on a SecretString. */
    static final int MAX_SECRET_BYTES = 65_536;

    private TokenSource() {
    }

    public static Read read(String namespace, SecretKeyRef ref, Optional<Secret> secret) {
        return read(namespace, ref, secret, "spec.tokenSecretRef", Optional.empty());
    }

    /** @param labelSelector the labels the operator reads Secrets by (bkat.token-secret-label-selector), if any */
    public static Read read(String namespace, SecretKeyRef ref, Optional<Secret> secret,
            Optional<String> labelSelector) {
        return read(namespace, ref, secret, "spec.tokenSecretRef", labelSelector);
    }

    /** @param field the spec field that names the Secret, for the message */
    public static Read read(String namespace, SecretKeyRef ref, Optional<Secret> secret, String field,
            Optional<String> labelSelector) {
        String where = "Secret " + namespace + "/" + ref.getName();
        if (secret.isEmpty()) {
            return Read.missing(where + " named by " + field + " does not exist" + labelSelector
                    .filter(selector -> !selector.isBlank())
                    .map(selector -> " or lacks the labels " + selector + " (bkat.token-secret-label-selector: the "
                            + "operator reads only Secrets with them)").orElse(""));
        }
        Secret s = secret.get();
        String key = ref.getKey() == null ? "token" : ref.getKey();
        if (s.getData() != null && s.getData().get(key) != null) {
            Optional<String> text = utf8(s.getData().get(key));
            return text.map(t -> nonBlank(where, key, t)).orElseGet(() -> Read.missing(where + " key \"" + key
                    + "\" holds no token: its value is not UTF-8 text (binary data?)"));
        }
        if (s.getStringData() != null && s.getStringData().get(key) != null) {
            return nonBlank(where, key, s.getStringData().get(key));
        }
        return Read.missing(where + " has no key \"" + key + "\"");
    }

    private static Read nonBlank(String where, String key, String value) {
        // Trailing newlines come from `kubectl create secret --from-file` and are never part of a token.
        String token = value.strip();
        if (token.isEmpty()) {
            return Read.missing(where + " key \"" + key + "\" is empty");
        }
        // Refused before any write: AWS would store it, and stacks would read a broken token. The value is never shown.
        if (token.chars().anyMatch(Character::isISOControl)) {
            return Read.missing(where + " key \"" + key + "\" holds no token: its value has control characters");
        }
        int bytes = token.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > MAX_SECRET_BYTES) {
            return Read.missing(where + " key \"" + key + "\" holds no token: its value is " + bytes
                    + " bytes, more than the " + MAX_SECRET_BYTES + " Secrets Manager keeps");
        }
        return Read.of(SecretValue.of(token));
    }

    /** The bytes as UTF-8 text, or empty when they are not: a lenient decoder would write U+FFFD into AWS. */
    private static Optional<String> utf8(String base64) {
        try {
            return Optional.of(StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(Base64.getDecoder().decode(base64))).toString());
        } catch (CharacterCodingException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
