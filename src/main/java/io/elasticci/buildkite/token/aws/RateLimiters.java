package io.elasticci.buildkite.token.aws;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import io.elasticci.buildkite.token.config.OperatorConfig;

/** One limiter per service and region (per account for global IAM), shared by every resource the operator manages. */
@ApplicationScoped
public class RateLimiters {

    private static final double FALLBACK_RATE = 5.0;

    private final Map<String, Double> rates;
    private final Map<String, RateLimiter> limiters = new ConcurrentHashMap<>();

    @Inject
    public RateLimiters(OperatorConfig config) {
        this(config.aws().rateLimits());
    }

    public RateLimiters(Map<String, Double> rates) {
        this.rates = Map.copyOf(rates);
    }

    public RateLimiter forService(String service, String scope) {
        return limiters.computeIfAbsent(service + "/" + scope,
                k -> new RateLimiter(rates.getOrDefault(service, FALLBACK_RATE)));
    }
}
