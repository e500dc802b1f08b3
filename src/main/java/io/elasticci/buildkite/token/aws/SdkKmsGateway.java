package io.elasticci.buildkite.token.aws;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import io.elasticci.buildkite.token.config.OperatorConfig;
import software.amazon.awssdk.services.kms.model.KeyManagerType;
import software.amazon.awssdk.services.kms.model.KeyState;

/** {@link KmsGateway} over the AWS SDK. */
@ApplicationScoped
public class SdkKmsGateway implements KmsGateway {

    private final AwsClients clients;
    private final Clock clock;
    private final Duration keyPolicyTtl;
    /**
     * Key policies as last read, by principal, region and key: every resource with stacks in a region reads that
     * region's key policy on every pass, and it changes rarely and only by hand.
     */
    private final Map<String, Cached> keyPolicies = new ConcurrentHashMap<>();

    private record Cached(String policy, Instant expires) {
    }

    @Inject
    public SdkKmsGateway(AwsClients clients, Clock clock, OperatorConfig config) {
        this(clients, clock, config.aws().keyPolicyCacheTtl());
    }

    /** Key policies read on every call (one pass, as the plan command makes). */
    public SdkKmsGateway(AwsClients clients) {
        this(clients, Clock.systemUTC(), Duration.ZERO);
    }

    public SdkKmsGateway(AwsClients clients, Clock clock, Duration keyPolicyTtl) {
        this.clients = clients;
        this.clock = clock;
        this.keyPolicyTtl = keyPolicyTtl;
    }

    @Override
    public Optional<KmsKey> describeKey(String region, String keyRef) {
        return AwsCall.absentIfNotFound(() -> AwsCall.run("kms", "DescribeKey", region,
                () -> clients.kms(region).describeKey(b -> b.keyId(keyRef)).keyMetadata()))
                .map(key -> new KmsKey(key.keyId(), key.arn(), key.keyState() == KeyState.ENABLED,
                        key.keyManager() == KeyManagerType.AWS));
    }

    @Override
    public String keyPolicy(String region, String keyId) {
        String key = AwsScope.key(region + "|" + keyId);
        Instant now = clock.instant();
        Cached cached = keyPolicies.get(key);
        if (cached != null && now.isBefore(cached.expires())) {
            return cached.policy();
        }
        String policy = AwsCall.run("kms", "GetKeyPolicy", region,
                () -> clients.kms(region).getKeyPolicy(b -> b.keyId(keyId).policyName("default")).policy());
        if (!keyPolicyTtl.isZero() && !keyPolicyTtl.isNegative()) {
            keyPolicies.put(key, new Cached(policy, now.plus(keyPolicyTtl)));
        }
        return policy;
    }
}
