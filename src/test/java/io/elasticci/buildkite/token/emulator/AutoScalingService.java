package io.elasticci.buildkite.token.emulator;

import io.elasticci.buildkite.token.emulator.AutoScalingState.GroupInfo;
import io.elasticci.buildkite.token.emulator.AutoScalingState.InstanceInfo;
import io.elasticci.buildkite.token.emulator.AutoScalingState.RefreshInfo;
import io.elasticci.buildkite.token.emulator.AutoScalingState.RefreshPreferences;
import io.elasticci.buildkite.token.emulator.AutoScalingState.RollbackInfo;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * EC2 Auto Scaling over the query protocol ({@code awsQuery}, API version 2011-01-01): groups and instance
 * refreshes. The semantics live in {@link AutoScalingState}.
 */
final class AutoScalingService extends QueryService {

    static final String NAMESPACE = "http://autoscaling.amazonaws.com/doc/2011-01-01/";
    private static final int DEFAULT_MAX_RECORDS = 50;
    private static final int MAX_RECORDS = 100;

    AutoScalingService() {
        super(NAMESPACE, "2011-01-01");
        operation("DescribeAutoScalingGroups", this::describeAutoScalingGroups);
        operation("StartInstanceRefresh", this::startInstanceRefresh);
        operation("DescribeInstanceRefreshes", this::describeInstanceRefreshes);
        operation("CancelInstanceRefresh", this::cancelInstanceRefresh);
        operation("RollbackInstanceRefresh", this::rollbackInstanceRefresh);
    }

    @Override
    String name() {
        return "autoscaling";
    }

    private static AutoScalingState state(CallContext ctx) {
        return ctx.emulator().autoScaling(ctx.account());
    }

    // ------------------------------------------------------------------ operations

    private void describeAutoScalingGroups(CallContext ctx, QueryParams in, Xml out) {
        List<String> names = in.strings("AutoScalingGroupNames");
        Predicate<GroupInfo> filter = filters(in);
        List<GroupInfo> groups = state(ctx).describeGroups(ctx.region(), names).stream().filter(filter).toList();
        boolean includeInstances = !Boolean.FALSE.equals(in.bool("IncludeInstances"));
        Page<GroupInfo> page = page(groups, in);
        out.open("AutoScalingGroups");
        for (GroupInfo g : page.items()) {
            out.open("member");
            group(out, g, includeInstances);
            out.close("member");
        }
        out.close("AutoScalingGroups");
        out.element("NextToken", page.nextToken());
    }

    private void startInstanceRefresh(CallContext ctx, QueryParams in, Xml out) {
        String group = in.requiredString("AutoScalingGroupName");
        String strategy = in.string("Strategy");
        enumValue(strategy, "strategy", List.of("Rolling", "ReplaceRootVolume"));
        if ("ReplaceRootVolume".equals(strategy)) {
            throw error("ValidationError", "The emulator only supports the Rolling strategy.");
        }
        String p = "Preferences.";
        Integer minHealthy = in.integer(p + "MinHealthyPercentage");
        range(minHealthy, "preferences.minHealthyPercentage", 0, 100);
        Integer maxHealthy = in.integer(p + "MaxHealthyPercentage");
        range(maxHealthy, "preferences.maxHealthyPercentage", 100, 200);
        Integer warmup = in.integer(p + "InstanceWarmup");
        range(warmup, "preferences.instanceWarmup", 0, Integer.MAX_VALUE);
        Integer bakeTime = in.integer(p + "BakeTime");
        range(bakeTime, "preferences.bakeTime", 0, 172800);
        Integer checkpointDelay = in.integer(p + "CheckpointDelay");
        range(checkpointDelay, "preferences.checkpointDelay", 0, 172800);
        List<Integer> checkpoints = new ArrayList<>();
        for (String c : in.strings(p + "CheckpointPercentages")) {
            try {
                checkpoints.add(Integer.valueOf(c));
            } catch (NumberFormatException e) {
                throw error("ValidationError", "Invalid value for parameter CheckpointPercentages.");
            }
        }
        String scaleIn = in.string(p + "ScaleInProtectedInstances");
        enumValue(scaleIn, "preferences.scaleInProtectedInstances", List.of("Refresh", "Ignore", "Wait"));
        String standby = in.string(p + "StandbyInstances");
        enumValue(standby, "preferences.standbyInstances", List.of("Terminate", "Ignore", "Wait"));
        String d = "DesiredConfiguration.LaunchTemplate.";
        AutoScalingState.StartRequest request = new AutoScalingState.StartRequest(group, strategy, minHealthy,
                maxHealthy, warmup, in.bool(p + "SkipMatching"), in.bool(p + "AutoRollback"), scaleIn, standby,
                bakeTime, checkpoints, checkpointDelay, in.string(d + "LaunchTemplateId"),
                in.string(d + "LaunchTemplateName"), in.string(d + "Version"));
        out.element("InstanceRefreshId", state(ctx).startRefresh(ctx.region(), request));
    }

