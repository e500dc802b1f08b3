package io.elasticci.buildkite.token.reconcile;

import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.elasticci.buildkite.token.api.v1alpha1.BuildkiteAgentToken;
import io.elasticci.buildkite.token.api.v1alpha1.RegionSpec;
import io.elasticci.buildkite.token.api.v1alpha1.SecretKeyRef;
import io.elasticci.buildkite.token.e2e.EmulatorResource;
import io.elasticci.buildkite.token.emulator.AwsEmulator;
import io.elasticci.buildkite.token.emulator.CloudFormationState;
import io.elasticci.buildkite.token.plan.DesiredToken;
import io.elasticci.buildkite.token.reconcile.observe.TokenSource;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;

/**
 * {@code mvn -Pbench test}: how long a reconcile of a converged token takes, and how many AWS calls it makes, for
 * 5 regions × 4 stacks with 40 ms of latency on every AWS call — the regime where parallel observation matters.
 * Prints its figures; asserts nothing about time (a benchmark, not a test).
 */
@QuarkusTest
@WithKubernetesTestServer
@QuarkusTestResource(value = EmulatorResource.class, restrictToAnnotatedClass = true)
class ReconcileBenchmark {

    private static final List<String> REGIONS = List.of("us-east-1", "us-west-2", "eu-west-1", "eu-central-1",
            "ap-southeast-2");
    private static final int STACKS_PER_REGION = 4;
    private static final Duration LATENCY = Duration.ofMillis(40);
    private static final int RUNS = 15;

    @Inject
    KubernetesClient client;
    @Inject
    Convergence convergence;
    @Inject
    InstallationSettings installation;

    @Test
    void steadyStateReconcile() {
        AwsEmulator aws = EmulatorResource.emulator();
        String ns = "bench";
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build())
                .create();
        client.secrets().inNamespace(ns).resource(new SecretBuilder().withNewMetadata().withName("agent-token")
                .endMetadata().withStringData(Map.of("token", "bkua_benchmark")).build()).create();
        BuildkiteAgentToken token = new BuildkiteAgentToken();
        token.getMetadata().setName("bench-token");
        token.getMetadata().setNamespace(ns);
        token.setSpec(new io.elasticci.buildkite.token.api.v1alpha1.BuildkiteAgentTokenSpec());
        token.getSpec().setSecretName("buildkite/bench");
        token.getSpec().setPrimaryRegion(REGIONS.get(0));
        token.getSpec().setTokenSecretRef(new SecretKeyRef("agent-token", "token"));
        List<RegionSpec> regions = new ArrayList<>();
        for (String region : REGIONS) {
            String keyId = aws.kms(AwsEmulator.DEFAULT_ACCOUNT).createKey(region).keyId();
            List<String> stacks = new ArrayList<>();
            for (int i = 0; i < STACKS_PER_REGION; i++) {
                String name = "bench-" + region + "-" + i;
                aws.cloudFormation(AwsEmulator.DEFAULT_ACCOUNT).elasticCiStack(region, name)
                        .shape(i % 2 == 0 ? CloudFormationState.StackShape.CURRENT
                                : CloudFormationState.StackShape.FIXED_SIZE)
                        .tokenParameters("/aws/reference/secretsmanager/buildkite/bench", keyId).create();
                stacks.add(name);
            }
            regions.add(new RegionSpec(region, keyId, stacks));
        }
        token.getSpec().setRegions(regions);
        aws.faults().latency(LATENCY);
        long start = System.nanoTime();
        client.resource(token).create();
        await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(50)).until(() -> {
            BuildkiteAgentToken t = client.resources(BuildkiteAgentToken.class).inNamespace(ns).withName("bench-token")
                    .get();
            return t.getStatus() != null && t.getStatus().conditions.stream()
                    .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
        });
        long firstMillis = (System.nanoTime() - start) / 1_000_000;

        BuildkiteAgentToken converged = client.resources(BuildkiteAgentToken.class).inNamespace(ns)
                .withName("bench-token").get();
        DesiredToken desired = DesiredTokens.of(converged, installation.clusterId(), List.of());
        Convergence.Request request = new Convergence.Request(desired, TokenSource.read(ns,
                converged.getSpec().getTokenSecretRef(), java.util.Optional.ofNullable(
                        client.secrets().inNamespace(ns).withName("agent-token").get())),
                installation.versionTokens(), DesiredTokens.previousRoles(converged), false);
        List<Long> millis = new ArrayList<>();
        long calls = 0;
        long writes = 0;
        Map<String, Long> perService = new java.util.TreeMap<>();
        for (int i = 0; i < RUNS; i++) {
            long callsBefore = aws.calls().all().size();
            long writesBefore = aws.calls().writeCount();
            long t0 = System.nanoTime();
            Convergence.Result result = convergence.run(request, a -> {
            });
            millis.add((System.nanoTime() - t0) / 1_000_000);
            calls = aws.calls().all().size() - callsBefore;
            perService.clear();
            aws.calls().all().subList((int) callsBefore, aws.calls().all().size())
                    .forEach(c -> perService.merge(c.service() + ":" + c.operation(), 1L, Long::sum));
            writes += aws.calls().writeCount() - writesBefore;
            if (!result.pending().isEmpty() || !result.problems().isEmpty()) {
                throw new AssertionError("not converged: " + result.problems() + " " + result.pending());
            }
        }
        aws.faults().clear();
        Collections.sort(millis);
        System.out.printf("%n=== ReconcileBenchmark: %d regions x %d stacks, %d ms per AWS call ===%n", REGIONS.size(),
                STACKS_PER_REGION, LATENCY.toMillis());
        System.out.printf("first convergence (create, replicate, grant %d stacks): %d ms%n",
                REGIONS.size() * STACKS_PER_REGION, firstMillis);
        System.out.printf("steady-state reconcile over %d runs: median %d ms, max %d ms%n", RUNS,
                millis.get(RUNS / 2), millis.get(RUNS - 1));
        System.out.printf("AWS calls per steady-state reconcile: %d (writes over all runs: %d): %s%n", calls, writes,
                perService);
        System.out.printf("the same calls one after another would take at least %d ms%n",
                calls * LATENCY.toMillis());
    }
}
