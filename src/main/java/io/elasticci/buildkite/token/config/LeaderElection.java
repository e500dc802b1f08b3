package io.elasticci.buildkite.token.config;

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

    @Produces
    @Dependent
    @Unremovable
    LeaderElectionConfiguration leaderElectionConfiguration(OperatorConfig config) {
        OperatorConfig.LeaderElection election = config.leaderElection();
        if (!election.enabled()) {
            LOG.info("leader election is off (bkat.leader-election.enabled=false): run one replica only");
            return null;
        }
        return LeaderElectionConfigurationBuilder.aLeaderElectionConfiguration(LEASE_NAME)
                .withLeaseNamespace(election.leaseNamespace().orElse(null))
                .withLeaseDuration(election.leaseDuration())
                .withRenewDeadline(election.renewDeadline())
                .withRetryPeriod(election.retryPeriod())
                .build();
    }
}
