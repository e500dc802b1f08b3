package io.elasticci.buildkite.token.crd;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import io.elasticci.buildkite.token.api.crd.CrdSchema;
import io.elasticci.buildkite.token.api.v1alpha1.BuildkiteAgentToken;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;

/**
 * The CRD evolution policy of deploy/UPGRADING.md, enforced: a served version keeps every field of the last released
 * CRD, with its type and allowed values. Adding fields is fine; removing, renaming or retyping one needs a new version.
 */
class CrdEvolutionTest {

    private static final KubernetesSerialization YAML = new KubernetesSerialization();
    static final Path RELEASED = Path.of("crds", "released");

    @Test
    void theGeneratedCrdKeepsEveryFieldOfTheLastReleasedOne() throws IOException {
        Path last = lastReleased();
        CrdSchema released = CrdSchema.of(read(last), BuildkiteAgentToken.VERSION);
        CrdSchema generated = CrdSchema.of(read(Crd.FILE), BuildkiteAgentToken.VERSION);

        assertThat(released.fields()).as("%s declares fields", last).isNotEmpty();
        assertThat(released.notKeptBy(generated)).as("""
                fields of the released %s that %s no longer keeps: a served version must not remove, rename or \
                retype a field (add a new one, or a new version; deploy/UPGRADING.md)""", last, Crd.FILE).isEmpty();
        assertThat(generated.defaultedSince(released)).as("""
                fields added since %s with a schema default: the API server would write them into every object, and                 an operator rolled back to %s would stop acting on all of them (UnknownFields); default in the                 operator instead""", last, last).isEmpty();
    }

    @Test
    void aNewFieldWithASchemaDefaultIsCaught() throws IOException {
        CrdSchema released = CrdSchema.of(read(Crd.FILE), BuildkiteAgentToken.VERSION);
        CrdSchema withDefault = changed(spec -> {
            JSONSchemaProps policy = new JSONSchemaProps();
            policy.setType("string");
            policy.setDefault(new com.fasterxml.jackson.databind.node.TextNode("Retain"));
            spec.getProperties().put("futurePolicy", policy);
        });

        assertThat(withDefault.defaultedSince(released)).containsExactly("spec.futurePolicy");
        assertThat(released.defaultedSince(released)).as("defaults that were released stay").isEmpty();
    }

    @Test
    void removingRenamingRetypingOrNarrowingAFieldIsCaught() throws IOException {
        CrdSchema released = CrdSchema.of(read(Crd.FILE), BuildkiteAgentToken.VERSION);

        assertThat(released.notKeptBy(changed(spec -> spec.getProperties().remove("suspend"))))
                .containsExactly("spec.suspend is missing");
        assertThat(released.notKeptBy(changed(spec -> spec.getProperties()
                .put("paused", spec.getProperties().remove("dryRun")))))
                .containsExactly("spec.dryRun is missing");
        assertThat(released.notKeptBy(changed(spec -> spec.getProperties().get("regions").setType("string"))))
                .containsExactly("spec.regions is string, not array");
        assertThat(released.notKeptBy(changed(spec -> spec.getProperties().get("permissions").getEnum()
                .removeIf(v -> v.asText().equals("Verify")))))
                .containsExactly("spec.permissions does not allow Verify");
        assertThat(released.notKeptBy(changed(spec -> spec.getProperties().get("rotation").getProperties().clear())))
                .as("a removed object is listed once, not with each of its fields")
                .allMatch(l -> l.startsWith("spec.rotation.")).doesNotHaveDuplicates();
    }

    @Test
    void addingAFieldOrKeepingUnknownFieldsIsCompatible() throws IOException {
        CrdSchema released = CrdSchema.of(read(Crd.FILE), BuildkiteAgentToken.VERSION);

        assertThat(released.notKeptBy(changed(spec -> spec.getProperties().put("futurePolicy",
                new JSONSchemaProps())))).isEmpty();
        assertThat(released.notKeptBy(changed(spec -> {
            spec.getProperties().get("rotation").getProperties().clear();
            spec.getProperties().get("rotation").setXKubernetesPreserveUnknownFields(true);
        }))).isEmpty();
        assertThat(CrdSchema.of(read(Crd.FILE), "v1beta1").fields()).as("a version the CRD does not serve").isEmpty();
    }

    static Path lastReleased() throws IOException {
        try (Stream<Path> files = Files.list(RELEASED)) {
            return files.filter(f -> f.toString().endsWith(".yml"))
                    .max(Comparator.comparing(CrdEvolutionTest::versionOf, CrdEvolutionTest::compareVersions))
                    .orElseThrow(() -> new AssertionError("no released CRD in " + RELEASED));
        }
    }

    private static List<Integer> versionOf(Path file) {
        String name = file.getFileName().toString().replace(".yml", "");
        return Stream.of(name.split("\\.")).map(Integer::valueOf).toList();
    }

    private static int compareVersions(List<Integer> a, List<Integer> b) {
        for (int i = 0; i < Math.min(a.size(), b.size()); i++) {
            if (!a.get(i).equals(b.get(i))) {
                return Integer.compare(a.get(i), b.get(i));
            }
        }
        return Integer.compare(a.size(), b.size());
    }

    private static CustomResourceDefinition read(Path file) throws IOException {
        return YAML.unmarshal(Files.readString(file), CustomResourceDefinition.class);
    }

    private static CrdSchema changed(Consumer<JSONSchemaProps> change) throws IOException {
        CustomResourceDefinition crd = read(Crd.FILE);
        change.accept(crd.getSpec().getVersions().get(0).getSchema().getOpenAPIV3Schema().getProperties().get("spec"));
        return CrdSchema.of(crd, BuildkiteAgentToken.VERSION);
    }
}
