package io.elasticci.buildkite.token.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

import io.elasticci.buildkite.token.api.v1alpha1.BuildkiteAgentToken;
import io.elasticci.buildkite.token.e2e.ScenarioBase;
import io.elasticci.buildkite.token.emulator.AwsEmulator;
import io.elasticci.buildkite.token.emulator.CloudFormationState.StackShape;
import io.elasticci.buildkite.token.emulator.SecretsManagerState.SecretInfo;
import io.elasticci.buildkite.token.metrics.MonitoringQueries;
import io.elasticci.buildkite.token.metrics.Scrape;
import io.elasticci.buildkite.token.plan.RotationPhase;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusIntegrationTest;

/**
 * The product as users run it: {@code target/quarkus-app/quarkus-run.jar} in its own process, configured only by
 * environment variables, against the AWS emulator and a mock Kubernetes API over real HTTP. Each capability the
 * in-process end-to-end tests cover in depth is shown here once on the packaged artifact.
 */
@QuarkusIntegrationTest
@QuarkusTestResource(value = PackagedOperatorEnvironment.class, restrictToAnnotatedClass = true)
class PackagedOperatorIT extends ScenarioBase {

    private static final Duration STEP = Duration.ofSeconds(30);
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TestHTTPResource("/")
    URL root;

    @Override
    protected KubernetesClient kubernetes() {
        return PackagedOperatorEnvironment.api().client();
    }

    @Override
    protected AwsEmulator emulator() {
        return PackagedOperatorEnvironment.aws();
    }

    /** Each test starts with AWS's clock at the operator's: a rotation compares the two, as on real AWS. */
    @Override
    protected void beforeFixtures() {
        emulator().clock().set(Instant.now());
    }

    private String clusterId() {
        return kubernetes().namespaces().withName("kube-system").get().getMetadata().getUid();
    }

    @Test
    void adoptsAnExistingSecretAndReplicatesItToASecondRegion() {
        sm().createSecret(EU, "buildkite/" + k8s.id + "/legacy-token", "bkua_legacy_value", null, java.util.Map.of());
        k8s.apply(k8s.fixture("adopt.yaml"));

        BuildkiteAgentToken token = k8s.awaitReady("legacy-token");

        SecretInfo primary = sm().secret(EU, "buildkite/" + k8s.id + "/legacy-token").orElseThrow();
        assertThat(primary.replica(EU_CENTRAL).orElseThrow().status()).isEqualTo("InSync");
        assertThat(sm().secret(EU_CENTRAL, primary.name()).orElseThrow().currentValue()).isEqualTo("bkua_legacy_value");
        assertThat(primary.tags()).containsEntry(BuildkiteAgentToken.OWNER_TAG,
                clusterId() + "/" + k8s.namespace + "/legacy-token");
        assertThat(token.getStatus().regionsReady).isEqualTo("2/2");
        assertThat(token.getStatus().secretArn).isEqualTo(primary.arn());
    }

    @Test
    void createsTheSecretFromAKubernetesSecretAndGrantsTheStacks() {
        k8s.tokenSecret("agent-token", TOKEN_V1);
        k8s.apply(k8s.fixture("token.yaml"));

        BuildkiteAgentToken token = k8s.awaitReady("ci-token");

        SecretInfo primary = sm().secret(EAST, secretName()).orElseThrow();
        assertThat(primary.currentValue()).isEqualTo(TOKEN_V1);
        assertThat(primary.kmsKeyArn()).isEqualTo(keyArnOf(EAST));
        assertThat(sm().secret(WEST, secretName()).orElseThrow().currentValue()).isEqualTo(TOKEN_V1);
        assertThat(token.getStatus().currentVersionId).isEqualTo(primary.currentVersionId().orElseThrow());
        assertThat(token.getStatus().stacksReady).isEqualTo("2/2");
        assertStackReadsToken(EAST, cfn().stackOrThrow(EAST, eastStack()));
        assertStackReadsToken(WEST, cfn().stackOrThrow(WEST, westStack()));
        assertThat(k8s.events("ci-token")).extracting(e -> e.getReason()).contains("SecretCreated", "ReplicaAdded");
        // The installation key went to the operator's namespace (its kube context's), not to "default".
        assertThat(kubernetes().secrets().inNamespace(PackagedOperatorEnvironment.OPERATOR_NAMESPACE)
                .withName("buildkite-token-operator-hmac").get()).isNotNull();
    }

