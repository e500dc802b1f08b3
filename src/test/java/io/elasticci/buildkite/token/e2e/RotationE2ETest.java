package io.elasticci.buildkite.token.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.elasticci.buildkite.token.api.v1alpha1.AutomaticRotation;
import io.elasticci.buildkite.token.api.v1alpha1.BuildkiteAgentToken;
import io.elasticci.buildkite.token.api.v1alpha1.RotationSpec;
import io.elasticci.buildkite.token.emulator.AutoScalingState;
import io.elasticci.buildkite.token.emulator.AwsEmulator;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;

/** A new version's way to every instance: replica sync, instance refreshes, and the revocation signal. */
@QuarkusTest
@WithKubernetesTestServer
@QuarkusTestResource(value = EmulatorResource.class, restrictToAnnotatedClass = true)
class RotationE2ETest extends E2ETestBase {

    private static final Duration STEP = Duration.ofSeconds(30);

    private AutoScalingState autoScaling() {
        return aws.autoScaling(AwsEmulator.DEFAULT_ACCOUNT);
    }

    private String groupOf(String region, String stack) {
        return cfn().stackOrThrow(region, stack).autoScalingGroupName();
    }

    private BuildkiteAgentToken ready() {
        k8s.tokenSecret("agent-token", TOKEN_V1);
        k8s.apply(k8s.fixture("token.yaml"));
        return k8s.awaitReady("ci-token");
    }

    private static boolean revocable(BuildkiteAgentToken t, String version) {
        return t.getStatus() != null && t.getStatus().rotation != null
                && t.getStatus().rotation.revocableVersionIds.contains(version);
    }

    private void assertOneRefreshPerGroup() {
        assertThat(autoScaling().refreshes(EAST, groupOf(EAST, eastStack()))).hasSize(1);
        assertThat(autoScaling().refreshes(WEST, groupOf(WEST, westStack()))).hasSize(1);
    }

    @Test
    void editingTheKubernetesSecretEndsWithTheOldVersionRevocable() {
        String v1 = ready().getStatus().currentVersionId;
        assertThat(k8s.get("ci-token").getStatus().rotation.versionId).isEqualTo(v1);
        assertThat(k8s.get("ci-token").getStatus().rotation.revocableVersionIds).isEmpty();

        k8s.tokenSecret("agent-token", TOKEN_V2);

        BuildkiteAgentToken rolling = k8s.await("ci-token", t -> t.getStatus().rotation != null
                && !v1.equals(t.getStatus().rotation.versionId) && t.getStatus().rotation.refreshes.size() == 2);
        assertThat(rolling.getStatus().rotation.previousVersionId).isEqualTo(v1);
        assertThat(rolling.getStatus().rotation.inSyncAt).isNotNull();
        assertThat(k8s.condition("ci-token", "InstancesRefreshed").orElseThrow().getStatus()).isEqualTo("False");

        k8s.awaitAdvancing("ci-token", STEP, t -> revocable(t, v1));
        // Revocation follows launch times; the refreshes report Successful a moment after the last launch.
        BuildkiteAgentToken done = k8s.awaitAdvancing("ci-token", STEP, t -> t.getStatus().rotation.refreshes.stream()
                .allMatch(r -> "Successful".equals(r.status)));

        assertThat(done.getStatus().rotation.refreshes).extracting(r -> r.status).containsOnly("Successful");
        assertOneRefreshPerGroup();
        assertThat(sm().secret(EAST, secretName()).orElseThrow().versions()).hasSize(2);
        for (var instance : autoScaling().instances(EAST, groupOf(EAST, eastStack()))) {
            assertThat(instance.launchTime()).isAfter(java.time.Instant.parse(done.getStatus().rotation.inSyncAt));
        }
        k8s.awaitReady("ci-token");
        assertThat(k8s.events("ci-token")).extracting(e -> e.getReason())
                .contains("SecretValueUpdated", "InstanceRefreshStarted", "VersionRevocable");
    }

    @Test
    void aChangeMadeInAwsIsReplacedByTheKubernetesValue() {
        String v1 = ready().getStatus().currentVersionId;
        sm().putValue(EAST, secretName(), "bkua_changed_by_hand");

        k8s.requestReconcile("ci-token");

        org.awaitility.Awaitility.await().atMost(OperatorHarness.TIMEOUT).until(() -> v1.equals(
                sm().secret(EAST, secretName()).orElseThrow().currentVersionId().orElse("")));
        assertThat(sm().secret(EAST, secretName()).orElseThrow().currentValue()).isEqualTo(TOKEN_V1);
        k8s.awaitEvent("ci-token", "ExternalChangeReplaced");
    }

