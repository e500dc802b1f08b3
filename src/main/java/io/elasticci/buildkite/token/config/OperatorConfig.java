package io.elasticci.buildkite.token.config;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
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

    Hmac hmac();

    Aws aws();

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
         * Requests per second per service and region (IAM: per account), shared by every resource; keyed by the
         * service's signing name (bkat.aws.rate-limits.secretsmanager=25). Unlisted services get 5/s.
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
         * throttled service) is asked again; an edit by someone else is noticed within this time.
         */
        @WithDefault("PT5M")
        Duration inlinePolicyCacheTtl();

        /** How long alias-to-key resolutions are trusted (key IDs and ARNs never change, aliases can be retargeted). */
        @WithDefault("PT5M")
        Duration aliasCacheTtl();
    }
}
