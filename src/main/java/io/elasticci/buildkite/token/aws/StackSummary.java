package io.elasticci.buildkite.token.aws;

import java.time.Instant;

/** A stack as ListStacks shows it: enough to tell whether it changed since it was last described. */
public record StackSummary(String name, String stackId, String status, Instant lastChanged) {

    public StackSummary {
        name = SharedStrings.of(name);
        status = SharedStrings.of(status);
    }
}
