package io.elasticci.buildkite.token.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import io.elasticci.buildkite.token.crd.Yaml;

/**
 * Renders a kustomization of deploy/ as {@code kubectl kustomize} does. CI may have no kubectl, so this builds it
 * itself with the few kustomize features deploy/ uses (resources, namespace, labels without selectors, images,
 * strategic-merge patches from files) and refuses any other; where kubectl is installed, every build is also run
 * through it and must agree, so the fallback is checked wherever it can be.
 */
public final class Kustomize {

    static final Set<String> SUPPORTED = Set.of("apiVersion", "kind", "namespace", "labels", "resources", "images",
            "patches");
    private static final Set<String> CLUSTER_SCOPED = Set.of("Namespace", "CustomResourceDefinition", "ClusterRole",
            "ClusterRoleBinding");
    private static final Map<Path, Manifests> BUILDS = new ConcurrentHashMap<>();

    private Kustomize() {
    }

    /** The objects the kustomization in {@code dir} renders (compared with kubectl's rendering when it is installed). */
    public static Manifests render(Path dir) {
        return BUILDS.computeIfAbsent(dir.normalize(), d -> {
            Manifests own = Manifests.of(build(d));
            kubectl(d).ifPresent(k -> Manifests.of(k).comparable().assertSameAs(own.comparable(),
                    "this renderer's build of " + d + " (expected: kubectl kustomize)"));
            return own;
        });
    }

    /** The build by this class alone. */
    static List<Map<String, Object>> build(Path dir) {
        Map<String, Object> kustomization = Yaml.load(dir.resolve("kustomization.yaml"));
        assertThat(SUPPORTED).as("kustomize fields this renderer implements (extend it, or drop what %s uses)", dir)
                .containsAll(kustomization.keySet());
        List<Map<String, Object>> objects = new ArrayList<>();
        for (String resource : Yaml.strings(kustomization.get("resources"))) {
            Path target = dir.resolve(resource).normalize();
            objects.addAll(Files.isDirectory(target) ? build(target) : Yaml.loadAll(target));
        }
        for (Object patch : Yaml.list(kustomization.get("patches"))) {
            assertThat(Yaml.map(patch).keySet()).as("a patch given by its file only").containsExactly("path");
            for (Map<String, Object> change : Yaml.loadAll(dir.resolve((String) Yaml.map(patch).get("path")))) {
                Map<String, Object> target = objects.stream().filter(o -> targets(change, o)).findFirst()
                        .orElseThrow(() -> new AssertionError("no object for the patch " + Manifests.key(change)));
                objects.set(objects.indexOf(target), Yaml.map(mergePatch(target, change)));
            }
        }
        Object namespace = kustomization.get("namespace");
        if (namespace != null) {
            objects.forEach(o -> setNamespace(o, (String) namespace));
        }
        for (Object entry : Yaml.list(kustomization.get("labels"))) {
            Map<String, Object> labels = Yaml.map(entry);
            assertThat(labels.get("includeSelectors")).as("labels on selectors are not implemented").isEqualTo(false);
            assertThat(labels.get("includeTemplates")).as("labels on templates are not implemented").isNotEqualTo(true);
            objects.forEach(o -> labelsOf(o).putAll(Yaml.map(labels, "pairs")));
        }
        for (Object entry : Yaml.list(kustomization.get("images"))) {
            objects.forEach(o -> retag(o, Yaml.map(entry)));
        }
        return objects;
    }

