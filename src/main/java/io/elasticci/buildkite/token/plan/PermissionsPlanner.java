package io.elasticci.buildkite.token.plan;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.elasticci.buildkite.token.aws.CallerIdentity;
import io.elasticci.buildkite.token.aws.IamGateway;
import io.elasticci.buildkite.token.aws.KmsKey;
import io.elasticci.buildkite.token.aws.RoleInfo;

/**
 * Each role's own permissions in each region it serves: ssm:GetParameter on the region's reference parameter and
 * kms:Decrypt on the region's key through Secrets Manager. Manage writes one inline policy per role; Verify asks
 * IAM's simulator. Both check that a customer managed key's policy lets IAM grant it.
 */
final class PermissionsPlanner {

    static final String GET_PARAMETER = "ssm:GetParameter";
    static final String DECRYPT = "kms:Decrypt";
    static final String GLOBAL = "global";
    /** Statement IDs of a role's inline policy, followed by the region without dashes. */
    private static final String READ_SID = "ReadAgentToken";
    private static final String DECRYPT_SID = "DecryptAgentToken";

    private PermissionsPlanner() {
    }

    static String policyName(String owner) {
        return policyNameOfHash(PolicyDocuments.ownerHash(owner));
    }

    static String policyNameOfHash(String ownerHash) {
        return IamGateway.OWN_POLICY_PREFIX + ownerHash;
    }

    static String parameterArn(CallerIdentity identity, String region, String secretName) {
        return "arn:" + identity.partition() + ":ssm:" + region + ":" + identity.accountId()
                + ":parameter/aws/reference/secretsmanager/" + secretName;
    }

    static String viaService(String region) {
        return "secretsmanager." + region + ".amazonaws.com";
    }

    static void plan(DesiredToken desired, Snapshot snapshot, List<Action> actions, List<Problem> problems) {
        AccessObservation access = snapshot.access();
        Map<String, RoleInfo> roles = new TreeMap<>();
        Map<String, Set<String>> regionsOfRole = new TreeMap<>();
        for (StackObservation stack : access.stacks()) {
            for (RoleInfo role : stack.roles()) {
                roles.putIfAbsent(role.name(), role);
                regionsOfRole.computeIfAbsent(role.name(), k -> new TreeSet<>()).add(stack.region());
            }
        }
        checkKeyPolicies(desired, snapshot, roles, regionsOfRole, problems);
        if (desired.managePermissions()) {
            String name = policyName(desired.owner());
            regionsOfRole.forEach((roleName, regions) -> {
                Optional<String> current = access.inlinePolicies().getOrDefault(roleName, Optional.empty());
                String document = inlinePolicy(desired, snapshot, regions, current);
                if (current.isEmpty() || !PolicyDocuments.parse(current.get()).equals(PolicyDocuments.parse(document))) {
                    actions.add(new Action.PutRolePolicy(GLOBAL, roleName, name, document,
                            "ssm:GetParameter and kms:Decrypt in " + String.join(", ", regions)));
                }
            });
            access.inlinePolicies().forEach((roleName, current) -> {
                // While a region is unobserved a role not seen may still serve a stack there: it keeps its policy.
                if (!roles.containsKey(roleName) && current.isPresent() && !snapshot.partial()) {
                    actions.add(new Action.DeleteRolePolicy(GLOBAL, roleName, name, "its stack left the spec"));
                }
            });
        } else {
            verify(desired, snapshot, roles, regionsOfRole, problems);
        }
    }

    /**
     * The role's document for the regions it serves; while some region is unobserved, the statements the current
     * document has for it are kept as they are (whether the role serves a stack there is unknown).
     */
    private static String inlinePolicy(DesiredToken desired, Snapshot snapshot, Set<String> regions,
            Optional<String> current) {
        List<JsonNode> statements = new ArrayList<>();
        for (String region : regions) {
            String suffix = sidSuffix(region);
            ObjectNode read = PolicyDocuments.JSON.createObjectNode();
            read.put("Sid", READ_SID + suffix);
            read.put("Effect", "Allow");
            read.put("Action", GET_PARAMETER);
            read.put("Resource", parameterArn(snapshot.identity(), region, desired.secretName()));
            statements.add(read);
            KmsKey key = snapshot.desiredKeys().get(region);
            if (key != null) {
                ObjectNode decrypt = PolicyDocuments.JSON.createObjectNode();
                decrypt.put("Sid", DECRYPT_SID + suffix);
                decrypt.put("Effect", "Allow");
                decrypt.put("Action", DECRYPT);
                decrypt.put("Resource", key.arn());
                decrypt.putObject("Condition").putObject("StringEquals").put("kms:ViaService", viaService(region));
                statements.add(decrypt);
            }
        }
        statements.addAll(keptForUnobserved(snapshot, current));
        return PolicyDocuments.render(PolicyDocuments.document(statements));
    }

