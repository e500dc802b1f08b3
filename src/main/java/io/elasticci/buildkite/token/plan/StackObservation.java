package io.elasticci.buildkite.token.plan;

import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

import io.elasticci.buildkite.token.aws.RoleInfo;
import io.elasticci.buildkite.token.aws.StackDescription;

/**
 * One declared stack as discovered in its region. {@code stack} is empty when CloudFormation has no such stack;
 * {@code missingRoles} names roles the stack refers to that IAM does not have.
 */
public record StackObservation(String region, String name, Optional<StackDescription> stack,
        Optional<RoleInfo> instanceRole, List<RoleInfo> scalerRoles, String autoScalingGroup,
        List<String> missingRoles) {

    public StackObservation {
        scalerRoles = List.copyOf(scalerRoles);
        missingRoles = List.copyOf(missingRoles);
    }

    public static StackObservation missing(String region, String name) {
        return new StackObservation(region, name, Optional.empty(), Optional.empty(), List.of(), null, List.of());
    }

    /** Every role of the stack: the instance role, then the scaler roles. */
    public List<RoleInfo> roles() {
        return Stream.concat(instanceRole.stream(), scalerRoles.stream()).toList();
    }

    public String key() {
        return region + "/" + name;
    }
}