    @Test
    void grantsAStackOfEachShape() {
        String legacy = "legacy-" + k8s.id;
        String custom = "custom-" + k8s.id;
        stack(WEST, legacy, StackShape.LEGACY);
        var customRole = iam().createRole("custom-agents-" + k8s.id);
        cfn().elasticCiStack(WEST, custom).shape(StackShape.CUSTOM_INSTANCE_ROLE).instanceRoleArn(customRole.arn())
                .tokenParameters("/aws/reference/secretsmanager/" + secretName(), keyIdOf(WEST)).create();
        k8s.tokenSecret("agent-token", TOKEN_V1);
        BuildkiteAgentToken token = k8s.fixture("token.yaml");
        token.getSpec().getRegions().get(1).setStacks(List.of(westStack(), legacy, custom));
        k8s.apply(token);

        BuildkiteAgentToken ready = k8s.awaitReady("ci-token");

        assertThat(ready.getStatus().stacksReady).isEqualTo("4/4");
        assertThat(cfn().stackOrThrow(EAST, eastStack()).shape()).isEqualTo(StackShape.CURRENT);
        assertStackReadsToken(EAST, cfn().stackOrThrow(EAST, eastStack()));
        for (String stack : List.of(westStack(), legacy, custom)) {
            assertStackReadsToken(WEST, cfn().stackOrThrow(WEST, stack));
        }
    }

    @Test
    void rotatesToTheOldVersionRevocableWithoutLoggingTheToken() throws IOException {
        k8s.tokenSecret("agent-token", TOKEN_V1);
        k8s.apply(k8s.fixture("token.yaml"));
        String v1 = k8s.awaitReady("ci-token").getStatus().currentVersionId;

        k8s.tokenSecret("agent-token", TOKEN_V2);
        // The emulator's refreshes take a minute of its clock, which runs with real time until the test moves it.
        k8s.await("ci-token", t -> t.getStatus().rotation != null && t.getStatus().rotation.refreshes.size() == 2);
        awaitMetrics(m -> {
            assertRotationPhase(m, RotationPhase.REFRESHING);
            assertThat(m.of("bkat_token_ready", "namespace", k8s.namespace, "name", "ci-token")).singleElement()
                    .satisfies(s -> assertThat(s.labels()).containsEntry("reason", "RefreshInProgress"))
                    .satisfies(s -> assertThat(s.value()).isZero());
            assertThat(m.sum("bkat_rotation_revocable_versions")).isZero();
        });
        BuildkiteAgentToken done = k8s.awaitAdvancing("ci-token", STEP, t -> t.getStatus().rotation != null
                && t.getStatus().rotation.revocableVersionIds.contains(v1));

        assertThat(done.getStatus().rotation.previousVersionId).isEqualTo(v1);
        assertThat(done.getStatus().rotation.refreshes).hasSize(2);
        awaitMetrics(m -> {
            assertRotationPhase(m, RotationPhase.REVOCABLE);
            assertThat(m.sum("bkat_rotation_revocable_versions")).isEqualTo(1);
            assertThat(m.sum("bkat_token_revocable_versions", "namespace", k8s.namespace, "name", "ci-token"))
                    .isEqualTo(1);
        });
        assertThat(sm().secret(EAST, secretName()).orElseThrow().currentValue()).isEqualTo(TOKEN_V2);
        assertThat(sm().secret(WEST, secretName()).orElseThrow().currentValue()).isEqualTo(TOKEN_V2);
        String log = jarLog();
        assertThat(log).as("the jar's log").contains("PutSecretValue").doesNotContain(TOKEN_V1).doesNotContain(TOKEN_V2);
    }

    @Test
    void anInvalidSpecIsStalledWithoutAnyAwsCall() {
        long calls = aws.calls().all().size();
        k8s.apply(k8s.fixture("invalid.yaml"));

        BuildkiteAgentToken token = k8s.awaitCondition("bad-token", "Stalled", "True", "InvalidSpec");

        assertThat(k8s.condition("bad-token", "Ready").orElseThrow().getReason()).isEqualTo("InvalidSpec");
        assertThat(k8s.condition("bad-token", "Ready").orElseThrow().getMessage()).contains("secretName");
        assertThat(token.getStatus().observedGeneration).isEqualTo(token.getMetadata().getGeneration());
        assertThat(aws.calls().all().size()).as("no AWS call at all, so no write").isEqualTo(calls);
    }

