package io.elasticci.buildkite.token.aws;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import io.elasticci.buildkite.token.config.OperatorConfig;
import software.amazon.awssdk.awscore.client.builder.AwsClientBuilder;
import software.amazon.awssdk.awscore.client.builder.AwsSyncClientBuilder;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.sts.StsClient;

/**
 * SDK clients, built once per service and region and shared. Credentials and endpoints come from the SDK's own
 * resolution (default provider chain; {@code AWS_ENDPOINT_URL} and {@code AWS_ENDPOINT_URL_<SERVICE>}), so the
 * operator can be pointed at any AWS-compatible endpoint without code of its own.
 */
@ApplicationScoped
public class AwsClients {

    private final OperatorConfig.Aws config;
    private final RateLimiters rateLimiters;
    private final SdkHttpClient httpClient;
    private final Map<String, SecretsManagerClient> secretsManager = new ConcurrentHashMap<>();
    private final Map<String, KmsClient> kms = new ConcurrentHashMap<>();
    private final Map<String, StsClient> sts = new ConcurrentHashMap<>();

    @Inject
    public AwsClients(OperatorConfig config, RateLimiters rateLimiters) {
        this(config.aws(), rateLimiters);
    }

    public AwsClients(OperatorConfig.Aws config, RateLimiters rateLimiters) {
        this.config = config;
        this.rateLimiters = rateLimiters;
        this.httpClient = ApacheHttpClient.builder().maxConnections(64).build();
    }

    public SecretsManagerClient secretsManager(String region) {
        return secretsManager.computeIfAbsent(region,
                r -> build(SecretsManagerClient.builder(), "secretsmanager", r));
    }

    public KmsClient kms(String region) {
        return kms.computeIfAbsent(region, r -> build(KmsClient.builder(), "kms", r));
    }

    public StsClient sts(String region) {
        return sts.computeIfAbsent(region, r -> build(StsClient.builder(), "sts", r));
    }

    private <B extends AwsClientBuilder<B, C> & AwsSyncClientBuilder<B, C>, C> C build(B builder, String service,
            String region) {
        RateLimiter limiter = rateLimiters.forService(service, region);
        ClientOverrideConfiguration override = ClientOverrideConfiguration.builder()
                // The Java SDK still defaults to the legacy retry mode; STANDARD is what AWS recommends.
                .retryStrategy(AwsRetryStrategy.standardRetryStrategy().toBuilder()
                        .maxAttempts(config.maxAttempts()).build())
                .apiCallTimeout(config.apiCallTimeout())
                .addExecutionInterceptor(new RateLimitInterceptor(limiter))
                .build();
        return builder.region(Region.of(region)).overrideConfiguration(override).httpClient(httpClient).build();
    }

    @PreDestroy
    void close() {
        secretsManager.values().forEach(SecretsManagerClient::close);
        kms.values().forEach(KmsClient::close);
        sts.values().forEach(StsClient::close);
        httpClient.close();
    }

    /** Waits for the shared limiter before every attempt, retries included: AWS counts those too. */
    private record RateLimitInterceptor(RateLimiter limiter) implements ExecutionInterceptor {
        @Override
        public void beforeTransmission(Context.BeforeTransmission context, ExecutionAttributes attributes) {
            limiter.acquire();
        }
    }
}
