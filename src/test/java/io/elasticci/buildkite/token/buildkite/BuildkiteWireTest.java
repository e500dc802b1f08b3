package io.elasticci.buildkite.token.buildkite;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpHeaders;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

/** Reading Buildkite's headers and bodies, and the retry delays, case by case. */
class BuildkiteWireTest {

    private static final Instant NOW = Instant.parse("2025-01-01T00:00:00Z");

    private static HttpHeaders headers(Map<String, String> values) {
        return HttpHeaders.of(values.entrySet().stream().collect(java.util.stream.Collectors.toMap(
                Map.Entry::getKey, e -> List.of(e.getValue()))), (name, value) -> true);
    }

    @Test
    void bothBudgetsComeFromTheirHeaders() {
        RateLimitAnswer answer = RateLimitAnswer.read(headers(Map.of("RateLimit-Remaining", "150",
                "RateLimit-Reset", "42", "RateLimit-User-Remaining", "0", "RateLimit-User-Reset", "17")), null, NOW);

        assertThat(answer.organization()).isEqualTo(new RateLimitAnswer.Budget(150, Duration.ofSeconds(42)));
        assertThat(answer.user()).isEqualTo(new RateLimitAnswer.Budget(0, Duration.ofSeconds(17)));
        assertThat(answer.hint()).as("the spent budget's reset").hasValue(Duration.ofSeconds(17));
    }

    @Test
    void a429BodyNamesTheSpentBudget() {
        JsonNode body = TokenJson.tree("{\"message\":\"slow down\",\"scope\":\"rest_user\",\"reset\":25}");

        RateLimitAnswer answer = RateLimitAnswer.read(headers(Map.of()), body, NOW);

        assertThat(answer.user()).isEqualTo(new RateLimitAnswer.Budget(0, Duration.ofSeconds(25)));
        assertThat(answer.organization()).isNull();
        assertThat(answer.hint()).hasValue(Duration.ofSeconds(25));
    }

    @Test
    void retryAfterIsReadInSecondsAndAsAnHttpDate() {
        assertThat(RateLimitAnswer.read(headers(Map.of("Retry-After", "12")), null, NOW).hint())
                .hasValue(Duration.ofSeconds(12));
        assertThat(RateLimitAnswer.read(headers(Map.of("Retry-After", "Wed, 01 Jan 2025 00:01:30 GMT")), null, NOW)
                .hint()).hasValue(Duration.ofSeconds(90));
        assertThat(RateLimitAnswer.read(headers(Map.of("Retry-After", "soon")), null, NOW).hint()).isEmpty();
        assertThat(RateLimitAnswer.read(headers(Map.of("RateLimit-Remaining", "3", "RateLimit-Reset", "9")), null,
                NOW).hint()).as("a budget with calls left asks for no wait").isEmpty();
    }

    @Test
    void theNextLinkIsFoundAmongOthersAndResolvedAgainstThePage() {
        URI page = URI.create("https://api.buildkite.com/v2/organizations/acme/clusters/c/tokens?per_page=100");
        HttpHeaders links = headers(Map.of("Link", "<https://api.buildkite.com/v2/x?page=1>; rel=\"first\", "
                + "</v2/organizations/acme/clusters/c/tokens?page=3&per_page=100>; rel=\"next\", <https://api"
                + ".buildkite.com/v2/x?page=9>; rel=\"last\""));

        assertThat(LinkHeader.next(links, page)).hasValue(URI.create(
                "https://api.buildkite.com/v2/organizations/acme/clusters/c/tokens?page=3&per_page=100"));
        assertThat(LinkHeader.next(headers(Map.of("Link", "<https://x/a?page=1>; rel=\"prev\"")), page)).isEmpty();
        assertThat(LinkHeader.next(headers(Map.of()), page)).isEmpty();
    }

    @Test
    void backoffDoublesWithJitterUpToTheMaximumAndBowsToBuildkitesHint() {
        RetryPolicy policy = new RetryPolicy(10, Duration.ofSeconds(1), Duration.ofSeconds(8), Duration.ofMinutes(1));

        assertThat(policy.delay(1, null, 0.0)).isEqualTo(Duration.ofMillis(500));
        assertThat(policy.delay(1, null, 0.999)).isBetween(Duration.ofMillis(990), Duration.ofSeconds(1));
        assertThat(policy.delay(3, null, 0.0)).isEqualTo(Duration.ofSeconds(2));
        assertThat(policy.delay(9, null, 0.0)).as("capped").isEqualTo(Duration.ofSeconds(4));
        assertThat(policy.delay(60, null, 0.5)).as("no overflow").isEqualTo(Duration.ofSeconds(6));
        assertThat(policy.delay(1, Duration.ofSeconds(30), 0.5)).isEqualTo(Duration.ofSeconds(30));
        assertThat(policy.delay(3, Duration.ofMillis(100), 0.0)).isEqualTo(Duration.ofSeconds(2));
    }

    @Test
    void buildkitesMessagesKeepTheirWordsButNoTokenLikeText() {
        JsonNode body = TokenJson.tree("{\"message\":\"Validation failed: bkct_abcDEF123 and secret-api-token\"}");

        BuildkiteFailure failure = BuildkiteErrors.fromAnswer("createToken", new ClusterTokenRef("acme", "c"), 422,
                body, null, io.elasticci.buildkite.token.aws.SecretValue.of("secret-api-token"));

        assertThat(failure.getMessage()).isEqualTo(
                "Buildkite createToken in acme/c failed: HTTP 422 Validation failed: [redacted] and [redacted]");
    }

    @Test
    void errorsWithoutAMessageAreListed() {
        JsonNode body = TokenJson.tree("{\"errors\":[\"Description can't be blank\",{\"field\":\"expires_at\"}]}");

        BuildkiteFailure failure = BuildkiteErrors.fromAnswer("createToken", new ClusterTokenRef("acme", "c"), 422,
                body, null, null);

        assertThat(failure.getMessage()).endsWith("HTTP 422 Description can't be blank; {\"field\":\"expires_at\"}");
    }
}
