package io.elasticci.buildkite.token.aws;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import io.elasticci.buildkite.token.config.OperatorConfig;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.awscore.client.builder.AwsClientBuilder;
import software.amazon.awssdk.awscore.client.builder.AwsSyncClientBuilder;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.regions.providers.DefaultAwsRegionProviderChain;
import software.amazon.awssdk.services.autoscaling.AutoScalingClient;
import software.amazon.awssdk.services.cloudformation.CloudFormationClient;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.sts.StsClient;
import software.amazon.awssdk.services.sts.auth.StsAssumeRoleCredentialsProvider;

/**
 * SDK clients, built once per service and region and shared. Credentials and endpoints come from the SDK's own
 * resolution (default provider chain; {@code AWS_ENDPOINT_URL} and {@code AWS_ENDPOINT_URL_<SERVICE>}), so the
 * operator can be pointed at any AWS-compatible endpoint without code of its own.
 */
@ApplicationScoped
public class AwsClients {

    private final OperatorConfig.Aws config;
    private final RateLimiters rateLimiters;
    private final MeterRegistry registry;
    private final SdkHttpClient httpClient;
    /**
     * The operator's own credentials, one provider for every client: left to itself, each SDK client builds its own
     * default chain, and under IRSA or Pod Identity each would fetch and refresh the same credentials apart (an STS
     * call and a refresh schedule per service and region).
     */
    private final DefaultCredentialsProvider operatorCredentials = DefaultCredentialsProvider.builder().build();
    /**
     * The SDK's timers (call timeouts, retry back-off), shared: by default each client starts a pool of 5 threads of
     * its own, 45 threads for 3 regions that mostly sleep. Every call schedules its timeout here and cancels it when
     * it ends: a cancelled timer is dropped at once, not kept until its delay would have passed (11,800 of them
     * were queued after 1,000 tokens converged).
     */
    private final ScheduledThreadPoolExecutor sdkTimers = sdkTimers();
    private static final AtomicInteger TIMER_THREADS = new AtomicInteger();
    private final Map<String, SecretsManagerClient> secretsManager = new ConcurrentHashMap<>();
    private final Map<String, KmsClient> kms = new ConcurrentHashMap<>();
    private final Map<String, StsClient> sts = new ConcurrentHashMap<>();
    private final Map<String, IamClient> iam = new ConcurrentHashMap<>();
    private final Map<String, CloudFormationClient> cloudFormation = new ConcurrentHashMap<>();
    private final Map<String, AutoScalingClient> autoScaling = new ConcurrentHashMap<>();
    private final Map<String, Ec2Client> ec2 = new ConcurrentHashMap<>();
    private final Map<String, StsAssumeRoleCredentialsProvider> assumed = new ConcurrentHashMap<>();

    private StsClient assumeRoleSts;

