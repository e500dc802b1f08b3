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
 */
public record AccessObservation(List<StackObservation> stacks, Optional<String> resourcePolicy,
        Map<String, Optional<String>> inlinePolicies, Map<String, Boolean> simulations,
        Map<String, String> keyPolicies) {

    public AccessObservation {
        stacks = List.copyOf(stacks);
        inlinePolicies = Map.copyOf(inlinePolicies);
        simulations = Map.copyOf(simulations);
        keyPolicies = Map.copyOf(keyPolicies);
    }

    public static AccessObservation none() {
        return new AccessObservation(List.of(), Optional.empty(), Map.of(), Map.of(), Map.of());
    }
}
