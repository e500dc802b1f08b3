package io.elasticci.buildkite.token.config;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;
import java.util.regex.Pattern;

import jakarta.enterprise.context.Dependent;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import org.jboss.logging.Logger;

import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfigurationBuilder;
import io.quarkus.arc.Unremovable;

/**
 * Leader election, switched at run time by {@code bkat.leader-election.enabled} (default on). The Quarkus Operator SDK
 * asks for this bean only in the profiles of {@code quarkus.operator-sdk.activate-leader-election-for-profiles}
 * (prod), and elects only when it gets one: so the producer answers null when election is switched off. The Lease lives
 * in the configured namespace, else the client's (the service account's in a cluster, the kube context's outside);
 * deploy/base/role.yaml grants get/create/update on it.
 */
@Singleton
public class LeaderElection {

    public static final String LEASE_NAME = "buildkite-token-operator-lease";
    private static final Logger LOG = Logger.getLogger(LeaderElection.class);
    /** What a Lease name (a DNS subdomain) can end with. */
    private static final Pattern SHARD_NAME = Pattern.compile("[a-z0-9]([-a-z0-9]{0,30}[a-z0-9])?");

    /** One Lease per shard: shards run side by side, each with its own leader. */
    static String leaseName(OperatorConfig.Shard shard) {
        Optional<String> suffix = shard.name().or(() -> shard.selector().map(LeaderElection::selectorHash));
        suffix.filter(s -> !SHARD_NAME.matcher(s).matches()).ifPresent(s -> {
            throw new IllegalStateException("bkat.shard.name must be lowercase letters, digits and '-': " + s);
        });
        return suffix.map(s -> LEASE_NAME + "-" + s).orElse(LEASE_NAME);
    }

    private static String selectorHash(String selector) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(selector.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 4);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Produces
    @Dependent
    @Unremovable
    LeaderElectionConfiguration leaderElectionConfiguration(OperatorConfig config) {
        OperatorConfig.LeaderElection election = config.leaderElection();
        if (!election.enabled()) {
            LOG.info("leader election is off (bkat.leader-election.enabled=false): run one replica only");
            return null;
        }
        return LeaderElectionConfigurationBuilder.aLeaderElectionConfiguration(leaseName(config.shard()))
                .withLeaseNamespace(election.leaseNamespace().orElse(null))
                .withLeaseDuration(election.leaseDuration())
                .withRenewDeadline(election.renewDeadline())
                .withRetryPeriod(election.retryPeriod())
                .build();
    }
}
