package io.elasticci.buildkite.token.reconcile.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.junit.jupiter.api.Test;

import io.elasticci.buildkite.token.api.v1alpha1.BuildkiteAgentTokenStatus;
import io.elasticci.buildkite.token.api.v1alpha1.Condition;
import io.elasticci.buildkite.token.aws.CallerIdentity;
import io.elasticci.buildkite.token.aws.KmsKey;
import io.elasticci.buildkite.token.aws.ReplicaDescription;
import io.elasticci.buildkite.token.aws.SecretDescription;
import io.elasticci.buildkite.token.plan.Action;
import io.elasticci.buildkite.token.plan.DesiredToken;
import io.elasticci.buildkite.token.plan.Problem;
import io.elasticci.buildkite.token.plan.Reason;
import io.elasticci.buildkite.token.plan.Snapshot;
import io.elasticci.buildkite.token.reconcile.report.StatusAggregator.Mode;
import io.elasticci.buildkite.token.reconcile.report.StatusAggregator.Outcome;

class StatusAggregatorTest {

    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    private static final Instant T1 = Instant.parse("2026-01-01T00:05:00Z");
    private static final String ARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:bk-AbCdEf";

    private static final DesiredToken DESIRED = new DesiredToken("bk", "us-east-1",
            List.of(new DesiredToken.DesiredRegion("us-east-1", "alias/a", List.of("ci")),
                    new DesiredToken.DesiredRegion("us-west-2", "alias/a", List.of())),
            Map.of(), "c/ns/n", Optional.empty(), true);

    private static Snapshot snapshot(String westStatus) {
        SecretDescription secret = new SecretDescription(ARN, "bk", "us-east-1", null, null, Map.of(),
                Map.of("v1", Set.of("AWSCURRENT")),
                List.of(new ReplicaDescription("us-west-2", "k2", westStatus, null)), false);
        return new Snapshot(CallerIdentity.fromArn("123456789012", "arn:aws:iam::123456789012:role/op"),
                Optional.of(secret),
                Map.of("us-east-1", new KmsKey("k1", "arn:k1", true, false), "us-west-2",
                        new KmsKey("k2", "arn:k2", true, false)),
                Map.of(), Map.of(), Optional.empty(), Optional.empty());
    }

    private static Outcome outcome(Mode mode, List<Action> shown, List<Action> pending, List<Problem> problems) {
        return new Outcome(4, mode, Optional.of(DESIRED), Optional.of(snapshot(ReplicaDescription.IN_SYNC)), shown,
                pending, problems);
    }

    private static Condition get(BuildkiteAgentTokenStatus status, String type) {
        return status.conditions.stream().filter(c -> c.getType().equals(type)).findFirst().orElseThrow();
    }

    private static String summary(BuildkiteAgentTokenStatus status, String type) {
        Condition c = get(status, type);
        return c.getStatus() + "/" + c.getReason();
    }

    @Test
    void anUnobservedRegionIsNotCountedReadyAndKeepsTheStacksTheLastStatusKnew() {
        io.elasticci.buildkite.token.aws.AwsFailure down = new io.elasticci.buildkite.token.aws.AwsFailure(
                io.elasticci.buildkite.token.aws.AwsFailure.Kind.UNAVAILABLE, "kms", "DescribeKey", "us-west-2",
                "ServiceUnavailable", null, null);
        BuildkiteAgentTokenStatus before = new BuildkiteAgentTokenStatus();
        io.elasticci.buildkite.token.api.v1alpha1.RegionStatus west = new io.elasticci.buildkite.token.api.v1alpha1
                .RegionStatus();
        west.region = "us-west-2";
        io.elasticci.buildkite.token.api.v1alpha1.StackStatus stack = new io.elasticci.buildkite.token.api.v1alpha1
                .StackStatus();
        stack.name = "west-ci";
        west.stacks.add(stack);
        before.regions.add(west);
        Problem unavailable = Problem.replica(Reason.RegionUnavailable, "us-west-2", "us-west-2 is down");
        BuildkiteAgentTokenStatus status = StatusAggregator.build(new Outcome(4, Mode.NORMAL, Optional.of(DESIRED),
                Optional.of(snapshot(ReplicaDescription.IN_SYNC).withUnavailableRegions(Map.of("us-west-2", down))),
                List.of(), List.of(), List.of(unavailable)), before, T0);
        assertThat(summary(status, "Ready")).isEqualTo("False/RegionUnavailable");
        assertThat(get(status, "Ready").getMessage()).contains("us-west-2");
        assertThat(summary(status, "Stalled")).isEqualTo("False/RegionUnavailable");
        assertThat(status.regionsReady).as("the primary shows the replica in sync, unobserved").isEqualTo("1/2");
        assertThat(status.regions.get(1).message).contains("not observed").contains("ServiceUnavailable");
        assertThat(status.regions.get(1).stacks).extracting(s -> s.name).containsExactly("west-ci");
    }

