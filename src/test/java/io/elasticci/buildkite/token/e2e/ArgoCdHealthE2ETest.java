package io.elasticci.buildkite.token.e2e;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.elasticci.buildkite.token.api.v1alpha1.BuildkiteAgentToken;
import io.elasticci.buildkite.token.api.v1alpha1.RegionSpec;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceList;
import io.fabric8.kubernetes.client.dsl.NonNamespaceOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;

/**
 * Drives real resources into each state the Argo CD health check tells apart and captures them from the Kubernetes
 * API as the testdata of deploy/argocd/resource_customizations/.../BuildkiteAgentToken ({@link ArgoCdTestdata}).
 * Every capture is of a state that holds still: a steady state the operator rewrites identically (or not at all), or
 * the API server's own answer to a create or a spec edit, which is the object before any reconcile could see it.
 */
@QuarkusTest
@WithKubernetesTestServer
@QuarkusTestResource(value = EmulatorResource.class, restrictToAnnotatedClass = true)
class ArgoCdHealthE2ETest extends E2ETestBase {

    private static final String NAME = "ci-token";

    @Test
    void createdTokenIsProgressingUntilTheOperatorReportsStatus() {
        k8s.tokenSecret("agent-token", TOKEN_V1);
        GenericKubernetesResource created = tokens().resource(
                Serialization.jsonMapper().convertValue(k8s.fixture("token.yaml"), GenericKubernetesResource.class))
                .create();

        ArgoCdTestdata.check(k8s, "progressing_noStatus.yaml", "Progressing", created);
    }

    @Test
    void convergedTokenIsHealthy() {
        converged();

        ArgoCdTestdata.check(k8s, "healthy.yaml", "Healthy", tokens().withName(NAME).get());
    }

    @Test
    void specEditIsProgressingUntilTheOperatorObservesIt() {
        converged();

        ArgoCdTestdata.check(k8s, "progressing_generationNotObserved.yaml", "Progressing",
                editSpec("tags", Map.of("team", "platform")));
    }

    @Test
    void suspendedTokenIsSuspendedBeforeAndAfterTheOperatorObservesIt() {
        converged();

        ArgoCdTestdata.check(k8s, "suspended_notYetObserved.yaml", "Suspended", editSpec("suspend", true));
        k8s.awaitCondition(NAME, "Ready", "Unknown", "Suspended");
        ArgoCdTestdata.check(k8s, "suspended.yaml", "Suspended", tokens().withName(NAME).get());
    }

    @Test
    void replicationInProgressIsProgressing() {
        sm().setReplicationDelay(Duration.ofMinutes(1)); // the emulator's clock stands still: so does replication
        try {
            k8s.tokenSecret("agent-token", TOKEN_V1);
            k8s.apply(k8s.fixture("token.yaml"));
            k8s.awaitCondition(NAME, "Reconciling", "True", "ReplicationInProgress");
            // the first pass shows what it did; the requeues that follow find nothing to do while they wait
            k8s.await(NAME, t -> t.getStatus().plan.isEmpty());

            ArgoCdTestdata.check(k8s, "progressing_replicationInProgress.yaml", "Progressing",
                    tokens().withName(NAME).get());
        } finally {
            sm().setReplicationDelay(Duration.ZERO);
        }
    }

    @Test
    void invalidSpecIsDegradedUntilTheOperatorObservesTheFix() {
        k8s.tokenSecret("agent-token", TOKEN_V1);
        BuildkiteAgentToken token = k8s.fixture("token.yaml");
        List<RegionSpec> regions = List.copyOf(token.getSpec().getRegions());
        token.getSpec().getRegions().removeIf(r -> r.getRegion().equals(EAST)); // primaryRegion left out
        k8s.apply(token);
        k8s.awaitCondition(NAME, "Stalled", "True", "InvalidSpec"); // not requeued: only a spec edit can help

        ArgoCdTestdata.check(k8s, "degraded_invalidSpec.yaml", "Degraded", tokens().withName(NAME).get());
        ArgoCdTestdata.check(k8s, "progressing_fixNotYetObserved.yaml", "Progressing",
                editSpec("regions", regions));
    }

    @Test
    void secretOwnedByAnotherResourceIsDegraded() {
        sm().createSecret(EAST, secretName(), "bkua_theirs", null,
                Map.of(BuildkiteAgentToken.OWNER_TAG, "other-cluster/buildkite/ci-token"));
        k8s.tokenSecret("agent-token", TOKEN_V1);
        k8s.apply(k8s.fixture("token.yaml"));
        k8s.awaitCondition(NAME, "Stalled", "True", "SecretClaimed");

        ArgoCdTestdata.check(k8s, "degraded_secretClaimed.yaml", "Degraded", tokens().withName(NAME).get());
    }

    @Test
    void accessDeniedIsDegraded() {
        // AccessDenied is retried slowly: refuse every retry until the test ends (ScenarioBase clears the faults)
        for (int i = 0; i < 30; i++) {
            aws.faults().failNext("secretsmanager", "CreateSecret", "AccessDeniedException", "User: arn:aws:sts::"
                    + "123456789012:assumed-role/buildkite-token-operator/operator is not authorized to perform: "
                    + "secretsmanager:CreateSecret because no identity-based policy allows the "
                    + "secretsmanager:CreateSecret action");
        }
        k8s.tokenSecret("agent-token", TOKEN_V1);
        k8s.apply(k8s.fixture("token.yaml"));
        k8s.awaitCondition(NAME, "Stalled", "True", "AccessDenied");

        ArgoCdTestdata.check(k8s, "degraded_accessDenied.yaml", "Degraded", tokens().withName(NAME).get());
    }

    /**
     * token.yaml converged, in its steady state: a second reconcile, requested as a person would, finds nothing to do
     * and clears the plan the first one published, so no later reconcile can change what is captured.
     */
    private void converged() {
        k8s.tokenSecret("agent-token", TOKEN_V1);
        k8s.apply(k8s.fixture("token.yaml"));
        k8s.awaitReady(NAME);
        // what kubectl annotate would send; the emulator's time, so the capture reads as the rest of its times do
        Map<String, String> requested = Map.of(BuildkiteAgentToken.REQUESTED_AT_ANNOTATION,
                aws.clock().instant().toString());
        tokens().withName(NAME).patch(PatchContext.of(PatchType.JSON_MERGE),
                Serialization.asJson(Map.of("metadata", Map.of("annotations", requested))));
        k8s.await(NAME, t -> t.getStatus().plan.isEmpty());
    }

    /**
     * Sets one spec field as kubectl patch --type json does; the answer is the object as the API server stored it.
     * (A JSON patch, since the mock API server merges lists in a merge patch instead of replacing them.)
     */
    private GenericKubernetesResource editSpec(String field, Object value) {
        return tokens().withName(NAME).patch(PatchContext.of(PatchType.JSON),
                Serialization.asJson(List.of(Map.of("op", "add", "path", "/spec/" + field, "value", value))));
    }

    /** The resources as the API server serves them, without this build's model in between. */
    private NonNamespaceOperation<GenericKubernetesResource, GenericKubernetesResourceList,
            Resource<GenericKubernetesResource>> tokens() {
        return k8s.client().genericKubernetesResources(BuildkiteAgentToken.GROUP + "/" + BuildkiteAgentToken.VERSION,
                "BuildkiteAgentToken").inNamespace(k8s.namespace);
    }
}
