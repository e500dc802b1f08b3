package io.elasticci.buildkite.token.reconcile.report;

import java.util.Objects;
import java.util.Optional;

import io.elasticci.buildkite.token.api.v1alpha1.BuildkiteAgentTokenStatus;
import io.elasticci.buildkite.token.api.v1alpha1.Condition;

/** Reading a status's conditions. */
final class StatusConditions {

    private StatusConditions() {
    }

    static Optional<Condition> find(BuildkiteAgentTokenStatus status, String type) {
        return status == null ? Optional.empty()
                : status.conditions.stream().filter(c -> type.equals(c.getType())).findFirst();
    }

    static boolean isTrue(BuildkiteAgentTokenStatus status, String type) {
        return find(status, type).filter(c -> "True".equals(c.getStatus())).isPresent();
    }

    static Optional<String> readyReason(BuildkiteAgentTokenStatus status) {
        return find(status, StatusAggregator.READY).map(Condition::getReason).filter(Objects::nonNull);
    }
}
