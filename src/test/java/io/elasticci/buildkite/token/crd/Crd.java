package io.elasticci.buildkite.token.crd;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The committed, generated BuildkiteAgentToken CRD, read as plain YAML. */
public final class Crd {

    public static final Path FILE = Path.of("crds", "buildkiteagenttokens.buildkite.elasticci.io-v1.yml");
    public static final String VERSION = "v1alpha1";

    private static Map<String, Object> crd;

    private Crd() {
    }

    /** A CEL rule of the CRD and where it sits: "spec", "spec.regions[].stacks", "spec.tags", ... */
    public record Rule(String path, String rule, String message) {
        /** Transition rules compare with the stored object and run on updates only. */
        public boolean transition() {
            return rule.contains("oldSelf");
        }

        @Override
        public String toString() {
            return path + ": " + rule;
        }
    }

    public static synchronized Map<String, Object> crd() {
        if (crd == null) {
            crd = Yaml.load(FILE);
        }
        return crd;
    }

    public static Map<String, Object> version() {
        return Yaml.list(Yaml.map(crd(), "spec").get("versions")).stream()
                .map(v -> Yaml.map(v))
                .filter(v -> VERSION.equals(v.get("name")))
                .findFirst().orElseThrow(() -> new AssertionError("no version " + VERSION));
    }

    public static Map<String, Object> rootSchema() {
        return Yaml.map(version(), "schema", "openAPIV3Schema");
    }

    public static Map<String, Object> specSchema() {
        return Yaml.map(rootSchema(), "properties", "spec");
    }

    public static Map<String, Object> statusSchema() {
        return Yaml.map(rootSchema(), "properties", "status");
    }

    /** The schema at a path like "spec.regions[].stacks". */
    public static Map<String, Object> schemaAt(String path) {
        Map<String, Object> schema = rootSchema();
        for (String segment : path.split("\\.")) {
            boolean items = segment.endsWith("[]");
            String name = items ? segment.substring(0, segment.length() - 2) : segment;
            schema = Yaml.map(schema, "properties", name);
            if (items) {
                schema = Yaml.map(schema, "items");
            }
        }
        return schema;
    }

    /** Every x-kubernetes-validations rule in the schema, in document order. */
    public static List<Rule> rules() {
        List<Rule> rules = new ArrayList<>();
        collect(rootSchema(), "", rules);
        return rules;
    }

    private static void collect(Map<String, Object> schema, String path, List<Rule> rules) {
        for (Object validation : Yaml.list(schema.get("x-kubernetes-validations"))) {
            Map<String, Object> v = Yaml.map(validation);
            rules.add(new Rule(path, (String) v.get("rule"), (String) v.get("message")));
        }
        if (schema.get("properties") instanceof Map<?, ?> properties) {
            properties.forEach((name, child) -> collect(Yaml.map(child),
                    path.isEmpty() ? (String) name : path + "." + name, rules));
        }
        if (schema.get("items") instanceof Map<?, ?> items) {
            collect(Yaml.map(items), path + "[]", rules);
        }
        if (schema.get("additionalProperties") instanceof Map<?, ?> values) {
            collect(Yaml.map(values), path + "{}", rules);
        }
    }
}
