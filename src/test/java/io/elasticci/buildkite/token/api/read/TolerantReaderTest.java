package io.elasticci.buildkite.token.api.read;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.elasticci.buildkite.token.api.v1alpha1.BuildkiteAgentToken;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;

class TolerantReaderTest {

    private static final String FUTURE = """
            apiVersion: buildkite.elasticci.io/v1alpha1
            kind: BuildkiteAgentToken
            metadata: {name: future, namespace: ci}
            spec:
              secretName: buildkite/agent-token
              primaryRegion: us-east-1
              vault: {path: secret/ci}
              sharding: {shard: 2}
              regions:
                - region: us-east-1
                  stacks: [ci]
                  weight: 3
              rotation: {refreshInstances: false, window: 1h}
            status:
              observedGeneration: 4
              vault: {leaseId: abc}
              conditions:
                - {type: Ready, status: "True", reason: Converged, severity: Info}
            """;

    /** Fails on unknown properties, as the mapper behind the informer did when this broke. */
    private static final KubernetesSerialization STRICT = new KubernetesSerialization(
            new ObjectMapper().enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES), true);

    @Test
    void readsWhatItKnowsAndNamesEveryUnknownField() {
        BuildkiteAgentToken token = STRICT.unmarshal(FUTURE, BuildkiteAgentToken.class);

        assertThat(token.getSpec().getSecretName()).isEqualTo("buildkite/agent-token");
        assertThat(token.getSpec().getRegions().get(0).getStacks()).containsExactly("ci");
        assertThat(token.getSpec().getRotation().isRefreshInstances()).isFalse();
        assertThat(token.getSpec().readNotes().unknownFields()).containsExactly("spec.vault", "spec.sharding",
                "spec.regions[0].weight", "spec.rotation.window");
        assertThat(token.getSpec().readNotes().isUnreadable()).isFalse();
        assertThat(token.getStatus().observedGeneration).isEqualTo(4L);
        assertThat(token.getStatus().readNotes().unknownFields()).containsExactly("status.vault",
                "status.conditions[0].severity");
    }

    @Test
    void aSpecWithAFieldOfTheWrongTypeIsUnreadableAndTheMessageNamesPathAndTypeButNotTheValue() {
        String yaml = """
                apiVersion: buildkite.elasticci.io/v1alpha1
                kind: BuildkiteAgentToken
                metadata: {name: wrong, namespace: ci}
                spec:
                  secretName: buildkite/agent-token
                  primaryRegion: us-east-1
                  regions: "us-east-1-very-own-value"
                """;
        BuildkiteAgentToken token = STRICT.unmarshal(yaml, BuildkiteAgentToken.class);

        assertThat(token.getMetadata().getName()).isEqualTo("wrong");
        assertThat(token.getSpec().readNotes().unreadable()).contains("spec.regions: expected a list");
        assertThat(token.getSpec().getSecretName()).as("nothing of an unreadable spec is used").isNull();
        assertThat(STRICT.asJson(token)).doesNotContain("very-own-value");
    }

    @Test
    void namesTheExpectedValuesOfAnEnumAndTheNestedPath() {
        assertThat(unreadable("permissions: Adopt")).isEqualTo("spec.permissions: expected one of Manage, Verify");
        assertThat(unreadable("regions: [{region: us-east-1, stacks: {a: b}}]"))
                .isEqualTo("spec.regions[0].stacks: expected a list");
        assertThat(unreadable("suspend: {x: 1}")).isEqualTo("spec.suspend: expected true or false");
        assertThat(unreadable("rotation: 5")).isEqualTo("spec.rotation: expected an object");
    }

    @Test
    void anUnreadableStatusLeavesTheSpecReadable() {
        String yaml = """
                apiVersion: buildkite.elasticci.io/v1alpha1
                kind: BuildkiteAgentToken
                metadata: {name: s, namespace: ci}
                spec: {secretName: a, primaryRegion: us-east-1, regions: [{region: us-east-1}]}
                status: {conditions: "Ready"}
                """;
        BuildkiteAgentToken token = STRICT.unmarshal(yaml, BuildkiteAgentToken.class);

        assertThat(token.getSpec().readNotes()).isEqualTo(ReadNotes.NONE);
        assertThat(token.getStatus().readNotes().unreadable()).contains("status.conditions: expected a list");
        assertThat(token.getStatus().conditions).isEmpty();
    }

    @Test
    void aKnownSpecHasNoNotesAndNotesAreNeverWrittenBack() {
        String yaml = """
                apiVersion: buildkite.elasticci.io/v1alpha1
                kind: BuildkiteAgentToken
                metadata: {name: known, namespace: ci}
                spec: {secretName: a, primaryRegion: us-east-1, regions: [{region: us-east-1, stacks: [x]}]}
                """;
        BuildkiteAgentToken token = STRICT.unmarshal(yaml, BuildkiteAgentToken.class);

        assertThat(token.getSpec().readNotes()).isEqualTo(ReadNotes.NONE);
        assertThat(STRICT.asJson(STRICT.unmarshal(FUTURE, BuildkiteAgentToken.class)))
                .doesNotContain("readNotes", "organization", "unknownFields");
    }

    @Test
    void theDefaultKubernetesSerializationReadsTheSameWay() {
        BuildkiteAgentToken token = new KubernetesSerialization().unmarshal(FUTURE, BuildkiteAgentToken.class);

        assertThat(token.getSpec().readNotes().unknownFields()).hasSize(4);
        assertThat(List.of(token.getSpec().getPrimaryRegion())).containsExactly("us-east-1");
    }

    @Test
    void twoResourcesShareTheWordsTheyRepeat() {
        BuildkiteAgentToken first = STRICT.unmarshal(FUTURE, BuildkiteAgentToken.class);
        BuildkiteAgentToken second = STRICT.unmarshal(FUTURE.replace("name: future", "name: other"),
                BuildkiteAgentToken.class);

        // The informer holds every resource: a status word or a region is kept once, not once per resource.
        assertThat(second.getStatus().conditions.get(0).getReason()).isEqualTo("Converged")
                .isSameAs(first.getStatus().conditions.get(0).getReason());
        assertThat(second.getSpec().getPrimaryRegion()).isSameAs(first.getSpec().getPrimaryRegion());
        assertThat(second.getSpec().getRegions().get(0).getStacks().get(0))
                .isSameAs(first.getSpec().getRegions().get(0).getStacks().get(0));
    }

    private static String unreadable(String specLine) {
        String yaml = """
                apiVersion: buildkite.elasticci.io/v1alpha1
                kind: BuildkiteAgentToken
                metadata: {name: e, namespace: ci}
                spec:
                  secretName: a
                  %s
                """.formatted(specLine);
        return STRICT.unmarshal(yaml, BuildkiteAgentToken.class).getSpec().readNotes().unreadable().orElse("readable");
    }
}
