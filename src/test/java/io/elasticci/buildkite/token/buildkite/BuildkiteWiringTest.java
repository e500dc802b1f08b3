package io.elasticci.buildkite.token.buildkite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.elasticci.buildkite.token.e2e.EmulatorResource;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;

/**
 * The gateway is a bean of the operator: resolvable by its interface, built from bkat.buildkite.* with the operator's
 * clock, sleeper and meter registry. (The e2e tests' annotations, so that one application serves them all; without
 * an API token configured, nothing reaches the network.)
 */
@QuarkusTest
@WithKubernetesTestServer
@QuarkusTestResource(value = EmulatorResource.class, restrictToAnnotatedClass = true)
class BuildkiteWiringTest {

    @Inject
    BuildkiteTokens tokens;

    @Inject
    MeterRegistry registry;

    @Test
    void theOperatorsBuildkiteTokensIsTheHttpAdapterCountedInItsRegistry() {
        BuildkiteFailure e = catchThrowableOfType(() -> tokens.list(new ClusterTokenRef("acme", "cluster")),
                BuildkiteFailure.class);

        assertThat(tokens.toString()).contains("HttpBuildkiteTokens[BuildkiteApi["
                + EmulatorResource.buildkite().endpoint().toString().replaceAll("/$", ""));
        assertThat(e.kind()).isEqualTo(BuildkiteFailure.Kind.UNAUTHORIZED);
        assertThat(registry.find("bkat.buildkite.calls").tags("operation", "listTokens", "outcome", "unauthorized")
                .counter().count()).isGreaterThanOrEqualTo(1);
    }
}
