package io.elasticci.buildkite.token.buildkite.emulator;

import static io.elasticci.buildkite.token.buildkite.emulator.RawHttp.TOKENS;
import static io.elasticci.buildkite.token.buildkite.emulator.RawHttp.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Fault knobs and the call log. */
class BuildkiteEmulatorFaultsTest {

    private final BuildkiteEmulator buildkite = BuildkiteEmulator.start();
    private final RawHttp http = new RawHttp(buildkite.endpoint());

    @AfterEach
    void stop() {
        buildkite.close();
    }

    private List<Integer> statuses(int calls) throws IOException {
        List<Integer> statuses = new ArrayList<>();
        for (int i = 0; i < calls; i++) {
            statuses.add(http.call("GET", TOKENS, null).statusCode());
        }
        return statuses;
    }

    @Test
    void aServerErrorBurstAnswersTheNextCallsWhateverTheirOperation() throws IOException {
        buildkite.faults().serverErrors(2, 502).serverErrors(1, 503, Duration.ofSeconds(7));

        HttpResponse<String> first = http.call("GET", TOKENS, null);
        HttpResponse<String> second = http.call("POST", TOKENS, "{\"description\":\"x\"}");
        HttpResponse<String> third = http.call("GET", TOKENS, null);

        assertThat(List.of(first.statusCode(), second.statusCode(), third.statusCode())).containsExactly(502, 502, 503);
        assertThat(json(first).path("message").asText()).isNotBlank();
        assertThat(first.headers().firstValue("Retry-After")).isEmpty();
        assertThat(third.headers().firstValue("Retry-After")).hasValue("7");
        assertThat(buildkite.tokens().tokens(BuildkiteEmulator.ORGANIZATION, BuildkiteEmulator.CLUSTER))
                .as("a failed create creates nothing").isEmpty();
        assertThat(statuses(1)).containsExactly(200);
        assertThat(buildkite.faults().pending()).isZero();
    }

    @Test
    void anInjected429SaysWhenToComeBackAndSpendsNoRealBudget() throws IOException {
        buildkite.rateLimits().limits(200, 2);
        buildkite.faults().rateLimited(1, Duration.ofSeconds(30));

        HttpResponse<String> limited = http.call("GET", TOKENS, null);

        assertThat(limited.statusCode()).isEqualTo(429);
        assertThat(json(limited).path("scope").asText()).isEqualTo("rest");
        assertThat(json(limited).path("reset").asInt()).isEqualTo(30);
        assertThat(limited.headers().firstValue("RateLimit-Remaining")).hasValue("0");
        assertThat(limited.headers().firstValue("RateLimit-Reset")).hasValue("30");
        assertThat(statuses(3)).as("the user's two calls are still there").containsExactly(200, 200, 429);
    }

    @Test
    void failNextHitsOnlyThatOperationAsOftenAsAsked() throws IOException {
        buildkite.faults().failNext("createToken", 2, 422, "Validation failed: injected");

        HttpResponse<String> first = http.call("POST", TOKENS, "{\"description\":\"a\"}");
        assertThat(statuses(1)).containsExactly(200);
        HttpResponse<String> second = http.call("POST", TOKENS, "{\"description\":\"b\"}");
        HttpResponse<String> third = http.call("POST", TOKENS, "{\"description\":\"c\"}");

        assertThat(List.of(first.statusCode(), second.statusCode(), third.statusCode())).containsExactly(422, 422, 201);
        assertThat(json(first).path("message").asText()).isEqualTo("Validation failed: injected");
    }

    @Test
    void aDroppedAnswerLeavesTheTokenCreatedAndTheCallerWithoutItsValue() throws IOException {
        buildkite.faults().dropResponses("createToken", 1);

        assertThatThrownBy(() -> http.call("POST", TOKENS, "{\"description\":\"lost\"}"))
                .isInstanceOf(IOException.class);

        assertThat(buildkite.tokens().tokens(BuildkiteEmulator.ORGANIZATION, BuildkiteEmulator.CLUSTER))
                .extracting(ClusterTokens.StoredToken::description).containsExactly("lost");
        assertThat(buildkite.calls().all()).containsExactly(new BuildkiteCallLog.Call("createToken",
                BuildkiteEmulator.ORGANIZATION, BuildkiteEmulator.USER, 201, true));
        assertThat(http.call("POST", TOKENS, "{\"description\":\"kept\"}").statusCode()).as("one-shot")
                .isEqualTo(201);
    }

    @Test
    void latencyDelaysEveryCall() throws IOException {
        buildkite.faults().latency(Duration.ofMillis(300));

        long start = System.nanoTime();
        http.call("GET", TOKENS, null);

        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(300));
    }

    @Test
    void theCallLogNamesOperationsOrganizationsUsersAndStatusesButNoToken() throws IOException {
        String value = http.create("logged").path("token").asText();
        http.send("GET", TOKENS, null, null);
        http.call("GET", TOKENS + "/missing", null);
        http.call("GET", "/v2/organizations/acme/agents", null);

        assertThat(buildkite.calls().all()).containsExactly(
                new BuildkiteCallLog.Call("createToken", "acme", BuildkiteEmulator.USER, 201, false),
                new BuildkiteCallLog.Call("listTokens", "acme", null, 401, false),
                new BuildkiteCallLog.Call("getToken", "acme", BuildkiteEmulator.USER, 404, false),
                new BuildkiteCallLog.Call("unknown", null, BuildkiteEmulator.USER, 404, false));
        assertThat(buildkite.calls().statuses("getToken")).containsExactly(404);
        assertThat(buildkite.calls().toString()).doesNotContain(value).doesNotContain(BuildkiteEmulator.API_TOKEN);

        buildkite.calls().clear();
        assertThat(buildkite.calls().all()).isEmpty();
    }
}
