package io.elasticci.buildkite.token.reconcile.observe;

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

    private TokenSource() {
    }

    public static Read read(String namespace, SecretKeyRef ref, Optional<Secret> secret) {
        return read(namespace, ref, secret, "spec.tokenSecretRef");
    }

    /** @param field the spec field that names the Secret, for the message */
    public static Read read(String namespace, SecretKeyRef ref, Optional<Secret> secret, String field) {
        String where = "Secret " + namespace + "/" + ref.getName();
        if (secret.isEmpty()) {
            return Read.missing(where + " named by " + field + " does not exist");
        }
        Secret s = secret.get();
        String key = ref.getKey() == null ? "token" : ref.getKey();
        if (s.getData() != null && s.getData().get(key) != null) {
            return nonBlank(where, key, new String(Base64.getDecoder().decode(s.getData().get(key)),
                    StandardCharsets.UTF_8));
        }
        if (s.getStringData() != null && s.getStringData().get(key) != null) {
            return nonBlank(where, key, s.getStringData().get(key));
        }
        return Read.missing(where + " has no key \"" + key + "\"");
    }

    private static Read nonBlank(String where, String key, String value) {
        // Trailing newlines come from `kubectl create secret --from-file` and are never part of a token.
        String token = value.strip();
        return token.isEmpty() ? Read.missing(where + " key \"" + key + "\" is empty") : Read.of(SecretValue.of(token));
    }
}
