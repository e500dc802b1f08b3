package io.elasticci.buildkite.token.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.elasticci.buildkite.token.api.v1alpha1.BuildkiteAgentToken;
import io.elasticci.buildkite.token.api.v1alpha1.BuildkiteTokenStatus;
import io.elasticci.buildkite.token.buildkite.emulator.BuildkiteEmulator;
import io.elasticci.buildkite.token.buildkite.emulator.ClusterTokens.StoredToken;
import io.elasticci.buildkite.token.emulator.AwsEmulator;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;

/**
 * spec.buildkite end to end: the operator mints the token, rolls a new one out when asked or when due, and revokes the
 * old one only once no instance can hold it; a token minted but never written is revoked; Buildkite's refusals are
 * reported. Assertions read Buildkite's and AWS's state (the emulators), never logs.
 */
@QuarkusTest
@WithKubernetesTestServer
@QuarkusTestResource(value = EmulatorResource.class, restrictToAnnotatedClass = true)
class BuildkiteRotationE2ETest extends E2ETestBase {

    private static final Duration STEP = Duration.ofSeconds(30);
    private final BuildkiteEmulator buildkite = EmulatorResource.buildkite();

    @AfterEach
    void clearBuildkiteFaults() {
        buildkite.faults().clear();
    }

    /**
     * Buildkite's per-minute budgets (the emulator's and the operator's own limiters) run on the emulator clock, which
     * stands still between steps: each test starts in a fresh minute, as it would after a minute of real time.
     */
    @org.junit.jupiter.api.BeforeEach
    void freshRateLimitMinute() {
        EmulatorResource.emulator().clock().advance(Duration.ofMinutes(2));
    }

    private List<StoredToken> clusterTokens() {
        return buildkite.tokens().tokens(BuildkiteEmulator.ORGANIZATION, BuildkiteEmulator.CLUSTER).stream()
                .filter(t -> t.description() != null && t.description().contains(k8s.namespace + "/minted"))
                .toList();
    }

    private String currentValue() {
        return sm().secret(EAST, secretName()).orElseThrow().currentValue();
    }

    private BuildkiteAgentToken ready() {
        k8s.tokenSecret("buildkite-api", BuildkiteEmulator.API_TOKEN);
        k8s.apply(k8s.fixture("buildkite-token.yaml"));
        return k8s.awaitReady("minted");
    }

    /** Asks for a token now: the annotation's time lies after the current version and not in the future. */
    private void requestRotation() {
        aws.clock().advance(Duration.ofMinutes(1));
        String at = aws.clock().instant().toString();
        k8s.edit("minted", t -> t.getMetadata().getAnnotations().put(BuildkiteAgentToken.ROTATE_AT_ANNOTATION, at));
    }

    @Test
    void mintsTheTokenAndRevokesTheOldOneOnlyOnceTheRotationIsRolledOut() {
        try (LogCapture logs = LogCapture.start()) {
            mintRotateRevoke(logs);
        }
    }

    private void mintRotateRevoke(LogCapture logs) {
        BuildkiteAgentToken first = ready();
        String v1 = first.getStatus().currentVersionId;
        String firstValue = currentValue();
        assertThat(buildkite.tokens().acceptsAgentToken(firstValue)).as("the secret holds a live Buildkite token")
                .isTrue();
        assertThat(clusterTokens()).hasSize(1);
        assertThat(first.getStatus().buildkite.currentTokenId).isEqualTo(clusterTokens().get(0).id());
        assertThat(clusterTokens().get(0).description()).endsWith("version " + v1);

        requestRotation();
        BuildkiteAgentToken rolling = k8s.await("minted", t -> !v1.equals(t.getStatus().currentVersionId));
        String v2 = rolling.getStatus().currentVersionId;
        assertThat(buildkite.tokens().acceptsAgentToken(firstValue)).as("not revoked while instances may hold it")
                .isTrue();
        assertThat(clusterTokens()).hasSize(2);

        BuildkiteAgentToken done = k8s.awaitAdvancing("minted", STEP, t -> t.getStatus().buildkite != null
                && t.getStatus().buildkite.tokens.stream().anyMatch(s -> Boolean.TRUE.equals(s.revoked)));
        assertThat(done.getStatus().rotation.revocableVersionIds).contains(v1);
        assertThat(buildkite.tokens().acceptsAgentToken(firstValue)).isFalse();
        assertThat(buildkite.tokens().acceptsAgentToken(currentValue())).isTrue();
        assertThat(clusterTokens()).hasSize(1);
        assertThat(done.getStatus().buildkite.tokens).filteredOn(s -> Boolean.TRUE.equals(s.revoked))
                .extracting(s -> s.versionId).containsExactly(v1);
        assertThat(done.getStatus().buildkite.currentTokenId).isEqualTo(clusterTokens().get(0).id());
        assertThat(sm().secret(EAST, secretName()).orElseThrow().versions()).hasSize(2).containsKey(v2);
        assertThat(k8s.events("minted")).extracting(e -> e.getReason())
                .contains("BuildkiteTokenCreated", "SecretValueUpdated", "InstanceRefreshStarted",
                        "BuildkiteTokenRevoked");
        String leaks = k8s.events("minted").toString() + io.fabric8.kubernetes.client.utils.Serialization
                .asJson(k8s.get("minted").getStatus());
        assertThat(leaks).doesNotContain(firstValue).doesNotContain(currentValue())
                .doesNotContain(BuildkiteEmulator.API_TOKEN);
        assertThat(logs.lines()).as("the capture saw the operator at work").anyMatch(l -> l.contains("PutSecretValue"));
        for (String secret : List.of(firstValue, currentValue(), BuildkiteEmulator.API_TOKEN)) {
            assertThat(logs.lines()).noneMatch(l -> l.contains(secret));
        }
    }

