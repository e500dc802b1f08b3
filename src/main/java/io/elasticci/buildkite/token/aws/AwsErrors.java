package io.elasticci.buildkite.token.aws;

import java.util.Map;

import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;

/** The one place where AWS error codes become {@link AwsFailure.Kind}s. */
public final class AwsErrors {

    private static final Map<String, AwsFailure.Kind> BY_CODE = Map.ofEntries(
            Map.entry("ResourceNotFoundException", AwsFailure.Kind.NOT_FOUND),
            Map.entry("NotFoundException", AwsFailure.Kind.NOT_FOUND),
            Map.entry("NoSuchEntity", AwsFailure.Kind.NOT_FOUND),
            Map.entry("AccessDeniedException", AwsFailure.Kind.ACCESS_DENIED),
            Map.entry("AccessDenied", AwsFailure.Kind.ACCESS_DENIED),
            Map.entry("UnauthorizedOperation", AwsFailure.Kind.ACCESS_DENIED),
            Map.entry("UnrecognizedClientException", AwsFailure.Kind.ACCESS_DENIED),
            Map.entry("InvalidClientTokenId", AwsFailure.Kind.ACCESS_DENIED),
            Map.entry("ExpiredTokenException", AwsFailure.Kind.ACCESS_DENIED),
            Map.entry("ThrottlingException", AwsFailure.Kind.THROTTLED),
            Map.entry("Throttling", AwsFailure.Kind.THROTTLED),
            Map.entry("TooManyRequestsException", AwsFailure.Kind.THROTTLED),
            Map.entry("RequestLimitExceeded", AwsFailure.Kind.THROTTLED),
            Map.entry("LimitExceededException", AwsFailure.Kind.THROTTLED),
            Map.entry("ServiceUnavailable", AwsFailure.Kind.UNAVAILABLE),
            Map.entry("ServiceUnavailableException", AwsFailure.Kind.UNAVAILABLE),
            Map.entry("InternalFailure", AwsFailure.Kind.UNAVAILABLE),
            Map.entry("InternalServiceError", AwsFailure.Kind.UNAVAILABLE),
            Map.entry("InternalServiceErrorException", AwsFailure.Kind.UNAVAILABLE),
            Map.entry("KMSInternalException", AwsFailure.Kind.UNAVAILABLE),
            Map.entry("ResourceExistsException", AwsFailure.Kind.ALREADY_EXISTS),
            Map.entry("EntityAlreadyExists", AwsFailure.Kind.ALREADY_EXISTS),
            Map.entry("InvalidRequestException", AwsFailure.Kind.INVALID_REQUEST),
            Map.entry("InvalidParameterException", AwsFailure.Kind.INVALID_REQUEST),
            Map.entry("ValidationException", AwsFailure.Kind.INVALID_REQUEST),
            Map.entry("ValidationError", AwsFailure.Kind.INVALID_REQUEST),
            Map.entry("KMSInvalidStateException", AwsFailure.Kind.KMS_KEY_INVALID),
            Map.entry("KMSInvalidStateExceptionException", AwsFailure.Kind.KMS_KEY_INVALID),
            Map.entry("KMSDisabledException", AwsFailure.Kind.KMS_KEY_INVALID),
            Map.entry("KMSNotFoundException", AwsFailure.Kind.KMS_KEY_INVALID),
            Map.entry("DisabledException", AwsFailure.Kind.KMS_KEY_INVALID),
            Map.entry("KMSAccessDeniedException", AwsFailure.Kind.ACCESS_DENIED),
            Map.entry("EncryptionFailure", AwsFailure.Kind.KMS_KEY_INVALID),
            Map.entry("DecryptionFailure", AwsFailure.Kind.KMS_KEY_INVALID),
            Map.entry("MalformedPolicyDocumentException", AwsFailure.Kind.MALFORMED_POLICY),
            Map.entry("PublicPolicyException", AwsFailure.Kind.PUBLIC_POLICY));

    /** How the SDK's credential provider chain says it found nothing (it has no exception type of its own). */
    private static final String NO_CREDENTIALS = "Unable to load credentials";

    private AwsErrors() {
    }

    /**
     * What kept the request from getting an answer, e.g. "ConnectException: Connection refused". Client-side
     * failures carry no request contents: endpoint, host and socket errors only.
     */
    static String rootCause(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage();
        return root.getClass().getSimpleName() + (message == null || message.isBlank() ? "" : ": " + message);
    }

    public static AwsFailure map(SdkException e, String service, String operation, String region) {
        if (e instanceof AwsServiceException ase) {
            String code = ase.awsErrorDetails() == null ? null : ase.awsErrorDetails().errorCode();
            String message = ase.awsErrorDetails() == null ? null : ase.awsErrorDetails().errorMessage();
            AwsFailure.Kind kind = code == null ? null : BY_CODE.get(code);
            if (kind == null) {
                kind = kindFromStatus(ase.statusCode());
            }
            return new AwsFailure(kind, service, operation, region, code == null ? "HTTP " + ase.statusCode() : code,
                    message, null);
        }
        if (e instanceof SdkClientException) {
            if (String.valueOf(e.getMessage()).startsWith(NO_CREDENTIALS)) {
                return new AwsFailure(AwsFailure.Kind.CREDENTIALS_UNAVAILABLE, service, operation, region,
                        "NoCredentials", "no AWS credentials found by the default provider chain (environment, "
                                + "web identity/IRSA, EKS Pod Identity, profile, instance metadata)", null);
            }
            // No answer from the service at all (connection refused, timeout): the region is unreachable for now.
            return new AwsFailure(AwsFailure.Kind.UNAVAILABLE, service, operation, region, "NoResponse",
                    rootCause(e), null);
        }
        return new AwsFailure(AwsFailure.Kind.UNKNOWN, service, operation, region, e.getClass().getSimpleName(), null,
                null);
    }

    static AwsFailure.Kind kindFromStatus(int status) {
        if (status == 429) {
            return AwsFailure.Kind.THROTTLED;
        }
        if (status >= 500) {
            return AwsFailure.Kind.UNAVAILABLE;
        }
        if (status == 403) {
            return AwsFailure.Kind.ACCESS_DENIED;
        }
        if (status == 404) {
            return AwsFailure.Kind.NOT_FOUND;
        }
        return AwsFailure.Kind.INVALID_REQUEST;
    }
}
