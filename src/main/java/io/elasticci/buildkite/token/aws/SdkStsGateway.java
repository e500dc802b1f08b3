package io.elasticci.buildkite.token.aws;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import software.amazon.awssdk.services.sts.model.GetCallerIdentityResponse;

/** {@link StsGateway} over the AWS SDK. */
@ApplicationScoped
public class SdkStsGateway implements StsGateway {

    /**
     * Who the credentials are (account, partition, role) stays the same when the SDK refreshes them (IRSA, Pod
     * Identity, an assumed role's session): asked once per 15 minutes, like the other account-wide reads, not on every
     * pass. A process given another identity is a new deployment, hence a new cache.
     */
    static final long TTL_NANOS = java.util.concurrent.TimeUnit.MINUTES.toNanos(15);

    private final AwsClients clients;
    private final String region;
    /** Per principal (the operator, or each role it assumes). */
    private final Map<String, Cached> cached = new ConcurrentHashMap<>();

    private record Cached(CallerIdentity identity, long at) {
    }

    @Inject
    public SdkStsGateway(AwsClients clients) {
        this(clients, AwsClients.defaultRegion());
    }

    public SdkStsGateway(AwsClients clients, String region) {
        this.clients = clients;
        this.region = region;
    }

    @Override
    public CallerIdentity callerIdentity() {
        String key = AwsScope.current().key();
        Cached known = cached.get(key);
        if (known != null && System.nanoTime() - known.at() < TTL_NANOS) {
            return known.identity();
        }
        GetCallerIdentityResponse identity = AwsCall.run("sts", "GetCallerIdentity", region,
                () -> clients.sts(region).getCallerIdentity());
        CallerIdentity fresh = CallerIdentity.fromArn(identity.account(), identity.arn());
        cached.put(key, new Cached(fresh, System.nanoTime()));
        return fresh;
    }
}
