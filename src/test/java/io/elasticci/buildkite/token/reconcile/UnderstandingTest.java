package io.elasticci.buildkite.token.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import io.elasticci.buildkite.token.api.read.ReadNotes;
import io.elasticci.buildkite.token.api.v1alpha1.BuildkiteAgentToken;
import io.elasticci.buildkite.token.api.v1alpha1.BuildkiteAgentTokenSpec;
import io.elasticci.buildkite.token.api.v1alpha1.BuildkiteAgentTokenStatus;
import io.elasticci.buildkite.token.plan.Problem;
import io.elasticci.buildkite.token.plan.Reason;

class UnderstandingTest {

    @Test
    void aFullyReadResourceRaisesNothing() {
        BuildkiteAgentToken token = token(ReadNotes.NONE, null);

        assertThat(Understanding.unreadable(token, "1.2.3")).isEmpty();
        assertThat(Understanding.unknownFields(token, "1.2.3")).isEmpty();
    }

    @Test
    void unknownFieldsAreNamedWithTheVersionAndTheSafeReading() {
        Problem problem = Understanding.unknownFields(token(new ReadNotes(List.of("spec.deletionPolicy"),
                Optional.empty()), null), "1.2.3").orElseThrow();

        assertThat(problem.reason()).isEqualTo(Reason.UnknownFields);
        assertThat(problem.reason().isTerminal()).isTrue();
        assertThat(problem.message()).isEqualTo("spec.deletionPolicy is not understood by this operator (version "
                + "1.2.3): upgrade the operator; until then it changes nothing in AWS for this resource (status.plan "
                + "shows what it would do)");
    }

    @Test
    void manyUnknownFieldsAreListedUpToFive() {
        List<String> fields = List.of("spec.a", "spec.b", "spec.c", "spec.d", "spec.e", "spec.f", "spec.g");

        String message = Understanding.unknownFields(token(new ReadNotes(fields, Optional.empty()), null), "1")
                .orElseThrow().message();

        assertThat(message).startsWith("spec.a, spec.b, spec.c, spec.d, spec.e and 2 more are not understood");
    }

    @Test
    void anUnreadableSpecOrStatusIsUnreadableNamingBoth() {
        BuildkiteAgentTokenStatus status = new BuildkiteAgentTokenStatus();
        status.readNotes(ReadNotes.unreadable("status.conditions: expected a list"));

        Problem problem = Understanding.unreadable(token(ReadNotes.unreadable("spec.regions: expected a list"),
                status), "1.2.3").orElseThrow();

        assertThat(problem.reason()).isEqualTo(Reason.Unreadable);
        assertThat(problem.message()).startsWith("spec.regions: expected a list; status.conditions: expected a list: "
                + "this operator (version 1.2.3) cannot read the resource");
    }

    @Test
    void unknownStatusFieldsAreNotTheUsersConcern() {
        BuildkiteAgentTokenStatus status = new BuildkiteAgentTokenStatus();
        status.readNotes(new ReadNotes(List.of("status.buildkite"), Optional.empty()));

        assertThat(Understanding.unknownFields(token(ReadNotes.NONE, status), "1")).isEmpty();
        assertThat(Understanding.unreadable(token(ReadNotes.NONE, status), "1")).isEmpty();
    }

    private static BuildkiteAgentToken token(ReadNotes specNotes, BuildkiteAgentTokenStatus status) {
        BuildkiteAgentToken token = new BuildkiteAgentToken();
        BuildkiteAgentTokenSpec spec = new BuildkiteAgentTokenSpec();
        spec.readNotes(specNotes);
        token.setSpec(spec);
        token.setStatus(status);
        return token;
    }
}
