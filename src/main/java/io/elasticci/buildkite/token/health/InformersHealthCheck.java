package io.elasticci.buildkite.token.health;

import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Liveness;
import org.eclipse.microprofile.health.Readiness;

/**
 * DOWN, for liveness as well as readiness, once an informer stopped for good: the Quarkus Operator SDK's own check
 * covers readiness only, and a pod that is merely unready is never restarted.
 */
@Liveness
@Readiness
@ApplicationScoped
public class InformersHealthCheck implements HealthCheck {

    public static final String NAME = "informers";

    @Inject
    InformerFailures failures;

    @Override
    public HealthCheckResponse call() {
        Map<String, String> stopped = failures.stopped();
        HealthCheckResponseBuilder response = HealthCheckResponse.named(NAME).status(stopped.isEmpty());
        stopped.forEach((informer, cause) -> response.withData(informer, "stopped: " + cause));
        return response.build();
    }
}
