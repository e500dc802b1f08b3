package io.elasticci.buildkite.token.plan;

import static io.elasticci.buildkite.token.plan.Fixtures.ACCOUNT;
import static io.elasticci.buildkite.token.plan.Fixtures.OWNER;
import static io.elasticci.buildkite.token.plan.Fixtures.role;
import static io.elasticci.buildkite.token.plan.Fixtures.stack;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import com.fasterxml.jackson.databind.JsonNode;

import io.elasticci.buildkite.token.aws.RoleInfo;
import io.elasticci.buildkite.token.aws.StackDescription;
import io.elasticci.buildkite.token.plan.Fixtures.World;

/** Resource policy, role permissions and stack parameters: every branch, as a table. */
class AccessPlannerTest {

    private static final String EAST = "us-east-1";
    private static final String WEST = "us-west-2";
    private static final RoleInfo INSTANCE = role("ci-IAMRole");
    private static final RoleInfo SCALER = role("ci-ExecutionRole");
    private static final RoleInfo WEST_ROLE = role("west-IAMRole");
    private static final String SID = ResourcePolicyPlanner.sid(OWNER);
    private static final String POLICY_NAME = PermissionsPlanner.policyName(OWNER);

    static String statement(String sid, String principals, String action) {
        return "{\"Sid\":\"" + sid + "\",\"Effect\":\"Allow\",\"Principal\":{\"AWS\":" + principals
                + "},\"Action\":\"" + action + "\",\"Resource\":\"*\"}";
    }

    static String policy(String... statements) {
        return "{\"Version\":\"2012-10-17\",\"Statement\":[" + String.join(",", statements) + "]}";
    }

    static final String OURS = statement(SID, "[\"" + SCALER.arn() + "\",\"" + INSTANCE.arn() + "\",\""
            + WEST_ROLE.arn() + "\"]", "secretsmanager:GetSecretValue");
    static final String FOREIGN = statement("Audit", "\"arn:aws:iam::" + ACCOUNT + ":role/auditor\"",
            "secretsmanager:DescribeSecret");

    /** Two stacks, both roles granted, inline policies in place: nothing to do. */
    static World converged() {
        World w = World.converged(EAST, WEST);
        w.stacks.add(stack(EAST, "ci", INSTANCE, SCALER));
        w.stacks.add(stack(WEST, "west", WEST_ROLE));
        w.policy = Optional.of(policy(FOREIGN, OURS));
        DesiredToken desired = desired(true, false);
        Snapshot withoutPolicies = w.snapshot();
        for (RoleInfo r : List.of(INSTANCE, SCALER, WEST_ROLE)) {
            List<Action> actions = new java.util.ArrayList<>();
            PermissionsPlanner.plan(desired, withoutPolicies, actions, new java.util.ArrayList<>());
            actions.stream().map(a -> (Action.PutRolePolicy) a).filter(a -> a.roleName().equals(r.name()))
                    .forEach(a -> w.inlinePolicies.put(r.name(), Optional.of(a.document())));
        }
        return w;
    }

    static DesiredToken desired(boolean managePermissions, boolean manageStacks) {
        DesiredToken base = Fixtures.desired(true, EAST, WEST);
        List<DesiredToken.DesiredRegion> regions = List.of(
                new DesiredToken.DesiredRegion(EAST, "alias/buildkite-token", List.of("ci")),
                new DesiredToken.DesiredRegion(WEST, "alias/buildkite-token", List.of("west")));
        return new DesiredToken(base.secretName(), EAST, regions, base.tags(), OWNER, Optional.empty(), true,
                managePermissions, manageStacks, 7, Map.of(), Map.of(), DesiredToken.Rollout.defaults());
    }

    static StackObservation withParameter(StackObservation s, String key, String value) {
        StackDescription d = s.stack().orElseThrow();
        Map<String, String> parameters = new java.util.LinkedHashMap<>(d.parameters());
        parameters.put(key, value);
        return new StackObservation(s.region(), s.name(), Optional.of(new StackDescription(d.name(), d.stackId(),
                d.region(), d.status(), d.statusReason(), parameters, d.outputs(), d.lastChanged())),
                s.instanceRole(), s.scalerRoles(), s.autoScalingGroup(), s.missingRoles());
    }

    static StackObservation withStatus(StackObservation s, String status) {
        StackDescription d = s.stack().orElseThrow();
        return new StackObservation(s.region(), s.name(), Optional.of(new StackDescription(d.name(), d.stackId(),
                d.region(), status, "boom", d.parameters(), d.outputs(), d.lastChanged())), s.instanceRole(),
                s.scalerRoles(), s.autoScalingGroup(), s.missingRoles());
    }