    private static String sidSuffix(String region) {
        return region.replace("-", "");
    }

    private static List<JsonNode> keptForUnobserved(Snapshot snapshot, Optional<String> current) {
        if (!snapshot.partial() || current.isEmpty()) {
            return List.of();
        }
        Set<String> sids = new TreeSet<>();
        snapshot.unavailableRegions().keySet().forEach(region -> {
            sids.add(READ_SID + sidSuffix(region));
            sids.add(DECRYPT_SID + sidSuffix(region));
        });
        try {
            return PolicyDocuments.statements(PolicyDocuments.parse(current.get())).stream()
                    .filter(s -> sids.contains(s.path("Sid").asText())).toList();
        } catch (IllegalArgumentException e) {
            return List.of(); // not ours to read: replaced, as when every region is observed
        }
    }

    private static void verify(DesiredToken desired, Snapshot snapshot, Map<String, RoleInfo> roles,
            Map<String, Set<String>> regionsOfRole, List<Problem> problems) {
        Map<String, Boolean> simulations = snapshot.access().simulations();
        regionsOfRole.forEach((roleName, regions) -> {
            RoleInfo role = roles.get(roleName);
            for (String region : regions) {
                List<String> missing = new ArrayList<>();
                for (String action : List.of(GET_PARAMETER, DECRYPT)) {
                    Boolean allowed = simulations.get(simulationKey(role.arn(), region, action));
                    if (allowed != null && !allowed) {
                        missing.add(action);
                    }
                }
                if (!missing.isEmpty()) {
                    problems.add(Problem.of(Problem.Scope.PERMISSIONS, Reason.PermissionsMissing, region, "role "
                            + role.arn() + " lacks " + String.join(" and ", missing) + " in " + region
                            + " (permissions: Verify changes nothing; use Manage or grant them)"));
                }
            }
        });
    }

    /** Key of a simulation result: role, region, action. */
    public static String simulationKey(String roleArn, String region, String action) {
        return roleArn + " " + region + " " + action;
    }

    private static void checkKeyPolicies(DesiredToken desired, Snapshot snapshot, Map<String, RoleInfo> roles,
            Map<String, Set<String>> regionsOfRole, List<Problem> problems) {
        Map<String, List<String>> rolesByRegion = new LinkedHashMap<>();
        regionsOfRole.forEach((role, regions) -> regions.forEach(
                region -> rolesByRegion.computeIfAbsent(region, k -> new ArrayList<>()).add(roles.get(role).arn())));
        snapshot.access().keyPolicies().forEach((region, policy) -> {
            List<String> denied = rolesByRegion.getOrDefault(region, List.of()).stream()
                    .filter(roleArn -> !keyPolicyAllows(policy, snapshot.identity(), roleArn)).toList();
            if (!denied.isEmpty()) {
                KmsKey key = snapshot.desiredKeys().get(region);
                problems.add(Problem.of(Problem.Scope.PERMISSIONS, Reason.KmsKeyPolicyDenied, region, "the policy of "
                        + "KMS key " + (key == null ? "?" : key.keyId()) + " in " + region + " neither delegates to "
                        + "IAM (account root) nor names " + denied + ": an IAM grant cannot let them decrypt"));
            }
        });
    }

    /** Whether a key policy lets IAM policies grant kms:Decrypt to the role: the account-root delegation, or the role. */
    static boolean keyPolicyAllows(String policy, CallerIdentity identity, String roleArn) {
        JsonNode document;
        try {
            document = PolicyDocuments.parse(policy);
        } catch (IllegalArgumentException e) {
            return false;
        }
        String root = "arn:" + identity.partition() + ":iam::" + identity.accountId() + ":root";
        for (JsonNode statement : PolicyDocuments.statements(document)) {
            if (!"Allow".equals(statement.path("Effect").asText())) {
                continue;
            }
            Set<String> actions = PolicyDocuments.actions(statement);
            boolean decrypts = actions.contains("kms:*") || actions.contains("*")
                    || actions.contains(DECRYPT.toLowerCase(Locale.ROOT));
            Set<String> principals = PolicyDocuments.awsPrincipals(statement);
            if (decrypts && (principals.contains(root) || principals.contains(identity.accountId())
                    || principals.contains(roleArn))) {
                return true;
            }
        }
        return false;
    }
}