    @Test
    void aRotationMadeOutsideTheOperatorIsRolledOut() {
        sm().createSecret(EAST, secretName(), TOKEN_V1, alias(), java.util.Map.of());
        BuildkiteAgentToken token = k8s.fixture("token.yaml");
        token.getSpec().setTokenSecretRef(null);
        k8s.apply(token);
        String v1 = k8s.awaitReady("ci-token").getStatus().currentVersionId;

        String v2 = sm().rotateNow(EAST, secretName());
        k8s.requestReconcile("ci-token");

        k8s.await("ci-token", t -> v2.equals(t.getStatus().currentVersionId));
        k8s.awaitAdvancing("ci-token", STEP, t -> revocable(t, v1));
        assertOneRefreshPerGroup();
    }

    @Test
    void protectedInstancesSkippedWithIgnoreKeepTheOldVersionInUse() {
        BuildkiteAgentToken token = k8s.fixture("token.yaml");
        token.getSpec().getRotation().setScaleInProtectedInstances(RotationSpec.ProtectedInstances.Ignore);
        k8s.tokenSecret("agent-token", TOKEN_V1);
        k8s.apply(token);
        String v1 = k8s.awaitReady("ci-token").getStatus().currentVersionId;
        String busy = autoScaling().instances(EAST, groupOf(EAST, eastStack())).get(0).instanceId();
        autoScaling().setProtected(EAST, busy, true);

        k8s.tokenSecret("agent-token", TOKEN_V2);

        BuildkiteAgentToken refreshed = k8s.awaitAdvancing("ci-token", STEP, t -> t.getStatus().rotation != null
                && t.getStatus().rotation.refreshes.size() == 2
                && t.getStatus().rotation.refreshes.stream().allMatch(r -> "Successful".equals(r.status)));
        assertThat(revocable(refreshed, v1)).isFalse();
        k8s.awaitCondition("ci-token", "InstancesRefreshed", "False", "InstancesOutdated");
        assertThat(k8s.condition("ci-token", "InstancesRefreshed").orElseThrow().getMessage())
                .contains(busy + " (scale-in protected)");
    }

    @Test
    void aFailedRefreshIsReportedAndNotRestarted() {
        ready();
        k8s.tokenSecret("agent-token", TOKEN_V2);
        k8s.await("ci-token", t -> t.getStatus().rotation != null && t.getStatus().rotation.refreshes.size() == 2);

        autoScaling().failRefresh(WEST, groupOf(WEST, westStack()), "Launch failed: insufficient capacity");

        k8s.awaitAdvancing("ci-token", STEP, t -> k8s.condition("ci-token", "InstancesRefreshed")
                .filter(c -> "RefreshFailed".equals(c.getReason())).isPresent());
        assertThat(k8s.condition("ci-token", "Stalled").orElseThrow().getStatus()).isEqualTo("True");
        assertThat(k8s.condition("ci-token", "InstancesRefreshed").orElseThrow().getMessage())
                .contains("insufficient capacity");
        assertOneRefreshPerGroup();
    }

    @Test
    void losingTheRotationStatusMidwayStartsNoSecondRefreshOrVersion() {
        String v1 = ready().getStatus().currentVersionId;
        k8s.tokenSecret("agent-token", TOKEN_V2);
        k8s.await("ci-token", t -> t.getStatus().rotation != null && t.getStatus().rotation.refreshes.size() == 2);

        // As after a restore from backup: the operator forgets everything status remembered of the rotation.
        BuildkiteAgentToken current = k8s.get("ci-token");
        current.getStatus().rotation.refreshes.clear();
        current.getStatus().rotation.versionId = v1;
        current.getStatus().rotation.previousVersionId = null;
        client.resource(current).updateStatus();
        k8s.requestReconcile("ci-token");

        k8s.awaitAdvancing("ci-token", STEP, t -> t.getStatus().rotation != null
                && t.getStatus().rotation.refreshes.size() == 2
                && t.getStatus().rotation.refreshes.stream().allMatch(r -> "Successful".equals(r.status)));
        assertOneRefreshPerGroup();
        assertThat(sm().secret(EAST, secretName()).orElseThrow().versions()).hasSize(2);
    }