    static Stream<Arguments> table() {
        String wrongKey = "BuildkiteAgentTokenParameterStoreKMSKey";
        return Stream.of(
                row("converged: nothing to do", d(true, false), w -> {
                }, List.of(), List.of()),
                row("no policy yet: our statement is put", d(true, false), w -> w.policy = Optional.empty(),
                        List.of("PutResourcePolicy us-east-1"), List.of()),
                row("principal order, string vs list and action case do not matter", d(true, false),
                        w -> w.policy = Optional.of(policy(FOREIGN, statement(SID, "[\"" + WEST_ROLE.arn() + "\",\""
                                + INSTANCE.arn() + "\",\"" + SCALER.arn() + "\"]", "SecretsManager:getSecretValue"))),
                        List.of(), List.of()),
                row("a new stack's role is added to our statement", d(true, false),
                        w -> w.stacks.add(stack(EAST, "ci-2", role("ci2-IAMRole"))),
                        List.of("PutResourcePolicy us-east-1", "PutRolePolicy global"), List.of()),
                row("a pinned unique ID in our statement is repaired", d(true, false),
                        w -> w.policy = Optional.of(policy(FOREIGN, statement(SID, "[\"AROAOLDOLDOLDOLDOLD12\",\""
                                + INSTANCE.arn() + "\",\"" + WEST_ROLE.arn() + "\"]", "secretsmanager:GetSecretValue"))),
                        List.of("PutResourcePolicy us-east-1"), List.of()),
                row("a foreign statement naming a deleted principal blocks the put", d(true, false),
                        w -> w.policy = Optional.of(policy(statement("Old", "\"AROADEADDEADDEADDEAD1\"",
                                "secretsmanager:GetSecretValue"))), List.of(), List.of(Reason.ForeignStatementInvalid)),
                row("a dead foreign principal is left alone while we need no put", d(true, false),
                        w -> w.policy = Optional.of(policy(statement("Old", "\"AROADEADDEADDEADDEAD1\"",
                                "secretsmanager:GetSecretValue"), OURS)), List.of(), List.of()),
                row("our statement removed again and again is a conflict", d(true, false), w -> {
                    w.policy = Optional.of(policy(FOREIGN));
                    w.removals = 3;
                }, List.of(), List.of(Reason.PolicyConflict)),
                row("our statement removed once is put back", d(true, false), w -> {
                    w.policy = Optional.of(policy(FOREIGN));
                    w.removals = 1;
                }, List.of("PutResourcePolicy us-east-1"), List.of()),
                row("a policy that is not JSON", d(true, false), w -> w.policy = Optional.of("{not json"), List.of(),
                        List.of(Reason.ForeignStatementInvalid)),
                row("all stacks gone: our statement leaves, foreign ones stay", d(true, false), w -> {
                    w.stacks.clear();
                }, List.of("PutResourcePolicy us-east-1", "DeleteRolePolicy global", "DeleteRolePolicy global",
                        "DeleteRolePolicy global"), List.of()),
                row("all stacks gone and only our statement: the policy is deleted", d(true, false), w -> {
                    w.stacks.clear();
                    w.policy = Optional.of(policy(OURS));
                    w.inlinePolicies.clear();
                }, List.of("DeleteResourcePolicy us-east-1"), List.of()),
                row("a role without our inline policy gets it", d(true, false),
                        w -> w.inlinePolicies.put(SCALER.name(), Optional.empty()),
                        List.of("PutRolePolicy global"), List.of()),
                row("an inline policy edited by someone is restored", d(true, false),
                        w -> w.inlinePolicies.put(SCALER.name(), Optional.of("{\"Version\":\"2012-10-17\","
                                + "\"Statement\":[]}")), List.of("PutRolePolicy global"), List.of()),
                row("key policy without IAM delegation or the role", d(true, false),
                        w -> w.keyPolicies.put(WEST, policy(statement("Admin",
                                "\"arn:aws:iam::" + ACCOUNT + ":role/admin\"", "kms:*"))),
                        List.of(), List.of(Reason.KmsKeyPolicyDenied)),
                row("key policy delegating to the account root", d(true, false),
                        w -> w.keyPolicies.put(WEST, policy(statement("Root",
                                "\"arn:aws:iam::" + ACCOUNT + ":root\"", "kms:*"))), List.of(), List.of()),
                row("key policy naming the role", d(true, false),
                        w -> w.keyPolicies.put(WEST, policy(statement("Role", "\"" + WEST_ROLE.arn() + "\"",
                                "kms:Decrypt"))), List.of(), List.of()),
                row("Verify: missing permissions are reported, nothing written", d(false, false), w -> {
                    w.inlinePolicies.clear();
                    w.simulations.put(PermissionsPlanner.simulationKey(WEST_ROLE.arn(), WEST, "kms:Decrypt"), false);
                    w.simulations.put(PermissionsPlanner.simulationKey(WEST_ROLE.arn(), WEST, "ssm:GetParameter"),
                            true);
                }, List.of(), List.of(Reason.PermissionsMissing)),
                row("Verify: everything allowed", d(false, false), w -> {
                    w.inlinePolicies.clear();
                    w.simulations.put(PermissionsPlanner.simulationKey(WEST_ROLE.arn(), WEST, "kms:Decrypt"), true);
                }, List.of(), List.of()),
                row("missing stack", d(true, false), w -> w.stacks.set(1, StackObservation.missing(WEST, "west")),
                        List.of("PutResourcePolicy us-east-1", "DeleteRolePolicy global"),
                        List.of(Reason.StackNotFound)),
                row("stack role missing in IAM", d(true, false), w -> w.stacks.set(1, new StackObservation(WEST,
                        "west", w.stacks.get(1).stack(), Optional.empty(), List.of(), "asg", List.of("west-IAMRole"))),
                        List.of("PutResourcePolicy us-east-1", "DeleteRolePolicy global"),
                        List.of(Reason.RoleNotFound)),
                row("stack mid-update waits", d(true, true),
                        w -> w.stacks.set(1, withStatus(w.stacks.get(1), "UPDATE_IN_PROGRESS")), List.of(),
                        List.of(Reason.StackUpdateInProgress)),
                row("Verify: wrong parameter reported with the value to set", d(true, false),
                        w -> w.stacks.set(1, withParameter(w.stacks.get(1), wrongKey, "alias/buildkite-token")),
                        List.of(), List.of(Reason.StackParametersMismatch)),
                row("Manage: wrong parameter updated once all else is in place", d(true, true),
                        w -> w.stacks.set(1, withParameter(w.stacks.get(1), wrongKey, "")),
                        List.of("UpdateStackParameters us-west-2"), List.of()),
                row("Manage: no update while the policy is pending", d(true, true), w -> {
                    w.stacks.set(1, withParameter(w.stacks.get(1), wrongKey, ""));
                    w.policy = Optional.empty();
                }, List.of("PutResourcePolicy us-east-1"), List.of(Reason.Progressing)),
                row("Manage: no update while a replica is in progress", d(true, true), w -> {
                    w.stacks.set(1, withParameter(w.stacks.get(1), wrongKey, ""));
                    w.replicaStatus(WEST, "InProgress", null);
                }, List.of(), List.of(Reason.ReplicationInProgress, Reason.Progressing)),
                row("Manage: stack claimed by an older resource", d(true, true, Map.of(), Map.of(WEST + "/west",
                        "other/token")), w -> w.stacks.set(1, withParameter(w.stacks.get(1), wrongKey, "")),
                        List.of(), List.of(Reason.StackClaimed)),
                row("Manage: a failed update is not retried for the same generation",
                        d(true, true, Map.of(WEST + "/west", 7L), Map.of()),
                        w -> w.stacks.set(1, withStatus(withParameter(w.stacks.get(1), wrongKey, ""),
                                "UPDATE_ROLLBACK_COMPLETE")), List.of(), List.of(Reason.StackUpdateFailed)),
                row("Manage: an update from an older generation may be retried",
                        d(true, true, Map.of(WEST + "/west", 6L), Map.of()),
                        w -> w.stacks.set(1, withStatus(withParameter(w.stacks.get(1), wrongKey, ""),
                                "UPDATE_ROLLBACK_COMPLETE")), List.of("UpdateStackParameters us-west-2"),
                        List.of()));
    }

