package io.elasticci.buildkite.token.buildkite.emulator;

import static io.elasticci.buildkite.token.buildkite.emulator.RawHttp.TOKENS;
import static io.elasticci.buildkite.token.buildkite.emulator.RawHttp.json;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.elasticci.buildkite.token.emulator.MutableClock;

/** The emulator speaks Buildkite's REST contract for cluster tokens: statuses, bodies, paging, limits, access. */
class BuildkiteEmulatorContractTest {

    private final BuildkiteEmulator buildkite = BuildkiteEmulator.start();
    private final RawHttp http = new RawHttp(buildkite.endpoint());

    @AfterEach
    void stop() {
        buildkite.close();
    }

    @Test
    void createAnswers201WithTheValueWhichNoOtherAnswerShows() throws IOException {
        HttpResponse<String> created = http.call("POST", TOKENS,
                "{\"description\":\"ci\",\"allowed_ip_addresses\":\"10.0.0.0/8 2001:db8::/32\"}");

        assertThat(created.statusCode()).isEqualTo(201);
        JsonNode token = json(created);
        String id = token.path("id").asText();
        String value = token.path("token").asText();
        assertThat(value).startsWith("bkct_").hasSizeGreaterThan(30);
        assertThat(token.path("description").asText()).isEqualTo("ci");
        assertThat(token.path("allowed_ip_addresses").asText()).isEqualTo("10.0.0.0/8 2001:db8::/32");
        assertThat(token.path("created_at").asText()).isEqualTo("2025-01-01T00:00:00.000Z");
        assertThat(token.path("expires_at").isNull()).isTrue();
        assertThat(token.path("graphql_id").asText()).isNotBlank();
        assertThat(token.path("url").asText()).isEqualTo(buildkite.endpoint() + TOKENS + "/" + id);
        assertThat(token.path("created_by").path("name").asText()).isEqualTo(BuildkiteEmulator.USER);
        assertThat(buildkite.tokens().acceptsAgentToken(value)).isTrue();

        HttpResponse<String> got = http.call("GET", TOKENS + "/" + id, null);
        HttpResponse<String> listed = http.call("GET", TOKENS, null);
        assertThat(got.statusCode()).isEqualTo(200);
        assertThat(json(got).path("id").asText()).isEqualTo(id);
        assertThat(json(got).has("token")).isFalse();
        assertThat(json(listed).get(0).has("token")).isFalse();
        assertThat(got.body() + listed.body() + buildkite.tokens().tokens(BuildkiteEmulator.ORGANIZATION,
                BuildkiteEmulator.CLUSTER) + buildkite.calls()).doesNotContain(value);
    }

    @Test
    void listsPageWithLinkHeaders() throws IOException {
        buildkite.rateLimits().limits(1000, 1000); // 65 creates would spend a user's 50 a minute
        for (int i = 0; i < 65; i++) {
            http.create("token " + i);
        }

        HttpResponse<String> first = http.call("GET", TOKENS, null);
        assertThat(json(first)).hasSize(30);
        assertThat(first.headers().firstValue("Link")).hasValue(
                "<" + buildkite.endpoint() + TOKENS + "?page=2&per_page=30>; rel=\"next\", "
                        + "<" + buildkite.endpoint() + TOKENS + "?page=3&per_page=30>; rel=\"last\"");

        HttpResponse<String> last = http.call("GET", TOKENS + "?page=3&per_page=30", null);
        assertThat(json(last)).hasSize(5);
        assertThat(json(last).get(4).path("description").asText()).isEqualTo("token 64");
        assertThat(last.headers().firstValue("Link").orElseThrow())
                .contains("page=2&per_page=30>; rel=\"prev\"").doesNotContain("rel=\"next\"");

        HttpResponse<String> capped = http.call("GET", TOKENS + "?per_page=500", null);
        assertThat(json(capped)).as("per_page is at most 100").hasSize(65);
        assertThat(capped.headers().firstValue("Link")).isEmpty();
    }

