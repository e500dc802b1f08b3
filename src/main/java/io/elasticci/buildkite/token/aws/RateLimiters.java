package io.elasticci.buildkite.token.aws;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import io.elasticci.buildkite.token.config.OperatorConfig;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/**
 * One limiter per AWS quota ({@link QuotaGroups}: a group of operations, else a whole service) and scope (region, or
 * partition for global IAM; per account when a role in another account is assumed), shared by every resource the
 * operator manages. A group's rate is {@code bkat.aws.rate-limits.<group>}, else its service's, else 5/s.
 */
@ApplicationScoped
public class RateLimiters {

    private static final double FALLBACK_RATE = 5.0;

    private final Map<String, Double> rates;
    private final MeterRegistry registry;
    private final Map<String, RateLimiter> limiters = new ConcurrentHashMap<>();
    /** Limiters by the labels they are published under (several accounts share a group and region). */
    private final Map<String, List<RateLimiter>> published = new ConcurrentHashMap<>();

    @Inject
    public RateLimiters(OperatorConfig config, MeterRegistry registry) {
        this(config.aws().rateLimits(), registry);
    }

    public RateLimiters(Map<String, Double> rates) {
        this(rates, new SimpleMeterRegistry());
    }

    public RateLimiters(Map<String, Double> rates, MeterRegistry registry) {
        this.rates = Map.copyOf(rates);
        this.registry = registry;
    }

    /**
     * The limiter of each operation of {@code service} in {@code scope} ("[account/]region"), for one client;
     * {@code region} labels its metrics.
     */
    public Function<String, RateLimiter> forService(String service, String scope, String region) {
        return operation -> forCall(service, operation, scope, region);
    }

    public RateLimiter forCall(String service, String operation, String scope, String region) {
        String group = QuotaGroups.of(service, operation);
        return limiters.computeIfAbsent(group + "/" + scope, k -> {
            RateLimiter limiter = new RateLimiter(rate(service, group));
            publish(group, region, limiter);
            return limiter;
        });
    }

    /** The rate of a quota group: its own setting, else its service's (settings from before groups keep working). */
    double rate(String service, String group) {
        Double rate = rates.get(group);
        if (rate == null) {
            rate = rates.get(service);
        }
        return rate == null ? FALLBACK_RATE : rate;
    }

    /** Calls waiting for the limiter now, and the time during which any was waiting: where AWS's quota binds. */
    private void publish(String group, String region, RateLimiter limiter) {
        List<RateLimiter> same = published.computeIfAbsent(group + "|" + region, k -> {
            List<RateLimiter> list = new CopyOnWriteArrayList<>();
            Gauge.builder("bkat.aws.limiter.waiting", list, l -> l.stream().mapToInt(RateLimiter::waiting).sum())
                    .description("AWS calls waiting for the operator's rate limiter of their quota group")
                    .tags("group", group, "region", region).register(registry);
            FunctionCounter.builder("bkat.aws.limiter.queued", list,
                            l -> l.stream().mapToDouble(RateLimiter::queuedSeconds).sum())
                    .description("Time during which AWS calls of the quota group waited for its rate limiter")
                    .baseUnit("seconds").tags("group", group, "region", region).register(registry);
            return list;
        });
        same.add(limiter);
    }
}
