package io.elasticci.buildkite.token.reconcile.observe;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import io.elasticci.buildkite.token.api.v1alpha1.SecretKeyRef;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;

class TokenSourceTest {

    private static final SecretKeyRef REF = new SecretKeyRef("agent", "token");

    private static Secret secret(Map<String, String> data) {
        return new SecretBuilder().withNewMetadata().withName("agent").endMetadata().withData(data).build();
    }

    private static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void readsAndStripsTheValue() {
        TokenSource.Read read = TokenSource.read("ns", REF, Optional.of(secret(Map.of("token", b64("bkua_x\n")))));
        assertThat(read.value()).hasValueSatisfying(v -> assertThat(v.reveal()).isEqualTo("bkua_x"));
    }

    @Test
    void missingSecretKeyOrEmptyValueSayWhichWithoutTheValue() {
        assertThat(TokenSource.read("ns", REF, Optional.empty()).problem()).hasValue(
                "Secret ns/agent named by spec.tokenSecretRef does not exist");
        assertThat(TokenSource.read("ns", REF, Optional.of(secret(Map.of("other", b64("bkua_x"))))).problem())
                .hasValue("Secret ns/agent has no key \"token\"");
        assertThat(TokenSource.read("ns", REF, Optional.of(secret(Map.of("token", b64(" \n"))))).problem())
                .hasValue("Secret ns/agent key \"token\" is empty");
    }
}
