package io.elasticci.buildkite.token.buildkite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.time.Duration;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

import io.elasticci.buildkite.token.buildkite.BuildkiteFailure.Kind;
import io.elasticci.buildkite.token.buildkite.emulator.ApiAccess;
import io.elasticci.buildkite.token.buildkite.emulator.BuildkiteEmulator;
import io.elasticci.buildkite.token.emulator.MutableClock;

/** Every error kind, as the emulator answers it over HTTP, and which of them are retried. */
class BuildkiteFailuresTest extends BuildkiteClientTestSupport {

    private final HttpBuildkiteTokens tokens = client();

    private static BuildkiteFailure failure(Runnable call) {
        return catchThrowableOfType(call::run, BuildkiteFailure.class);
    }

    @Test
    void aRejectedApiTokenIsUnauthorizedAndNotRetried() {
        BuildkiteFailure e = failure(() -> client("bkua_not_known").list(ACME));

        assertThat(e.kind()).isEqualTo(Kind.UNAUTHORIZED);
        assertThat(e.status()).isEqualTo(401);
        assertThat(e.getMessage()).contains("listTokens", ACME.toString(), "wrong, expired or revoked");
        assertThat(buildkite.calls().statuses("listTokens")).containsExactly(401);
        assertThat(calls("listTokens", "unauthorized")).isEqualTo(1);
    }

    @Test
    void aMissingScopeIsUnauthorizedWithBuildkitesMessage() {
        buildkite.access().grant("bkua_reader", new ApiAccess.Caller("reader", Set.of(ACME.organization()),
                Set.of(ApiAccess.READ_CLUSTERS)));

        BuildkiteFailure e = failure(() -> client("bkua_reader").create(ACME, TokenRequest.described("x")));

        assertThat(e.kind()).isEqualTo(Kind.UNAUTHORIZED);
        assertThat(e.status()).isEqualTo(403);
        assertThat(e.getMessage()).contains("does not have the required scope: write_clusters");
    }

    @Test
    void withoutAnApiTokenNothingIsSent() {
        BuildkiteFailure e = failure(() -> client(null).list(ACME));

        assertThat(e.kind()).isEqualTo(Kind.UNAUTHORIZED);
        assertThat(e.getMessage()).contains("bkat.buildkite.api-token");
        assertThat(buildkite.calls().all()).isEmpty();
    }

    @Test
    void unknownClustersOrganizationsAndTokensAreNotFound() {
        BuildkiteFailure cluster = failure(() -> tokens.list(new ClusterTokenRef(ACME.organization(), "nope")));
        BuildkiteFailure organization = failure(() -> tokens.list(new ClusterTokenRef("globex", ACME.clusterId())));
        BuildkiteFailure token = failure(() -> tokens.updateDescription(ACME, "nope", "x"));

        assertThat(List.of(cluster.kind(), organization.kind(), token.kind())).containsOnly(Kind.NOT_FOUND);
        assertThat(cluster.getMessage()).contains("No cluster found");
        assertThat(organization.getMessage()).contains("No organization found");
        assertThat(token.getMessage()).contains("No token found");
    }

    @Test
    void aValidationFailureSurfacesBuildkitesMessageAndIsNotRetried() {
        TokenRequest tooSoon = TokenRequest.described("short").expiringAt(MutableClock.START.plusSeconds(60));

        BuildkiteFailure e = failure(() -> tokens.create(ACME, tooSoon));

        assertThat(e.kind()).isEqualTo(Kind.INVALID);
        assertThat(e.status()).isEqualTo(422);
        assertThat(e.getMessage()).endsWith("HTTP 422 Validation failed: Expires at must be at least 10 minutes in "
                + "the future");
        assertThat(e.retryAfter()).isEmpty();
        assertThat(buildkite.calls().count("createToken")).isEqualTo(1);
    }

    @Test
    void aRevocationBuildkiteRefusesIsInvalidWithItsMessage() {
        String id = tokens.create(ACME, TokenRequest.described("in use")).token().id();
        buildkite.tokens().refuseRevocation(id, "Token cannot be revoked while it is the cluster's last");

        BuildkiteFailure e = failure(() -> tokens.revoke(ACME, id));

        assertThat(e.kind()).isEqualTo(Kind.INVALID);
        assertThat(e.getMessage()).contains("Token cannot be revoked while it is the cluster's last");
        assertThat(tokens.get(ACME, id)).isPresent();
    }

    @Test
    void a429IsRetriedWhenBuildkitesBudgetResets() {
        // Another tool spends the organization's budget; this client's limiter cannot know until Buildkite says so.
        buildkite.rateLimits().limits(3, 50);
        buildkite.access().grant("bkua_other_tool", new ApiAccess.Caller("other", Set.of(ACME.organization()),
                Set.of(ApiAccess.READ_CLUSTERS)));
        buildkite.clock().advance(Duration.ofSeconds(20));
        HttpBuildkiteTokens otherTool = client("bkua_other_tool", settings(retry(), Duration.ofSeconds(5)),
                new BuildkiteRateLimits(200, 50));
        for (int i = 0; i < 3; i++) {
            otherTool.list(ACME);
        }

        assertThat(tokens.list(ACME)).isEmpty();

        assertThat(sleeper.sleeps()).as("RateLimit-Reset said 40 s, longer than the backoff")
                .containsExactly(Duration.ofSeconds(40));
        assertThat(buildkite.calls().all()).filteredOn(c -> BuildkiteEmulator.USER.equals(c.user()))
                .extracting(c -> c.status()).containsExactly(429, 200);
        assertThat(retries("listTokens")).isEqualTo(1);
        assertThat(calls("listTokens", "success")).isEqualTo(4);
    }

