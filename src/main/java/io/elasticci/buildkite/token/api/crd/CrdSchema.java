package io.elasticci.buildkite.token.api.crd;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionVersion;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;

/**
 * The fields one version of a CRD declares under spec and status, flattened to paths ({@code spec.regions[].stacks[]},
 * {@code spec.tags{}}) with their type and allowed values: enough to tell whether one schema keeps every field of
 * another. Pure.
 *
 * @param fields path → what the field is
 * @param open paths under which the schema keeps any field (x-kubernetes-preserve-unknown-fields)
 */
public record CrdSchema(Map<String, Field> fields, Set<String> open) {

    /**
     * A field's type ("int-or-string" for x-kubernetes-int-or-string), for enums its values, and whether the schema
     * defaults it (the API server then writes it into every object, known to the operator reading it or not).
     */
    public record Field(String type, Set<String> values, boolean defaulted) {
    }

    /** The schema of {@code version}, or an empty schema when the CRD does not serve it. */
    public static CrdSchema of(CustomResourceDefinition crd, String version) {
        Map<String, Field> fields = new TreeMap<>();
        Set<String> open = new LinkedHashSet<>();
        crd.getSpec().getVersions().stream().filter(v -> v.getName().equals(version))
                .filter(v -> !Boolean.FALSE.equals(v.getServed())).findFirst()
                .map(CustomResourceDefinitionVersion::getSchema)
                .map(s -> s.getOpenAPIV3Schema())
                .ifPresent(root -> {
                    for (String part : List.of("spec", "status")) {
                        JSONSchemaProps props = root.getProperties() == null ? null : root.getProperties().get(part);
                        if (props != null) {
                            walk(props, part, fields, open);
                        }
                    }
                });
        return new CrdSchema(fields, open);
    }

    private static void walk(JSONSchemaProps props, String path, Map<String, Field> fields, Set<String> open) {
        String type = Boolean.TRUE.equals(props.getXKubernetesIntOrString()) ? "int-or-string"
                : Objects.requireNonNullElse(props.getType(), "any");
        Set<String> values = new LinkedHashSet<>();
        if (props.getEnum() != null) {
            props.getEnum().forEach(v -> values.add(v.isTextual() ? v.asText() : v.toString()));
        }
        fields.put(path, new Field(type, values, props.getDefault() != null));
        if (Boolean.TRUE.equals(props.getXKubernetesPreserveUnknownFields())) {
            open.add(path);
        }
        if (props.getProperties() != null) {
            props.getProperties().forEach((name, child) -> walk(child, path + "." + name, fields, open));
        }
        if (props.getItems() != null && props.getItems().getSchema() != null) {
            walk(props.getItems().getSchema(), path + "[]", fields, open);
        }
        if (props.getAdditionalProperties() != null && props.getAdditionalProperties().getSchema() != null) {
            walk(props.getAdditionalProperties().getSchema(), path + "{}", fields, open);
        }
    }

    /**
     * What of this schema {@code other} does not keep: a field it lacks, declares with another type, or whose allowed
     * values it narrows. Empty when every object valid here reads the same under {@code other}.
     */
    public List<String> notKeptBy(CrdSchema other) {
        List<String> lost = new ArrayList<>();
        Set<String> gone = new LinkedHashSet<>(); // a missing field's own fields are not listed again
        fields.forEach((path, field) -> {
            Field there = other.fields.get(path);
            if (gone.stream().anyMatch(g -> isUnder(path, g))) {
                return;
            }
            if (there == null) {
                if (!other.keepsAnythingUnder(path)) {
                    gone.add(path);
                    lost.add(path + " is missing");
                }
            } else if (!there.type().equals(field.type()) && !"any".equals(there.type())) {
                lost.add(path + " is " + there.type() + ", not " + field.type());
            } else if (!there.values().isEmpty() && !there.values().containsAll(field.values())) {
                Set<String> missing = new LinkedHashSet<>(field.values());
                missing.removeAll(there.values());
                lost.add(path + " does not allow " + String.join(", ", missing));
            }
        });
        return lost;
    }

    /**
     * Fields added since {@code released} that the schema defaults: the API server would put them into every object,
     * so an operator of the released version (a rollback) would find fields it does not know in all of them.
     */
    public List<String> defaultedSince(CrdSchema released) {
        return fields.entrySet().stream().filter(e -> e.getValue().defaulted())
                .filter(e -> !released.fields.containsKey(e.getKey())).map(Map.Entry::getKey).toList();
    }

    private boolean keepsAnythingUnder(String path) {
        return open.stream().anyMatch(o -> isUnder(path, o));
    }

    private static boolean isUnder(String path, String parent) {
        return path.startsWith(parent + ".") || path.startsWith(parent + "[") || path.startsWith(parent + "{");
    }
}
