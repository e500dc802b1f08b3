package io.elasticci.buildkite.token.buildkite;

import java.time.Clock;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import io.elasticci.buildkite.token.aws.SecretValue;
import io.elasticci.buildkite.token.config.OperatorConfig;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * One adapter per API access token (each resource names its own in a Kubernetes Secret), all sharing the operator's
 * limiters, so every resource of one organization or one Buildkite user draws from the same budget.
 */
@ApplicationScoped
public class BuildkiteClients {

    private final BuildkiteSettings settings;
    private final BuildkiteRateLimits limits;
    private final MeterRegistry registry;
    private final Clock clock;
    private final Sleeper sleeper;
    /** Keyed by a digest of the API token, never by the token itself. */
    private final Map<String, BuildkiteTokens> byToken = new ConcurrentHashMap<>();

    @Inject
    public BuildkiteClients(OperatorConfig config, BuildkiteRateLimits limits, MeterRegistry registry, Clock clock,
            Sleeper sleeper) {
        this.settings = BuildkiteSettings.from(config.buildkite());
        this.limits = limits;
        this.registry = registry;
        this.clock = clock;
        this.sleeper = sleeper;
    }

    public BuildkiteTokens forApiToken(SecretValue apiToken) {
        return byToken.computeIfAbsent(apiToken.digest(), d -> new HttpBuildkiteTokens(settings,
                java.util.Optional.of(apiToken), limits, registry, clock, sleeper));
    }
}