    @Test
    void convergedIsReadyWithEverythingObserved() {
        BuildkiteAgentTokenStatus status = StatusAggregator.build(outcome(Mode.NORMAL, List.of(), List.of(),
                List.of()), null, T0);
        assertThat(summary(status, "Ready")).isEqualTo("True/Converged");
        assertThat(summary(status, "Reconciling")).isEqualTo("False/Converged");
        assertThat(summary(status, "Stalled")).isEqualTo("False/Converged");
        assertThat(summary(status, "SecretReady")).isEqualTo("True/Converged");
        assertThat(summary(status, "ReplicasInSync")).isEqualTo("True/Converged");
        assertThat(status.observedGeneration).isEqualTo(4);
        assertThat(status.secretArn).isEqualTo(ARN);
        assertThat(status.currentVersionId).isEqualTo("v1");
        assertThat(status.parameterPath).isEqualTo("/aws/reference/secretsmanager/bk");
        assertThat(status.regionsReady).isEqualTo("2/2");
        assertThat(status.regions).extracting(r -> r.region + ":" + r.role + ":" + r.kmsKeyId + ":" + r.replicationStatus)
                .containsExactly("us-east-1:Primary:k1:InSync", "us-west-2:Replica:k2:InSync");
        assertThat(status.conditions).allSatisfy(c -> assertThat(c.getObservedGeneration()).isEqualTo(4));
    }

    @Test
    void terminalProblemStallsAndNamesTheRegion() {
        Problem conflict = Problem.replica(Reason.ReplicaConflict, "us-west-2", "a secret named bk exists in us-west-2");
        BuildkiteAgentTokenStatus status = StatusAggregator.build(outcome(Mode.NORMAL, List.of(), List.of(),
                List.of(conflict)), null, T0);
        assertThat(summary(status, "Ready")).isEqualTo("False/ReplicaConflict");
        assertThat(summary(status, "Stalled")).isEqualTo("True/ReplicaConflict");
        assertThat(get(status, "Stalled").getMessage()).contains("us-west-2");
        assertThat(summary(status, "Reconciling")).isEqualTo("False/ReplicaConflict");
        assertThat(summary(status, "SecretReady")).isEqualTo("True/Converged");
        assertThat(summary(status, "ReplicasInSync")).isEqualTo("False/ReplicaConflict");
    }

    @Test
    void terminalProblemsOutrankTransientOnes() {
        BuildkiteAgentTokenStatus status = StatusAggregator.build(outcome(Mode.NORMAL, List.of(), List.of(),
                List.of(Problem.replica(Reason.ReplicationInProgress, "us-west-2", "in progress"),
                        Problem.secret(Reason.SecretClaimed, "us-east-1", "claimed"))), null, T0);
        assertThat(summary(status, "Ready")).isEqualTo("False/SecretClaimed");
        assertThat(summary(status, "Stalled")).isEqualTo("True/SecretClaimed");
    }