    private static ScheduledThreadPoolExecutor sdkTimers() {
        ScheduledThreadPoolExecutor timers = new ScheduledThreadPoolExecutor(2, r -> {
            Thread t = new Thread(r, "aws-sdk-timer-" + TIMER_THREADS.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        timers.setRemoveOnCancelPolicy(true);
        return timers;
    }

    /** Timers scheduled and not yet run or cancelled: a call's timeout while the call is in flight. */
    int pendingTimers() {
        return sdkTimers.getQueue().size();
    }

    @Inject
    public AwsClients(OperatorConfig config, RateLimiters rateLimiters, MeterRegistry registry) {
        this(config.aws(), rateLimiters, registry);
    }

    /** Clients whose metrics go nowhere (tests of the adapters). */
    public AwsClients(OperatorConfig.Aws config, RateLimiters rateLimiters) {
        this(config, rateLimiters, new SimpleMeterRegistry());
    }

    public AwsClients(OperatorConfig.Aws config, RateLimiters rateLimiters, MeterRegistry registry) {
        this.config = config;
        this.rateLimiters = rateLimiters;
        this.registry = registry;
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

    // Clients are per principal (AwsScope) and region: an assumed role's clients sign with its credentials.

    public SecretsManagerClient secretsManager(String region) {
        return secretsManager.computeIfAbsent(AwsScope.key(region),
                k -> build(SecretsManagerClient.builder(), "secretsmanager", region, Region.of(region)));
    }

    public KmsClient kms(String region) {
        return kms.computeIfAbsent(AwsScope.key(region), k -> build(KmsClient.builder(), "kms", region,
                Region.of(region)));
    }

    public StsClient sts(String region) {
        return sts.computeIfAbsent(AwsScope.key(region), k -> build(StsClient.builder(), "sts", region,
                Region.of(region)));
    }

    public CloudFormationClient cloudFormation(String region) {
        return cloudFormation.computeIfAbsent(AwsScope.key(region),
                k -> build(CloudFormationClient.builder(), "cloudformation", region, Region.of(region)));
    }

    public AutoScalingClient autoScaling(String region) {
        return autoScaling.computeIfAbsent(AwsScope.key(region),
                k -> build(AutoScalingClient.builder(), "autoscaling", region, Region.of(region)));
    }

    public Ec2Client ec2(String region) {
        return ec2.computeIfAbsent(AwsScope.key(region), k -> build(Ec2Client.builder(), "ec2", region,
                Region.of(region)));
    }

    /** IAM is global: one client (and one rate limiter) per partition. */
    public IamClient iam(String partition) {
        return iam.computeIfAbsent(AwsScope.key(partition), k -> build(IamClient.builder(), "iam", partition,
                globalRegion(partition)));
    }

    /** The region of the SDK's default chain (AWS_REGION, profile, instance metadata), else us-east-1. */
    public static String defaultRegion() {
        try {
            return new DefaultAwsRegionProviderChain().getRegion().id();
        } catch (RuntimeException e) {
            return "us-east-1"; // STS answers in every region
        }
    }

    /**
     * The assumed role's credentials: AssumeRole with the operator's own credentials, cached and refreshed by the SDK
     * before they expire (one provider per principal, shared by its clients).
     */
    private AwsCredentialsProvider credentials(AwsPrincipal principal) {
        return assumed.computeIfAbsent(principal.key(), k -> StsAssumeRoleCredentialsProvider.builder()
                .stsClient(assumeRoleClient())
                .refreshRequest(r -> {
                    r.roleArn(principal.roleArn().orElseThrow()).roleSessionName(principal.sessionName());
                    principal.externalId().ifPresent(r::externalId);
                })
                .build());
    }

    private synchronized StsClient assumeRoleClient() {
        if (assumeRoleSts == null) {
            assumeRoleSts = AwsScope.with(AwsPrincipal.OPERATOR, () -> build(StsClient.builder(), "sts",
                    defaultRegion(), Region.of(defaultRegion())));
        }
        return assumeRoleSts;
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
        AwsPrincipal principal = AwsScope.current();
        Function<String, RateLimiter> limiters = rateLimiters.forService(service, limiterScope(principal, scope),
                region.id());
        ClientOverrideConfiguration override = ClientOverrideConfiguration.builder()
                // The Java SDK still defaults to the legacy retry mode; STANDARD is what AWS recommends.
                .retryStrategy(AwsRetryStrategy.standardRetryStrategy().toBuilder()
                        .maxAttempts(config.maxAttempts()).build())
                .apiCallTimeout(config.apiCallTimeout())
                .addExecutionInterceptor(new AwsCallInterceptor(limiters, registry, service, region.id()))
                .scheduledExecutorService(sdkTimers)
                .build();
        builder.region(region).overrideConfiguration(override).httpClient(httpClient)
                .credentialsProvider(principal.assumesRole() ? credentials(principal) : operatorCredentials);
        return builder.build();
    }

    /**
     * The limiter a call of {@code operation} in {@code region} would wait for, as the current principal: how busy
     * that quota is.
     */
    public RateLimiter limiter(String service, String operation, String region) {
        return rateLimiters.forCall(service, operation, limiterScope(AwsScope.current(), region), region);
    }

    /** AWS's limits are per account and region: an assumed role in another account has limiters of its own. */
    private static String limiterScope(AwsPrincipal principal, String scope) {
        return principal.account().map(a -> a + "/" + scope).orElse(scope);
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
        assumed.values().forEach(StsAssumeRoleCredentialsProvider::close);
        if (assumeRoleSts != null) {
            assumeRoleSts.close();
        }
        operatorCredentials.close();
        httpClient.close();
        sdkTimers.shutdownNow();
    }
}
