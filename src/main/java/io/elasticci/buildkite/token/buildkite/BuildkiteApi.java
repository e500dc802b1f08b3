package io.elasticci.buildkite.token.buildkite;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ThreadLocalRandom;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;

import io.elasticci.buildkite.token.aws.SecretValue;

/**
 * Sends one call to Buildkite's REST API: waits for the rate limiters (the organization's and the API token's user's),
 * sends with the bearer token, feeds the rate-limit headers back to the limiters, retries what is worth retrying
 * within the call's time budget, maps failures and counts calls. Retries are logged at DEBUG; a header or a body
 * never is.
 */
final class BuildkiteApi {

    private static final Logger LOG = Logger.getLogger(BuildkiteApi.class);
    private static final String USER_AGENT = "buildkite-token-operator";

    /**
     * One call. {@code repeatable}: sending it twice does no harm, so it is retried even when Buildkite may have acted
     * on it already (everything but a create).
     */
    record Request(String operation, ClusterTokenRef cluster, String method, URI uri, String json,
            boolean repeatable) {
    }

    /** A 2xx answer. toString leaves the body out: a create's holds the new token's value. */
    record Answer(int status, HttpHeaders headers, String body, URI uri) {

        @Override
        public String toString() {
            return "Answer[" + status + ", " + body.length() + " chars]";
        }
    }

    private final HttpClient http;
    private final BuildkiteSettings settings;
    private final SecretValue apiToken;
    private final BuildkiteRateLimits limits;
    /** The API token's user's budget, looked up once. */
    private final BudgetLimiter userBudget;
    private final BuildkiteMetrics metrics;
    private final Clock clock;
    private final Sleeper sleeper;

    /** {@code apiToken} null: none configured, every call fails as unauthorized without being sent. */
    BuildkiteApi(BuildkiteSettings settings, SecretValue apiToken, BuildkiteRateLimits limits,
            BuildkiteMetrics metrics, Clock clock, Sleeper sleeper) {
        this.settings = settings;
        this.apiToken = apiToken;
        this.limits = limits;
        this.userBudget = apiToken == null ? null : limits.user(apiToken);
        this.metrics = metrics;
        this.clock = clock;
        this.sleeper = sleeper;
        // Never follow a redirect: it would carry the bearer token wherever the answer points.
        this.http = HttpClient.newBuilder().connectTimeout(settings.connectTimeout())
                .followRedirects(HttpClient.Redirect.NEVER).build();
    }

    Answer send(Request request) {
        if (apiToken == null) {
            throw counted(request, BuildkiteErrors.noApiToken(request.operation(), request.cluster()));
        }
        RetryPolicy retry = settings.retry();
        Instant deadline = clock.instant().plus(retry.callTimeout());
        for (int attempt = 1; ; attempt++) {
            BuildkiteFailure failure;
            try {
                awaitBudget(request, deadline);
                Answer answer = attempt(request, deadline);
                metrics.call(request.operation(), "success");
                return answer;
            } catch (BuildkiteFailure f) {
                failure = f;
            }
            Duration delay = retry.delay(attempt, failure.retryAfter().orElse(null),
                    ThreadLocalRandom.current().nextDouble());
            if (!worthRetrying(request, failure) || attempt >= retry.maxAttempts()
                    || clock.instant().plus(delay).isAfter(deadline)) {
                throw counted(request, failure);
            }
            metrics.retry(request.operation());
            LOG.debugf("%s; attempt %d of %d in %s", failure.getMessage(), attempt + 1, retry.maxAttempts(), delay);
            if (!slept(delay)) {
                throw counted(request, BuildkiteErrors.interrupted(request.operation(), request.cluster(),
                        failure.outcomeUnknown()));
            }
        }
    }

    /**
     * Transient failures, unless Buildkite may have acted on a request that must not be sent twice, or the thread was
     * interrupted (the operator is stopping).
     */
    private static boolean worthRetrying(Request request, BuildkiteFailure failure) {
        return failure.kind().isTransient() && (request.repeatable() || !failure.outcomeUnknown())
                && !Thread.currentThread().isInterrupted();
    }

    /**
     * Waits for a start both budgets allow, or fails without sending when that is past the deadline. (A start the
     * user's budget granted is then lost: the next caller waits one interval longer than needed.)
     */
    private void awaitBudget(Request request, Instant deadline) {
        Instant now = clock.instant();
        Instant start = userBudget.reserve(now, deadline);
        if (!start.isAfter(deadline)) {
            start = limits.organization(request.cluster().organization()).reserve(start, deadline);
        }
        Duration wait = Duration.between(now, start);
        if (start.isAfter(deadline)) {
            throw BuildkiteErrors.budgetExhausted(request.operation(), request.cluster(), wait);
        }
        metrics.limiterWait(wait);
        if (!slept(wait)) {
            throw BuildkiteErrors.interrupted(request.operation(), request.cluster(), false);
        }
    }

    private Answer attempt(Request request, Instant deadline) {
        HttpResponse<String> response;
        try {
            response = http.send(httpRequest(request, deadline), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw BuildkiteErrors.fromException(request.operation(), request.cluster(), e, apiToken);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw BuildkiteErrors.interrupted(request.operation(), request.cluster(), true);
        }
        Instant now = clock.instant();
        int status = response.statusCode();
        JsonNode errorBody = status >= 300 ? TokenJson.tree(response.body()) : null;
        RateLimitAnswer said = RateLimitAnswer.read(response.headers(), errorBody, now);
        if (said.user() != null) {
            userBudget.observe(said.user(), now);
        }
        if (said.organization() != null) {
            limits.organization(request.cluster().organization()).observe(said.organization(), now);
        }
        if (status / 100 == 2) {
            return new Answer(status, response.headers(), response.body() == null ? "" : response.body(),
                    request.uri());
        }
        throw BuildkiteErrors.fromAnswer(request.operation(), request.cluster(), status, errorBody,
                said.hint().orElse(null), apiToken);
    }

    private HttpRequest httpRequest(Request request, Instant deadline) {
        Duration left = Duration.between(clock.instant(), deadline);
        // the shorter of the request timeout and what is left of the call's (never zero: the HTTP client refuses it)
        Duration timeout = left.compareTo(settings.requestTimeout()) < 0 && left.compareTo(Duration.ZERO) > 0 ? left
                : settings.requestTimeout();
        HttpRequest.Builder builder = HttpRequest.newBuilder(request.uri()).timeout(timeout)
                .header("Accept", "application/json").header("User-Agent", USER_AGENT)
                .header("Authorization", "Bearer " + apiToken.reveal());
        if (request.json() == null) {
            return builder.method(request.method(), HttpRequest.BodyPublishers.noBody()).build();
        }
        return builder.header("Content-Type", "application/json")
                .method(request.method(), HttpRequest.BodyPublishers.ofString(request.json())).build();
    }

    /** False when interrupted (the flag is set again for the caller). */
    private boolean slept(Duration duration) {
        if (duration.compareTo(Duration.ZERO) <= 0) {
            return true;
        }
        try {
            sleeper.sleep(duration);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private BuildkiteFailure counted(Request request, BuildkiteFailure failure) {
        metrics.call(request.operation(), failure.kind().label());
        return failure;
    }

    @Override
    public String toString() {
        return "BuildkiteApi[" + settings.baseUrl() + (apiToken == null ? ", no API token" : "") + "]";
    }
}