    /** {@code kubectl kustomize dir}, or empty when kubectl is not installed. */
    static Optional<List<Map<String, Object>>> kubectl(Path dir) {
        Process process;
        try {
            process = new ProcessBuilder("kubectl", "kustomize", dir.toString()).start();
        } catch (IOException notInstalled) {
            return Optional.empty();
        }
        try {
            byte[] out = process.getInputStream().readAllBytes();
            String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(process.waitFor(60, TimeUnit.SECONDS) && process.exitValue() == 0)
                    .as("kubectl kustomize %s: %s", dir, err).isTrue();
            Path rendered = Files.createDirectories(Path.of("target", "kustomize"))
                    .resolve(dir.toString().replace('/', '_') + ".yaml");
            Files.write(rendered, out);
            return Optional.of(Yaml.loadAll(rendered));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static boolean targets(Map<String, Object> patch, Map<String, Object> object) {
        Map<String, Object> want = Yaml.map(patch, "metadata");
        Map<String, Object> have = Yaml.map(object, "metadata");
        return patch.get("kind").equals(object.get("kind")) && want.get("name").equals(have.get("name"))
                && (want.get("namespace") == null || have.get("namespace") == null
                        || want.get("namespace").equals(have.get("namespace")));
    }

    /**
     * A strategic merge patch as far as deploy/ uses it: maps merge key by key, a null removes a key, lists of named
     * items (containers, env) merge item by name, other lists are replaced.
     */
    static Object mergePatch(Object base, Object patch) {
        if (base instanceof Map<?, ?> baseMap && patch instanceof Map<?, ?> patchMap) {
            Map<String, Object> merged = Yaml.map(Manifests.deepCopy(baseMap));
            patchMap.forEach((k, v) -> {
                if (v == null) {
                    merged.remove((String) k);
                } else {
                    merged.put((String) k, mergePatch(merged.get(k), v));
                }
            });
            return merged;
        }
        if (base instanceof List<?> baseList && patch instanceof List<?> patchList && named(baseList)
                && named(patchList)) {
            List<Object> merged = new ArrayList<>(Yaml.list(Manifests.deepCopy(baseList)));
            for (Object item : patchList) {
                Object name = Yaml.map(item).get("name");
                int at = merged.stream().map(m -> Yaml.map(m).get("name")).toList().indexOf(name);
                if (at < 0) {
                    merged.add(item);
                } else {
                    merged.set(at, mergePatch(merged.get(at), item));
                }
            }
            return merged;
        }
        return patch;
    }

    private static boolean named(List<?> list) {
        return list.stream().allMatch(i -> i instanceof Map<?, ?> m && m.get("name") != null);
    }

    private static void setNamespace(Map<String, Object> object, String namespace) {
        if (!CLUSTER_SCOPED.contains(object.get("kind"))) {
            Yaml.map(object, "metadata").put("namespace", namespace);
        }
        // Like kustomize: service account subjects without a namespace (or in "default") move along.
        for (Object subject : Yaml.list(object.get("subjects"))) {
            Map<String, Object> s = Yaml.map(subject);
            if ("ServiceAccount".equals(s.get("kind"))
                    && (s.get("namespace") == null || "default".equals(s.get("namespace")))) {
                s.put("namespace", namespace);
            }
        }
    }

    private static Map<String, Object> labelsOf(Map<String, Object> object) {
        Map<String, Object> metadata = Yaml.map(object, "metadata");
        if (metadata.get("labels") == null) {
            metadata.put("labels", new LinkedHashMap<String, Object>());
        }
        return Yaml.map(metadata, "labels");
    }

    private static void retag(Map<String, Object> object, Map<String, Object> image) {
        if (!(object.get("spec") instanceof Map<?, ?> spec && spec.get("template") instanceof Map<?, ?> template
                && template.get("spec") instanceof Map<?, ?> pod)) {
            return;
        }
        assertThat(image.keySet()).as("image fields this renderer implements").isSubsetOf("name", "newName",
                "newTag");
        for (String kind : List.of("initContainers", "containers")) {
            for (Object c : Yaml.list(pod.get(kind))) {
                Map<String, Object> container = Yaml.map(c);
                String current = (String) container.get("image");
                String name = current.replaceFirst("@.*$", "").replaceFirst(":[^:/]*$", "");
                if (name.equals(image.get("name"))) {
                    String newName = (String) image.getOrDefault("newName", name);
                    String tag = (String) image.get("newTag");
                    container.put("image", tag == null ? current.replace(name, newName) : newName + ":" + tag);
                }
            }
        }
    }
}
