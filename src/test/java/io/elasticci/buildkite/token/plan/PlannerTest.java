package io.elasticci.buildkite.token.plan;

import static io.elasticci.buildkite.token.plan.Fixtures.ARN;
import static io.elasticci.buildkite.token.plan.Fixtures.TOKEN;
import static io.elasticci.buildkite.token.plan.Fixtures.desired;
import static io.elasticci.buildkite.token.plan.Fixtures.key;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import io.elasticci.buildkite.token.api.v1alpha1.BuildkiteAgentToken;
import io.elasticci.buildkite.token.aws.ReplicaDescription;
import io.elasticci.buildkite.token.aws.SecretDescription;
import io.elasticci.buildkite.token.plan.Fixtures.World;

class PlannerTest {

    private static final String EAST = "us-east-1";
    private static final String WEST = "us-west-2";
    private static final String EU = "eu-west-1";

    /** One row: a name, the world bent from converged, and the expected actions and problem reasons. */
    static Stream<Arguments> table() {
        return Stream.of(
                row("converged world plans nothing", true, w -> {
                }, List.of(), List.of()),
                row("adopted secret without tokenSecretRef, converged", false, w -> w.value = Optional.empty(),
                        List.of(), List.of()),
                row("missing secret is created in the primary", true, w -> {
                    w.secretExists = false;
                    w.value = Optional.of(ValueObservation.forNewSecret(TOKEN));
                }, List.of("CreateSecret us-east-1", "ReplicateSecret us-west-2"), List.of()),
                row("missing secret with a same-named secret in a replica region", true, w -> {
                    w.secretExists = false;
                    w.value = Optional.of(ValueObservation.forNewSecret(TOKEN));
                    w.foreign.put(WEST, foreignSecret(WEST));
                }, List.of("CreateSecret us-east-1"), List.of(Reason.ReplicaConflict)),
                row("missing secret without tokenSecretRef is SecretNotFound", false, w -> {
                    w.secretExists = false;
                    w.value = Optional.empty();
                }, List.of(), List.of(Reason.SecretNotFound)),
                row("missing secret and missing Kubernetes Secret", true, w -> {
                    w.secretExists = false;
                    w.value = Optional.empty();
                }, List.of(), List.of(Reason.TokenSecretNotFound)),
                row("missing secret whose primary key is missing", true, w -> {
                    w.secretExists = false;
                    w.value = Optional.of(ValueObservation.forNewSecret(TOKEN));
                    w.desiredKeys.remove(EAST);
                }, List.of(), List.of(Reason.KmsKeyNotFound)),
                row("secret scheduled for deletion", true, w -> w.scheduledForDeletion = true, List.of(),
                        List.of(Reason.SecretScheduledForDeletion)),
                row("secret in the primary region is a replica of another", true, w -> w.primaryOf = EU, List.of(),
                        List.of(Reason.ReplicaConflict)),
                row("secret owned by another resource", true,
                        w -> w.tags.put(BuildkiteAgentToken.OWNER_TAG, "other/ns/name"), List.of(),
                        List.of(Reason.SecretClaimed)),
                row("untagged secret is adopted by tagging", true, w -> w.tags.remove(BuildkiteAgentToken.OWNER_TAG),
                        List.of("TagSecret us-east-1"), List.of()),
                row("changed spec tag is written", true, w -> w.tags.put("team", "old"),
                        List.of("TagSecret us-east-1"), List.of()),
                row("a tag the spec dropped is removed", true, w -> {
                    w.tags.put("cost", "1");
                    w.tags.put(BuildkiteAgentToken.MANAGED_TAGS_TAG, "cost team");
                }, List.of("TagSecret us-east-1", "UntagSecret us-east-1"), List.of()),
                row("tags someone else set are never removed", true, w -> w.tags.put("owner-team", "infra"),
                        List.of(), List.of()),
                row("primary key differs", true,
                        w -> w.currentKeyArns.put(EAST, key(EAST, "old").arn()),
                        List.of("UpdateSecretKey us-east-1"), List.of()),
                row("primary key missing in KMS", true, w -> w.desiredKeys.remove(EAST), List.of(),
                        List.of(Reason.KmsKeyNotFound)),
                row("primary key disabled", true, w -> w.desiredKeys.put(EAST,
                        new io.elasticci.buildkite.token.aws.KmsKey("k", "arn:k", false, false)), List.of(),
                        List.of(Reason.KmsKeyNotFound)),
                row("new value is written", true,
                        w -> w.value = Optional.of(new ValueObservation("b".repeat(64), false, Optional.empty())),
                        List.of("PutSecretValue us-east-1"), List.of()),
                row("older value restores its version", true, w -> {
                    w.versions = Map.of("b".repeat(64), Set.of("AWSCURRENT"), TOKEN, Set.of("AWSPREVIOUS"));
                    w.value = Optional.of(new ValueObservation(TOKEN, false, Optional.of(TOKEN)));
                }, List.of("RestoreVersion us-east-1"), List.of()),
                row("Kubernetes Secret missing for an existing secret", true, w -> w.value = Optional.empty(),
                        List.of(), List.of(Reason.TokenSecretNotFound)),
                row("missing replica is added", true, w -> w.withoutReplica(WEST),
                        List.of("ReplicateSecret us-west-2"), List.of()),
                row("missing replica with a same-named secret there is a conflict", true, w -> {
                    w.withoutReplica(WEST);
                    w.foreign.put(WEST, foreignSecret(WEST));
                }, List.of(), List.of(Reason.ReplicaConflict)),
                row("missing replica whose key is missing", true, w -> {
                    w.withoutReplica(WEST);
                    w.desiredKeys.remove(WEST);
                }, List.of(), List.of(Reason.KmsKeyNotFound)),
                row("replica with another key is re-keyed in place", true,
                        w -> w.currentKeyArns.put(WEST, key(WEST, "old").arn()),
                        List.of("RekeyReplica us-west-2"), List.of()),
                row("replica whose key is unresolvable is re-keyed", true, w -> w.currentKeyArns.remove(WEST),
                        List.of("RekeyReplica us-west-2"), List.of()),
                row("replica whose spec key is missing", true, w -> w.desiredKeys.remove(WEST), List.of(),
                        List.of(Reason.KmsKeyNotFound)),
                row("replica in progress", true, w -> w.replicaStatus(WEST, ReplicaDescription.IN_PROGRESS, null),
                        List.of(), List.of(Reason.ReplicationInProgress)),
                row("failed replica with the spec's key is reported", true,
                        w -> w.replicaStatus(WEST, ReplicaDescription.FAILED, "boom"), List.of(),
                        List.of(Reason.ReplicationFailed)),
                row("failed replica because of a same-named secret is a conflict", true, w -> {
                    w.replicaStatus(WEST, ReplicaDescription.FAILED, "Secret name already exists");
                    w.foreign.put(WEST, foreignSecret(WEST));
                }, List.of(), List.of(Reason.ReplicaConflict)),
                row("failed replica is retried with a new spec key", true, w -> {
                    w.replicaStatus(WEST, ReplicaDescription.FAILED, "key problem");
                    w.currentKeyArns.put(WEST, key(WEST, "old").arn());
                }, List.of("RemoveReplica us-west-2", "ReplicateSecret us-west-2"), List.of()),
                row("replica of a region no longer in spec is removed", true,
                        w -> w.replicas.add(new ReplicaDescription(EU, null, ReplicaDescription.IN_SYNC, null)),
                        List.of("RemoveReplica eu-west-1"), List.of()));
    }

