package io.elasticci.buildkite.token.aws;

import java.time.Duration;
import java.util.Map;

import io.elasticci.buildkite.token.config.OperatorConfig;
import io.elasticci.buildkite.token.e2e.EmulatorResource;
import io.elasticci.buildkite.token.emulator.AwsEmulator;

/** Real adapters over real SDK clients, pointed at the emulator through the SDK's own endpoint settings. */
public final class GatewayTestSupport {

    public static final AwsEmulator AWS = EmulatorResource.emulator();

    public static AwsClients clients() {
        return clients(new io.micrometer.core.instrument.simple.SimpleMeterRegistry());
    }

    /** Clients whose AWS call metrics go to {@code registry}. */
    static AwsClients clients(io.micrometer.core.instrument.MeterRegistry registry) {
        return clients(registry, new RateLimiters(Map.of()));
    }

    /** Clients paced by {@code limiters}, their AWS call metrics to {@code registry}. */
    static AwsClients clients(io.micrometer.core.instrument.MeterRegistry registry, RateLimiters limiters) {
        return clients(registry, limiters, Duration.ofSeconds(10));
    }

    /** The same, each call given up after {@code apiCallTimeout} (retries included). */
    static AwsClients clients(io.micrometer.core.instrument.MeterRegistry registry, RateLimiters limiters,
            Duration apiCallTimeout) {
        return new AwsClients(new OperatorConfig.Aws() {
            public Map<String, Double> rateLimits() {
                return Map.of("secretsmanager", 1000.0, "kms", 1000.0, "sts", 1000.0);
            }

            public Duration apiCallTimeout() {
                return apiCallTimeout;
            }

            public int maxAttempts() {
                return 2;
            }

            public Duration inlinePolicyCacheTtl() {
                return Duration.ofMinutes(5);
            }

            public boolean iamAccountReads() {
                return false;
            }

            public Duration aliasCacheTtl() {
                return Duration.ofMinutes(5);
            }

            public Duration stackListingMaxAge() {
                return Duration.ofMinutes(1);
            }

            public Duration keyPolicyCacheTtl() {
                return Duration.ofMinutes(15);
            }

            public OperatorConfig.Http http() {
                return new OperatorConfig.Http() {
                    public int maxConnections() {
                        return 16;
                    }

                    public Duration connectTimeout() {
                        return Duration.ofSeconds(2);
                    }

                    public Duration socketTimeout() {
                        return Duration.ofSeconds(5);
                    }

                    public Duration acquireTimeout() {
                        return Duration.ofSeconds(5);
                    }
                };
            }
        }, limiters, registry);
    }

    static io.elasticci.buildkite.token.emulator.SecretsManagerState sm() {
        return AWS.secretsManager(AwsEmulator.DEFAULT_ACCOUNT);
    }

    static io.elasticci.buildkite.token.emulator.KmsState kms() {
        return AWS.kms(AwsEmulator.DEFAULT_ACCOUNT);
    }

    private GatewayTestSupport() {
    }
}
