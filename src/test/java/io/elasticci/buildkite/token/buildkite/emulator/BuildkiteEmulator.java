package io.elasticci.buildkite.token.buildkite.emulator;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;

import com.sun.net.httpserver.HttpExchange;

import io.elasticci.buildkite.token.emulator.LoopbackServer;
import io.elasticci.buildkite.token.emulator.MutableClock;

/**
 * An in-process emulator of Buildkite's REST API for cluster agent tokens on 127.0.0.1, served the way the AWS
 * emulator is (the JDK's HTTP server), on a {@link MutableClock}. A call goes through: latency, authentication (401),
 * injected faults, the rate limits (429), authorization (404 for an organization the API token does not reach, 403
 * without the scope), the operation (404, 422, …), and possibly a dropped answer. Every call is logged without bodies
 * or tokens.
 *
 * <p>After start and {@link #reset()}: organization {@link #ORGANIZATION} with cluster {@link #CLUSTER}, and the API
 * token {@link #API_TOKEN} of user {@link #USER} reaching it with both scopes.
 */
public final class BuildkiteEmulator implements AutoCloseable {

    public static final String ORGANIZATION = "acme";
    public static final String CLUSTER = "4d2ac7c4-65a5-4a3e-9f7e-0c3b1e1f2a10";
    public static final String API_TOKEN = "bkua_emulator0api0token0value000000000001";
    public static final String USER = "operator";

    private final LoopbackServer server;
    private final MutableClock clock;
    private final ClusterTokens tokens;
    private final TokenRoutes routes;
    private final ApiAccess access = new ApiAccess();
    private final RateLimitWindows rateLimits;
    private final BuildkiteFaults faults = new BuildkiteFaults();
    private final BuildkiteCallLog calls = new BuildkiteCallLog();

    private BuildkiteEmulator(MutableClock clock) {
        this.clock = clock;
        this.tokens = new ClusterTokens(clock);
        this.routes = new TokenRoutes(tokens);
        this.rateLimits = new RateLimitWindows(clock);
        seed();
        server = LoopbackServer.start("buildkite-emulator", this::handle);
    }

    public static BuildkiteEmulator start() {
        return start(new MutableClock());
    }

    public static BuildkiteEmulator start(MutableClock clock) {
        return new BuildkiteEmulator(clock);
    }

    /** {@code http://127.0.0.1:PORT}: the base URL, in place of https://api.buildkite.com. */
    public URI endpoint() {
        return server.endpoint();
    }

    public MutableClock clock() {
        return clock;
    }

    public ClusterTokens tokens() {
        return tokens;
    }

    public ApiAccess access() {
        return access;
    }

    public RateLimitWindows rateLimits() {
        return rateLimits;
    }

    public BuildkiteFaults faults() {
        return faults;
    }

    public BuildkiteCallLog calls() {
        return calls;
    }

    /** Back to the seeded state: tokens, API tokens, limits, faults and the log; the clock back to its start. */
    public void reset() {
        tokens.clear();
        access.clear();
        rateLimits.clear();
        faults.clear();
        calls.clear();
        clock.set(MutableClock.START);
        seed();
    }

    private void seed() {
        tokens.addCluster(ORGANIZATION, CLUSTER);
        access.grant(API_TOKEN, new ApiAccess.Caller(USER, Set.of(ORGANIZATION),
                Set.of(ApiAccess.READ_CLUSTERS, ApiAccess.WRITE_CLUSTERS)));
    }

    @Override
    public void close() {
        server.close();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange; InputStream in = exchange.getRequestBody()) {
            URI uri = exchange.getRequestURI();
            ApiRequest request = ApiRequest.of(exchange.getRequestMethod(), uri.getRawPath(), uri.getRawQuery(),
                    exchange.getRequestHeaders().getFirst("Authorization"),
                    new String(in.readAllBytes(), StandardCharsets.UTF_8));
            Optional<TokenRoutes.Route> route = TokenRoutes.route(request.method(), request.path());
            Optional<ApiAccess.Caller> caller = access.authenticate(request.authorization());
            Reply reply = answer(request, route, caller);
            String operation = route.map(TokenRoutes.Route::operation).orElse("unknown");
            boolean drop = route.isPresent() && caller.isPresent() && faults.takeDrop(operation);
            calls.record(new BuildkiteCallLog.Call(operation, route.map(TokenRoutes.Route::organization).orElse(null),
                    caller.map(ApiAccess.Caller::user).orElse(null), reply.status(), drop));
            if (!drop) {
                send(exchange, reply);
            } // else: closing without having sent headers closes the connection, unanswered
        }
    }

    private Reply answer(ApiRequest request, Optional<TokenRoutes.Route> found,
            Optional<ApiAccess.Caller> authenticated) {
        if (found.isEmpty()) {
            return Reply.error(404, "Not Found");
        }
        pause(faults.latency());
        if (authenticated.isEmpty()) {
            return Reply.error(401, "Authentication required. Please supply a valid API Access Token");
        }
        TokenRoutes.Route route = found.get();
        ApiAccess.Caller caller = authenticated.get();
        Optional<Reply> injected = faults.take(route.operation());
        if (injected.isPresent()) {
            return injected.get();
        }
        RateLimitWindows.Verdict verdict = rateLimits.admit(route.organization(), caller.user());
        if (!verdict.admitted()) {
            return Reply.json(429, Reply.JSON.createObjectNode()
                    .put("message", "You have exceeded your API rate limit. Please wait before making more requests.")
                    .put("scope", verdict.exhaustedScope()).put("reset", verdict.resetSeconds()))
                    .withHeaders(verdict.headers());
        }
        try {
            ApiAccess.authorize(caller, route.organization(), route.scope());
            return routes.answer(route, request, caller.user(), endpoint()).withHeaders(verdict.headers());
        } catch (ApiError e) {
            return Reply.error(e).withHeaders(verdict.headers());
        } catch (RuntimeException e) {
            // an emulator bug: answered like Buildkite's internal errors, never as a silently dropped connection
            e.printStackTrace();
            return Reply.error(500, "Internal error in the emulator");
        }
    }

    private static void send(HttpExchange exchange, Reply reply) throws IOException {
        reply.headers().forEach((name, value) -> exchange.getResponseHeaders().set(name, value));
        byte[] body = reply.body() == null ? new byte[0] : reply.body().toString().getBytes(StandardCharsets.UTF_8);
        if (body.length > 0) {
            exchange.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
        }
        exchange.sendResponseHeaders(reply.status(), body.length == 0 ? -1 : body.length);
        if (body.length > 0) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }

    private static void pause(Duration latency) {
        if (!latency.isZero()) {
            try {
                Thread.sleep(latency.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
