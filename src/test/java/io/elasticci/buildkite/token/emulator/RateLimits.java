package io.elasticci.buildkite.token.emulator;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * AWS's request quotas: operations that share a quota draw from one token bucket per account and region (per account
 * for a global service such as IAM). A call beyond its quota is refused, and the emulator answers it as AWS does, with
 * the service's throttling error. No quota applies until one is set ({@link #awsQuotas()} sets AWS's). Time comes from
 * a nanosecond ticker, so tests can step it. Thread-safe.
 */
public final class RateLimits {

    /** Where a quota is counted. */
    public enum Scope {
        /** per account and region, as almost every AWS quota */
        REGION,
        /** per account, whatever the region (IAM, a global service) */
        ACCOUNT
    }

    /**
     * Operations sharing one quota. {@code operations} empty: every operation of the service that no other quota of
     * that service names.
     */
    public record Quota(String service, Set<String> operations, double perSecond, Scope scope) {

        public Quota {
            Objects.requireNonNull(service, "service");
            operations = Set.copyOf(operations);
            if (!(perSecond > 0)) {
                throw new IllegalArgumentException("perSecond must be positive: " + perSecond);
            }
            Objects.requireNonNull(scope, "scope");
        }

        boolean covers(String service, String operation) {
            return this.service.equals(service) && (operations.isEmpty() || operations.contains(operation));
        }
    }

    private final LongSupplier ticker;
    private final List<Quota> quotas = new CopyOnWriteArrayList<>();
    private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();

    public RateLimits() {
        this(System::nanoTime);
    }

    RateLimits(LongSupplier ticker) {
        this.ticker = ticker;
    }

    /** Adds a quota for these operations (none: every other operation of the service). */
    public RateLimits limit(String service, Scope scope, double perSecond, String... operations) {
        quotas.add(new Quota(service, Set.of(operations), perSecond, scope));
        buckets.clear();
        return this;
    }

    /**
     * AWS's quotas for the calls the operator makes. Secrets Manager's are documented (per region: 50/s for the
     * policy calls together, 50/s for the write calls together, 50/s for tagging, 10,000/s for DescribeSecret and
     * GetSecretValue); the other operations of Secrets Manager are taken as 50/s. IAM and CloudFormation publish none
     * and throttle low: taken as {@code iamPerSecond} account-wide and {@code cloudFormationPerSecond} per region.
     * KMS, STS and Auto Scaling get rates far above what the operator asks of them.
     */
    public RateLimits awsQuotas(double iamPerSecond, double cloudFormationPerSecond) {
        String sm = "secretsmanager";
        limit(sm, Scope.REGION, 50, "GetResourcePolicy", "PutResourcePolicy", "DeleteResourcePolicy",
                "ValidateResourcePolicy");
        limit(sm, Scope.REGION, 50, "PutSecretValue", "RemoveRegionsFromReplication", "ReplicateSecretToRegions",
                "StopReplicationToReplica", "UpdateSecret", "UpdateSecretVersionStage");
        limit(sm, Scope.REGION, 50, "TagResource", "UntagResource");
        limit(sm, Scope.REGION, 10_000, "DescribeSecret", "GetSecretValue");
        limit(sm, Scope.REGION, 50);
        limit("iam", Scope.ACCOUNT, iamPerSecond);
        limit("cloudformation", Scope.REGION, cloudFormationPerSecond);
        limit("kms", Scope.REGION, 1_000);
        limit("sts", Scope.REGION, 500);
        limit("autoscaling", Scope.REGION, 20);
        limit("ec2", Scope.REGION, 100);
        return this;
    }

    /** The quotas set, in order. */
    public List<Quota> quotas() {
        return List.copyOf(quotas);
    }

    /** No quotas any more. */
    public void clear() {
        quotas.clear();
        buckets.clear();
    }

    /** Takes one request from the call's quota; false when it has none left (the call is throttled). */
    boolean admit(String service, String operation, String region, String account) {
        Optional<Quota> quota = quotaOf(service, operation);
        if (quota.isEmpty()) {
            return true;
        }
        Quota q = quota.get();
        String key = q.service() + "|" + q.operations() + "|" + account + "|"
                + (q.scope() == Scope.REGION ? region : "*");
        return buckets.computeIfAbsent(key, k -> new Bucket(q.perSecond(), ticker.getAsLong()))
                .take(ticker.getAsLong());
    }

    /** The quota a call of that operation counts against, if any. */
    public Optional<Quota> quotaOf(String service, String operation) {
        Quota fallback = null;
        for (Quota q : quotas) {
            if (q.covers(service, operation)) {
                if (!q.operations().isEmpty()) {
                    return Optional.of(q);
                }
                fallback = fallback == null ? q : fallback;
            }
        }
        return Optional.ofNullable(fallback);
    }

    /** A token bucket holding up to one second's worth of requests, refilled continuously. */
    private static final class Bucket {
        private final double perSecond;
        private final double capacity;
        private double tokens;
        private long last;

        Bucket(double perSecond, long now) {
            this.perSecond = perSecond;
            this.capacity = Math.max(1, perSecond);
            this.tokens = capacity;
            this.last = now;
        }

        synchronized boolean take(long now) {
            tokens = Math.min(capacity, tokens + (now - last) * perSecond / TimeUnit.SECONDS.toNanos(1));
            last = now;
            if (tokens < 1) {
                return false;
            }
            tokens -= 1;
            return true;
        }
    }

    @Override
    public String toString() {
        List<String> parts = new ArrayList<>();
        quotas.forEach(q -> parts.add(q.service() + (q.operations().isEmpty() ? "" : q.operations()) + "="
                + q.perSecond() + "/s"));
        return "RateLimits" + parts;
    }
}
