package io.elasticci.buildkite.token.aws;

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

/** {@link AutoScalingGateway} over the AWS SDK: Auto Scaling for groups and refreshes, EC2 for launch times. */
@ApplicationScoped
public class SdkAutoScalingGateway implements AutoScalingGateway {

    private final AwsClients clients;

    @Inject
    public SdkAutoScalingGateway(AwsClients clients) {
        this.clients = clients;
    }

    @Override
    public List<InstanceDescription> instances(String region, String group) {
        List<AutoScalingGroup> groups = AwsCall.run("autoscaling", "DescribeAutoScalingGroups", region,
                () -> clients.autoScaling(region).describeAutoScalingGroups(b -> b.autoScalingGroupNames(group))
                        .autoScalingGroups());
        if (groups.isEmpty() || groups.get(0).instances().isEmpty()) {
            return List.of();
        }
        List<String> ids = groups.get(0).instances().stream().map(i -> i.instanceId()).toList();
        Map<String, Instant> launched = new HashMap<>();
        AwsCall.run("ec2", "DescribeInstances", region, () -> {
            clients.ec2(region).describeInstancesPaginator(b -> b.instanceIds(ids)).reservations()
                    .forEach(r -> r.instances().forEach(i -> launched.put(i.instanceId(), i.launchTime())));
            return null;
        });
        List<InstanceDescription> instances = new ArrayList<>();
        groups.get(0).instances().forEach(i -> instances.add(new InstanceDescription(i.instanceId(),
                i.lifecycleStateAsString(), Boolean.TRUE.equals(i.protectedFromScaleIn()),
                launched.get(i.instanceId()))));
        return instances;
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
    public String startRefresh(String region, String group, int minHealthyPercentage, String protectedInstances) {
        return AwsCall.run("autoscaling", "StartInstanceRefresh", region, () -> clients.autoScaling(region)
                .startInstanceRefresh(b -> b.autoScalingGroupName(group).strategy(RefreshStrategy.ROLLING)
                        .preferences(p -> p.minHealthyPercentage(minHealthyPercentage)
                                .scaleInProtectedInstances(ScaleInProtectedInstances.fromValue(protectedInstances))))
                .instanceRefreshId());
    }
}
