package io.elasticci.buildkite.token.buildkite.emulator;

import java.util.List;

/** An error answer as Buildkite gives it: a status, {@code message}, and for validation failures {@code errors}. */
final class ApiError extends RuntimeException {

    private final int status;
    private final List<String> errors;

    ApiError(int status, String message, List<String> errors) {
        super(message, null, false, false);
        this.status = status;
        this.errors = List.copyOf(errors);
    }

    static ApiError notFound(String what) {
        return new ApiError(404, "No " + what + " found", List.of());
    }

    /** 422, the way Rails words a failed validation. */
    static ApiError invalid(String error) {
        return new ApiError(422, "Validation failed: " + error, List.of(error));
    }

    int status() {
        return status;
    }

    List<String> errors() {
        return errors;
    }
}
