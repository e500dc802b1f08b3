package io.elasticci.buildkite.token.buildkite;

import java.time.Duration;
import java.util.Optional;

/**
 * A Buildkite call that failed, mapped to what the operator can do about it. Its message names the call, the cluster,
 * the HTTP status and Buildkite's own message with anything that looks like a token masked; never a request or a
 * token value.
 */
public class BuildkiteFailure extends RuntimeException {

    /** The only thing the rest of the operator looks at. */
    public enum Kind {
        /** 401 (the API token is wrong or revoked) or 403 (it lacks read_clusters or write_clusters). */
        UNAUTHORIZED(false),
        NOT_FOUND(false),
        /** 422: Buildkite refused the request (validation, or a token it cannot revoke). */
        INVALID(false),
        /** 429, or the call would wait for the rate limit past its time budget. */
        RATE_LIMITED(true),
        /** 5xx, timeouts, connection failures: no usable answer. */
        UNAVAILABLE(true);

        private final boolean transientFailure;

        Kind(boolean transientFailure) {
            this.transientFailure = transientFailure;
        }

        public boolean isTransient() {
            return transientFailure;
        }

        /** The metric label. */
        String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    private final Kind kind;
    private final String operation;
    private final int status;
    private final Duration retryAfter;
    private final boolean outcomeUnknown;

    /**
     * Public for fakes of {@link BuildkiteTokens}; the adapter builds its failures in {@code BuildkiteErrors}.
     * {@code status} 0: no answer; {@code retryAfter} may be null.
     */
    public BuildkiteFailure(Kind kind, String operation, ClusterTokenRef cluster, int status, String detail,
            Duration retryAfter, boolean outcomeUnknown, Throwable cause) {
        super("Buildkite " + operation + " in " + cluster + " failed: " + (status > 0 ? "HTTP " + status + " " : "")
                + detail, cause);
        this.kind = kind;
        this.operation = operation;
        this.status = status;
        this.retryAfter = retryAfter;
        this.outcomeUnknown = outcomeUnknown;
    }

    public Kind kind() {
        return kind;
    }

    /** createToken, listTokens, getToken, updateToken or revokeToken. */
    public String operation() {
        return operation;
    }

    /** The HTTP status answered; 0 when none came. */
    public int status() {
        return status;
    }

    /** When Buildkite (RateLimit-Reset, Retry-After) or the rate limiter says a retry can succeed. */
    public Optional<Duration> retryAfter() {
        return Optional.ofNullable(retryAfter);
    }

    /** No answer came to a request Buildkite may have acted on (5xx, timeout, dropped connection). */
    public boolean outcomeUnknown() {
        return outcomeUnknown;
    }
}
