package io.elasticci.buildkite.token.config;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.Secret;
import io.smallrye.config.WithDefault;

/** Every setting of the operator ({@code bkat.*} in application.properties, or BKAT_* environment variables). */
@ConfigMapping(prefix = "bkat")
public interface OperatorConfig {

    /** Cluster identity in the ownership tag; default the UID of the kube-system namespace. */
    Optional<String> clusterId();

    /** Secret names a resource may manage must start with one of these; empty allows every name. */
    Optional<List<String>> allowedSecretNamePrefixes();

    /** Namespaces whose resources are acted on; empty allows every watched namespace. */
    Optional<List<String>> allowedNamespaces();

    /**
     * Label selector of the Secrets the operator caches and reads tokens from, for example
     * {@code buildkite.elasticci.io/token-source=true}. Unset (the default): every Secret in the watched namespaces is
     * cached, as tokenSecretRef may name any. Set: only Secrets with these labels are listed, watched and held in
     * memory; a tokenSecretRef naming another Secret reports TokenSecretNotFound saying which labels are missing.
     */
    Optional<String> tokenSecretLabelSelector();

    /** Drift resync: nothing in AWS notifies the operator, so it looks again this often. */
    @WithDefault("PT10M")
    Duration resyncInterval();

    /** Requeue delay while something is in progress (replication, IAM propagation). */
    @WithDefault("PT10S")
    Duration progressInterval();

    /** Requeue delay after a transient AWS failure (throttling, outage). */
    @WithDefault("PT30S")
    Duration transientRetryInterval();

    /** Requeue delay after AccessDenied: retried, slowly. */
    @WithDefault("PT5M")
    Duration accessDeniedRetryInterval();

    /** How often the installed CRD's schema is compared with the operator's own (CRDOutdated). */
    @WithDefault("PT5M")
    Duration crdCheckInterval();

    Hmac hmac();

    Aws aws();

    LeaderElection leaderElection();

    Metrics metrics();

    /** What /q/metrics publishes beyond the bounded, aggregated series. */
    interface Metrics {
        /**
         * Per-resource series labelled with namespace and name (bkat_token_*), for alerts on one token. Off by
         * default: one series per resource (and per rotation phase it passes through), and resource names in the
         * monitoring system.
         */
        @WithDefault("false")
        boolean resourceLabels();
    }

    Buildkite buildkite();

    Shard shard();

    /**
     * Sharding: several operator Deployments on one cluster, each reconciling the resources its label selector
     * matches and electing its own leader. Selectors of different shards must not overlap, and should together cover
     * every resource (e.g. {@code buildkite.elasticci.io/shard=a}, {@code =b}, and {@code !buildkite.elasticci.io/shard}
     * for the rest). Two resources of different shards naming one stack in Manage mode are not detected.
     */
    interface Shard {
        /**
         * Label selector of the BuildkiteAgentTokens this shard reconciles; absent: all of them. Applied as
         * quarkus.operator-sdk.controllers.buildkiteagenttoken.selector (application.properties).
         */
        Optional<String> selector();

        /**
         * The shard's name ([a-z0-9-]), the suffix of its Lease; absent with a selector: a hash of the selector, so
         * that shards never share a Lease.
         */
        Optional<String> name();
    }

    /** One active replica at a time (production profile only; dev and test run alone). */
    interface LeaderElection {
        /** Off only for a single replica that must start without a Lease (e.g. no RBAC on leases). */
        @WithDefault("true")
        boolean enabled();

        /** Namespace of the Lease; default the client's (the operator's own in a cluster, the kube context's). */
        Optional<String> leaseNamespace();

        /** How long a leader that stopped renewing keeps the lease: the longest gap before another replica leads. */
        @WithDefault("PT15S")
        Duration leaseDuration();

        @WithDefault("PT10S")
        Duration renewDeadline();

        @WithDefault("PT2S")
        Duration retryPeriod();
    }

    /** The per-installation key behind ClientRequestTokens. */
    interface Hmac {
        /** The key itself (e.g. from a mounted Secret); when absent the operator keeps one in a Secret it creates. */
        Optional<String> key();

        @WithDefault("buildkite-token-operator-hmac")
        String secretName();

        /** Namespace of that Secret; default the operator's own (POD_NAMESPACE), else "default". */
        Optional<String> secretNamespace();
    }

    interface Aws {
        /**
         * Requests per second per AWS quota and region (IAM: per account), shared by every resource. Keyed by a
         * quota group of operations AWS counts together ({@code secretsmanager-write}, {@code -policy}, {@code -tag},
         * {@code -read}: see QuotaGroups) or by a service's signing name ({@code secretsmanager}, {@code iam}): a
         * group without a rate of its own takes its service's, and the operations in no group share their service's.
         * Unlisted services get 5/s.
         */
        Map<String, Double> rateLimits();

