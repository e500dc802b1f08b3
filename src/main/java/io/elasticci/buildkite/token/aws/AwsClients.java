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
import software.amazon.awssdk.http.apache5.Apache5HttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.autoscaling.AutoScalingClient;
import software.amazon.awssdk.services.cloudformation.CloudFormationClient;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.iam.IamClient;
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
    private final Map<String, IamClient> iam = new ConcurrentHashMap<>();
    private final Map<String, CloudFormationClient> cloudFormation = new ConcurrentHashMap<>();
    private final Map<String, AutoScalingClient> autoScaling = new ConcurrentHashMap<>();
    private final Map<String, Ec2Client> ec2 = new ConcurrentHashMap<>();

    @Inject
    public AwsClients(OperatorConfig config, RateLimiters rateLimiters) {
        this(config.aws(), rateLimiters);
    }

    public AwsClients(OperatorConfig.Aws config, RateLimiters rateLimiters) {
        this.config = config;
        this.rateLimiters = rateLimiters;
        // Bounded everywhere: a silent endpoint must fail a call, not hold a reconcile thread (and its pool slot).
        this.httpClient = Apache5HttpClient.builder()
                .maxConnections(config.http().maxConnections())
                .connectionTimeout(config.http().connectTimeout())
                .socketTimeout(config.http().socketTimeout())
                .connectionAcquisitionTimeout(config.http().acquireTimeout())
                .build();
    }

    /** The settings these clients were built with. */
    public OperatorConfig.Aws config() {
        return config;
    }

    public SecretsManagerClient secretsManager(String region) {
        return secretsManager.computeIfAbsent(region,
                r -> build(SecretsManagerClient.builder(), "secretsmanager", r, Region.of(r)));
    }

    public KmsClient kms(String region) {
        return kms.computeIfAbsent(region, r -> build(KmsClient.builder(), "kms", r, Region.of(r)));
    }

    public StsClient sts(String region) {
        return sts.computeIfAbsent(region, r -> build(StsClient.builder(), "sts", r, Region.of(r)));
    }

    public CloudFormationClient cloudFormation(String region) {
        return cloudFormation.computeIfAbsent(region,
                r -> build(CloudFormationClient.builder(), "cloudformation", r, Region.of(r)));
    }

    public AutoScalingClient autoScaling(String region) {
        return autoScaling.computeIfAbsent(region,
                r -> build(AutoScalingClient.builder(), "autoscaling", r, Region.of(r)));
    }

    public Ec2Client ec2(String region) {
        return ec2.computeIfAbsent(region, r -> build(Ec2Client.builder(), "ec2", r, Region.of(r)));
    }

    /** IAM is global: one client (and one rate limiter) per partition. */
    public IamClient iam(String partition) {
        return iam.computeIfAbsent(partition, p -> build(IamClient.builder(), "iam", p, globalRegion(p)));
    }

    private static Region globalRegion(String partition) {
        return switch (partition) {
            case "aws-us-gov" -> Region.AWS_US_GOV_GLOBAL;
            case "aws-cn" -> Region.AWS_CN_GLOBAL;
            default -> Region.AWS_GLOBAL;
        };
    }

    private <B extends AwsClientBuilder<B, C> & AwsSyncClientBuilder<B, C>, C> C build(B builder, String service,
            String scope, Region region) {
        RateLimiter limiter = rateLimiters.forService(service, scope);
        ClientOverrideConfiguration override = ClientOverrideConfiguration.builder()
                // The Java SDK still defaults to the legacy retry mode; STANDARD is what AWS recommends.
                .retryStrategy(AwsRetryStrategy.standardRetryStrategy().toBuilder()
                        .maxAttempts(config.maxAttempts()).build())
                .apiCallTimeout(config.apiCallTimeout())
                .addExecutionInterceptor(new RateLimitInterceptor(limiter))
                .build();
        return builder.region(region).overrideConfiguration(override).httpClient(httpClient).build();
    }

    @PreDestroy
    void close() {
        secretsManager.values().forEach(SecretsManagerClient::close);
        kms.values().forEach(KmsClient::close);
        sts.values().forEach(StsClient::close);
        iam.values().forEach(IamClient::close);
        cloudFormation.values().forEach(CloudFormationClient::close);
        autoScaling.values().forEach(AutoScalingClient::close);
        ec2.values().forEach(Ec2Client::close);
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
