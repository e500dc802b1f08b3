package io.elasticci.buildkite.token.aws;

import java.time.Duration;
import java.util.List;

/** AWS Auto Scaling (and the EC2 launch times it does not report), as the operator needs them. */
public interface AutoScalingGateway {

    /** The group's instances with their launch times; empty when the group does not exist. */
    List<InstanceDescription> instances(String region, String group);

    /** The group's instance refreshes, newest first. */
    List<RefreshDescription> refreshes(String region, String group);

    /**
     * How long an Auto Scaling call in {@code region} would wait now for the operator's share of the account's quota,
     * behind the calls already waiting.
     */
    Duration queueWait(String region);

    /** Starts a rolling refresh; returns its ID. */
    String startRefresh(String region, String group, int minHealthyPercentage, String protectedInstances);
}
