package io.elasticci.buildkite.token.plan;

import java.util.List;
import java.util.Map;

import io.elasticci.buildkite.token.api.v1alpha1.BuildkiteAgentToken;
import io.elasticci.buildkite.token.aws.CallerIdentity;

/** What the observer needs to know of the planners' conventions (names, ARNs, keys), in one place. */
public final class Planners {

    public static final List<String> ROLE_ACTIONS = List.of(PermissionsPlanner.GET_PARAMETER,
            PermissionsPlanner.DECRYPT);

    private Planners() {
    }

    public static String inlinePolicyName(String owner) {
        return PermissionsPlanner.policyName(owner);
    }

    public static String statementSid(String owner) {
        return ResourcePolicyPlanner.sid(owner);
    }

    public static String parameterArn(CallerIdentity identity, String region, String secretName) {
        return PermissionsPlanner.parameterArn(identity, region, secretName);
    }

    public static String viaService(String region) {
        return PermissionsPlanner.viaService(region);
    }

    public static String simulationKey(String roleArn, String region, String action) {
        return PermissionsPlanner.simulationKey(roleArn, region, action);
    }

    /** The owner hashes the secret's retained-grants tag lists (resources deleted with retainGrants). */
    public static List<String> retainedHashes(Map<String, String> tags) {
        String value = tags.get(BuildkiteAgentToken.RETAINED_GRANTS_TAG);
        return value == null || value.isBlank() ? List.of()
                : java.util.Arrays.stream(value.split(",")).map(String::trim).filter(h -> !h.isEmpty()).toList();
    }

    /** The key of a retained inline policy in {@link AccessObservation#retainedInlinePolicies()}. */
    public static String retainedPolicyKey(String ownerHash, String roleName) {
        return ownerHash + "|" + roleName;
    }

    public static String inlinePolicyNameOfHash(String ownerHash) {
        return PermissionsPlanner.policyNameOfHash(ownerHash);
    }

    /** Names of the roles a retained statement grants (deleted roles, shown as unique IDs, have no name left). */
    public static List<String> retainedRoleNames(String policy, String ownerHash) {
        String sid = ResourcePolicyPlanner.sidOfHash(ownerHash);
        try {
            return PolicyDocuments.statements(PolicyDocuments.parse(policy)).stream()
                    .filter(s -> sid.equals(s.path("Sid").asText()))
                    .flatMap(s -> PolicyDocuments.awsPrincipals(s).stream())
                    .filter(p -> !PolicyDocuments.isUniqueId(p) && p.contains(":role/"))
                    .map(io.elasticci.buildkite.token.aws.RoleInfo::nameOf).distinct().sorted().toList();
        } catch (IllegalArgumentException e) {
            return List.of();
        }
    }

    /** Whether the policy holds our statement at all. */
    public static boolean hasOurStatement(String policy, String owner) {
        return ResourcePolicyPlanner.ourStatement(policy, owner).isPresent();
    }

    /** Whether our statement names a principal by a bare unique ID: a role was deleted (and maybe re-created). */
    public static boolean ourStatementHasUniqueIds(String policy, String owner) {
        return ResourcePolicyPlanner.ourStatement(policy, owner)
                .map(s -> PolicyDocuments.awsPrincipals(s).stream().anyMatch(PolicyDocuments::isUniqueId))
                .orElse(false);
    }
}
