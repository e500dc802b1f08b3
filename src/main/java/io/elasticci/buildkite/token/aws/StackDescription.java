package io.elasticci.buildkite.token.aws;

import java.time.Instant;
import java.util.Map;

/** A CloudFormation stack as DescribeStacks shows it. */
public record StackDescription(String name, String stackId, String region, String status, String statusReason,
        Map<String, String> parameters, Map<String, String> outputs, Instant lastChanged) {

    public StackDescription {
        parameters = Map.copyOf(parameters);
        outputs = Map.copyOf(outputs);
    }

    public boolean inProgress() {
        return status != null && status.endsWith("_IN_PROGRESS");
    }

    /** The update was rolled back: the stack runs its previous parameters. */
    public boolean updateRolledBack() {
        return "UPDATE_ROLLBACK_COMPLETE".equals(status) || "UPDATE_ROLLBACK_FAILED".equals(status);
    }

    public String parameter(String key) {
        return parameters.getOrDefault(key, "");
    }
}