    @Test
    void resourcesFromANewerOrLooserCrdAreReportedAloneAndOneCreatedAfterThemBecomesReady() throws Exception {
        k8s.tokenSecret("agent-token", TOKEN_V1);
        k8s.applyRaw("future-fields.yaml");
        k8s.applyRaw("wrong-type.yaml");
        k8s.apply(k8s.fixture("token.yaml"));

        k8s.awaitReady("ci-token");
        k8s.awaitCondition("future-token", "Ready", "False", "UnknownFields");
        k8s.awaitCondition("wrong-type-token", "Ready", "False", "Unreadable");

        assertThat(k8s.condition("future-token", "Ready").orElseThrow().getMessage())
                .startsWith("spec.vault, spec.sharding, spec.regions[0].weight are not understood by this "
                        + "operator (version 0.1.0");
        assertThat(sm().secret(EAST, "buildkite/" + k8s.id + "/future-token")).as("nothing written for it").isEmpty();
        assertThat(k8s.condition("wrong-type-token", "Ready").orElseThrow().getMessage())
                .startsWith("spec.regions: expected a list");
        Scrape metrics = scrape();
        assertThat(metrics.sum("bkat_resources_unknown_fields")).isGreaterThanOrEqualTo(1);
        assertThat(metrics.sum("bkat_resources_unreadable")).isGreaterThanOrEqualTo(1);
        assertThat(jarLog()).as("one line names the unreadable object")
                .containsOnlyOnce("BuildkiteAgentToken " + k8s.namespace + "/wrong-type-token cannot be read");
    }

    @Test
    void metricsShowTheRunAndHoldEverySeriesTheMonitoringManifestsQuery() throws Exception {
        // The first look is throttled twice: the SDK's one retry (BKAT_AWS_MAX_ATTEMPTS=2) fails too.
        for (int i = 0; i < 2; i++) {
            aws.faults().failNext("secretsmanager", "DescribeSecret", EAST, "ThrottlingException", "Rate exceeded");
        }
        k8s.tokenSecret("agent-token", TOKEN_V1);
        k8s.apply(k8s.fixture("token.yaml"));
        k8s.awaitReady("ci-token");

        Scrape metrics = awaitMetrics(m -> assertThat(m.sum("bkat_token_ready", "namespace", k8s.namespace,
                "name", "ci-token", "reason", "Converged")).isEqualTo(1));

        assertThat(metrics.sum("bkat_aws_calls_total", "service", "secretsmanager", "operation", "CreateSecret",
                "outcome", "success", "region", "us-east-1")).isGreaterThanOrEqualTo(1);
        assertThat(metrics.sum("bkat_aws_calls_total", "operation", "DescribeSecret", "outcome", "not_found"))
                .as("the first look that got through finds no secret").isGreaterThanOrEqualTo(1);
        assertThat(metrics.sum("bkat_aws_calls_total", "operation", "DescribeSecret", "outcome", "throttled"))
                .as("what BkatAwsThrottled counts").isGreaterThanOrEqualTo(1);
        assertThat(metrics.sum("bkat_aws_retries_total", "service", "secretsmanager", "operation", "DescribeSecret"))
                .isGreaterThanOrEqualTo(1);
        assertThat(metrics.sum("bkat_aws_rate_limiter_wait_seconds_count", "service", "secretsmanager"))
                .isGreaterThanOrEqualTo(1);
        assertThat(metrics.sum("bkat_reconcile_seconds_count", "outcome", "ready")).isGreaterThanOrEqualTo(1);
        assertThat(metrics.sum("bkat_reconcile_seconds_bucket", "outcome", "ready", "le", "+Inf"))
                .isEqualTo(metrics.sum("bkat_reconcile_seconds_count", "outcome", "ready"));
        assertThat(metrics.sum("bkat_tokens", "reason", "Converged", "ready", "True")).isGreaterThanOrEqualTo(1);
        assertThat(metrics.sum("bkat_token_rotation_phase", "namespace", k8s.namespace, "name", "ci-token", "phase",
                "none")).as("the first version: nothing to roll out").isEqualTo(1);

        MonitoringQueries.assertEveryQueryFinds(metrics.labelsBySeries(), "the jar's /q/metrics");

        String text = get("q/metrics").body();
        assertThat(text).as("no secret, stack or token value anywhere").doesNotContain(secretName())
                .doesNotContain(eastStack()).doesNotContain(TOKEN_V1);
        assertThat(text.lines().filter(l -> !l.startsWith("bkat_token_") && !l.startsWith("#")))
                .as("resource names only in the opt-in bkat_token_* series").noneMatch(l -> l.contains(k8s.namespace));
    }