        /** Overall timeout of one API call, retries included. */
        @WithDefault("PT30S")
        Duration apiCallTimeout();

        /** SDK attempts per call (STANDARD retry mode). */
        @WithDefault("3")
        int maxAttempts();

        /**
         * How long the operator's own inline policies, as last read or written, are trusted before IAM (the most
         * throttled service) is asked again; an edit by someone else is noticed within this time. Longer than the
         * resync, so that most resyncs read no inline policy (each token has one per role: the bulk of its reads).
         */
        @WithDefault("PT15M")
        Duration inlinePolicyCacheTtl();

        /**
         * Read every role of the account, with the operator's inline policies, in one paginated
         * GetAccountAuthorizationDetails (Filter=Role, up to 1,000 roles a page) shared by every resource and renewed
         * after inlinePolicyCacheTtl, instead of one GetRole and one GetRolePolicy per role. Needs
         * iam:GetAccountAuthorizationDetails, which cannot be limited to roles: it lets the operator read every IAM
         * user, group, role and policy of the account (deploy/iam/account-reads-policy.json). Off by default; without
         * the permission the operator reads role by role, as when off, and logs it once.
         */
        @WithDefault("false")
        boolean iamAccountReads();

        /** How long alias-to-key resolutions are trusted (key IDs and ARNs never change, aliases can be retargeted). */
        @WithDefault("PT5M")
        Duration aliasCacheTtl();

        /**
         * How long one ListStacks of a region stands for the stacks of every resource there: a stack whose status and
         * last update time a listing this recent shows unchanged is not described again. A stack changed by someone
         * else is seen within this plus the resync interval. PT0S: every stack is described on every pass.
         */
        @WithDefault("PT1M")
        Duration stackListingMaxAge();

        /**
         * How long a customer managed key's policy, as last read, is trusted (each region's key is read by every
         * resource there): a key policy edit is seen within this.
         */
        @WithDefault("PT15M")
        Duration keyPolicyCacheTtl();

        Http http();
    }

    /** The one HTTP client every AWS SDK client shares (Apache HttpClient 5). */
    interface Http {
        /**
         * Connections kept across all services and regions: above the calls that can be in flight at once (50
         * reconciler threads and the AWS pool's 32), so that no call waits for a connection, which would fail it as
         * if AWS had not answered.
         */
        @WithDefault("256")
        int maxConnections();

        /** TCP connect (and TLS handshake) timeout. */
        @WithDefault("PT5S")
        Duration connectTimeout();

        /** Longest silence while waiting for response bytes. */
        @WithDefault("PT20S")
        Duration socketTimeout();

        /** Longest wait for a free pooled connection. */
        @WithDefault("PT10S")
        Duration acquireTimeout();
    }

    /** Buildkite's REST API, for cluster agent tokens. */
    interface Buildkite {
        /** Where the REST API answers (a proxy, or an emulator in tests). */
        @WithDefault("https://api.buildkite.com")
        URI baseUrl();

        /**
         * An API access token with the scopes read_clusters and write_clusters (e.g. BKAT_BUILDKITE_API_TOKEN from a
         * Secret). A {@link Secret}, so that no rendering of the configuration shows it; absent, every Buildkite
         * call fails as unauthorized without reaching Buildkite. (Unset, SmallRye still gives a Secret, holding null.)
         */
        Optional<Secret<String>> apiToken();

        /** TCP connect (and TLS handshake) timeout. */
        @WithDefault("PT5S")
        Duration connectTimeout();

        /** Longest wait for one answer. */
        @WithDefault("PT20S")
        Duration requestTimeout();

        /** Attempts per call, the first included (429, 5xx and network failures are retried). */
        @WithDefault("4")
        int maxAttempts();

        /**
         * Longest time one call may take, retries and rate-limit waits included: a call that would wait longer fails
         * as rate limited or unavailable, saying after how long to try again, rather than holding a reconcile thread.
         */
        @WithDefault("PT30S")
        Duration callTimeout();

        /** First retry delay; doubled per attempt up to {@link #maxBackoff()}, with jitter. */
        @WithDefault("PT0.5S")
        Duration initialBackoff();

        @WithDefault("PT10S")
        Duration maxBackoff();

        /** Buildkite's limit per organization; the operator paces itself below it. */
        @WithDefault("200")
        int organizationRequestsPerMinute();

        /** Buildkite's limit per user, i.e. per API access token: the tighter one for a single operator. */
        @WithDefault("50")
        int userRequestsPerMinute();
    }
}
