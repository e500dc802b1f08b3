package io.elasticci.buildkite.token.emulator;

import java.util.Objects;

/**
 * An AWS error as a service answers it: an error code (the SDK's {@code errorCode()}), an HTTP status and a message.
 * Thrown by the state classes and the service handlers; the wire protocol of the service that was called turns it
 * into the right response body.
 *
 * <p>The message must never contain a secret value.
 */
public final class AwsError extends RuntimeException {

    private final String code;
    private final int status;

    public AwsError(String code, int status, String message) {
        super(message, null, false, false);
        this.code = Objects.requireNonNull(code, "code");
        this.status = status;
    }

    /** An error with the usual HTTP status for its code (see {@link #defaultStatus(String)}). */
    public static AwsError of(String code, String message) {
        return new AwsError(code, defaultStatus(code), message);
    }

    public String code() {
        return code;
    }

    public int status() {
        return status;
    }

    /** True when the fault is the server's (5xx): the query protocol reports these with {@code Type=Receiver}. */
    public boolean serverFault() {
        return status >= 500;
    }

    /**
     * The HTTP status AWS uses for an error code. JSON services answer almost every error with 400; the table
     * below holds the exceptions (server faults, and the query services' 403/404/409 codes). A service can
     * override this through {@link AwsService#statusFor(String)} where it differs.
     */
    public static int defaultStatus(String code) {
        switch (code) {
            case "InternalFailure":
            case "InternalServiceError":
            case "InternalError":
            case "InternalServerError":
            case "KMSInternalException":
            case "KeyUnavailableException":
            case "ServiceFailure":
            case "ResourceContention":
                return 500;
            case "ServiceUnavailable":
            case "ServiceUnavailableException":
            case "DependencyTimeoutException":
            case "Unavailable":
                return 503;
            case "AccessDenied":
            case "InvalidClientTokenId":
            case "SignatureDoesNotMatch":
            case "MissingAuthenticationToken":
            case "OptInRequired":
            case "RegionDisabledException":
                return 403;
            case "NoSuchEntity":
                return 404;
            case "EntityAlreadyExists":
            case "DeleteConflict":
            case "ConcurrentModification":
                return 409;
            default:
                return 400;
        }
    }

    @Override
    public String toString() {
        return "AwsError[" + code + " " + status + ": " + getMessage() + "]";
    }
}
