package io.elasticci.buildkite.token.emulator;

/**
 * One emulated AWS service, reached through the service name in the SigV4 credential scope. Subclasses pick a wire
 * protocol by extending {@link JsonService} or {@link QueryService}.
 */
abstract class AwsService {

    /** Credential-scope service name, e.g. "secretsmanager". */
    abstract String name();

    /** The operation a request calls; throws when the request names none or an unknown one. */
    abstract String operationOf(RawRequest request);

    /** Runs the operation; AwsError for an AWS error answer. */
    abstract RawResponse invoke(CallContext context, RawRequest request);

    /** The error response in this service's protocol. */
    abstract RawResponse errorResponse(AwsError error, String requestId);

    /** Error code for an access key the emulator does not know. */
    abstract AwsError unknownAccessKey();

    /** Temporary credentials past their expiry, in this protocol's words. */
    abstract AwsError expiredToken();

    /** Error for a call without a SigV4 Authorization header. */
    abstract AwsError missingAuthentication();

    /** Throttling error with the service's code. */
    abstract AwsError throttled(String message);

    /** Error code of the service's generic HTTP 500 answer. */
    abstract String internalErrorCode();

    /** HTTP status this service answers with for an error code. */
    int statusFor(String code) {
        return AwsError.defaultStatus(code);
    }

    /** An error with this service's status for the code. */
    AwsError error(String code, String message) {
        return new AwsError(code, statusFor(code), message);
    }
}
