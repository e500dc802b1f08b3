package io.elasticci.buildkite.token.plan;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What decides whether the stacks can read the token.
 *
 * @param stacks every declared stack, discovered
 * @param resourcePolicy the primary secret's resource policy as AWS returns it
 * @param inlinePolicies per role name, the operator's inline policy on it (empty: none), for discovered roles and for
 *        roles granted before that are no longer discovered
 * @param simulations (Verify) per "roleArn action", whether the role's identity policies allow the action on its
 *        resource
 * @param keyPolicies per region with a customer managed key, the key's policy document
 * @param retainedInlinePolicies per "ownerHash|roleName", the inline policy a resource deleted with retainGrants left
 *        on a role its retained statement names (the secret's retained-grants tag lists the hashes)
 */
public record AccessObservation(List<StackObservation> stacks, Optional<String> resourcePolicy,
        Map<String, Optional<String>> inlinePolicies, Map<String, Boolean> simulations,
        Map<String, String> keyPolicies, Map<String, Optional<String>> retainedInlinePolicies) {

    public AccessObservation(List<StackObservation> stacks, Optional<String> resourcePolicy,
            Map<String, Optional<String>> inlinePolicies, Map<String, Boolean> simulations,
            Map<String, String> keyPolicies) {
        this(stacks, resourcePolicy, inlinePolicies, simulations, keyPolicies, Map.of());
    }

    public AccessObservation {
        stacks = List.copyOf(stacks);
        inlinePolicies = Map.copyOf(inlinePolicies);
        simulations = Map.copyOf(simulations);
        keyPolicies = Map.copyOf(keyPolicies);
        retainedInlinePolicies = Map.copyOf(retainedInlinePolicies);
    }

    /** The same observation without the stacks and key policies of these regions (unobserved ones). */
    public AccessObservation withoutRegions(java.util.Set<String> regions) {
        if (regions.isEmpty()) {
            return this;
        }
        Map<String, String> keptKeyPolicies = new java.util.HashMap<>(keyPolicies);
        keptKeyPolicies.keySet().removeAll(regions);
        return new AccessObservation(stacks.stream().filter(s -> !regions.contains(s.region())).toList(),
                resourcePolicy, inlinePolicies, simulations, keptKeyPolicies, retainedInlinePolicies);
    }

    public static AccessObservation none() {
        return new AccessObservation(List.of(), Optional.empty(), Map.of(), Map.of(), Map.of());
    }
}