    private void describeInstanceRefreshes(CallContext ctx, QueryParams in, Xml out) {
        String group = in.requiredString("AutoScalingGroupName");
        List<RefreshInfo> refreshes = state(ctx).describeRefreshes(ctx.region(), group,
                in.strings("InstanceRefreshIds"));
        Page<RefreshInfo> page = page(refreshes, in);
        out.open("InstanceRefreshes");
        for (RefreshInfo r : page.items()) {
            out.open("member");
            refresh(out, r);
            out.close("member");
        }
        out.close("InstanceRefreshes");
        out.element("NextToken", page.nextToken());
    }

    private void cancelInstanceRefresh(CallContext ctx, QueryParams in, Xml out) {
        String group = in.requiredString("AutoScalingGroupName");
        out.element("InstanceRefreshId", state(ctx).cancelRefresh(ctx.region(), group));
    }

    private void rollbackInstanceRefresh(CallContext ctx, QueryParams in, Xml out) {
        String group = in.requiredString("AutoScalingGroupName");
        out.element("InstanceRefreshId", state(ctx).rollbackRefresh(ctx.region(), group));
    }

    // ------------------------------------------------------------------ XML

    private static void group(Xml out, GroupInfo g, boolean includeInstances) {
        out.element("AutoScalingGroupName", g.name())
                .element("AutoScalingGroupARN", g.arn());
        launchTemplate(out, g.launchTemplateId(), g.launchTemplateName(), g.launchTemplateVersion());
        out.element("MinSize", g.minSize())
                .element("MaxSize", g.maxSize())
                .element("DesiredCapacity", g.desiredCapacity())
                .element("DefaultCooldown", 300);
        out.open("AvailabilityZones");
        g.availabilityZones().forEach(z -> out.element("member", z));
        out.close("AvailabilityZones");
        out.raw("<LoadBalancerNames/><TargetGroupARNs/>");
        out.element("HealthCheckType", "EC2").element("HealthCheckGracePeriod", 300);
        if (includeInstances) {
            out.open("Instances");
            for (InstanceInfo i : g.instances()) {
                out.open("member");
                out.element("InstanceId", i.instanceId())
                        .element("InstanceType", AutoScalingState.INSTANCE_TYPE)
                        .element("AvailabilityZone", i.availabilityZone())
                        .element("LifecycleState", i.lifecycleState())
                        .element("HealthStatus", i.healthStatus());
                launchTemplate(out, i.launchTemplateId(), i.launchTemplateName(), i.launchTemplateVersion());
                out.element("ProtectedFromScaleIn", i.protectedFromScaleIn());
                out.close("member");
            }
            out.close("Instances");
        }
        out.element("CreatedTime", g.createdTime());
        out.raw("<SuspendedProcesses/><EnabledMetrics/>");
        out.open("Tags");
        for (Map.Entry<String, String> t : g.tags().entrySet()) {
            out.open("member")
                    .element("ResourceId", g.name())
                    .element("ResourceType", "auto-scaling-group")
                    .element("Key", t.getKey())
                    .element("Value", t.getValue())
                    .element("PropagateAtLaunch", true)
                    .close("member");
        }
        out.close("Tags");
        out.open("TerminationPolicies").element("member", "Default").close("TerminationPolicies");
        out.element("NewInstancesProtectedFromScaleIn", g.newInstancesProtectedFromScaleIn());
        out.element("ServiceLinkedRoleARN", "arn:" + AutoScalingState.partition(g.region()) + ":iam::"
                + g.arn().split(":")[4] + ":role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling");
    }

    private static void launchTemplate(Xml out, String id, String name, String version) {
        out.open("LaunchTemplate")
                .element("LaunchTemplateId", id)
                .element("LaunchTemplateName", name)
                .element("Version", version)
                .close("LaunchTemplate");
    }

    private static void refresh(Xml out, RefreshInfo r) {
        out.element("InstanceRefreshId", r.instanceRefreshId())
                .element("AutoScalingGroupName", r.autoScalingGroupName())
                .element("Status", r.status())
                .element("StatusReason", r.statusReason())
                .element("StartTime", r.startTime())
                .element("EndTime", r.endTime())
                .element("PercentageComplete", r.percentageComplete())
                .element("InstancesToUpdate", r.instancesToUpdate());
        out.open("ProgressDetails");
        progress(out, "LivePoolProgress", r.percentageComplete(), r.instancesToUpdate());
        out.close("ProgressDetails");
        preferences(out, r.preferences());
        if (r.desiredLaunchTemplateVersion() != null) {
            out.open("DesiredConfiguration").open("LaunchTemplate")
                    .element("Version", r.desiredLaunchTemplateVersion())
                    .close("LaunchTemplate").close("DesiredConfiguration");
        }
        RollbackInfo rb = r.rollback();
        if (rb != null) {
            out.open("RollbackDetails")
                    .element("RollbackReason", rb.rollbackReason())
                    .element("RollbackStartTime", rb.rollbackStartTime())
                    .element("PercentageCompleteOnRollback", rb.percentageCompleteOnRollback())
                    .element("InstancesToUpdateOnRollback", rb.instancesToUpdateOnRollback());
            out.open("ProgressDetailsOnRollback");
            progress(out, "LivePoolProgress", rb.percentageCompleteOnRollback(), rb.instancesToUpdateOnRollback());
            out.close("ProgressDetailsOnRollback");
            out.close("RollbackDetails");
        }
        out.element("Strategy", r.strategy());
    }

