package io.elasticci.buildkite.token.plan;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.elasticci.buildkite.token.aws.RoleInfo;

/**
 * The secret's resource policy: one statement owned by this resource granting GetSecretValue to exactly the
 * discovered roles; everyone else's statements kept as AWS returns them.
 */
final class ResourcePolicyPlanner {

    static final String ACTION = "secretsmanager:GetSecretValue";
    /** After this many removals of our statement by someone else, stop fighting and say so. */
    static final int CONFLICT_THRESHOLD = 3;

    private ResourcePolicyPlanner() {
    }

    static String sid(String owner) {
        return sidOfHash(PolicyDocuments.ownerHash(owner));
    }

    static String sidOfHash(String ownerHash) {
        return "BuildkiteAgentToken" + ownerHash;
    }

    /**
     * @param secretId the secret's ARN, or its name when it is created in the same pass
     * @param roles every discovered role (deduplicated by ARN)
     * @param statementRemovals how often our statement was found removed by someone else recently
     * @param partial some region was not observed: its stacks' roles are unknown, so no role granted now may go
     */
    static void plan(DesiredToken desired, String secretId, Optional<String> policy, List<RoleInfo> roles,
            int statementRemovals, boolean partial, List<Action> actions, List<Problem> problems) {
        String primary = desired.primaryRegion();
        String sid = sid(desired.owner());
        JsonNode current;
        try {
            current = policy.map(PolicyDocuments::parse).orElse(null);
        } catch (IllegalArgumentException e) {
            problems.add(Problem.of(Problem.Scope.POLICY, Reason.ForeignStatementInvalid, primary,
                    "the resource policy of " + desired.secretName() + " is not valid JSON"));
            return;
        }
        List<JsonNode> foreign = new ArrayList<>();
        JsonNode ours = null;
        for (JsonNode statement : current == null ? List.<JsonNode>of() : PolicyDocuments.statements(current)) {
            if (sid.equals(statement.path("Sid").asText())) {
                ours = statement;
            } else {
                foreign.add(statement);
            }
        }
        Set<String> wanted = new TreeSet<>();
        roles.forEach(r -> wanted.add(r.arn()));
        if (partial && ours != null) {
            // Kept by ARN; a bare unique ID names a deleted role, which no region can need.
            PolicyDocuments.awsPrincipals(ours).stream().filter(p -> !PolicyDocuments.isUniqueId(p))
                    .forEach(wanted::add);
        }
        if (ours != null && !wanted.isEmpty() && matches(ours, wanted)) {
            return; // (a statement of ours granting nobody, "AWS": [], has nothing to keep: it goes)
        }
        if (ours == null && wanted.isEmpty()) {
            return;
        }
        if (ours == null && statementRemovals >= CONFLICT_THRESHOLD) {
            problems.add(Problem.of(Problem.Scope.POLICY, Reason.PolicyConflict, primary, "the statement " + sid
                    + " was removed from the resource policy of " + desired.secretName() + " " + statementRemovals
                    + " times: something else owns the whole document (Terraform, CloudFormation?); let it include "
                    + "the statement, or stop managing the policy there"));
            return;
        }
        List<String> deadForeign = foreign.stream().flatMap(s -> PolicyDocuments.awsPrincipals(s).stream())
                .filter(PolicyDocuments::isUniqueId).distinct().toList();
        if (!deadForeign.isEmpty()) {
            problems.add(Problem.of(Problem.Scope.POLICY, Reason.ForeignStatementInvalid, primary,
                    "the resource policy of " + desired.secretName() + " has statements of others naming deleted "
                            + "principals " + deadForeign + ": AWS rejects the document until they are removed"));
            return;
        }
        List<JsonNode> statements = new ArrayList<>(foreign);
        if (!wanted.isEmpty()) {
            statements.add(statement(sid, wanted));
        }
        boolean drift = ours != null && PolicyDocuments.awsPrincipals(ours).stream()
                .anyMatch(PolicyDocuments::isUniqueId);
        Instant newest = roles.stream().map(RoleInfo::created).filter(java.util.Objects::nonNull)
                .max(Comparator.naturalOrder()).orElse(null);
        String detail = (wanted.isEmpty() ? "remove statement " + sid : "grant " + ACTION + " to " + wanted.size()
                + " roles") + (drift ? "; re-saving roles that were re-created (AWS pinned their old unique IDs)" : "");
        if (statements.isEmpty()) {
            actions.add(new Action.DeleteResourcePolicy(primary, secretId, detail));
        } else {
            actions.add(new Action.PutResourcePolicy(primary, secretId,
                    PolicyDocuments.render(PolicyDocuments.document(statements)), detail, drift, newest));
        }
    }

    /** Our statement, normalised: Allow, exactly GetSecretValue, exactly these principals (as ARNs). */
    static boolean matches(JsonNode ours, Set<String> roleArns) {
        return "Allow".equals(ours.path("Effect").asText())
                && PolicyDocuments.actions(ours).equals(Set.of(ACTION.toLowerCase(java.util.Locale.ROOT)))
                && PolicyDocuments.awsPrincipals(ours).equals(roleArns)
                && PolicyDocuments.strings(ours.path("Resource")).equals(Set.of("*"))
                && ours.path("Condition").isMissingNode();
    }

    private static JsonNode statement(String sid, Set<String> roleArns) {
        ObjectNode statement = PolicyDocuments.JSON.createObjectNode();
        statement.put("Sid", sid);
        statement.put("Effect", "Allow");
        ObjectNode principal = statement.putObject("Principal");
        if (roleArns.size() == 1) {
            principal.put("AWS", roleArns.iterator().next());
        } else {
            roleArns.forEach(principal.putArray("AWS")::add);
        }
        statement.put("Action", ACTION);
        statement.put("Resource", "*");
        return statement;
    }

    /** Our statement in a policy document, if there; empty too when the document is not JSON. */
    static Optional<JsonNode> ourStatement(String policy, String owner) {
        try {
            String sid = sid(owner);
            return PolicyDocuments.statements(PolicyDocuments.parse(policy)).stream()
                    .filter(s -> sid.equals(s.path("Sid").asText())).findFirst();
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** Roles deduplicated by ARN, in ARN order (a custom role may serve several stacks). */
    static List<RoleInfo> distinctRoles(List<StackObservation> stacks) {
        Map<String, RoleInfo> byArn = new TreeMap<>();
        stacks.forEach(s -> s.roles().forEach(r -> byArn.putIfAbsent(r.arn(), r)));
        return List.copyOf(byArn.values());
    }
}