    private static Arguments row(String name, boolean valueManaged, Consumer<World> bend, List<String> actions,
            List<Reason> reasons) {
        return Arguments.of(name, valueManaged, bend, actions, reasons);
    }

    private static SecretDescription foreignSecret(String region) {
        return new SecretDescription("arn:aws:secretsmanager:" + region + ":123456789012:secret:x-111111",
                Fixtures.NAME, region, null, null, Map.of(), Map.of(), List.of(), false);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("table")
    void plansTheTable(String name, boolean valueManaged, Consumer<World> bend, List<String> actions,
            List<Reason> reasons) {
        World world = World.converged(EAST, WEST);
        bend.accept(world);
        Plan plan = Planner.plan(desired(valueManaged, EAST, WEST), world.snapshot());
        assertThat(plan.actions()).extracting(a -> a.name() + " " + a.region()).containsExactlyElementsOf(actions);
        assertThat(plan.problems()).extracting(Problem::reason).containsExactlyElementsOf(reasons);
    }

    @Test
    void refusesEverythingInAnotherAccount() {
        DesiredToken desired = new DesiredToken(Fixtures.NAME, EAST, desired(true, EAST).regions(), Map.of(),
                Fixtures.OWNER, Optional.of("111111111111"), true);
        Plan plan = Planner.plan(desired, World.converged(EAST).snapshot());
        assertThat(plan.actions()).isEmpty();
        assertThat(plan.problems()).singleElement().satisfies(p -> {
            assertThat(p.reason()).isEqualTo(Reason.AccountMismatch);
            assertThat(p.message()).contains("123456789012").contains("111111111111");
        });
    }

    @Test
    void samePlanForTheSameInput() {
        World world = World.converged(EAST, WEST, EU).withoutReplica(EU);
        world.value = Optional.of(new ValueObservation("c".repeat(64), false, Optional.empty()));
        DesiredToken desired = desired(true, EAST, WEST, EU);
        assertThat(Planner.plan(desired, world.snapshot())).isEqualTo(Planner.plan(desired, world.snapshot()));
    }

    @Test
    void valueIsWrittenBeforeReplicasAreAddedAndRemoved() {
        World world = World.converged(EAST, WEST).withoutReplica(WEST);
        world.replicas.add(new ReplicaDescription(EU, null, ReplicaDescription.IN_SYNC, null));
        world.value = Optional.of(new ValueObservation("d".repeat(64), false, Optional.empty()));
        Plan plan = Planner.plan(desired(true, EAST, WEST), world.snapshot());
        assertThat(plan.actions()).extracting(Action::name)
                .containsExactly("PutSecretValue", "ReplicateSecret", "RemoveReplica");
    }

    @Test
    void createCarriesOwnerTagSpecTagsAndTheHmacToken() {
        World world = World.converged(EAST);
        world.secretExists = false;
        world.value = Optional.of(ValueObservation.forNewSecret(TOKEN));
        Action.CreateSecret create = (Action.CreateSecret) Planner.plan(desired(true, EAST), world.snapshot())
                .actions().get(0);
        assertThat(create.tags()).containsEntry(BuildkiteAgentToken.OWNER_TAG, Fixtures.OWNER)
                .containsEntry("team", "ci");
        assertThat(create.versionToken()).isEqualTo(TOKEN);
        assertThat(create.kmsKeyId()).isEqualTo(key(EAST, "key-us-east-1").arn());
    }

    @Test
    void managedKeyIsSentAsNoKey() {
        World world = World.converged(EAST, WEST).withoutReplica(WEST);
        world.desiredKeys.put(WEST, Fixtures.managedKey(WEST));
        Action.ReplicateSecret replicate = (Action.ReplicateSecret) Planner
                .plan(desired(true, EAST, WEST), world.snapshot()).actions().get(0);
        assertThat(replicate.kmsKeyId()).isNull();
        assertThat(replicate.detail()).contains("managed-us-west-2");
    }

    @Test
    void rekeyTargetsTheReplicaArnInItsOwnRegion() {
        World world = World.converged(EAST, WEST);
        world.currentKeyArns.put(WEST, key(WEST, "old").arn());
        Action.RekeyReplica rekey = (Action.RekeyReplica) Planner.plan(desired(true, EAST, WEST), world.snapshot())
                .actions().get(0);
        assertThat(rekey.replicaArn()).isEqualTo(ARN.replace(EAST, WEST));
        assertThat(rekey.kmsKeyId()).isEqualTo(key(WEST, "key-us-west-2").arn());
    }
}
