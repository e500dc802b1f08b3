package io.elasticci.buildkite.token.reconcile;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import io.elasticci.buildkite.token.api.read.ReadNotes;
import io.elasticci.buildkite.token.api.v1alpha1.BuildkiteAgentToken;
import io.elasticci.buildkite.token.plan.Problem;
import io.elasticci.buildkite.token.plan.Reason;

/**
 * What this build cannot understand of a resource, and so must not act on. An unknown field may be one that forbids
 * a write or points the operator elsewhere (another account, a deletion policy), so the safe reading is to observe
 * and plan on what is understood, and change nothing.
 */
final class Understanding {

    private Understanding() {
    }

    /** Unreadable when spec or status could not be read at all: nothing is observed. */
    static Optional<Problem> unreadable(BuildkiteAgentToken resource, String version) {
        List<String> why = new ArrayList<>();
        // paths hold field names as written, which may hold anything: escaped
        ReadNotes.of(resource.getSpec()).unreadable().map(Printable::message).ifPresent(why::add);
        ReadNotes.of(resource.getStatus()).unreadable().map(Printable::message).ifPresent(why::add);
        if (why.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(Problem.secret(Reason.Unreadable, null, String.join("; ", why)
                + ": this operator (version " + version + ") cannot read the resource and changes nothing for it; "
                + "fix the field, and apply this release's CRD so the API server refuses such values"));
    }

    /** UnknownFields when the spec carries fields this build does not know: observed and planned, nothing changed. */
    static Optional<Problem> unknownFields(BuildkiteAgentToken resource, String version) {
        List<String> unknown = ReadNotes.of(resource.getSpec()).unknownFields();
        if (unknown.isEmpty()) {
            return Optional.empty();
        }
        String listed = Listing.firstFew(unknown.stream().map(Printable::message).toList());
        return Optional.of(Problem.secret(Reason.UnknownFields, null, listed + (unknown.size() == 1 ? " is" : " are")
                + " not understood by this operator (version " + version + "): upgrade the operator; until then it "
                + "changes nothing in AWS for this resource (status.plan shows what it would do)"));
    }
}
