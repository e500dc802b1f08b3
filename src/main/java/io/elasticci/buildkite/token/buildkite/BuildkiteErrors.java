package io.elasticci.buildkite.token.buildkite;

import java.io.IOException;
import java.net.ConnectException;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;

import io.elasticci.buildkite.token.aws.SecretValue;
import io.elasticci.buildkite.token.buildkite.BuildkiteFailure.Kind;

/**
 * The one place where Buildkite's answers and network failures become {@link BuildkiteFailure}s. Buildkite's own
 * words are kept (its 422 messages say what to fix) with anything that looks like a token masked: Buildkite's
 * token formats ({@code bkct_…}, {@code bkua_…}) and the API token in use, whatever its format.
 */
final class BuildkiteErrors {

    static final String MASK = "[redacted]";
    private static final Pattern TOKEN_LIKE = Pattern.compile("\\bbk[a-z]{2}_[A-Za-z0-9_-]+");
    private static final int MAX_DETAIL = 300;

    private BuildkiteErrors() {
    }

    static Kind kindOf(int status) {
        if (status == 401 || status == 403) {
            return Kind.UNAUTHORIZED;
        }
        if (status == 404) {
            return Kind.NOT_FOUND;
        }
        if (status == 429) {
            return Kind.RATE_LIMITED;
        }
        return status >= 500 ? Kind.UNAVAILABLE : Kind.INVALID;
    }

    /** An error answer; {@code body} is its JSON, or null. A 5xx may come after Buildkite acted, or before. */
    static BuildkiteFailure fromAnswer(String operation, ClusterTokenRef cluster, int status, JsonNode body,
            Duration retryAfter, SecretValue apiToken) {
        Kind kind = kindOf(status);
        String detail = shortened(redact(buildkiteMessage(body), apiToken)) + guidance(status);
        return new BuildkiteFailure(kind, operation, cluster, status, detail, kind.isTransient() ? retryAfter : null,
                status >= 500, null);
    }

    /**
     * No answer. Only a connection that never opened proves that the request was not received; after a timeout or
     * a dropped connection, Buildkite may have acted on it.
     */
    static BuildkiteFailure fromException(String operation, ClusterTokenRef cluster, IOException e,
            SecretValue apiToken) {
        boolean neverSent = e instanceof ConnectException || e instanceof HttpConnectTimeoutException
                || e.getCause() instanceof ConnectException;
        String what = e instanceof HttpTimeoutException ? "timed out" : "no answer";
        String detail = what + " (" + e.getClass().getSimpleName()
                + (e.getMessage() == null ? "" : ": " + redact(e.getMessage(), apiToken)) + ")";
        return new BuildkiteFailure(Kind.UNAVAILABLE, operation, cluster, 0, detail, null, !neverSent, null);
    }

    /** A success status with an answer that is not what the API documents. */
    static BuildkiteFailure unreadable(String operation, ClusterTokenRef cluster, int status, String why) {
        return new BuildkiteFailure(Kind.UNAVAILABLE, operation, cluster, status, why, null, true, null);
    }

    static BuildkiteFailure noApiToken(String operation, ClusterTokenRef cluster) {
        return new BuildkiteFailure(Kind.UNAUTHORIZED, operation, cluster, 0,
                "no Buildkite API token configured (bkat.buildkite.api-token)", null, false, null);
    }

    /** The rate limiters would hold the call past its time budget; it was not sent. */
    static BuildkiteFailure budgetExhausted(String operation, ClusterTokenRef cluster, Duration wait) {
        return new BuildkiteFailure(Kind.RATE_LIMITED, operation, cluster, 0,
                "the rate limit allows no call within the call timeout (next in " + wait + ")", wait, false, null);
    }

    static BuildkiteFailure interrupted(String operation, ClusterTokenRef cluster, boolean outcomeUnknown) {
        return new BuildkiteFailure(Kind.UNAVAILABLE, operation, cluster, 0, "interrupted", null, outcomeUnknown,
                null);
    }

    static String redact(String text, SecretValue apiToken) {
        String masked = apiToken == null || apiToken.reveal().isEmpty() ? text
                : text.replace(apiToken.reveal(), MASK);
        return TOKEN_LIKE.matcher(masked).replaceAll(MASK);
    }

    /** {@code {"message": …, "errors": […]}}: the message, the errors when there is no message. */
    private static String buildkiteMessage(JsonNode body) {
        if (body == null) {
            return "(no message)";
        }
        String message = body.path("message").asText("");
        if (message.isBlank()) {
            List<String> errors = new ArrayList<>();
            body.path("errors").forEach(e -> errors.add(e.isTextual() ? e.asText() : e.toString()));
            message = errors.isEmpty() ? "(no message)" : String.join("; ", errors);
        }
        return message;
    }

    /** Shortened after masking, so that no cut leaves a part of a token unmasked. */
    private static String shortened(String text) {
        return text.length() > MAX_DETAIL ? text.substring(0, MAX_DETAIL) + "…" : text;
    }

    private static String guidance(int status) {
        return switch (status) {
            case 401 -> " (the API token is wrong, expired or revoked)";
            case 403 -> " (the API token needs the scopes read_clusters and write_clusters)";
            default -> "";
        };
    }
}