    @Test
    void aLaggingReplicaHoldsTheRefreshesBack() {
        String v1 = ready().getStatus().currentVersionId;
        sm().lagReplica(WEST, Duration.ofMinutes(5));
        try {
            k8s.tokenSecret("agent-token", TOKEN_V2);

            k8s.awaitCondition("ci-token", "InstancesRefreshed", "False", "ReplicationInProgress");
            assertThat(k8s.get("ci-token").getStatus().rotation.inSyncAt).isNull();
            assertThat(autoScaling().refreshes(EAST, groupOf(EAST, eastStack()))).isEmpty();

            k8s.awaitAdvancing("ci-token", STEP, t -> revocable(t, v1));
            assertOneRefreshPerGroup();
        } finally {
            sm().lagReplica(WEST, null);
        }
    }

    @Test
    void rollingBackRestoresTheOldVersionAndRollsItOut() {
        String v1 = ready().getStatus().currentVersionId;
        k8s.tokenSecret("agent-token", TOKEN_V2);
        k8s.await("ci-token", t -> !v1.equals(t.getStatus().currentVersionId));
        String v2 = k8s.get("ci-token").getStatus().currentVersionId;
        k8s.awaitAdvancing("ci-token", STEP, t -> revocable(t, v1));

        k8s.tokenSecret("agent-token", TOKEN_V1);

        BuildkiteAgentToken back = k8s.awaitAdvancing("ci-token", STEP, t -> revocable(t, v2));
        assertThat(back.getStatus().currentVersionId).isEqualTo(v1);
        assertThat(back.getStatus().rotation.revocableVersionIds).doesNotContain(v1);
        assertThat(sm().secret(EAST, secretName()).orElseThrow().versions()).as("no third version").hasSize(2);
        assertThat(autoScaling().refreshes(EAST, groupOf(EAST, eastStack()))).as("one refresh per rollout").hasSize(2);
    }

    @Test
    void automaticRotationIsConfiguredInSecretsManager() {
        sm().createSecret(EAST, secretName(), TOKEN_V1, alias(), java.util.Map.of());
        BuildkiteAgentToken token = k8s.fixture("token.yaml");
        token.getSpec().setTokenSecretRef(null);
        AutomaticRotation automatic = new AutomaticRotation();
        automatic.setLambdaArn("arn:aws:lambda:us-east-1:123456789012:function:rotate-buildkite-token");
        automatic.setScheduleExpression("rate(30 days)");
        token.getSpec().getRotation().setAutomatic(automatic);
        k8s.apply(token);

        k8s.awaitReady("ci-token");
        var rotation = sm().rotation(EAST, secretName()).orElseThrow();
        assertThat(rotation.enabled()).isTrue();
        assertThat(rotation.lambdaArn()).isEqualTo(automatic.getLambdaArn());
        assertThat(rotation.scheduleExpression()).isEqualTo("rate(30 days)");
        assertThat(sm().secret(EAST, secretName()).orElseThrow().versions()).as("not rotated now").hasSize(1);
        assertThat(k8s.events("ci-token")).extracting(e -> e.getReason()).contains("RotationConfigured");
    }

    @Test
    void turningRefreshesOffStillWaitsForInstancesToCycle() {
        BuildkiteAgentToken token = k8s.fixture("token.yaml");
        token.getSpec().getRotation().setRefreshInstances(false);
        k8s.tokenSecret("agent-token", TOKEN_V1);
        k8s.apply(token);
        String v1 = k8s.awaitReady("ci-token").getStatus().currentVersionId;

        k8s.tokenSecret("agent-token", TOKEN_V2);
        k8s.awaitCondition("ci-token", "InstancesRefreshed", "False", "InstancesOutdated");
        assertThat(autoScaling().refreshes(EAST, groupOf(EAST, eastStack()))).isEmpty();
        assertThat(revocable(k8s.get("ci-token"), v1)).isFalse();
        aws.clock().advance(Duration.ofMinutes(1)); // instances launched from now on hold the new version
        for (String region : List.of(EAST, WEST)) {
            String group = groupOf(region, region.equals(EAST) ? eastStack() : westStack());
            autoScaling().instances(region, group).forEach(i -> autoScaling().terminateInstance(region,
                    i.instanceId()));
        }
        k8s.awaitAdvancing("ci-token", STEP, t -> revocable(t, v1));
    }
}
