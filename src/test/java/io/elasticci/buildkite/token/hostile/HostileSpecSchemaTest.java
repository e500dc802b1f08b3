package io.elasticci.buildkite.token.hostile;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.elasticci.buildkite.token.api.crd.SchemaValidator;
import io.elasticci.buildkite.token.api.read.ReadNotes;
import io.elasticci.buildkite.token.api.read.TolerantReader;
import io.elasticci.buildkite.token.api.v1alpha1.BuildkiteAgentTokenSpec;
import io.elasticci.buildkite.token.crd.Crd;
import io.elasticci.buildkite.token.reconcile.Printable;
import io.elasticci.buildkite.token.reconcile.SpecValidator;

/**
 * The hostile corpus against the committed CRD (what the API server would do: schema and CEL rules, by the project's
 * own evaluator) and against the operator's first line, without Kubernetes or AWS: how it reads the spec and what its
 * validator says. {@code HostileInputE2ETest} runs the same cases through the whole operator.
 */
class HostileSpecSchemaTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    static List<HostileSpecs.Case> cases() {
        return HostileSpecs.all();
    }

    @Test
    void theCorpusIsLargeAndEachCaseNamedOnce() {
        List<HostileSpecs.Case> cases = HostileSpecs.all();
        assertThat(cases).hasSizeGreaterThanOrEqualTo(40);
        Set<String> names = cases.stream().map(HostileSpecs.Case::name).collect(Collectors.toSet());
        assertThat(names).hasSameSizeAs(cases);
        assertThat(cases).filteredOn(c -> c.apiServer() == HostileSpecs.ApiServer.ADMITS)
                .as("cases only the operator can refuse").hasSizeGreaterThanOrEqualTo(10);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void theApiServerVerdictIsAsRecorded(HostileSpecs.Case c) {
        List<String> problems = SchemaValidator.validate(c.spec("schema01"), Crd.specSchema(), "spec");

        assertThat(problems.isEmpty() ? HostileSpecs.ApiServer.ADMITS : HostileSpecs.ApiServer.REJECTS)
                .as("API server verdict on %s (%s): %s", c.name(), c.injected(), problems).isEqualTo(c.apiServer());
    }

    /** What the reconciler decides before it makes any AWS call: Unreadable, UnknownFields or InvalidSpec. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void theOperatorRefusesBeforeTouchingAwsWhenTheSpecIsAtFault(HostileSpecs.Case c) {
        Optional<String> verdict = firstLine(c.spec("schema01"));

        if (Set.of("Unreadable", "UnknownFields", "InvalidSpec").contains(c.reason())) {
            assertThat(verdict).as("%s (%s)", c.name(), c.injected()).isPresent();
            assertThat(verdict.get()).startsWith(c.reason() + ": ").contains(c.field());
        } else {
            assertThat(verdict).as("%s is a valid spec (its fault lies elsewhere)", c.name()).isEmpty();
        }
    }

    /** The reason and message the reconciler's first steps would give, or empty when it goes on to AWS. */
    private static Optional<String> firstLine(Object spec) {
        BuildkiteAgentTokenSpec read = TolerantReader.read(JSON.valueToTree(spec), BuildkiteAgentTokenSpec.class,
                "spec", BuildkiteAgentTokenSpec::new);
        ReadNotes notes = ReadNotes.of(read);
        if (notes.isUnreadable()) {
            return Optional.of("Unreadable: " + notes.unreadable().get());
        }
        if (!notes.unknownFields().isEmpty()) {
            return Optional.of("UnknownFields: " + notes.unknownFields().stream().map(Printable::message).toList());
        }
        List<String> errors = new SpecValidator(Optional.empty(), Optional.empty()).validate("ns", read);
        return errors.isEmpty() ? Optional.empty() : Optional.of("InvalidSpec: " + String.join("; ", errors));
    }
}
