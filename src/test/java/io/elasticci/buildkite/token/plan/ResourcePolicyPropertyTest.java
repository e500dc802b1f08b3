package io.elasticci.buildkite.token.plan;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.elasticci.buildkite.token.aws.RoleInfo;
import io.elasticci.buildkite.token.hostile.ForeignStatements;

/**
 * The resource policy merge as a property: for random valid statements of others (Sids, principals, actions,
 * conditions, resources, their order, one object or a list), any set of discovered roles and any earlier state of our
 * own statement (absent, current, stale, placed anywhere), the planned document keeps every foreign statement exactly
 * as it was and in its order, and our statement grants GetSecretValue to exactly the discovered roles, never to
 * {@code *}. Seeded: a failure names its iteration and replays.
 */
class ResourcePolicyPropertyTest {

    static final int ITERATIONS = 200;
    private static final String ACCOUNT = Fixtures.ACCOUNT;
    private static final String OURS = ResourcePolicyPlanner.sid(Fixtures.OWNER);
    /** Principals of others: the account, roles of other teams, a role the operator also grants. */
    private static final List<String> PRINCIPALS = List.of("arn:aws:iam::" + ACCOUNT + ":root",
            "arn:aws:iam::" + ACCOUNT + ":role/deploy", "arn:aws:iam::210987654321:role/audit",
            "arn:aws:iam::" + ACCOUNT + ":role/role-1");

    @Test
    void foreignStatementsSurviveVerbatimAndOursGrantsExactlyTheDiscoveredRoles() {
        for (int i = 0; i < ITERATIONS; i++) {
            Random random = new Random(1_000 + i);
            List<RoleInfo> roles = roles(random);
            List<JsonNode> foreign = new ArrayList<>();
            for (int n = random.nextInt(6); n > 0; n--) {
                foreign.add(ForeignStatements.statement(random, PRINCIPALS));
            }
            Optional<String> before = document(random, foreign, roles);

            List<Action> actions = new ArrayList<>();
            List<Problem> problems = new ArrayList<>();
            ResourcePolicyPlanner.plan(Fixtures.desired(true, "us-east-1"), Fixtures.ARN, before, roles, 0, false, actions,
                    problems);

            String seed = "iteration " + i + ", policy before: " + before.orElse("none");
            assertThat(problems).as(seed).isEmpty();
            Optional<String> after = after(before, actions, seed);
            List<JsonNode> statements = after.map(PolicyDocuments::parse).map(PolicyDocuments::statements)
                    .orElse(List.of());
            assertThat(statements.stream().filter(s -> !OURS.equals(s.path("Sid").asText())).toList())
                    .as("foreign statements, verbatim and in order; " + seed).isEqualTo(foreign);
            Set<String> wanted = new TreeSet<>(roles.stream().map(RoleInfo::arn).toList());
            List<JsonNode> ours = statements.stream().filter(s -> OURS.equals(s.path("Sid").asText())).toList();
            if (wanted.isEmpty()) {
                assertThat(ours).as("no statement of ours without roles; " + seed).isEmpty();
            } else {
                assertThat(ours).as(seed).hasSize(1);
                assertThat(ResourcePolicyPlanner.matches(ours.get(0), wanted)).as("ours grants exactly the roles; "
                        + seed).isTrue();
                assertThat(PolicyDocuments.awsPrincipals(ours.get(0))).as(seed).doesNotContain("*");
            }
            statements.forEach(s -> assertThat(PolicyDocuments.awsPrincipals(s)).as("no * principal; " + seed)
                    .doesNotContain("*"));
            assertThat(statements.stream().map(s -> s.path("Principal")).filter(JsonNode::isTextual).toList())
                    .as("no bare * principal; " + seed).isEmpty();

            List<Action> again = new ArrayList<>();
            ResourcePolicyPlanner.plan(Fixtures.desired(true, "us-east-1"), Fixtures.ARN, after, roles, 0, false, again,
                    new ArrayList<>());
            assertThat(again).as("the planned document is converged; " + seed).isEmpty();
        }
    }

    /** What the document is after the plan's action (or as it was, when nothing is planned). */
    private static Optional<String> after(Optional<String> before, List<Action> actions, String seed) {
        assertThat(actions).as(seed).hasSizeLessThanOrEqualTo(1);
        if (actions.isEmpty()) {
            return before;
        }
        if (actions.get(0) instanceof Action.PutResourcePolicy put) {
            return Optional.of(put.document());
        }
        assertThat(actions.get(0)).as(seed).isInstanceOf(Action.DeleteResourcePolicy.class);
        return Optional.empty();
    }

    private static List<RoleInfo> roles(Random random) {
        List<RoleInfo> roles = new ArrayList<>();
        for (int n = random.nextInt(5); n > 0; n--) {
            String name = "role-" + Integer.toString(random.nextInt(1 << 20), 36);
            String path = random.nextBoolean() ? "" : "ci/";
            roles.add(new RoleInfo(name, "arn:aws:iam::" + ACCOUNT + ":role/" + path + name,
                    "AROA" + name.toUpperCase(Locale.ROOT), random.nextBoolean() ? null : Instant.EPOCH));
        }
        return roles;
    }

    /**
     * The policy before: the foreign statements, maybe with a statement of ours (current, for other roles, or with
     * an extra action) at a random place, as one object or a list; or no policy at all.
     */
    private static Optional<String> document(Random random, List<JsonNode> foreign, List<RoleInfo> roles) {
        List<JsonNode> statements = new ArrayList<>(foreign);
        switch (random.nextInt(4)) {
            case 0 -> { } // never granted
            case 1 -> statements.add(random.nextInt(statements.size() + 1), ours(roles.stream().map(RoleInfo::arn)
                    .toList(), "secretsmanager:GetSecretValue"));
            case 2 -> statements.add(random.nextInt(statements.size() + 1), ours(List.of("arn:aws:iam::" + ACCOUNT
                    + ":role/gone"), "secretsmanager:GetSecretValue"));
            default -> statements.add(random.nextInt(statements.size() + 1), ours(roles.stream().map(RoleInfo::arn)
                    .toList(), "secretsmanager:*"));
        }
        if (statements.isEmpty()) {
            return Optional.empty();
        }
        ObjectNode doc = PolicyDocuments.JSON.createObjectNode().put("Version", "2012-10-17");
        if (statements.size() == 1 && random.nextBoolean()) {
            doc.set("Statement", statements.get(0));
        } else {
            statements.forEach(doc.putArray("Statement")::add);
        }
        return Optional.of(PolicyDocuments.render(doc));
    }

    private static JsonNode ours(List<String> roleArns, String action) {
        ObjectNode statement = PolicyDocuments.JSON.createObjectNode().put("Sid", OURS).put("Effect", "Allow");
        ArrayNode principals = statement.putObject("Principal").putArray("AWS");
        roleArns.forEach(principals::add);
        return statement.put("Action", action).put("Resource", "*");
    }
}