    @Test
    void updateChangesDescriptionAndAllowedAddressesButNeverTheExpiry() throws IOException {
        String expiry = "2025-01-02T00:00:00.000Z";
        String id = json(http.call("POST", TOKENS, "{\"description\":\"old\",\"expires_at\":\"" + expiry + "\"}"))
                .path("id").asText();

        HttpResponse<String> updated = http.call("PUT", TOKENS + "/" + id,
                "{\"description\":\"new\",\"allowed_ip_addresses\":\"192.168.0.0/16\","
                        + "\"expires_at\":\"2030-01-01T00:00:00Z\"}");

        assertThat(updated.statusCode()).isEqualTo(200);
        assertThat(json(updated).path("description").asText()).isEqualTo("new");
        assertThat(json(updated).path("allowed_ip_addresses").asText()).isEqualTo("192.168.0.0/16");
        assertThat(json(updated).path("expires_at").asText()).isEqualTo(expiry);
        assertThat(json(updated).has("token")).isFalse();
    }

    @Test
    void revokedTokensAreGoneAndARefusedRevocationIs422() throws IOException {
        JsonNode kept = http.create("kept");
        JsonNode revoked = http.create("revoked");
        String path = TOKENS + "/" + revoked.path("id").asText();

        assertThat(http.call("DELETE", path, null).statusCode()).isEqualTo(204);

        HttpResponse<String> gone = http.call("GET", path, null);
        assertThat(gone.statusCode()).isEqualTo(404);
        assertThat(json(gone).path("message").asText()).isEqualTo("No token found");
        assertThat(json(http.call("GET", TOKENS, null))).extracting(t -> t.path("id").asText())
                .containsExactly(kept.path("id").asText());
        assertThat(http.call("DELETE", path, null).statusCode()).isEqualTo(404);
        assertThat(buildkite.tokens().acceptsAgentToken(revoked.path("token").asText())).isFalse();

        buildkite.tokens().refuseRevocation(kept.path("id").asText(), "Token cannot be revoked");
        HttpResponse<String> refused = http.call("DELETE", TOKENS + "/" + kept.path("id").asText(), null);
        assertThat(refused.statusCode()).isEqualTo(422);
        assertThat(json(refused).path("message").asText()).isEqualTo("Token cannot be revoked");
        assertThat(buildkite.tokens().tokens(BuildkiteEmulator.ORGANIZATION, BuildkiteEmulator.CLUSTER)).hasSize(1);
    }

    @Test
    void invalidRequestsAre422WithBuildkitesMessageAndNothingIsCreated() throws IOException {
        List<String> invalid = List.of(
                "{\"description\":\"  \"}",
                "{\"description\":\"soon\",\"expires_at\":\"2025-01-01T00:09:59Z\"}",
                "{\"description\":\"when\",\"expires_at\":\"tomorrow\"}",
                "{\"description\":\"mask\",\"allowed_ip_addresses\":\"10.0.0.0/33\"}",
                "{\"description\":\"word\",\"allowed_ip_addresses\":\"10.0.0.0/8 office\"}",
                "{\"description\":\"list\",\"allowed_ip_addresses\":[\"10.0.0.0/8\"]}");
        List<String> messages = new ArrayList<>();
        for (String body : invalid) {
            HttpResponse<String> answer = http.call("POST", TOKENS, body);
            assertThat(answer.statusCode()).as(body).isEqualTo(422);
            assertThat(json(answer).path("errors")).as(body).hasSize(1);
            messages.add(json(answer).path("message").asText());
        }

        assertThat(messages).allMatch(m -> m.startsWith("Validation failed: "));
        assertThat(messages.get(0)).isEqualTo("Validation failed: Description can't be blank");
        assertThat(messages.get(1)).isEqualTo("Validation failed: Expires at must be at least 10 minutes in the future");
        assertThat(http.call("POST", TOKENS, "{not json").statusCode()).isEqualTo(400);
        assertThat(buildkite.tokens().tokens(BuildkiteEmulator.ORGANIZATION, BuildkiteEmulator.CLUSTER)).isEmpty();
        assertThat(http.call("POST", TOKENS, "{\"description\":\"edge\",\"expires_at\":\"2025-01-01T00:10:00Z\"}")
                .statusCode()).as("exactly ten minutes ahead is allowed").isEqualTo(201);
    }

    @Test
    void anExpiredTokenStaysListedButNoAgentCanRegisterWithIt() throws IOException {
        JsonNode token = json(http.call("POST", TOKENS,
                "{\"description\":\"short\",\"expires_at\":\"2025-01-01T00:15:00Z\"}"));
        String value = token.path("token").asText();
        assertThat(buildkite.tokens().acceptsAgentToken(value)).isTrue();

        buildkite.clock().advance(Duration.ofMinutes(15));

        assertThat(buildkite.tokens().acceptsAgentToken(value)).isFalse();
        assertThat(json(http.call("GET", TOKENS, null))).hasSize(1);
    }

