package io.elasticci.buildkite.token.reconcile.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import io.elasticci.buildkite.token.config.OperatorConfig;
import io.elasticci.buildkite.token.plan.Problem;
import io.elasticci.buildkite.token.plan.Reason;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfigBuilder;

/** When a reconcile looks again, by outcome: every branch. */
class RequeueTest {

    private static final OperatorConfig CONFIG = new SmallRyeConfigBuilder().withMapping(OperatorConfig.class)
            .withSources(new PropertiesConfigSource(Map.of("bkat.resync-interval", "PT10M",
                    "bkat.progress-interval", "PT10S", "bkat.transient-retry-interval", "PT30S",
                    "bkat.access-denied-retry-interval", "PT5M", "bkat.crd-check-interval", "PT2M"), "test", 500))
            .build().getConfigMapping(OperatorConfig.class);

    static Stream<Arguments> outcomes() {
        return Stream.of(
                Arguments.of("converged: the drift resync", List.of(), Optional.of(Duration.ofMinutes(10))),
                Arguments.of("invalid: only a spec change helps", List.of(Reason.InvalidSpec), Optional.empty()),
                Arguments.of("invalid under an outdated CRD: the CRD check", List.of(Reason.InvalidSpec,
                        Reason.CRDOutdated), Optional.of(Duration.ofMinutes(2))),
                Arguments.of("access denied: slowly", List.of(Reason.AccessDenied), Optional.of(Duration.ofMinutes(5))),
                Arguments.of("claimed: slowly", List.of(Reason.SecretClaimed), Optional.of(Duration.ofMinutes(5))),
                Arguments.of("throttled: soon", List.of(Reason.Throttled), Optional.of(Duration.ofSeconds(30))),
                Arguments.of("in motion: soonest", List.of(Reason.ReplicationInProgress, Reason.AccessDenied),
                        Optional.of(Duration.ofSeconds(10))),
                Arguments.of("other terminal: the resync", List.of(Reason.StackNotFound),
                        Optional.of(Duration.ofMinutes(10))),
                Arguments.of("unknown fields: the resync", List.of(Reason.UnknownFields),
                        Optional.of(Duration.ofMinutes(10))),
                Arguments.of("Buildkite refuses the API token: slowly", List.of(Reason.BuildkiteUnauthorized),
                        Optional.of(Duration.ofMinutes(5))),
                Arguments.of("Buildkite unavailable: soon", List.of(Reason.BuildkiteUnavailable),
                        Optional.of(Duration.ofSeconds(30))),
                Arguments.of("Buildkite rate limit: in motion", List.of(Reason.BuildkiteRateLimited),
                        Optional.of(Duration.ofSeconds(10))));
    }

    @org.junit.jupiter.api.Test
    void aRefreshStillRunningIsFollowedAfterTheOldVersionIsRevocable() {
        var running = new io.elasticci.buildkite.token.plan.RotationState("v2", "v1", java.time.Instant.EPOCH,
                java.time.Instant.EPOCH, List.of(new io.elasticci.buildkite.token.plan.RotationState.Refresh("us-east-1",
                        "ci", "group", "r-1", "InProgress", 50, "warming up")), List.of("v1"));
        var done = new io.elasticci.buildkite.token.plan.RotationState("v2", "v1", java.time.Instant.EPOCH,
                java.time.Instant.EPOCH, List.of(new io.elasticci.buildkite.token.plan.RotationState.Refresh("us-east-1",
                        "ci", "group", "r-1", "Successful", 100, null)), List.of("v1"));

        assertThat(Requeue.after(outcome(running), CONFIG)).hasValue(Duration.ofSeconds(10));
        assertThat(Requeue.after(outcome(done), CONFIG)).hasValue(Duration.ofMinutes(10));
    }

    private static StatusAggregator.Outcome outcome(io.elasticci.buildkite.token.plan.RotationState rotation) {
        return new StatusAggregator.Outcome(1, StatusAggregator.Mode.NORMAL, Optional.empty(), Optional.empty(),
                List.of(), List.of(), List.of(), Optional.of(rotation));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("outcomes")
    void looksAgainAfter(String name, List<Reason> reasons, Optional<Duration> expected) {
        List<Problem> problems = reasons.stream().map(r -> Problem.secret(r, null, r.name())).toList();

        assertThat(Requeue.after(StatusAggregator.Outcome.unobserved(1, StatusAggregator.Mode.NORMAL, problems), CONFIG))
                .isEqualTo(expected);
    }
}
