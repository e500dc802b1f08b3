package io.elasticci.buildkite.token.aws;

import java.util.Optional;
import java.util.function.Supplier;

import software.amazon.awssdk.core.exception.SdkException;

/** Runs one SDK call and turns its failure into an {@link AwsFailure}. */
final class AwsCall {

    private AwsCall() {
    }

    static <T> T run(String service, String operation, String region, Supplier<T> call) {
        try {
            return call.get();
        } catch (SdkException e) {
            throw AwsErrors.map(e, service, operation, region);
        }
    }

    /** "Not found" as a value: empty instead of a failure. */
    static <T> Optional<T> absentIfNotFound(Supplier<T> call) {
        try {
            return Optional.ofNullable(call.get());
        } catch (AwsFailure e) {
            if (e.kind() == AwsFailure.Kind.NOT_FOUND) {
                return Optional.empty();
            }
            throw e;
        }
    }
}