    @Test
    void transientProblemIsReconciling() {
        BuildkiteAgentTokenStatus status = StatusAggregator.build(outcome(Mode.NORMAL, List.of(), List.of(),
                List.of(Problem.replica(Reason.ReplicationInProgress, "us-west-2", "replication to us-west-2"))),
                null, T0);
        assertThat(summary(status, "Ready")).isEqualTo("False/ReplicationInProgress");
        assertThat(summary(status, "Reconciling")).isEqualTo("True/ReplicationInProgress");
        assertThat(summary(status, "Stalled")).isEqualTo("False/ReplicationInProgress");
    }

    @Test
    void dryRunShowsThePlanAndIsNotReady() {
        Action put = new Action.PutSecretValue("us-east-1", ARN, "t".repeat(64), false);
        BuildkiteAgentTokenStatus status = StatusAggregator.build(outcome(Mode.DRY_RUN, List.of(put), List.of(put),
                List.of()), null, T0);
        assertThat(summary(status, "Ready")).isEqualTo("False/DryRun");
        assertThat(summary(status, "Reconciling")).isEqualTo("False/DryRun");
        assertThat(summary(status, "SecretReady")).isEqualTo("False/DryRun");
        assertThat(summary(status, "ReplicasInSync")).isEqualTo("True/Converged");
        assertThat(status.plan).singleElement().satisfies(e -> {
            assertThat(e.action).isEqualTo("PutSecretValue");
            assertThat(e.region).isEqualTo("us-east-1");
        });
    }

    @Test
    void planIsCappedAtFiftyEntries() {
        Action tag = new Action.TagSecret("us-east-1", ARN, Map.of("a", "b"));
        BuildkiteAgentTokenStatus status = StatusAggregator.build(outcome(Mode.NORMAL,
                Collections.nCopies(60, tag), List.of(), List.of()), null, T0);
        assertThat(status.plan).hasSize(50);
    }

    @Test
    void transitionTimeMovesOnlyWhenTheStatusChanges() {
        BuildkiteAgentTokenStatus first = StatusAggregator.build(outcome(Mode.NORMAL, List.of(), List.of(),
                List.of()), null, T0);
        BuildkiteAgentTokenStatus same = StatusAggregator.build(outcome(Mode.NORMAL, List.of(), List.of(),
                List.of()), first, T1);
        assertThat(get(same, "Ready").getLastTransitionTime()).isEqualTo(T0.toString());
        BuildkiteAgentTokenStatus changed = StatusAggregator.build(outcome(Mode.NORMAL, List.of(), List.of(),
                List.of(Problem.secret(Reason.Throttled, "us-east-1", "slow down"))), same, T1);
        assertThat(get(changed, "Ready").getLastTransitionTime()).isEqualTo(T1.toString());
        assertThat(get(changed, "SecretReady").getLastTransitionTime()).isEqualTo(T1.toString());
        assertThat(get(changed, "ReplicasInSync").getLastTransitionTime()).isEqualTo(T0.toString());
    }

    @Test
    void suspendKeepsObservationsAndSaysSo() {
        BuildkiteAgentTokenStatus before = StatusAggregator.build(outcome(Mode.NORMAL, List.of(), List.of(),
                List.of()), null, T0);
        BuildkiteAgentTokenStatus status = StatusAggregator.build(new Outcome(5, Mode.SUSPENDED, Optional.empty(),
                Optional.empty(), List.of(), List.of(), List.of()), before, T1);
        assertThat(summary(status, "Ready")).isEqualTo("Unknown/Suspended");
        assertThat(summary(status, "Stalled")).isEqualTo("False/Suspended");
        assertThat(summary(status, "SecretReady")).isEqualTo("True/Converged");
        assertThat(status.secretArn).isEqualTo(ARN);
        assertThat(status.observedGeneration).isEqualTo(5);
    }

    @Test
    void missingReplicaIsReportedPerRegion() {
        Outcome outcome = new Outcome(1, Mode.NORMAL, Optional.of(DESIRED),
                Optional.of(snapshot(ReplicaDescription.IN_PROGRESS)), List.of(), List.of(), List.of());
        BuildkiteAgentTokenStatus status = StatusAggregator.build(outcome, null, T0);
        assertThat(status.regionsReady).isEqualTo("1/2");
        assertThat(status.regions.get(1).replicationStatus).isEqualTo("InProgress");
    }
}
