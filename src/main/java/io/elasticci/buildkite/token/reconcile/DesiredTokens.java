package io.elasticci.buildkite.token.reconcile;

import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

import io.elasticci.buildkite.token.api.v1alpha1.AutomaticRotation;
import io.elasticci.buildkite.token.api.v1alpha1.BuildkiteAgentToken;
import io.elasticci.buildkite.token.api.v1alpha1.BuildkiteAgentTokenSpec;
import io.elasticci.buildkite.token.api.v1alpha1.BuildkiteAgentTokenStatus;
import io.elasticci.buildkite.token.api.v1alpha1.Mode;
import io.elasticci.buildkite.token.api.v1alpha1.RegionSpec;
import io.elasticci.buildkite.token.api.v1alpha1.RotationSpec;
import io.elasticci.buildkite.token.api.v1alpha1.StackStatus;
import io.elasticci.buildkite.token.aws.RoleInfo;
import io.elasticci.buildkite.token.plan.DesiredToken;
import io.elasticci.buildkite.token.reconcile.report.RotationStates;

/** A validated resource, and what its status remembers, in planner terms. */
public final class DesiredTokens {

    private DesiredTokens() {
    }

    /**
     * @param others every BuildkiteAgentToken the operator sees, for stacks another resource already manages
     */
    public static DesiredToken of(BuildkiteAgentToken resource, String clusterId, Collection<BuildkiteAgentToken> others) {
        BuildkiteAgentTokenSpec spec = resource.getSpec();
        List<DesiredToken.DesiredRegion> regions = spec.getRegions().stream()
                .map(r -> new DesiredToken.DesiredRegion(r.getRegion(),
                        r.getKmsKeyId() == null ? RegionSpec.DEFAULT_KMS_KEY : r.getKmsKeyId(),
                        r.getStacks() == null ? List.of() : r.getStacks()))
                .toList();
        return new DesiredToken(spec.getSecretName(), spec.getPrimaryRegion(), regions,
                spec.getTags() == null ? Map.of() : spec.getTags(), ownerOf(resource, clusterId),
                Optional.ofNullable(spec.getExpectedAccountId()), spec.getTokenSecretRef() != null,
                spec.getPermissions() != Mode.Verify, spec.getStackParameters() == Mode.Manage,
                Objects.requireNonNullElse(resource.getMetadata().getGeneration(), 0L), stackUpdates(resource),
                claimedStacks(resource, others), rollout(resource));
    }

    private static DesiredToken.Rollout rollout(BuildkiteAgentToken resource) {
        RotationSpec spec = Objects.requireNonNullElseGet(resource.getSpec().getRotation(), RotationSpec::new);
        Optional<AutomaticRotation> automatic = Optional.ofNullable(spec.getAutomatic());
        BuildkiteAgentTokenStatus status = resource.getStatus();
        return new DesiredToken.Rollout(spec.isRefreshInstances(), spec.getMinHealthyPercentage(),
                Objects.requireNonNullElse(spec.getScaleInProtectedInstances(), RotationSpec.ProtectedInstances.Wait)
                        .name(),
                automatic.map(AutomaticRotation::getLambdaArn), automatic.map(AutomaticRotation::getScheduleExpression),
                Optional.ofNullable(status).map(s -> s.rotation).map(RotationStates::fromStatus),
                Optional.ofNullable(status).map(s -> s.currentVersionId));
    }

    /** The ownership tag value: cluster, namespace and name. */
    public static String ownerOf(BuildkiteAgentToken resource, String clusterId) {
        return clusterId + "/" + resource.getMetadata().getNamespace() + "/" + resource.getMetadata().getName();
    }

    /** Names of every role the last status recorded: roles that may carry our inline policy. */
    static Set<String> previousRoles(BuildkiteAgentToken resource) {
        Set<String> roles = new TreeSet<>();
        if (resource.getStatus() != null) {
            resource.getStatus().regions.forEach(r -> r.stacks.forEach(s -> {
                if (s.instanceRole != null && s.instanceRole.arn != null) {
                    roles.add(RoleInfo.nameOf(s.instanceRole.arn));
                }
                s.scalerRoles.forEach(role -> roles.add(RoleInfo.nameOf(role.arn)));
            }));
        }
        return roles;
    }

    private static Map<String, Long> stackUpdates(BuildkiteAgentToken resource) {
        Map<String, Long> updates = new HashMap<>();
        if (resource.getStatus() != null) {
            resource.getStatus().regions.forEach(r -> r.stacks.stream().filter(s -> s.parameterUpdateGeneration != null)
                    .forEach((StackStatus s) -> updates.put(r.region + "/" + s.name, s.parameterUpdateGeneration)));
        }
        return updates;
    }

    /**
     * Stacks whose parameters an earlier resource (older, or as old and first by namespace/name) manages: the
     * second resource to ask is refused, so two resources never fight over one stack.
     */
    static Map<String, String> claimedStacks(BuildkiteAgentToken resource, Collection<BuildkiteAgentToken> others) {
        Map<String, String> claimed = new HashMap<>();
        Comparator<BuildkiteAgentToken> age = Comparator
                .comparing((BuildkiteAgentToken t) -> String.valueOf(t.getMetadata().getCreationTimestamp()))
                .thenComparing(t -> t.getMetadata().getNamespace() + "/" + t.getMetadata().getName());
        for (BuildkiteAgentToken other : others) {
            boolean same = Objects.equals(other.getMetadata().getUid(), resource.getMetadata().getUid())
                    && Objects.equals(other.getMetadata().getName(), resource.getMetadata().getName())
                    && Objects.equals(other.getMetadata().getNamespace(), resource.getMetadata().getNamespace());
            if (same || other.getSpec() == null || other.getSpec().getStackParameters() != Mode.Manage
                    || other.getSpec().getRegions() == null || age.compare(other, resource) >= 0) {
                continue;
            }
            other.getSpec().getRegions().forEach(r -> (r.getStacks() == null ? List.<String>of() : r.getStacks())
                    .forEach(s -> claimed.putIfAbsent(r.getRegion() + "/" + s,
                            other.getMetadata().getNamespace() + "/" + other.getMetadata().getName())));
        }
        return claimed;
    }
}