    private static DesiredToken d(boolean managePermissions, boolean manageStacks) {
        return desired(managePermissions, manageStacks);
    }

    private static DesiredToken d(boolean managePermissions, boolean manageStacks, Map<String, Long> updates,
            Map<String, String> claims) {
        DesiredToken d = desired(managePermissions, manageStacks);
        return new DesiredToken(d.secretName(), d.primaryRegion(), d.regions(), d.tags(), d.owner(),
                d.expectedAccountId(), true, managePermissions, manageStacks, 7, updates, claims,
                DesiredToken.Rollout.defaults());
    }

    private static Arguments row(String name, DesiredToken desired, Consumer<World> bend, List<String> actions,
            List<Reason> reasons) {
        return Arguments.of(name, desired, bend, actions, reasons);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("table")
    void plansTheTable(String name, DesiredToken desired, Consumer<World> bend, List<String> actions,
            List<Reason> reasons) {
        World world = converged();
        bend.accept(world);
        Plan plan = Planner.plan(desired, world.snapshot());
        assertThat(plan.actions()).extracting(a -> a.name() + " " + a.region()).containsExactlyElementsOf(actions);
        assertThat(plan.problems()).extracting(Problem::reason).containsExactlyElementsOf(reasons);
    }

    @Test
    void putKeepsForeignStatementsVerbatimAndGrantsExactlyTheRoles() {
        World world = converged();
        String foreign = "{\"Sid\":\"Keep\",\"Effect\":\"Deny\",\"Principal\":\"*\",\"Action\":[\"secretsmanager:"
                + "DeleteSecret\"],\"Resource\":\"*\",\"Condition\":{\"Bool\":{\"aws:SecureTransport\":\"false\"}}}";
        world.policy = Optional.of(policy(foreign));
        Action.PutResourcePolicy put = (Action.PutResourcePolicy) Planner.plan(desired(true, false),
                world.snapshot()).actions().get(0);
        JsonNode doc = PolicyDocuments.parse(put.document());
        assertThat(doc.path("Statement").get(0)).isEqualTo(PolicyDocuments.parse(foreign));
        JsonNode ours = doc.path("Statement").get(1);
        assertThat(ours.path("Sid").asText()).isEqualTo(SID).matches("[A-Za-z0-9]+");
        assertThat(PolicyDocuments.awsPrincipals(ours)).containsExactlyInAnyOrder(INSTANCE.arn(), SCALER.arn(),
                WEST_ROLE.arn());
        assertThat(put.repairsDrift()).isFalse();
    }

    @Test
    void inlinePolicyGrantsParameterAndKeyViaSecretsManagerInThePartition() {
        World world = converged();
        world.partition = "aws-us-gov";
        world.inlinePolicies.clear();
        Action.PutRolePolicy put = Planner.plan(desired(true, false), world.snapshot()).actions().stream()
                .filter(a -> a instanceof Action.PutRolePolicy p && p.roleName().equals(WEST_ROLE.name()))
                .map(a -> (Action.PutRolePolicy) a).findFirst().orElseThrow();
        assertThat(put.policyName()).isEqualTo(POLICY_NAME).matches("[\\w+=,.@-]{1,128}");
        JsonNode statements = PolicyDocuments.parse(put.document()).path("Statement");
        assertThat(statements.get(0).path("Resource").asText()).isEqualTo("arn:aws-us-gov:ssm:us-west-2:" + ACCOUNT
                + ":parameter/aws/reference/secretsmanager/" + Fixtures.NAME);
        assertThat(statements.get(1).path("Action").asText()).isEqualTo("kms:Decrypt");
        assertThat(statements.get(1).path("Resource").asText()).isEqualTo(Fixtures.key(WEST, "key-us-west-2").arn());
        assertThat(statements.get(1).path("Condition").path("StringEquals").path("kms:ViaService").asText())
                .isEqualTo("secretsmanager.us-west-2.amazonaws.com");
    }

    @Test
    void stackUpdateSetsOnlyTheTwoParametersToTheirExactValues() {
        World world = converged();
        world.stacks.set(1, withParameter(withParameter(world.stacks.get(1), "BuildkiteAgentTokenParameterStorePath",
                "/old"), "BuildkiteAgentTokenParameterStoreKMSKey", "alias/x"));
        Action.UpdateStackParameters update = (Action.UpdateStackParameters) Planner.plan(desired(true, true),
                world.snapshot()).actions().get(0);
        assertThat(update.values()).containsExactlyInAnyOrderEntriesOf(Map.of(
                "BuildkiteAgentTokenParameterStorePath", "/aws/reference/secretsmanager/" + Fixtures.NAME,
                "BuildkiteAgentTokenParameterStoreKMSKey", "key-us-west-2"));
        assertThat(update.parameterKeys()).contains("InstanceTypes");
        assertThat(update.detail()).contains("replaces the stack's Auto Scaling group");
    }

    @Test
    void mismatchMessageSaysExactlyWhatToSet() {
        World world = converged();
        world.stacks.set(1, withParameter(world.stacks.get(1), "BuildkiteAgentTokenParameterStoreKMSKey", "alias/x"));
        Problem problem = Planner.plan(desired(true, false), world.snapshot()).problems().get(0);
        assertThat(problem.message()).contains("stack west in us-west-2")
                .contains("BuildkiteAgentTokenParameterStoreKMSKey=key-us-west-2").contains("now")
                .contains("alias/x");
    }
}
