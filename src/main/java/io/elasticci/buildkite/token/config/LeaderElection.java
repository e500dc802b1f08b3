package io.elasticci.buildkite.token.config;

import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import io.quarkus.arc.Unremovable;

/**
 * Turns leader election on: the Quarkus Operator SDK elects only when the application provides this bean, and only
 * in the profiles of {@code quarkus.operator-sdk.activate-leader-election-for-profiles} (prod). The Lease lives in the
 * operator's own namespace (inferred from its service account); deploy/base/role.yaml grants get/create/update on it.
 */
@Singleton
public class LeaderElection {

    public static final String LEASE_NAME = "buildkite-token-operator-lease";

    @Produces
    @Singleton
    @Unremovable
    LeaderElectionConfiguration leaderElectionConfiguration() {
        return new LeaderElectionConfiguration(LEASE_NAME);
    }
}
