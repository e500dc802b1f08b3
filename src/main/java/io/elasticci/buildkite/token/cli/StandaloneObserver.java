package io.elasticci.buildkite.token.cli;

import java.security.SecureRandom;
import java.time.Clock;
import java.util.Optional;
import java.util.Set;

import io.elasticci.buildkite.token.api.v1alpha1.BuildkiteAgentToken;
import io.elasticci.buildkite.token.aws.AwsClients;
import io.elasticci.buildkite.token.aws.KeyResolver;
import io.elasticci.buildkite.token.aws.PartitionHolder;
import io.elasticci.buildkite.token.aws.RateLimiters;
import io.elasticci.buildkite.token.aws.SdkAutoScalingGateway;
import io.elasticci.buildkite.token.aws.SdkCloudFormationGateway;
import io.elasticci.buildkite.token.aws.SdkIamGateway;
import io.elasticci.buildkite.token.aws.SdkKmsGateway;
import io.elasticci.buildkite.token.aws.SdkSecretsManagerGateway;
import io.elasticci.buildkite.token.aws.SdkStsGateway;
import io.elasticci.buildkite.token.config.OperatorConfig;
import io.elasticci.buildkite.token.plan.DesiredToken;
import io.elasticci.buildkite.token.plan.Snapshot;
import io.elasticci.buildkite.token.reconcile.VersionTokens;
import io.elasticci.buildkite.token.reconcile.observe.AccessObserver;
import io.elasticci.buildkite.token.reconcile.observe.AwsObserver;
import io.elasticci.buildkite.token.reconcile.observe.Parallel;
import io.elasticci.buildkite.token.reconcile.observe.RolloutObserver;
import io.elasticci.buildkite.token.reconcile.observe.StackDiscovery;
import io.elasticci.buildkite.token.reconcile.observe.StackListings;

/**
 * The operator's observer, wired by hand from the same adapters, for a process that has no CDI container. Only the
 * observer is reachable from here, and it only reads; it is never given a value, so it never reads one either.
 */
final class StandaloneObserver {

    private final AwsObserver observer;
    private final SdkSecretsManagerGateway secrets;
    /** Unused without a desired value (no version token is computed), but the observer's signature wants one. */
    private final VersionTokens unusedTokens;

    StandaloneObserver(OperatorConfig config) {
        Clock clock = Clock.systemUTC();
        AwsClients clients = new AwsClients(config.aws(), new RateLimiters(config.aws().rateLimits()));
        PartitionHolder partition = new PartitionHolder();
        SdkSecretsManagerGateway secrets = new SdkSecretsManagerGateway(clients);
        SdkKmsGateway kms = new SdkKmsGateway(clients);
        SdkIamGateway iam = new SdkIamGateway(clients, partition, clock, config.aws().inlinePolicyCacheTtl(),
                config.aws().iamAccountReads());
        Parallel parallel = new Parallel();
        SdkCloudFormationGateway cloudFormation = new SdkCloudFormationGateway(clients);
        // one pass: nothing to share a listing with
        AccessObserver access = new AccessObserver(new StackDiscovery(cloudFormation, iam,
                StackListings.off(cloudFormation)), secrets, iam, kms, parallel);
        // one pass, alone: its calls queue behind no other token's
        RolloutObserver rollout = new RolloutObserver(secrets, new SdkAutoScalingGateway(clients), parallel, clock,
                java.time.temporal.ChronoUnit.FOREVER.getDuration());
        this.secrets = secrets;
        this.observer = new AwsObserver(new SdkStsGateway(clients), secrets,
                new KeyResolver(kms, clock, config.aws().aliasCacheTtl()), parallel, access, rollout, partition);
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        this.unusedTokens = new VersionTokens(key);
    }

    /** The secret's ownership tag, if the secret exists and has one: it says which cluster manages it. */
    Optional<String> ownerTag(String region, String secretName) {
        return secrets.describe(region, secretName).map(s -> s.tags().get(BuildkiteAgentToken.OWNER_TAG));
    }

    Snapshot observe(DesiredToken desired) {
        return observer.observe(desired, Optional.empty(), Optional.empty(), unusedTokens, Set.of());
    }
}
