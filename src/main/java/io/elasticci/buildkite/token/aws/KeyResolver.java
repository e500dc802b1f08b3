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

/**
 * Resolves key references to keys, remembering what does not change: a key ID or key ARN always names the same key,
 * so its resolution is kept; an alias can be retargeted, so its resolution is kept for a while only. Keys are
 * compared by the ARN this returns, never by the reference string.
 */
@ApplicationScoped
public class KeyResolver {

    /** What the AWS managed key of Secrets Manager is called in every region. */
    public static final String MANAGED_KEY_ALIAS = "alias/aws/secretsmanager";

    private final KmsGateway kms;
    private final Clock clock;
    private final Duration aliasTtl;
    private final Map<String, Cached> cache = new ConcurrentHashMap<>();

    @Inject
    public KeyResolver(KmsGateway kms, Clock clock, OperatorConfig config) {
        this(kms, clock, config.aws().aliasCacheTtl());
    }

    public KeyResolver(KmsGateway kms, Clock clock, Duration aliasTtl) {
        this.kms = kms;
        this.clock = clock;
        this.aliasTtl = aliasTtl;
    }

    /** {@code keyRef} null means the AWS managed key (what Secrets Manager reports as no key). */
    public Optional<KmsKey> resolve(String region, String keyRef) {
        String ref = keyRef == null || keyRef.isBlank() ? MANAGED_KEY_ALIAS : keyRef;
        String cacheKey = AwsScope.key(region + "|" + ref);
        Instant now = clock.instant();
        Cached cached = cache.get(cacheKey);
        if (cached != null && (cached.expires == null || now.isBefore(cached.expires))) {
            return Optional.of(cached.key);
        }
        Optional<KmsKey> key = kms.describeKey(region, ref);
        // Misses are not cached: a key created a moment later must be found on the next pass.
        key.ifPresent(k -> cache.put(cacheKey, new Cached(k, isAlias(ref) ? now.plus(aliasTtl) : null)));
        return key;
    }

    /** Forgets everything, e.g. after KMS refused a key that was cached as usable. */
    public void invalidate() {
        cache.clear();
    }

    private static boolean isAlias(String ref) {
        return ref.startsWith("alias/") || ref.contains(":alias/");
    }

    private record Cached(KmsKey key, Instant expires) {
    }
}
