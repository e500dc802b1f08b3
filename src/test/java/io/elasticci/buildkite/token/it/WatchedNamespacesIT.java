package io.elasticci.buildkite.token.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import org.junit.jupiter.api.Test;

import io.elasticci.buildkite.token.api.v1alpha1.BuildkiteAgentToken;

/**
 * The Helm chart's watchNamespaces on the packaged jar: started with the environment the chart's Deployment gives it,
 * the operator reconciles a resource in a watched namespace and never touches one elsewhere, not even with a
 * finalizer.
 */
class WatchedNamespacesIT {

    private static final String OPERATOR_NAMESPACE = "operators";

    @Test
    void onlyResourcesInTheWatchedNamespacesAreReconciled() throws InterruptedException {
        try (StandaloneOperators servers = new StandaloneOperators("watched-namespaces", "kube-system",
                OPERATOR_NAMESPACE, "team-a", "team-b")) {
            Map<String, String> env = servers.chartEnvironment(OPERATOR_NAMESPACE, "watchNamespaces: [team-a]");
            assertThat(env).containsEntry("QUARKUS_OPERATOR_SDK_CONTROLLERS_BUILDKITEAGENTTOKEN_NAMESPACES", "team-a");
            try (PackagedOperator operator = PackagedOperator.start("watched-namespaces", env).awaitStarted()) {
                servers.adoptingToken("team-b", "elsewhere", "buildkite/elsewhere");
                servers.adoptingToken("team-a", "watched", "buildkite/watched");

                assertThat(servers.awaitReady("team-a", "watched", "True").getReason()).isEqualTo("Converged");
                Thread.sleep(2_000); // created first, it had that long on top of the time the other one took

                BuildkiteAgentToken elsewhere = servers.api.client().resources(BuildkiteAgentToken.class)
                        .inNamespace("team-b").withName("elsewhere").get();
                assertThat(elsewhere.getStatus()).as("status of the unwatched resource").isNull();
                assertThat(elsewhere.getMetadata().getFinalizers()).as("finalizers of the unwatched resource")
                        .isEmpty();
                assertThat(servers.api.client().resources(BuildkiteAgentToken.class).inNamespace("team-a")
                        .withName("watched").get().getMetadata().getFinalizers()).isNotEmpty();
                assertThat(operator.log()).doesNotContain("elsewhere");
            }
        }
    }
}
