package io.elasticci.buildkite.token.crd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

/** The schema facts the API promises (design §2), read from the committed CRD. */
class CrdSchemaTest {

    @Test
    void identity() {
        Map<String, Object> spec = Yaml.map(Crd.crd(), "spec");
        assertThat(Yaml.map(Crd.crd(), "metadata").get("name")).isEqualTo("buildkiteagenttokens.buildkite.elasticci.io");
        assertThat(spec.get("group")).isEqualTo("buildkite.elasticci.io");
        assertThat(spec.get("scope")).isEqualTo("Namespaced");
        Map<String, Object> names = Yaml.map(spec, "names");
        assertThat(names.get("kind")).isEqualTo("BuildkiteAgentToken");
        assertThat(Yaml.strings(names.get("shortNames"))).containsExactly("bkat");
        assertThat(Yaml.strings(names.get("categories"))).containsExactly("buildkite");
        assertThat(Crd.version()).containsEntry("served", true).containsEntry("storage", true);
    }

    @Test
    void statusSubresourceIsEnabled() {
        assertThat(Yaml.map(Crd.version(), "subresources")).containsKey("status");
    }

    @Test
    void specRequiresSecretNamePrimaryRegionAndRegions() {
        assertThat(Yaml.strings(Crd.specSchema().get("required")))
                .contains("secretName", "primaryRegion", "regions");
    }

    @Test
    void regionsAreAMapKeyedByRegionOfAtMost30() {
        Map<String, Object> regions = Crd.schemaAt("spec.regions");
        assertThat(regions.get("type")).isEqualTo("array");
        assertThat(regions.get("x-kubernetes-list-type")).isEqualTo("map");
        assertThat(Yaml.strings(regions.get("x-kubernetes-list-map-keys"))).containsExactly("region");
        assertThat(regions.get("maxItems")).isEqualTo(30);
        // list-map keys must be required (or defaulted) for the API server to accept the CRD
        assertThat(Yaml.strings(Yaml.map(regions, "items").get("required"))).contains("region");
    }

    @Test
    void stacksAreASetOfAtMost50() {
        Map<String, Object> stacks = Crd.schemaAt("spec.regions[].stacks");
        assertThat(stacks.get("type")).isEqualTo("array");
        assertThat(stacks.get("x-kubernetes-list-type")).isEqualTo("set");
        assertThat(stacks.get("maxItems")).isEqualTo(50);
    }

    @Test
    void secretNameIsLimitedToWhatTheStackParameterPathAllows() {
        Map<String, Object> secretName = Crd.schemaAt("spec.secretName");
        assertThat(secretName.get("pattern")).isEqualTo("^[A-Za-z0-9/_.-]{1,512}$");
        Pattern pattern = Pattern.compile((String) secretName.get("pattern"));
        assertThat(pattern.matcher("buildkite/agent-token").matches()).isTrue();
        assertThat(pattern.matcher("a.b_c-d/E9").matches()).isTrue();
        assertThat(pattern.matcher("has space").matches()).isFalse();
        assertThat(pattern.matcher("token+1").matches()).isFalse();
        assertThat(pattern.matcher("").matches()).isFalse();
        assertThat(pattern.matcher("a".repeat(513)).matches()).isFalse();
    }

    @Test
    void kmsKeyDefaultsToTheAwsManagedKey() {
        Map<String, Object> kmsKeyId = Crd.schemaAt("spec.regions[].kmsKeyId");
        assertThat(kmsKeyId.get("default")).isEqualTo("alias/aws/secretsmanager");
        assertThat(Pattern.compile((String) kmsKeyId.get("pattern")).matcher("alias/aws/secretsmanager").matches())
                .as("the default satisfies the pattern").isTrue();
    }

    @Test
    void everyPatternIsAValidRegex() {
        List<String> patterns = new ArrayList<>();
        walk(Crd.rootSchema(), "", (path, schema) -> {
            if (schema.get("pattern") instanceof String p) {
                patterns.add(path);
                assertThatCode(() -> Pattern.compile(p)).as("pattern at %s", path).doesNotThrowAnyException();
            }
        });
        assertThat(patterns).contains("spec.secretName", "spec.primaryRegion", "spec.regions[].region",
                "spec.regions[].kmsKeyId", "spec.expectedAccountId", "spec.tokenSecretRef.name");
    }

    @Test
    void everyPropertyUnderSpecAndStatusIsDescribed() {
        List<String> undescribed = new ArrayList<>();
        List<String> seen = new ArrayList<>();
        for (String root : List.of("spec", "status")) {
            Map<String, Object> schema = Yaml.map(Crd.rootSchema(), "properties", root);
            walkProperties(schema, root, (path, property) -> {
                seen.add(path);
                if (!(property.get("description") instanceof String d) || d.isBlank()) {
                    undescribed.add(path);
                }
            });
        }
        assertThat(seen).as("properties walked").contains("spec.regions.stacks", "status.conditions.reason",
                "status.regions.replicationStatus", "spec.tokenSecretRef.key");
        assertThat(undescribed).as("properties without a description").isEmpty();
    }

    @Test
    void printerColumnsPutReadyFirstAndAgeLast() {
        List<Map<String, Object>> columns = Yaml.list(Crd.version().get("additionalPrinterColumns")).stream()
                .map(Yaml::map).toList();
        List<String> names = columns.stream().map(c -> (String) c.get("name")).toList();
        assertThat(names).contains("Ready", "Reason", "Age");
        assertThat(names.indexOf("Ready")).as("Ready before Reason").isLessThan(names.indexOf("Reason"));
        assertThat(names.get(names.size() - 1)).isEqualTo("Age");
        Map<String, Object> ready = columns.get(names.indexOf("Ready"));
        assertThat(ready.get("jsonPath")).isEqualTo(".status.conditions[?(@.type==\"Ready\")].status");
        assertThat(ready.get("priority")).isEqualTo(0);
        assertThat(columns.get(names.indexOf("Reason")).get("priority")).isEqualTo(0);
        assertThat(columns.get(names.indexOf("Age")))
                .containsEntry("type", "date").containsEntry("jsonPath", ".metadata.creationTimestamp");
    }

    interface Visitor {
        void visit(String path, Map<String, Object> schema);
    }

    /** Every schema node, including array items and map values. */
    private static void walk(Map<String, Object> schema, String path, Visitor visitor) {
        visitor.visit(path, schema);
        if (schema.get("properties") instanceof Map<?, ?> properties) {
            properties.forEach((name, child) -> walk(Yaml.map(child), path.isEmpty() ? (String) name : path + "." + name,
                    visitor));
        }
        if (schema.get("items") instanceof Map<?, ?> items) {
            walk(Yaml.map(items), path + "[]", visitor);
        }
        if (schema.get("additionalProperties") instanceof Map<?, ?> values) {
            walk(Yaml.map(values), path + "{}", visitor);
        }
    }

    /** Every named property at any depth (through array items and map values), not the nodes without a name. */
    private static void walkProperties(Map<String, Object> schema, String path, Visitor visitor) {
        if (schema.get("properties") instanceof Map<?, ?> properties) {
            properties.forEach((name, child) -> {
                Map<String, Object> property = Yaml.map(child);
                String childPath = path + "." + name;
                visitor.visit(childPath, property);
                walkProperties(property, childPath, visitor);
            });
        }
        if (schema.get("items") instanceof Map<?, ?> items) {
            walkProperties(Yaml.map(items), path, visitor);
        }
        if (schema.get("additionalProperties") instanceof Map<?, ?> values) {
            walkProperties(Yaml.map(values), path, visitor);
        }
    }
}
