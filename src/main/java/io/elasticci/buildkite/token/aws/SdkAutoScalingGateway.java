package io.elasticci.buildkite.token.aws;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import software.amazon.awssdk.services.autoscaling.model.AutoScalingGroup;
import software.amazon.awssdk.services.autoscaling.model.RefreshStrategy;
import software.amazon.awssdk.services.autoscaling.model.ScaleInProtectedInstances;

/**
 * {@link AutoScalingGateway} over the AWS SDK: Auto Scaling for groups and refreshes, EC2 for launch times. Group
 * reads made at the same time in a region are answered by one DescribeAutoScalingGroups and one DescribeInstances.
 */
@ApplicationScoped
public class SdkAutoScalingGateway implements AutoScalingGateway {

    /** DescribeAutoScalingGroups takes up to 50 names by default. */
    static final int GROUPS_PER_CALL = 50;
    /** DescribeInstances filters on up to 1,000 IDs; fewer keep the request small. */
    private static final int INSTANCES_PER_CALL = 500;

    private final AwsClients clients;
    /** Concurrent reconciles' group reads in a region share calls (the Auto Scaling quota is the account's). */
    private final CoalescedReads<String, List<InstanceDescription>> groups = new CoalescedReads<>(GROUPS_PER_CALL);

    @Inject
    public SdkAutoScalingGateway(AwsClients clients) {
        this.clients = clients;
    }

    @Override
    public List<InstanceDescription> instances(String region, String group) {
        List<InstanceDescription> instances = groups.get(AwsScope.key(region), group, names -> describe(region, names));
        return instances == null ? List.of() : instances;
    }

    /** The named groups' instances, by group (a group that does not exist is left out): two calls for them all. */
    private Map<String, List<InstanceDescription>> describe(String region, List<String> names) {
        List<AutoScalingGroup> found = new ArrayList<>();
        AwsCall.run("autoscaling", "DescribeAutoScalingGroups", region, () -> {
            clients.autoScaling(region).describeAutoScalingGroupsPaginator(b -> b.autoScalingGroupNames(names))
                    .forEach(page -> found.addAll(page.autoScalingGroups()));
            return null;
        });
        List<String> ids = found.stream().flatMap(g -> g.instances().stream()).map(i -> i.instanceId()).toList();
        Map<String, Instant> launched = new HashMap<>();
        for (int from = 0; from < ids.size(); from += INSTANCES_PER_CALL) {
            List<String> chunk = ids.subList(from, Math.min(ids.size(), from + INSTANCES_PER_CALL));
            AwsCall.run("ec2", "DescribeInstances", region, () -> {
                clients.ec2(region).describeInstancesPaginator(b -> b.instanceIds(chunk)).reservations()
                        .forEach(r -> r.instances().forEach(i -> launched.put(i.instanceId(), i.launchTime())));
                return null;
            });
        }
        Map<String, List<InstanceDescription>> byGroup = new HashMap<>();
        for (AutoScalingGroup group : found) {
            byGroup.put(group.autoScalingGroupName(), group.instances().stream()
                    .map(i -> new InstanceDescription(i.instanceId(), i.lifecycleStateAsString(),
                            Boolean.TRUE.equals(i.protectedFromScaleIn()), launched.get(i.instanceId())))
                    .toList());
        }
        return byGroup;
    }

    @Override
    public List<RefreshDescription> refreshes(String region, String group) {
        List<RefreshDescription> refreshes = new ArrayList<>();
        AwsCall.run("autoscaling", "DescribeInstanceRefreshes", region, () -> {
            clients.autoScaling(region).describeInstanceRefreshesPaginator(b -> b.autoScalingGroupName(group))
                    .forEach(page -> page.instanceRefreshes().forEach(r -> refreshes.add(new RefreshDescription(r.instanceRefreshId(),
                            r.statusAsString(), r.percentageComplete(), r.startTime(), r.statusReason()))));
            return null;
        });
        refreshes.sort(Comparator.comparing(RefreshDescription::startTime,
                Comparator.nullsLast(Comparator.reverseOrder())));
        return refreshes;
    }

    @Override
    public Duration queueWait(String region) {
        return clients.limiter("autoscaling", "DescribeInstanceRefreshes", region).queueWait();
    }

    @Override
    public String startRefresh(String region, String group, int minHealthyPercentage, String protectedInstances) {
        return AwsCall.run("autoscaling", "StartInstanceRefresh", region, () -> clients.autoScaling(region)
                .startInstanceRefresh(b -> b.autoScalingGroupName(group).strategy(RefreshStrategy.ROLLING)
                        .preferences(p -> p.minHealthyPercentage(minHealthyPercentage)
                                .scaleInProtectedInstances(ScaleInProtectedInstances.fromValue(protectedInstances))))
                .instanceRefreshId());
    }
}
