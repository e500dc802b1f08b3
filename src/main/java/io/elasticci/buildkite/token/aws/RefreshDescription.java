package io.elasticci.buildkite.token.aws;

import java.time.Instant;
import java.util.Set;

/** One instance refresh of an Auto Scaling group. */
public record RefreshDescription(String id, String status, Integer percentComplete, Instant startTime,
        String statusReason) {

    /** Statuses in which Auto Scaling refuses to start another refresh on the group. */
    public static final Set<String> ACTIVE = Set.of("Pending", "InProgress", "Baking", "Cancelling",
            "RollbackInProgress");
    public static final String SUCCESSFUL = "Successful";

    public boolean active() {
        return ACTIVE.contains(status);
    }

    public boolean successful() {
        return SUCCESSFUL.equals(status);
    }
}