    @Test
    void aStopAfterTheWriteBeforeTheRolloutMintsNothingMoreAndStillRevokes() {
        ready();
        String firstValue = currentValue();
        // The new version is written, then the reconcile dies before any refresh starts.
        aws.faults().failNext("autoscaling", "StartInstanceRefresh", "InternalFailure", "boom")
                .failNext("autoscaling", "StartInstanceRefresh", "InternalFailure", "boom");
        requestRotation();

        k8s.awaitAdvancing("minted", STEP, t -> t.getStatus().buildkite != null
                && t.getStatus().buildkite.tokens.stream().anyMatch(s -> Boolean.TRUE.equals(s.revoked)));
        assertThat(buildkite.tokens().acceptsAgentToken(firstValue)).isFalse();
        assertThat(clusterTokens()).as("one live token, no second mint").hasSize(1);
        assertThat(sm().secret(EAST, secretName()).orElseThrow().versions()).hasSize(2);
        assertThat(k8s.events("minted")).filteredOn(e -> "BuildkiteTokenCreated".equals(e.getReason())).hasSize(2);
    }

    @Test
    void rotateEveryMintsWhenDueOnTheClock() {
        k8s.tokenSecret("buildkite-api", BuildkiteEmulator.API_TOKEN);
        BuildkiteAgentToken token = k8s.fixture("buildkite-token.yaml");
        token.getSpec().getBuildkite().setRotateEvery("720h");
        k8s.apply(token);
        String v1 = k8s.awaitReady("minted").getStatus().currentVersionId;
        assertThat(k8s.get("minted").getStatus().buildkite.nextRotationAt).isNotNull();

        aws.clock().advance(Duration.ofHours(719));
        k8s.requestReconcile("minted");
        k8s.awaitReady("minted");
        assertThat(k8s.get("minted").getStatus().currentVersionId).as("not due yet").isEqualTo(v1);

        aws.clock().advance(Duration.ofHours(2));
        k8s.requestReconcile("minted");
        k8s.await("minted", t -> !v1.equals(t.getStatus().currentVersionId));
        assertThat(clusterTokens()).hasSize(2);
    }

    @Test
    void aTokenMintedButNeverWrittenIsRevokedAndNeverLeftLive() {
        k8s.tokenSecret("buildkite-api", BuildkiteEmulator.API_TOKEN);
        // The write of the first minted token fails: the operator stops between minting and writing.
        aws.faults().failNext("secretsmanager", "CreateSecret", "InternalServiceError", "boom")
                .failNext("secretsmanager", "CreateSecret", "InternalServiceError", "boom");
        k8s.apply(k8s.fixture("buildkite-token.yaml"));

        k8s.awaitReady("minted");
        assertThat(k8s.events("minted")).extracting(e -> e.getReason()).contains("OrphanTokenRevoked");
        assertThat(clusterTokens()).as("only the token the secret holds is live").hasSize(1);
        assertThat(buildkite.tokens().acceptsAgentToken(currentValue())).isTrue();
        assertThat(k8s.get("minted").getStatus().buildkite.tokens).filteredOn(s -> Boolean.TRUE.equals(s.revoked))
                .hasSize(1).allSatisfy(s -> assertThat(sm().secret(EAST, secretName()).orElseThrow().versions())
                        .doesNotContainKey(s.versionId));
    }