    private static void progress(Xml out, String tag, int percentage, int toUpdate) {
        out.open(tag).element("PercentageComplete", percentage).element("InstancesToUpdate", toUpdate).close(tag);
    }

    private static void preferences(Xml out, RefreshPreferences p) {
        out.open("Preferences")
                .element("MinHealthyPercentage", p.minHealthyPercentage())
                .element("MaxHealthyPercentage", p.maxHealthyPercentage())
                .element("InstanceWarmup", p.instanceWarmup());
        if (!p.checkpointPercentages().isEmpty()) {
            out.open("CheckpointPercentages");
            p.checkpointPercentages().forEach(c -> out.element("member", c));
            out.close("CheckpointPercentages");
        }
        out.element("CheckpointDelay", p.checkpointDelay())
                .element("SkipMatching", p.skipMatching())
                .element("AutoRollback", p.autoRollback())
                .element("ScaleInProtectedInstances", p.scaleInProtectedInstances())
                .element("StandbyInstances", p.standbyInstances())
                .element("BakeTime", p.bakeTime())
                .close("Preferences");
    }

    // ------------------------------------------------------------------ input helpers

    /** {@code Filters.member.N.Name / Values.member.M}: tag-key, tag-value and tag:KEY, ANDed; values ORed. */
    private Predicate<GroupInfo> filters(QueryParams in) {
        Predicate<GroupInfo> all = g -> true;
        for (QueryParams f : in.members("Filters")) {
            String name = f.string("Name");
            List<String> values = f.strings("Values");
            Predicate<GroupInfo> one;
            if ("tag-key".equals(name)) {
                one = g -> g.tags().keySet().stream().anyMatch(values::contains);
            } else if ("tag-value".equals(name)) {
                one = g -> g.tags().values().stream().anyMatch(values::contains);
            } else if (name != null && name.startsWith("tag:")) {
                String key = name.substring(4);
                one = g -> g.tags().containsKey(key) && values.contains(g.tags().get(key));
            } else {
                throw error("ValidationError", "Filter name " + name + " is not supported.");
            }
            all = all.and(one);
        }
        return all;
    }

    private record Page<T>(List<T> items, String nextToken) {
    }

    private <T> Page<T> page(List<T> all, QueryParams in) {
        Integer max = in.integer("MaxRecords");
        int size = max == null ? DEFAULT_MAX_RECORDS : max;
        if (size < 1 || size > MAX_RECORDS) {
            throw error("ValidationError", "1 validation error detected: Value '" + size + "' at 'maxRecords' "
                    + "failed to satisfy constraint: Member must have value between 1 and " + MAX_RECORDS);
        }
        int from = 0;
        String token = in.string("NextToken");
        if (token != null) {
            try {
                from = Integer.parseInt(token.substring(token.indexOf('-') + 1));
            } catch (RuntimeException e) {
                throw error("InvalidNextToken", "The token '" + token + "' is invalid.");
            }
            if (!token.startsWith("emulator-") || from < 0 || from > all.size()) {
                throw error("InvalidNextToken", "The token '" + token + "' is invalid.");
            }
        }
        int to = Math.min(all.size(), from + size);
        return new Page<>(all.subList(from, to), to < all.size() ? "emulator-" + to : null);
    }

    private void enumValue(String value, String member, List<String> allowed) {
        if (value != null && !allowed.contains(value)) {
            throw error("ValidationError", "1 validation error detected: Value '" + value + "' at '" + member
                    + "' failed to satisfy constraint: Member must satisfy enum value set: " + allowed);
        }
    }

    private void range(Integer value, String member, int min, int max) {
        if (value == null) {
            return;
        }
        if (value < min) {
            throw error("ValidationError", "1 validation error detected: Value '" + value + "' at '" + member
                    + "' failed to satisfy constraint: Member must have value greater than or equal to " + min);
        }
        if (value > max) {
            throw error("ValidationError", "1 validation error detected: Value '" + value + "' at '" + member
                    + "' failed to satisfy constraint: Member must have value less than or equal to " + max);
        }
    }
}
