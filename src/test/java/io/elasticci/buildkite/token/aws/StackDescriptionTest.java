package io.elasticci.buildkite.token.aws;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

class StackDescriptionTest {

    private static StackDescription stack(String name) {
        Map<String, String> parameters = new LinkedHashMap<>();
        for (int i = 0; i < 100; i++) {
            parameters.put("Parameter" + i, "value-" + i);
        }
        parameters.put("InstanceRoleARN", "");
        return new StackDescription(name, "id-" + name, "us-east-1", "CREATE_COMPLETE", null, parameters,
                Map.of("AutoScalingGroupName", "asg-" + name, "VpcId", "vpc-1"), Instant.EPOCH);
    }

    @Test
    void retainingKeepsTheValuesAskedForAndEveryKeyInOrder() {
        StackDescription full = stack("a");
        StackDescription kept = full.retaining(Set.of("Parameter7", "InstanceRoleARN", "Absent"),
                Set.of("AutoScalingGroupName"));
        assertThat(kept.parameters()).containsOnly(Map.entry("Parameter7", "value-7"), Map.entry("InstanceRoleARN", ""));
        assertThat(kept.parameter("Parameter7")).isEqualTo("value-7");
        assertThat(kept.parameterKeys()).isEqualTo(full.parameterKeys()).hasSize(101)
                .startsWith("Parameter0", "Parameter1");
        assertThat(kept.outputs()).containsOnly(Map.entry("AutoScalingGroupName", "asg-a"));
        assertThat(kept).extracting(StackDescription::name, StackDescription::stackId, StackDescription::status,
                StackDescription::lastChanged).containsExactly("a", "id-a", "CREATE_COMPLETE", Instant.EPOCH);
    }

    @Test
    void stacksOfOneTemplateShareOneListOfKeys() {
        StackDescription a = stack("a").retaining(Set.of(), Set.of());
        StackDescription b = stack("b").retaining(Set.of(), Set.of());
        assertThat(a.parameterKeys()).isSameAs(b.parameterKeys());
    }

    @Test
    void cachedStacksAndRolesShareTheWordsTheyRepeat() {
        // As two SDK answers parse them: equal values, distinct instances.
        StackDescription a = new StackDescription("a", "id-a", new String("us-east-1"), new String("CREATE_COMPLETE"),
                null, Map.of("Path", new String("/aws/reference/x")), Map.of(), Instant.EPOCH).retaining(
                        Set.of("Path"), Set.of());
        StackDescription b = new StackDescription("b", "id-b", new String("us-east-1"), new String("CREATE_COMPLETE"),
                null, Map.of("Path", new String("/aws/reference/x")), Map.of(), Instant.EPOCH).retaining(
                        Set.of("Path"), Set.of());
        assertThat(a.status()).isSameAs(b.status());
        assertThat(a.region()).isSameAs(b.region());
        assertThat(a.parameter("Path")).isSameAs(b.parameter("Path"));

        RoleInfo role = new RoleInfo(new String("r"), new String("arn:aws:iam::1:role/r"), new String("AROA1"), null);
        RoleInfo again = new RoleInfo(new String("r"), new String("arn:aws:iam::1:role/r"), new String("AROA1"), null);
        assertThat(role.arn()).isSameAs(again.arn());
        assertThat(role.roleId()).isSameAs(again.roleId());
    }
}
