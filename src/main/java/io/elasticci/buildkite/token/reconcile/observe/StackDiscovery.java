package io.elasticci.buildkite.token.reconcile.observe;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import io.elasticci.buildkite.token.aws.AwsScope;
import io.elasticci.buildkite.token.aws.CloudFormationGateway;
import io.elasticci.buildkite.token.aws.IamGateway;
import io.elasticci.buildkite.token.aws.RoleInfo;
import io.elasticci.buildkite.token.aws.StackDescription;
import io.elasticci.buildkite.token.aws.StackResource;
import io.elasticci.buildkite.token.aws.StackSummary;
import io.elasticci.buildkite.token.plan.StackObservation;
import io.elasticci.buildkite.token.plan.StackPlanner;

/**
 * Finds an Elastic CI Stack's roles and Auto Scaling group, whatever its shape: the instance role is {@code IAMRole}
 * unless {@code InstanceRoleARN} names one; the scaler role is {@code ExecutionRole} in the nested {@code Autoscaling}
 * or {@code AutoscalingArm64} stack, or {@code AutoscalingLambdaExecutionRole} in stacks from 2019–2020, and absent
 * in a fixed-size stack. What the stack created is cached until the stack changes (its last update time); a custom
 * instance role is re-read every time, since it changes outside CloudFormation. With {@link StackListings} on, a stack
 * is described again only when a recent listing of its region shows it changed (status or last update), is in
 * progress, or is not listed; else its last description stands.
 */
@ApplicationScoped
public class StackDiscovery {

    static final String INSTANCE_ROLE = "IAMRole";
    static final String LEGACY_SCALER_ROLE = "AutoscalingLambdaExecutionRole";
    static final String NESTED_SCALER_ROLE = "ExecutionRole";
    static final List<String> SCALER_STACKS = List.of("Autoscaling", "AutoscalingArm64");
    static final String AUTO_SCALING_GROUP = "AgentAutoScaleGroup";
    static final String CUSTOM_ROLE_PARAMETER = "InstanceRoleARN";
    static final String GROUP_OUTPUT = "AutoScalingGroupName";
    static final String INSTANCE_ROLE_OUTPUT = "InstanceRoleName";
    /** The parameter values and outputs read from a description; the rest is not kept. */
    private static final Set<String> PARAMETERS_READ = Set.of(CUSTOM_ROLE_PARAMETER, StackPlanner.PATH_PARAMETER,
            StackPlanner.KEY_PARAMETER);
    private static final Set<String> OUTPUTS_READ = Set.of(GROUP_OUTPUT, INSTANCE_ROLE_OUTPUT);

    private final CloudFormationGateway cloudFormation;
    private final IamGateway iam;
    private final Map<String, Layout> layouts = new ConcurrentHashMap<>();
    private final Map<String, RoleInfo> stackRoles = new ConcurrentHashMap<>();
    private final StackListings listings;
    /** Each stack as last described, by StackId: stands while listings show it unchanged. */
    private final Map<String, StackDescription> described = new ConcurrentHashMap<>();

    /** What a stack version created: names only. */
    private record Layout(String version, String instanceRole, List<String> scalerRoles, String autoScalingGroup) {
    }

    /** A stack changes what it created when it is updated, and again when the update completes or rolls back. */
    private static String versionOf(StackDescription stack) {
        return stack.lastChanged() + "|" + stack.status();
    }

    @Inject
    public StackDiscovery(CloudFormationGateway cloudFormation, IamGateway iam, StackListings listings) {
        this.cloudFormation = cloudFormation;
        this.iam = iam;
        this.listings = listings;
    }