    @Test
    void apiTokensAreCheckedForIdentityScopeAndOrganization() throws IOException {
        buildkite.access().grant("bkua_read_only", new ApiAccess.Caller("reader", Set.of("acme"),
                Set.of(ApiAccess.READ_CLUSTERS)));
        buildkite.access().grant("bkua_elsewhere", new ApiAccess.Caller("other", Set.of("globex"),
                Set.of(ApiAccess.READ_CLUSTERS, ApiAccess.WRITE_CLUSTERS)));
        String otherCluster = "/v2/organizations/acme/clusters/00000000-0000-0000-0000-000000000000/tokens";

        assertThat(http.send("GET", TOKENS, null, null).statusCode()).isEqualTo(401);
        assertThat(http.send("GET", TOKENS, "bkua_unknown", null).statusCode()).isEqualTo(401);
        assertThat(http.send("GET", TOKENS, "bkua_read_only", null).statusCode()).isEqualTo(200);
        HttpResponse<String> forbidden = http.send("POST", TOKENS, "bkua_read_only", "{\"description\":\"x\"}");
        assertThat(forbidden.statusCode()).isEqualTo(403);
        assertThat(json(forbidden).path("message").asText()).contains("write_clusters");
        assertThat(json(http.send("GET", TOKENS, "bkua_elsewhere", null)).path("message").asText())
                .isEqualTo("No organization found");
        assertThat(json(http.call("GET", otherCluster, null)).path("message").asText()).isEqualTo("No cluster found");
        assertThat(http.call("GET", "/v2/organizations/acme/pipelines", null).statusCode()).isEqualTo(404);

        buildkite.access().revoke(BuildkiteEmulator.API_TOKEN);
        assertThat(http.call("GET", TOKENS, null).statusCode()).isEqualTo(401);
    }

    @Test
    void ratesAreLimitedPerUserAndPerOrganizationInMinuteWindows() throws IOException {
        buildkite.rateLimits().limits(5, 3);
        buildkite.access().grant("bkua_second_user", new ApiAccess.Caller("second", Set.of("acme"),
                Set.of(ApiAccess.READ_CLUSTERS)));
        buildkite.clock().advance(Duration.ofSeconds(15));

        List<String> userRemaining = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            HttpResponse<String> answer = http.call("GET", TOKENS, null);
            userRemaining.add(answer.headers().firstValue("RateLimit-User-Remaining").orElseThrow());
            assertThat(answer.headers().firstValue("RateLimit-Reset")).hasValue("45");
        }
        assertThat(userRemaining).containsExactly("2", "1", "0");

        HttpResponse<String> userSpent = http.call("GET", TOKENS, null);
        assertThat(userSpent.statusCode()).isEqualTo(429);
        assertThat(json(userSpent).path("scope").asText()).isEqualTo("rest_user");
        assertThat(json(userSpent).path("reset").asInt()).isEqualTo(45);
        assertThat(userSpent.headers().firstValue("RateLimit-Remaining")).as("the 429 was not counted").hasValue("2");

        assertThat(http.send("GET", TOKENS, "bkua_second_user", null).statusCode()).isEqualTo(200);
        assertThat(http.send("GET", TOKENS, "bkua_second_user", null).statusCode()).isEqualTo(200);
        HttpResponse<String> organizationSpent = http.send("GET", TOKENS, "bkua_second_user", null);
        assertThat(organizationSpent.statusCode()).isEqualTo(429);
        assertThat(json(organizationSpent).path("scope").asText()).isEqualTo("rest");

        buildkite.clock().advance(Duration.ofSeconds(45));
        HttpResponse<String> nextWindow = http.call("GET", TOKENS, null);
        assertThat(nextWindow.statusCode()).isEqualTo(200);
        assertThat(nextWindow.headers().firstValue("RateLimit-Reset")).hasValue("60");
    }

    @Test
    void resetRestoresTheSeededStateAndTheClock() throws IOException {
        http.create("before");
        buildkite.access().revoke(BuildkiteEmulator.API_TOKEN);
        buildkite.clock().advance(Duration.ofHours(1));

        buildkite.reset();

        assertThat(buildkite.clock().instant()).isEqualTo(MutableClock.START);
        assertThat(json(http.call("GET", TOKENS, null))).isEmpty();
        assertThat(buildkite.calls().all()).hasSize(1);
    }
}
