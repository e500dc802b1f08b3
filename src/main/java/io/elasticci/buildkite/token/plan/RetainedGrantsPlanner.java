package io.elasticci.buildkite.token.plan;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

import com.fasterxml.jackson.databind.JsonNode;

import io.elasticci.buildkite.token.api.v1alpha1.BuildkiteAgentToken;
import io.elasticci.buildkite.token.aws.SecretDescription;

/**
 * The end of a hand-over: grants a previous owner retained when it was deleted (retainGrants) go once this resource's
 * own grants are in place, so no stack loses access in between: first its inline policies (on the roles its statement
 * names), then its statement, then the tag that listed it. Pure.
 */
final class RetainedGrantsPlanner {

    private RetainedGrantsPlanner() {
    }

    static void plan(DesiredToken desired, Snapshot snapshot, SecretDescription secret, List<Action> actions,
            List<Problem> problems) {
        List<String> hashes = Planners.retainedHashes(secret.tags());
        boolean oursInPlace = actions.stream().noneMatch(RetainedGrantsPlanner::grants)
                && problems.stream().noneMatch(p -> p.scope() == Problem.Scope.POLICY
                        || p.scope() == Problem.Scope.PERMISSIONS);
        if (hashes.isEmpty() || !oursInPlace) {
            return;
        }
        int before = actions.size();
        snapshot.access().retainedInlinePolicies().forEach((key, document) -> {
            if (document.isPresent()) {
                String hash = key.substring(0, key.indexOf('|'));
                String role = key.substring(key.indexOf('|') + 1);
                actions.add(new Action.DeleteRolePolicy(PermissionsPlanner.GLOBAL, role,
                        PermissionsPlanner.policyNameOfHash(hash), "retained by a previous owner of the secret"));
            }
        });
        if (actions.size() > before) {
            return; // the statement still names the roles whose policies are left: it goes after them
        }
        Optional<String> policy = snapshot.access().resourcePolicy();
        Set<String> sids = new TreeSet<>();
        hashes.forEach(h -> sids.add(ResourcePolicyPlanner.sidOfHash(h)));
        List<JsonNode> kept = new ArrayList<>();
        boolean removed = false;
        for (JsonNode statement : policy.map(PolicyDocuments::parse).map(PolicyDocuments::statements)
                .orElse(List.of())) {
            boolean retained = sids.contains(statement.path("Sid").asText());
            removed |= retained;
            if (!retained) {
                kept.add(statement);
            }
        }
        if (removed) {
            String detail = "remove statements retained by a previous owner: " + String.join(", ", sids);
            actions.add(kept.isEmpty() ? new Action.DeleteResourcePolicy(desired.primaryRegion(), secret.arn(), detail)
                    : new Action.PutResourcePolicy(desired.primaryRegion(), secret.arn(),
                            PolicyDocuments.render(PolicyDocuments.document(kept)), detail, false, null));
            return;
        }
        actions.add(new Action.UntagSecret(desired.primaryRegion(), secret.arn(),
                List.of(BuildkiteAgentToken.RETAINED_GRANTS_TAG)));
    }

    private static boolean grants(Action action) {
        return action.scope() == Problem.Scope.POLICY || action.scope() == Problem.Scope.PERMISSIONS;
    }
}
