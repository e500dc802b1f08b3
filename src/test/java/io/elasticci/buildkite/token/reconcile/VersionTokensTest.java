package io.elasticci.buildkite.token.reconcile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

import io.elasticci.buildkite.token.aws.SecretValue;

class VersionTokensTest {

    private final VersionTokens tokens = new VersionTokens("0123456789abcdef0123".getBytes(StandardCharsets.UTF_8));

    @Test
    void sameValueSameToken() {
        assertThat(tokens.tokenFor("a", SecretValue.of("v"))).isEqualTo(tokens.tokenFor("a", SecretValue.of("v")));
    }

    @Test
    void tokenDependsOnValueSecretNameAndInstallationKey() {
        String base = tokens.tokenFor("a", SecretValue.of("v"));
        assertThat(tokens.tokenFor("a", SecretValue.of("w"))).isNotEqualTo(base);
        assertThat(tokens.tokenFor("b", SecretValue.of("v"))).isNotEqualTo(base);
        VersionTokens other = new VersionTokens("another-installation-key".getBytes(StandardCharsets.UTF_8));
        assertThat(other.tokenFor("a", SecretValue.of("v"))).isNotEqualTo(base);
    }

    @Test
    void tokenFitsClientRequestTokenRulesAndIsNotAPlainHash() throws Exception {
        String token = tokens.tokenFor("a", SecretValue.of("v"));
        assertThat(token).hasSize(64).matches("[0-9a-f]{64}");
        String sha = java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                .digest("v".getBytes(StandardCharsets.UTF_8)));
        assertThat(token).isNotEqualTo(sha);
    }

    @Test
    void refusesAShortKey() {
        assertThatThrownBy(() -> new VersionTokens(new byte[8])).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void secretValueNeverRendersItself() {
        SecretValue value = SecretValue.of("bkua_super_secret");
        assertThat(value.toString()).doesNotContain("bkua");
        assertThat(String.valueOf(value)).doesNotContain("bkua");
        assertThat(value.sameAs(SecretValue.of("bkua_super_secret"))).isTrue();
        assertThat(value.sameAs(SecretValue.of("bkua_other"))).isFalse();
    }
}
