package io.elasticci.buildkite.token.plan;

import java.util.List;

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
