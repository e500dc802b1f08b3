package io.elasticci.buildkite.token.aws;

/**
 * An AWS call that failed, mapped to what the operator can do about it. Messages carry the service, operation,
 * region and AWS's own error text, never request contents.
 */
public class AwsFailure extends RuntimeException {

    /** Domain outcome of an AWS error, the only thing the rest of the operator looks at. */
    public enum Kind {
        NOT_FOUND(false),
        ACCESS_DENIED(false),
        CREDENTIALS_UNAVAILABLE(false),
        THROTTLED(true),
        UNAVAILABLE(true),
        ALREADY_EXISTS(false),
        INVALID_REQUEST(false),
        KMS_KEY_INVALID(false),
        MALFORMED_POLICY(false),
        PUBLIC_POLICY(false),
        UNKNOWN(true);

        private final boolean transientFailure;

        Kind(boolean transientFailure) {
            this.transientFailure = transientFailure;
        }

        public boolean isTransient() {
            return transientFailure;
        }
    }

    private final Kind kind;
    private final String service;
    private final String operation;
    private final String region;
    private final String errorCode;

    public AwsFailure(Kind kind, String service, String operation, String region, String errorCode, String awsMessage,
            Throwable cause) {
        super(service + " " + operation + " in " + region + " failed: " + errorCode
                + (awsMessage == null || awsMessage.isBlank() ? "" : " (" + awsMessage + ")"), cause);
        this.kind = kind;
        this.service = service;
        this.operation = operation;
        this.region = region;
        this.errorCode = errorCode;
    }

    public Kind kind() {
        return kind;
    }

    public String service() {
        return service;
    }

    public String operation() {
        return operation;
    }

    public String region() {
        return region;
    }

    public String errorCode() {
        return errorCode;
    }
}
