package io.elasticci.buildkite.token.aws;

import java.util.Map;
import java.util.Optional;

/**
 * Every role of an account as one read showed it (GetAccountAuthorizationDetails), with the operator's own inline
 * policies on each (other policies are not kept). A role it does not show may have been created since: ask IAM.
 */
public record AccountRoles(Map<String, RoleInfo> roles, Map<String, Map<String, String>> ownInlinePolicies) {

    /** Nothing known (the read is not allowed, or account reads are off): every question goes to IAM. */
    public static final AccountRoles UNKNOWN = new AccountRoles(Map.of(), Map.of());

    public AccountRoles {
        roles = Map.copyOf(roles);
        ownInlinePolicies = Map.copyOf(ownInlinePolicies);
    }

    public boolean shows(String roleName) {
        return roles.containsKey(roleName);
    }

    public Optional<RoleInfo> role(String roleName) {
        return Optional.ofNullable(roles.get(roleName));
    }

    /** The role's own inline policy {@code policyName}; only meaningful when {@link #shows} the role. */
    public Optional<String> inlinePolicy(String roleName, String policyName) {
        return Optional.ofNullable(ownInlinePolicies.getOrDefault(roleName, Map.of()).get(policyName));
    }
}
