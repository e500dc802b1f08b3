package io.elasticci.buildkite.token.buildkite;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

import io.elasticci.buildkite.token.aws.SecretValue;
import io.elasticci.buildkite.token.buildkite.emulator.ApiAccess;
import io.elasticci.buildkite.token.buildkite.emulator.BuildkiteCallLog;
import io.elasticci.buildkite.token.buildkite.emulator.BuildkiteEmulator;

/** The limiters pace calls below Buildkite's budgets, believe its headers, and are shared by every caller. */
class BuildkiteRateLimitsTest extends BuildkiteClientTestSupport {

    private static final Instant T0 = Instant.parse("2025-01-01T00:00:00Z");
    private static final Instant NEVER = Instant.MAX;

    private static List<Duration> starts(BudgetLimiter limiter, int calls) {
        List<Duration> starts = new ArrayList<>();
        for (int i = 0; i < calls; i++) {
            starts.add(Duration.between(T0, limiter.reserve(T0, NEVER)));
        }
        return starts;
    }

    @Test
    void aBurstGoesAtOnceThenCallsAreSpreadAtTheBudgetsRate() {
        List<Duration> starts = starts(new BudgetLimiter(60), BudgetLimiter.BURST + 2);

        assertThat(starts.subList(0, BudgetLimiter.BURST)).containsOnly(Duration.ZERO);
        assertThat(starts.subList(BudgetLimiter.BURST, BudgetLimiter.BURST + 2))
                .containsExactly(Duration.ofSeconds(1), Duration.ofSeconds(2));
    }

    @Test
    void noMoreCallsStartThanBuildkiteSaidAreLeftBeforeItsReset() {
        BudgetLimiter limiter = new BudgetLimiter(600);
        limiter.observe(new RateLimitAnswer.Budget(2, Duration.ofSeconds(30)), T0);

        assertThat(starts(limiter, 4)).containsExactly(Duration.ZERO, Duration.ZERO, Duration.ofSeconds(30),
                Duration.ofSeconds(30));
    }

    @Test
    void withinOneWindowTheLowestCountWinsWhateverOrderAnswersArriveIn() {
        BudgetLimiter limiter = new BudgetLimiter(600);
        limiter.observe(new RateLimitAnswer.Budget(0, Duration.ofSeconds(30)), T0);
        limiter.observe(new RateLimitAnswer.Budget(5, Duration.ofSeconds(30)), T0); // an earlier call's answer

        assertThat(starts(limiter, 1)).containsExactly(Duration.ofSeconds(30));
    }

    @Test
    void aStartPastTheLatestIsNotReserved() {
        BudgetLimiter limiter = new BudgetLimiter(600);
        limiter.observe(new RateLimitAnswer.Budget(1, Duration.ofSeconds(30)), T0);

        assertThat(limiter.reserve(T0, T0)).isEqualTo(T0);
        assertThat(limiter.reserve(T0, T0.plusSeconds(10))).isEqualTo(T0.plusSeconds(30));
        assertThat(limiter.reserve(T0, T0.plusSeconds(10))).as("the refusal reserved nothing")
                .isEqualTo(T0.plusSeconds(30));
    }

    @Test
    void organizationsAndApiTokensEachHaveOneLimiterForEveryCaller() {
        BuildkiteRateLimits shared = new BuildkiteRateLimits(200, 50);

        assertThat(shared.organization("acme")).isSameAs(shared.organization("acme"))
                .isNotSameAs(shared.organization("globex"));
        assertThat(shared.user(SecretValue.of("bkua_one"))).isSameAs(shared.user(SecretValue.of("bkua_one")))
                .isNotSameAs(shared.user(SecretValue.of("bkua_two")));
    }

    @Test
    void twoCallersWithOneApiTokenShareItsBudgetAndWaitInsteadOfMeeting429() {
        buildkite.rateLimits().limits(200, 4);
        HttpBuildkiteTokens first = client();
        HttpBuildkiteTokens second = client();

        for (int i = 0; i < 4; i++) {
            first.list(ACME);
        }
        second.list(ACME);

        assertThat(buildkite.calls().all()).extracting(BuildkiteCallLog.Call::status).containsOnly(200).hasSize(5);
        assertThat(sleeper.sleeps()).containsExactly(Duration.ofSeconds(60));
        assertThat(registry.find("bkat.buildkite.rate.limiter.wait").timer().max(java.util.concurrent.TimeUnit.SECONDS))
                .isEqualTo(60);
    }

    @Test
    void twoApiTokensInOneOrganizationShareTheOrganizationsBudget() {
        buildkite.rateLimits().limits(3, 50);
        buildkite.access().grant("bkua_second", new ApiAccess.Caller("second", Set.of(ACME.organization()),
                Set.of(ApiAccess.READ_CLUSTERS)));
        HttpBuildkiteTokens first = client();
        HttpBuildkiteTokens second = client("bkua_second");

        first.list(ACME);
        second.list(ACME);
        first.list(ACME);
        second.list(ACME);

        assertThat(buildkite.calls().all()).extracting(BuildkiteCallLog.Call::status).containsOnly(200).hasSize(4);
        assertThat(sleeper.sleeps()).containsExactly(Duration.ofSeconds(60));
    }

    @Test
    void callersWithLimitersOfTheirOwnMeet429() {
        // the control for the two tests above: without a shared limiter, the second caller runs into Buildkite's limit
        buildkite.rateLimits().limits(200, 4);
        HttpBuildkiteTokens first = client();
        HttpBuildkiteTokens second = client(BuildkiteEmulator.API_TOKEN, settings(retry(), Duration.ofSeconds(5)),
                new BuildkiteRateLimits(200, 50));

        for (int i = 0; i < 4; i++) {
            first.list(ACME);
        }
        second.list(ACME);

        assertThat(buildkite.calls().statuses("listTokens")).containsExactly(200, 200, 200, 200, 429, 200);
    }
}
