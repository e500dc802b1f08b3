package io.elasticci.buildkite.token.reconcile.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

import io.elasticci.buildkite.token.api.v1alpha1.BuildkiteAgentToken;
import io.elasticci.buildkite.token.api.v1alpha1.BuildkiteAgentTokenStatus;
import io.elasticci.buildkite.token.api.v1alpha1.BuildkiteStatus;
import io.elasticci.buildkite.token.api.v1alpha1.BuildkiteTokenStatus;
import io.elasticci.buildkite.token.api.v1alpha1.RotationStatus;

/** Revocable versions count while their token may still be live: the ones the operator revoked do not. */
class RotationMetricsTest {

    private static BuildkiteAgentToken withRevocable(List<String> versions, String... revokedVersions) {
        BuildkiteAgentToken token = new BuildkiteAgentToken();
        token.setStatus(new BuildkiteAgentTokenStatus());
        token.getStatus().rotation = new RotationStatus();
        token.getStatus().rotation.revocableVersionIds = versions;
        if (revokedVersions.length > 0) {
            token.getStatus().buildkite = new BuildkiteStatus();
            for (String version : revokedVersions) {
                BuildkiteTokenStatus revoked = new BuildkiteTokenStatus();
                revoked.versionId = version;
                revoked.revoked = true;
                token.getStatus().buildkite.tokens.add(revoked);
            }
        }
        return token;
    }

    @Test
    void revokedTokensNoLongerCount() {
        assertThat(RotationMetrics.revocableVersions(withRevocable(List.of("v1", "v2")))).isEqualTo(2);
        assertThat(RotationMetrics.revocableVersions(withRevocable(List.of("v1", "v2"), "v1"))).isEqualTo(1);
        assertThat(RotationMetrics.revocableVersions(withRevocable(List.of("v1"), "v1"))).isZero();
        assertThat(RotationMetrics.revocableVersions(new BuildkiteAgentToken())).isZero();
    }
}
