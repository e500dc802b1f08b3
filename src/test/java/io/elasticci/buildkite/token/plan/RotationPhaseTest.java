package io.elasticci.buildkite.token.plan;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The phase a rotation state is in: every distinction the state makes, one row each. */
class RotationPhaseTest {

    private static final Instant SEEN = Instant.parse("2026-01-01T00:00:00Z");
    private static final Instant IN_SYNC = Instant.parse("2026-01-01T00:05:00Z");

    record Row(String name, RotationState state, RotationPhase phase) {
        @Override
        public String toString() {
            return name + " -> " + phase.label();
        }
    }

    private static RotationState.Refresh refresh(String stack, String status) {
        return new RotationState.Refresh("us-east-1", stack, stack + "-asg", "r-" + stack, status, 50, null);
    }

    private static RotationState state(String previous, Instant inSyncAt, List<RotationState.Refresh> refreshes,
            List<String> revocable) {
        return new RotationState("v2", previous, SEEN, inSyncAt, refreshes, revocable);
    }

    static Stream<Row> rows() {
        return Stream.of(
                new Row("first version seen", state(null, SEEN, List.of(), List.of()), RotationPhase.NONE),
                new Row("new version not in sync everywhere", state("v1", null, List.of(), List.of()),
                        RotationPhase.REPLICATING),
                new Row("lagging replica while older versions are revocable", state("v1", null, List.of(),
                        List.of("v0")), RotationPhase.REPLICATING),
                new Row("in sync, no refresh started yet", state("v1", IN_SYNC, List.of(), List.of()),
                        RotationPhase.REFRESHING),
                new Row("in sync, refreshes running", state("v1", IN_SYNC, List.of(refresh("a", "InProgress"),
                        refresh("b", "Successful")), List.of()), RotationPhase.REFRESHING),
                new Row("refreshes successful, an instance still older than the sync", state("v1", IN_SYNC,
                        List.of(refresh("a", "Successful")), List.of("v0")), RotationPhase.REFRESHING),
                new Row("one refresh failed", state("v1", IN_SYNC, List.of(refresh("a", "InProgress"),
                        refresh("b", "Failed")), List.of()), RotationPhase.FAILED),
                new Row("one refresh cancelled", state("v1", IN_SYNC, List.of(refresh("a", "Cancelled")),
                        List.of()), RotationPhase.FAILED),
                new Row("one refresh rolled back", state("v1", IN_SYNC, List.of(refresh("a", "RollbackSuccessful")),
                        List.of()), RotationPhase.FAILED),
                new Row("previous version revocable", state("v1", IN_SYNC, List.of(refresh("a", "Successful")),
                        List.of("v1", "v0")), RotationPhase.REVOCABLE),
                new Row("complete even though a refresh failed (instances cycled anyway)", state("v1", IN_SYNC,
                        List.of(refresh("a", "Failed")), List.of("v1")), RotationPhase.REVOCABLE));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rows")
    void phaseFollowsTheRotationState(Row row) {
        assertThat(RotationPhase.of(row.state())).isEqualTo(row.phase());
    }
}
