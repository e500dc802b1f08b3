package io.elasticci.buildkite.token.aws;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import software.amazon.awssdk.regions.providers.DefaultAwsRegionProviderChain;
import software.amazon.awssdk.services.sts.model.GetCallerIdentityResponse;

/** {@link StsGateway} over the AWS SDK. */
@ApplicationScoped
public class SdkStsGateway implements StsGateway {

    /** Who the credentials are changes only with the credentials: asked once a minute, not on every pass. */
    static final long TTL_NANOS = java.util.concurrent.TimeUnit.MINUTES.toNanos(1);

    private final AwsClients clients;
    private final String region;
    private volatile CallerIdentity cached;
    private volatile long cachedAt;

    @Inject
    public SdkStsGateway(AwsClients clients) {
        this(clients, defaultRegion());
    }

    public SdkStsGateway(AwsClients clients, String region) {
        this.clients = clients;
        this.region = region;
    }

    @Override
    public CallerIdentity callerIdentity() {
        CallerIdentity known = cached;
        if (known != null && System.nanoTime() - cachedAt < TTL_NANOS) {
            return known;
        }
        GetCallerIdentityResponse identity = AwsCall.run("sts", "GetCallerIdentity", region,
                () -> clients.sts(region).getCallerIdentity());
        CallerIdentity fresh = CallerIdentity.fromArn(identity.account(), identity.arn());
        cachedAt = System.nanoTime();
        cached = fresh;
        return fresh;
    }

    private static String defaultRegion() {
        try {
            return new DefaultAwsRegionProviderChain().getRegion().id();
        } catch (RuntimeException e) {
            return "us-east-1"; // STS answers GetCallerIdentity in every region
        }
    }
}
