package io.elasticci.buildkite.token.aws;

import java.time.Instant;

/** An instance of an Auto Scaling group with its EC2 launch time. */
public record InstanceDescription(String id, String lifecycleState, boolean protectedFromScaleIn,
        Instant launchTime) {

    public boolean inService() {
        return "InService".equals(lifecycleState) || "Pending".equals(lifecycleState)
                || lifecycleState != null && lifecycleState.startsWith("Pending");
    }
}
