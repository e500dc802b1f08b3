package io.elasticci.buildkite.token.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * deploy/iam/plan-policy.json, for the role a CI job runs the plan command with: reads only, never a secret value,
 * and never wider than the operator's own policy (PlanCommandIT checks the command calls nothing outside it).
 */
public class PlanPolicyTest {

    static final Path PLAN_POLICY = Path.of("deploy", "iam", "plan-policy.json");
    private static final Path OPERATOR_POLICY = Path.of("deploy", "iam", "operator-policy.json");

    /** action → resources it is allowed on. */
    public static Map<String, Set<String>> allowed(Path policy) {
        try {
            Map<String, Set<String>> allowed = new TreeMap<>();
            for (JsonNode statement : new ObjectMapper().readTree(policy.toFile()).get("Statement")) {
                if (statement.get("Effect").asText().equals("Allow")) {
                    for (String action : values(statement.get("Action"))) {
                        allowed.computeIfAbsent(action, a -> new TreeSet<>()).addAll(values(statement.get("Resource")));
                    }
                }
            }
            return allowed;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<String> values(JsonNode node) {
        List<String> values = new ArrayList<>();
        if (node.isArray()) {
            node.forEach(v -> values.add(v.asText()));
        } else {
            values.add(node.asText());
        }
        return values;
    }

    @Test
    void allowsOnlyReadsAndNeverASecretValue() {
        Map<String, Set<String>> plan = allowed(PLAN_POLICY);
        assertThat(plan).isNotEmpty().doesNotContainKey("secretsmanager:GetSecretValue")
                .doesNotContainKeys("kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey");
        for (String action : plan.keySet()) {
            String name = action.substring(action.indexOf(':') + 1);
            assertThat(name.startsWith("Describe") || name.startsWith("Get") || name.startsWith("List")
                    || name.startsWith("Simulate") || action.equals("sts:AssumeRole")).as(action).isTrue();
        }
    }

    @Test
    void isNeverWiderThanTheOperatorsPolicy() {
        Map<String, Set<String>> operator = allowed(OPERATOR_POLICY);
        allowed(PLAN_POLICY).forEach((action, resources) -> assertThat(operator.get(action))
                .as("operator policy resources of %s", action).isNotNull().containsAll(resources));
    }
}
