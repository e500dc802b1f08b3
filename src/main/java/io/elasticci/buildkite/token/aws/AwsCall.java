package io.elasticci.buildkite.token.aws;

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

    static void exec(String service, String operation, String region, Runnable call) {
        run(service, operation, region, () -> {
            call.run();
            return null;
        });
    }
}