    /** Scrapes until the assertions hold (metrics follow the status a moment later); fails with the last failure. */
    private Scrape awaitMetrics(java.util.function.Consumer<Scrape> assertions) {
        java.util.concurrent.atomic.AtomicReference<Scrape> last = new java.util.concurrent.atomic.AtomicReference<>();
        org.awaitility.Awaitility.await().atMost(STEP).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
            last.set(scrape());
            assertions.accept(last.get());
        });
        return last.get();
    }

    /** ci-token, the only resource, is in this phase: in the aggregated series and in its own. */
    private void assertRotationPhase(Scrape metrics, RotationPhase phase) {
        for (RotationPhase each : RotationPhase.values()) {
            assertThat(metrics.sum("bkat_rotation_tokens", "phase", each.label())).as("tokens %s", each.label())
                    .isEqualTo(each == phase ? 1 : 0);
        }
        assertThat(metrics.of("bkat_token_rotation_phase", "namespace", k8s.namespace, "name", "ci-token"))
                .singleElement().satisfies(s -> assertThat(s.labels()).containsEntry("phase", phase.label()));
    }

    private Scrape scrape() throws IOException, InterruptedException {
        return Scrape.parse(get("q/metrics").body());
    }

    @Test
    void deletingWithDeleteRemovesEveryGrantAndTheReplicaAndSchedulesTheSecretsDeletion() {
        k8s.tokenSecret("agent-token", TOKEN_V1);
        BuildkiteAgentToken token = k8s.fixture("token.yaml");
        token.getSpec().setDeletionPolicy(io.elasticci.buildkite.token.api.v1alpha1.DeletionPolicy.Delete);
        token.getSpec().setRecoveryWindowInDays(7);
        k8s.apply(token);
        k8s.awaitReady("ci-token");
        assertStackReadsToken(EAST, cfn().stackOrThrow(EAST, eastStack()));

        k8s.delete("ci-token");
        Instant deleted = Instant.now();
        k8s.awaitGone("ci-token");
        Duration took = Duration.between(deleted, Instant.now());

        SecretInfo secret = sm().secret(EAST, secretName()).orElseThrow();
        assertThat(secret.scheduledForDeletion()).isTrue();
        assertThat(Duration.between(secret.deletedDate(), secret.deletionDate())).isEqualTo(Duration.ofDays(7));
        assertThat(sm().secret(WEST, secretName())).as("the replica is gone").isEmpty();
        assertThat(sm().resourcePolicy(EAST, secretName())).isEmpty();
        assertStackHasNoGrant(EAST, cfn().stackOrThrow(EAST, eastStack()));
        assertStackHasNoGrant(WEST, cfn().stackOrThrow(WEST, westStack()));
        System.out.println("deletion (Delete, 2 regions, 2 stacks) finished in " + took.toMillis() + " ms");
    }

    @Test
    void actsInAnotherAccountThroughAnAssumedRoleWithCredentialsCachedAcrossReconciles() {
        String target = "210987654321";
        String role = "token-operator-" + k8s.id;
        aws.iam(target).createRoleTrusting(role, "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":"
                + "\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::" + AwsEmulator.DEFAULT_ACCOUNT + ":root\"},"
                + "\"Action\":\"sts:AssumeRole\",\"Condition\":{\"StringEquals\":{\"sts:ExternalId\":\"ext-"
                + k8s.id + "\"}}}]}");
        String name = "buildkite/" + k8s.id + "/legacy-token";
        aws.secretsManager(target).createSecret(EU, name, "bkua_in_target", null, java.util.Map.of());
        long assumed = aws.calls().count("sts", "AssumeRole");
        BuildkiteAgentToken token = k8s.fixture("adopt.yaml");
        token.getSpec().getRegions().remove(1);
        io.elasticci.buildkite.token.api.v1alpha1.AwsAccessSpec access =
                new io.elasticci.buildkite.token.api.v1alpha1.AwsAccessSpec();
        access.setRoleArn("arn:aws:iam::" + target + ":role/" + role);
        access.setExternalId("ext-" + k8s.id);
        token.getSpec().setAws(access);
        token.getSpec().setExpectedAccountId(target);
        k8s.apply(token);

        assertThat(k8s.awaitReady("legacy-token").getStatus().accountId).isEqualTo(target);
        k8s.requestReconcile("legacy-token");
        k8s.awaitReady("legacy-token");

        assertThat(aws.secretsManager(target).secret(EU, name).orElseThrow().tags())
                .containsKey(BuildkiteAgentToken.OWNER_TAG);
        assertThat(sm().secret(EU, name)).isEmpty();
        assertThat(aws.calls().count("sts", "AssumeRole") - assumed).as("one AssumeRole, cached by the SDK")
                .isEqualTo(1);
    }

    @Test
    void healthAndMetricsAnswer() throws Exception {
        HttpResponse<String> health = get("q/health");
        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(health.body()).contains("\"status\": \"UP\"");
        HttpResponse<String> metrics = get("q/metrics");
        assertThat(metrics.statusCode()).isEqualTo(200);
        assertThat(metrics.body()).contains("jvm_memory_used_bytes").contains("process_uptime_seconds");
    }

    private HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create(root.toString()).resolve(path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** What the jar wrote to its log file (Quarkus points it there when it launches the jar). */
    private static String jarLog() throws IOException {
        Path file = Path.of(ConfigProvider.getConfig().getValue("quarkus.log.file.path", String.class));
        return Files.readString(file);
    }
}
