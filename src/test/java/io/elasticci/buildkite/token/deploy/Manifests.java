package io.elasticci.buildkite.token.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Predicate;

import io.elasticci.buildkite.token.crd.Yaml;

/**
 * A set of rendered Kubernetes objects (from kustomize or Helm) as plain maps, keyed "Kind namespace/name" (no
 * namespace for cluster-scoped ones), for comparing two installs object by object.
 */
public record Manifests(Map<String, Map<String, Object>> byKey) {

    public static Manifests of(List<Map<String, Object>> documents) {
        Map<String, Map<String, Object>> byKey = new TreeMap<>();
        for (Map<String, Object> document : documents) {
            Map<String, Object> previous = byKey.put(key(document), document);
            assertThat(previous).as("two objects named %s", key(document)).isNull();
        }
        return new Manifests(byKey);
    }

    public static String key(Map<String, Object> object) {
        Map<String, Object> metadata = Yaml.map(object, "metadata");
        Object namespace = metadata.get("namespace");
        return object.get("kind") + " " + (namespace == null ? "" : namespace + "/") + metadata.get("name");
    }

    /** The object with this key ("Role team-a/name"), which must be there. */
    public Map<String, Object> get(String key) {
        assertThat(byKey).containsKey(key);
        return byKey.get(key);
    }

    public List<Map<String, Object>> all(String kind) {
        return byKey.values().stream().filter(o -> kind.equals(o.get("kind"))).toList();
    }

    public Map<String, Object> only(String kind) {
        List<Map<String, Object>> found = all(kind);
        assertThat(found).as("objects of kind %s", kind).hasSize(1);
        return found.get(0);
    }

    public Map<String, Object> podSpec() {
        return podSpec(only("Deployment"));
    }

    public Map<String, Object> container() {
        return container(only("Deployment"));
    }

    /** The operator container's environment: each variable's value, or its valueFrom. */
    public Map<String, Object> env() {
        return env(only("Deployment"));
    }

    public static Map<String, Object> podSpec(Map<String, Object> deployment) {
        return Yaml.map(deployment, "spec", "template", "spec");
    }

    public static Map<String, Object> container(Map<String, Object> deployment) {
        List<Object> containers = Yaml.list(podSpec(deployment).get("containers"));
        assertThat(containers).hasSize(1);
        return Yaml.map(containers.get(0));
    }

    /** The environment of this Deployment's operator container. */
    public static Map<String, Object> env(Map<String, Object> deployment) {
        Map<String, Object> env = new LinkedHashMap<>();
        for (Object entry : Yaml.list(container(deployment).get("env"))) {
            Map<String, Object> variable = Yaml.map(entry);
            Object previous = env.put((String) variable.get("name"),
                    variable.containsKey("value") ? variable.get("value") : variable.get("valueFrom"));
            assertThat(previous).as("%s set twice", variable.get("name")).isNull();
        }
        return env;
    }

    /** The same objects, less those matching. */
    public Manifests without(Predicate<Map<String, Object>> leftOut) {
        Map<String, Map<String, Object>> kept = new TreeMap<>(byKey);
        kept.values().removeIf(leftOut);
        return new Manifests(kept);
    }

    /**
     * Deep copies for comparing in substance. Each container's env is sorted by name: kustomize puts the variables a
     * patch merges first, and the order of env entries matters only to $(VAR) references, which the operator's
     * manifests do not use. Numbers compare by value: kustomize writes the CRD's {@code maximum: 30.0} as 30, the same
     * JSON number to the API server.
     */
    public Manifests comparable() {
        Map<String, Map<String, Object>> copies = new TreeMap<>();
        byKey.forEach((key, object) -> {
            Map<String, Object> copy = Yaml.map(numbersByValue(deepCopy(object)));
            if (copy.get("spec") instanceof Map<?, ?> spec && spec.get("template") instanceof Map<?, ?> template
                    && template.get("spec") instanceof Map<?, ?> pod) {
                for (Object container : Yaml.list(pod.get("containers"))) {
                    Map<String, Object> c = Yaml.map(container);
                    List<Object> env = new ArrayList<>(Yaml.list(c.get("env")));
                    env.sort(Comparator.comparing(e -> (String) Yaml.map(e).get("name")));
                    if (c.containsKey("env")) {
                        c.put("env", env);
                    }
                }
            }
            copies.put(key, copy);
        });
        return new Manifests(copies);
    }

    /** Asserts the same objects, one by one; a failure names the object and the first path where they differ. */
    public void assertSameAs(Manifests expected, String what) {
        assertThat(byKey.keySet()).as("objects of %s", what).containsExactlyElementsOf(expected.byKey.keySet());
        byKey.forEach((key, object) -> assertThat(difference(object, expected.byKey.get(key), ""))
                .as("%s in %s", key, what).isEmpty());
    }

    /** Where two parsed YAML values first differ ("at .spec.replicas: 2, expected 1"), or "" when they are equal. */
    static String difference(Object actual, Object expected, String path) {
        if (actual instanceof Map<?, ?> a && expected instanceof Map<?, ?> e) {
            Set<Object> keys = new TreeSet<>(Comparator.comparing(String::valueOf));
            keys.addAll(a.keySet());
            keys.addAll(e.keySet());
            for (Object key : keys) {
                String found = difference(a.get(key), e.get(key), path + "." + key);
                if (!found.isEmpty()) {
                    return found;
                }
            }
            return "";
        }
        if (actual instanceof List<?> a && expected instanceof List<?> e && a.size() == e.size()) {
            for (int i = 0; i < a.size(); i++) {
                String found = difference(a.get(i), e.get(i), path + "[" + i + "]");
                if (!found.isEmpty()) {
                    return found;
                }
            }
            return "";
        }
        return Objects.equals(actual, expected) ? "" : "at " + path + ": " + actual + ", expected " + expected;
    }

    private static Object numbersByValue(Object value) {
        if (value instanceof Map<?, ?> map) {
            Map<String, Object> normalized = Yaml.map(map);
            normalized.replaceAll((k, v) -> numbersByValue(v));
            return normalized;
        }
        if (value instanceof List<?> list) {
            return new ArrayList<>(list.stream().map(Manifests::numbersByValue).toList());
        }
        if (value instanceof Number number && number.doubleValue() == Math.rint(number.doubleValue())) {
            return number.longValue();
        }
        return value instanceof Number number ? number.doubleValue() : value;
    }

    /** Removes these labels from the object and its pod template, if it has one (and labels: when none are left). */
    static void removeLabels(Map<String, Object> object, Set<String> labels) {
        List<Object> holders = new ArrayList<>(List.of(Yaml.map(object, "metadata")));
        if (object.get("spec") instanceof Map<?, ?> spec && spec.get("template") instanceof Map<?, ?> template) {
            holders.add(template.get("metadata"));
        }
        for (Object holder : holders) {
            if (Yaml.map(holder).get("labels") instanceof Map<?, ?> present) {
                present.keySet().removeAll(labels);
                if (present.isEmpty()) {
                    Yaml.map(holder).remove("labels");
                }
            }
        }
    }

    @SuppressWarnings("unchecked")
    static Object deepCopy(Object value) {
        if (value instanceof Map<?, ?> map) {
            Map<String, Object> copy = new LinkedHashMap<>();
            ((Map<String, Object>) map).forEach((k, v) -> copy.put(k, deepCopy(v)));
            return copy;
        }
        if (value instanceof List<?> list) {
            return new ArrayList<>(list.stream().map(Manifests::deepCopy).toList());
        }
        return value;
    }
}