    /**
     * @param fresh describe the stack whatever a listing shows (one this operator just updated: a listing from before
     *        the update must not hide it)
     */
    public StackObservation discover(String region, String stackName, boolean fresh) {
        Optional<StackDescription> found = describe(region, stackName, fresh);
        if (found.isEmpty()) {
            return StackObservation.missing(region, stackName);
        }
        StackDescription stack = found.get();
        Layout layout = layouts.get(stack.stackId());
        if (layout == null || !layout.version().equals(versionOf(stack))) {
            layout = layout(stack);
            layouts.put(stack.stackId(), layout);
            // A changed stack may have re-created its roles under the same names: read them afresh.
            layout.scalerRoles().forEach(r -> stackRoles.remove(AwsScope.key(r)));
            if (layout.instanceRole() != null) {
                stackRoles.remove(AwsScope.key(layout.instanceRole()));
            }
        }
        List<String> missing = new ArrayList<>();
        String customRoleArn = stack.parameter(CUSTOM_ROLE_PARAMETER);
        Optional<RoleInfo> instanceRole;
        if (!customRoleArn.isBlank()) {
            String name = RoleInfo.nameOf(customRoleArn);
            instanceRole = iam.role(name);
            if (instanceRole.isEmpty()) {
                missing.add(name);
            }
        } else {
            instanceRole = layout.instanceRole() == null ? Optional.empty() : stackRole(layout.instanceRole(), missing);
        }
        List<RoleInfo> scalers = new ArrayList<>();
        layout.scalerRoles().forEach(name -> stackRole(name, missing).ifPresent(scalers::add));
        return new StackObservation(region, stackName, Optional.of(stack), instanceRole, scalers,
                stack.outputs().getOrDefault(GROUP_OUTPUT, layout.autoScalingGroup()), missing);
    }

    private Optional<StackDescription> describe(String region, String stackName, boolean fresh) {
        if (!listings.enabled()) {
            return cloudFormation.describe(region, stackName).map(StackDiscovery::retained);
        }
        Optional<StackSummary> listed = fresh ? Optional.empty() : listings.summary(region, stackName);
        StackDescription known = listed.map(s -> described.get(s.stackId())).orElse(null);
        if (known != null && !known.inProgress() && known.status().equals(listed.get().status())
                && known.lastChanged().equals(listed.get().lastChanged())) {
            return Optional.of(known);
        }
        Optional<StackDescription> found = cloudFormation.describe(region, stackName).map(StackDiscovery::retained);
        found.ifPresent(d -> described.put(d.stackId(), d));
        return found;
    }

    private static StackDescription retained(StackDescription stack) {
        return stack.retaining(PARAMETERS_READ, OUTPUTS_READ);
    }

    /** Forgets cached roles, e.g. when a resource policy shows that a role was re-created. */
    public void forgetRoles() {
        stackRoles.clear();
    }

    private Optional<RoleInfo> stackRole(String name, List<String> missing) {
        RoleInfo cached = stackRoles.get(AwsScope.key(name));
        if (cached != null) {
            return Optional.of(cached);
        }
        Optional<RoleInfo> role = iam.role(name);
        role.ifPresentOrElse(r -> stackRoles.put(AwsScope.key(name), r), () -> missing.add(name));
        return role;
    }

    private Layout layout(StackDescription stack) {
        List<StackResource> resources = cloudFormation.resources(stack.region(), stack.stackId());
        String instanceRole = null;
        String group = stack.outputs().get(GROUP_OUTPUT);
        List<String> scalers = new ArrayList<>();
        for (StackResource resource : resources) {
            if (INSTANCE_ROLE.equals(resource.logicalId())) {
                instanceRole = resource.physicalId();
            } else if (LEGACY_SCALER_ROLE.equals(resource.logicalId())) {
                scalers.add(resource.physicalId());
            } else if (SCALER_STACKS.contains(resource.logicalId()) && resource.physicalId() != null) {
                cloudFormation.resource(stack.region(), resource.physicalId(), NESTED_SCALER_ROLE)
                        .ifPresent(r -> scalers.add(r.physicalId()));
            } else if (AUTO_SCALING_GROUP.equals(resource.logicalId()) && group == null) {
                group = resource.physicalId();
            }
        }
        if (instanceRole == null && stack.parameter(CUSTOM_ROLE_PARAMETER).isBlank()) {
            instanceRole = stack.outputs().get(INSTANCE_ROLE_OUTPUT);
        }
        return new Layout(versionOf(stack), instanceRole, List.copyOf(scalers), group);
    }
}