    @Test
    void a429WhoseResetIsPastTheCallTimeoutFailsAtOnceSayingWhenToComeBack() {
        buildkite.faults().rateLimited(1, Duration.ofMinutes(5));

        BuildkiteFailure e = failure(() -> tokens.list(ACME));

        assertThat(e.kind()).isEqualTo(Kind.RATE_LIMITED);
        assertThat(e.retryAfter()).hasValue(Duration.ofMinutes(5));
        assertThat(sleeper.sleeps()).isEmpty();
        assertThat(buildkite.calls().count("listTokens")).isEqualTo(1);
    }

    @Test
    void aCreateIsRetriedAfter429BecauseBuildkiteDidNotAct() {
        buildkite.faults().rateLimited(1, Duration.ofSeconds(3));

        tokens.create(ACME, TokenRequest.described("once"));

        assertThat(buildkite.calls().statuses("createToken")).containsExactly(429, 201);
        assertThat(buildkite.tokens().tokens(ACME.organization(), ACME.clusterId())).hasSize(1);
    }

    @Test
    void serverErrorsAreRetriedWithGrowingBackoffThenFailAfterMaxAttempts() {
        buildkite.faults().serverErrors(10, 500);

        BuildkiteFailure e = failure(() -> tokens.list(ACME));

        assertThat(e.kind()).isEqualTo(Kind.UNAVAILABLE);
        assertThat(e.status()).isEqualTo(500);
        assertThat(buildkite.calls().statuses("listTokens")).containsExactly(500, 500, 500);
        List<Duration> sleeps = sleeper.sleeps();
        assertThat(sleeps).hasSize(2);
        assertThat(sleeps.get(0)).isBetween(Duration.ofMillis(500), Duration.ofSeconds(1));
        assertThat(sleeps.get(1)).isBetween(Duration.ofSeconds(1), Duration.ofSeconds(2));
        assertThat(retries("listTokens")).isEqualTo(2);
        assertThat(calls("listTokens", "unavailable")).isEqualTo(1);
    }

    @Test
    void retryAfterOnAServerErrorIsHonoured() {
        buildkite.faults().serverErrors(1, 503, Duration.ofSeconds(7));

        assertThat(tokens.list(ACME)).isEmpty();

        assertThat(sleeper.sleeps()).containsExactly(Duration.ofSeconds(7));
    }

    @Test
    void retriesStopAtTheCallTimeout() {
        buildkite.faults().serverErrors(100, 502);
        RetryPolicy patient = new RetryPolicy(50, Duration.ofSeconds(1), Duration.ofSeconds(1), Duration.ofSeconds(5));

        BuildkiteFailure e = failure(() -> client(BuildkiteEmulator.API_TOKEN, settings(patient, Duration.ofSeconds(5)),
                limits).list(ACME));

        assertThat(e.status()).isEqualTo(502);
        assertThat(sleeper.sleeps().stream().reduce(Duration.ZERO, Duration::plus))
                .isLessThanOrEqualTo(Duration.ofSeconds(5));
        assertThat(buildkite.calls().count("listTokens")).isBetween(6L, 11L);
    }

    @Test
    void aCreateThatMayHaveHappenedIsNeverRepeated() {
        buildkite.faults().serverErrors(1, 502);
        BuildkiteFailure serverError = failure(() -> tokens.create(ACME, TokenRequest.described("a")));
        buildkite.faults().dropResponses("createToken", 1);
        BuildkiteFailure dropped = failure(() -> tokens.create(ACME, TokenRequest.described("b")));

        assertThat(serverError.kind()).isEqualTo(Kind.UNAVAILABLE);
        assertThat(serverError.outcomeUnknown()).isTrue();
        assertThat(dropped.kind()).isEqualTo(Kind.UNAVAILABLE);
        assertThat(dropped.outcomeUnknown()).as("the token was created, its value lost").isTrue();
        assertThat(buildkite.calls().statuses("createToken")).containsExactly(502, 201);
        // the crash window: findable by its description, its value gone for good
        assertThat(tokens.list(ACME)).extracting(ClusterToken::description).containsExactly("b");
    }

    @Test
    void aRevokeWhoseAnswerWasLostIsRepeatedAndFindsTheTokenGone() {
        String id = tokens.create(ACME, TokenRequest.described("old")).token().id();
        buildkite.faults().dropResponses("revokeToken", 1);

        assertThat(tokens.revoke(ACME, id)).isEqualTo(Revocation.ALREADY_GONE);

        assertThat(buildkite.calls().statuses("revokeToken")).containsExactly(204, 404);
    }

    @Test
    void aSlowAnswerTimesOutAndIsUnavailable() {
        buildkite.faults().latency(Duration.ofMillis(1500));
        RetryPolicy twice = new RetryPolicy(2, Duration.ofMillis(10), Duration.ofMillis(10), Duration.ofMinutes(1));

        BuildkiteFailure e = failure(() -> client(BuildkiteEmulator.API_TOKEN,
                settings(twice, Duration.ofMillis(300)), limits).list(ACME));

        assertThat(e.kind()).isEqualTo(Kind.UNAVAILABLE);
        assertThat(e.getMessage()).contains("timed out");
        assertThat(e.outcomeUnknown()).isTrue();
        assertThat(sleeper.sleeps()).as("a GET is retried").hasSize(1);
    }

    @Test
    void aRefusedConnectionIsUnavailableAndProvesNothingHappened() {
        buildkite.close();

        BuildkiteFailure e = failure(() -> tokens.create(ACME, TokenRequest.described("x")));

        assertThat(e.kind()).isEqualTo(Kind.UNAVAILABLE);
        assertThat(e.status()).isZero();
        assertThat(e.outcomeUnknown()).isFalse();
        assertThat(sleeper.sleeps()).as("even a create is retried").hasSize(2);
    }
}