    @Test
    void aFailedRolloutNeverRevokesTheTokenTheFleetStillRunsOn() {
        ready();
        String firstValue = currentValue();
        requestRotation();
        k8s.await("minted", t -> t.getStatus().rotation != null && t.getStatus().rotation.refreshes.size() == 2);
        String group = cfn().stackOrThrow(WEST, westStack()).autoScalingGroupName();
        aws.autoScaling(AwsEmulator.DEFAULT_ACCOUNT).failRefresh(WEST, group, "Launch failed: insufficient capacity");

        k8s.awaitAdvancing("minted", STEP, t -> k8s.condition("minted", "InstancesRefreshed")
                .filter(c -> "RefreshFailed".equals(c.getReason())).isPresent());
        k8s.requestReconcile("minted");
        k8s.awaitCondition("minted", "Ready", "False", "RefreshFailed");

        assertThat(buildkite.tokens().acceptsAgentToken(firstValue)).isTrue();
        assertThat(clusterTokens()).hasSize(2);
        assertThat(k8s.events("minted")).extracting(e -> e.getReason()).doesNotContain("BuildkiteTokenRevoked");
    }

    @Test
    void aRefusedApiTokenIsReportedAndNothingIsWritten() {
        k8s.tokenSecret("buildkite-api", "bkua_not_a_valid_api_token_000000000000");
        k8s.apply(k8s.fixture("buildkite-token.yaml"));

        BuildkiteAgentToken token = k8s.awaitCondition("minted", "Ready", "False", "BuildkiteUnauthorized");

        // Nothing of this resource in AWS (other tests' cleanup may write meanwhile, so the state is what is checked).
        assertThat(sm().secret(EAST, secretName())).isEmpty();
        assertStackHasNoGrant(EAST, cfn().stackOrThrow(EAST, eastStack()));
        assertThat(clusterTokens()).isEmpty();
        assertThat(token.getStatus().conditions.toString()).doesNotContain("bkua_not_a_valid_api_token");
    }

    @Test
    void aMissingApiTokenSecretIsReportedAndItsCreationHeals() {
        k8s.apply(k8s.fixture("buildkite-token.yaml"));
        k8s.awaitCondition("minted", "Ready", "False", "BuildkiteUnauthorized");
        assertThat(k8s.condition("minted", "Ready").orElseThrow().getMessage())
                .contains("spec.buildkite.apiTokenSecretRef");

        k8s.tokenSecret("buildkite-api", BuildkiteEmulator.API_TOKEN);
        k8s.awaitReady("minted");
    }

    @Test
    void aRateLimitStormIsWaitedOut() {
        k8s.tokenSecret("buildkite-api", BuildkiteEmulator.API_TOKEN);
        buildkite.faults().rateLimited(6, Duration.ofSeconds(20));
        k8s.apply(k8s.fixture("buildkite-token.yaml"));

        k8s.awaitReady("minted");
        assertThat(clusterTokens()).hasSize(1);
        assertThat(buildkite.faults().pending()).isZero();
    }

    @Test
    void anAdoptedValueIsLeftAloneAndReportedNotRevoked() {
        sm().createSecret(EAST, secretName(), "bkct_adopted_not_minted_by_the_operator", null, java.util.Map.of());
        BuildkiteAgentToken adopted = ready();
        assertThat(clusterTokens()).as("nothing minted: no rotation is due").isEmpty();
        assertThat(adopted.getStatus().buildkite.currentTokenId).isNull();
        assertThat(adopted.getStatus().buildkite.message).contains("did not mint", "never revoked");

        requestRotation();
        k8s.awaitAdvancing("minted", STEP, t -> t.getStatus().rotation != null
                && !t.getStatus().rotation.revocableVersionIds.isEmpty());
        k8s.requestReconcile("minted");
        BuildkiteAgentToken after = k8s.awaitReady("minted");
        assertThat(clusterTokens()).hasSize(1);
        assertThat(after.getStatus().buildkite.tokens).extracting((BuildkiteTokenStatus s) -> s.revoked)
                .containsOnlyNulls();
        assertThat(after.getStatus().buildkite.message).isNull();
    }
}
