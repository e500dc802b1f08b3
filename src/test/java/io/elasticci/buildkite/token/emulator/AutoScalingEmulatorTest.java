package io.elasticci.buildkite.token.emulator;

import io.elasticci.buildkite.token.emulator.AutoScalingState.GroupInfo;
import io.elasticci.buildkite.token.emulator.AutoScalingState.InstanceInfo;
import io.elasticci.buildkite.token.emulator.AutoScalingState.RefreshInfo;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import software.amazon.awssdk.services.autoscaling.AutoScalingClient;
import software.amazon.awssdk.services.autoscaling.model.ActiveInstanceRefreshNotFoundException;
import software.amazon.awssdk.services.autoscaling.model.AutoScalingException;
import software.amazon.awssdk.services.autoscaling.model.AutoScalingGroup;
import software.amazon.awssdk.services.autoscaling.model.Instance;
import software.amazon.awssdk.services.autoscaling.model.InstanceRefresh;
import software.amazon.awssdk.services.autoscaling.model.InstanceRefreshInProgressException;
import software.amazon.awssdk.services.autoscaling.model.IrreversibleInstanceRefreshException;
import software.amazon.awssdk.services.autoscaling.model.LifecycleState;
import software.amazon.awssdk.services.autoscaling.model.ScaleInProtectedInstances;
import software.amazon.awssdk.services.autoscaling.model.StartInstanceRefreshRequest;

import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

import static io.elasticci.buildkite.token.emulator.MutableClock.START;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** Auto Scaling groups and instance refreshes through the real SDK client, on the emulator clock. */
@EmulatorTestSupport.SingleAttempt
class AutoScalingEmulatorTest extends EmulatorTestSupport {

    private static final String REGION = "us-east-1";
    private static final String GROUP = "buildkite-ci-AgentAutoScaleGroup-1A2B3C4D5E6F";

    private static AutoScalingClient asg;

    @BeforeAll
    static void start() {
        asg = clients.autoScaling(REGION);
    }

    private static AutoScalingState state() {
        return emulator.autoScaling(AwsEmulator.DEFAULT_ACCOUNT);
    }

    private static void advance(Duration d) {
        emulator.clock().advance(d);
    }

    private static String startRefresh(Consumer<StartInstanceRefreshRequest.Builder> extra) {
        return asg.startInstanceRefresh(b -> {
            b.autoScalingGroupName(GROUP).strategy("Rolling");
            extra.accept(b);
        }).instanceRefreshId();
    }

    private static InstanceRefresh refresh(String id) {
        List<InstanceRefresh> all = asg.describeInstanceRefreshes(b -> b.autoScalingGroupName(GROUP)
                .instanceRefreshIds(id)).instanceRefreshes();
        assertThat(all).hasSize(1);
        return all.get(0);
    }

    private static List<Instance> instances() {
        return asg.describeAutoScalingGroups(b -> b.autoScalingGroupNames(GROUP)).autoScalingGroups().get(0)
                .instances();
    }

    // ------------------------------------------------------------------ groups

    @Test
    void describeGroupsShowsSizesLaunchTemplateInstancesAndTags() {
        GroupInfo created = state().createGroup(REGION, GROUP, 3, Map.of("aws:cloudformation:stack-name", "buildkite-ci"));
        state().createGroup(REGION, "other-group", 1);
        state().setProtected(REGION, created.instanceIds().get(1), true);

        List<AutoScalingGroup> groups = asg.describeAutoScalingGroups(b -> b.autoScalingGroupNames(GROUP, "missing"))
                .autoScalingGroups();
        assertThat(groups).hasSize(1); // a missing name is left out, not an error
        AutoScalingGroup g = groups.get(0);
        assertThat(g.autoScalingGroupName()).isEqualTo(GROUP);
        assertThat(g.autoScalingGroupARN()).startsWith("arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:")
                .endsWith(":autoScalingGroupName/" + GROUP).isEqualTo(created.arn());
        assertThat(g.minSize()).isZero();
        assertThat(g.maxSize()).isEqualTo(10);
        assertThat(g.desiredCapacity()).isEqualTo(3);
        assertThat(g.launchTemplate().launchTemplateId()).matches("lt-[0-9a-f]{17}");
        assertThat(g.launchTemplate().version()).isEqualTo("1");
        assertThat(g.newInstancesProtectedFromScaleIn()).isFalse();
        assertThat(g.createdTime()).isEqualTo(START);
        assertThat(g.tags()).singleElement().satisfies(t -> {
            assertThat(t.key()).isEqualTo("aws:cloudformation:stack-name");
            assertThat(t.value()).isEqualTo("buildkite-ci");
            assertThat(t.resourceId()).isEqualTo(GROUP);
        });
        assertThat(g.instances()).extracting(Instance::instanceId).containsExactlyElementsOf(created.instanceIds());
        assertThat(g.instances()).allSatisfy(i -> {
            assertThat(i.instanceId()).matches("i-[0-9a-f]{17}");
            assertThat(i.lifecycleState()).isEqualTo(LifecycleState.IN_SERVICE);
            assertThat(i.healthStatus()).isEqualTo("Healthy");
            assertThat(i.launchTemplate().version()).isEqualTo("1");
            assertThat(i.availabilityZone()).startsWith(REGION);
        });
        assertThat(g.instances()).extracting(Instance::protectedFromScaleIn).containsExactly(false, true, false);
        assertThat(g.instances()).extracting(Instance::availabilityZone)
                .containsExactly("us-east-1a", "us-east-1b", "us-east-1c");

        assertThat(asg.describeAutoScalingGroups(b -> b.filters(f -> f.name("tag:aws:cloudformation:stack-name")
                .values("buildkite-ci"))).autoScalingGroups()).extracting(AutoScalingGroup::autoScalingGroupName)
                .containsExactly(GROUP);
        assertThat(asg.describeAutoScalingGroupsPaginator(b -> b.maxRecords(1)).autoScalingGroups())
                .extracting(AutoScalingGroup::autoScalingGroupName).containsExactly(GROUP, "other-group");
        assertThat(asg.describeAutoScalingGroups(b -> b.autoScalingGroupNames("missing")).autoScalingGroups())
                .isEmpty();
    }

    @Test
    void missingGroupIsAValidationError() {
        for (Runnable call : List.<Runnable>of(
                () -> asg.startInstanceRefresh(b -> b.autoScalingGroupName("nope")),
                () -> asg.describeInstanceRefreshes(b -> b.autoScalingGroupName("nope")),
                () -> asg.cancelInstanceRefresh(b -> b.autoScalingGroupName("nope")))) {
            AutoScalingException e = catchThrowableOfType(AutoScalingException.class, call::run);
            assertThat(e.awsErrorDetails().errorCode()).isEqualTo("ValidationError");
            assertThat(e.statusCode()).isEqualTo(400);
            assertThat(e.awsErrorDetails().errorMessage()).contains("nope").contains("not found");
        }
    }

    @Test
    void terminatedInstancesAreReplacedOrShrinkTheGroup() {
        GroupInfo g = state().createGroup(REGION, GROUP, 2);
        advance(Duration.ofMinutes(5));
        state().terminateInstance(REGION, g.instanceIds().get(0));
        List<Instance> now = instances();
        assertThat(now).hasSize(2);
        Instance replacement = now.get(1);
        assertThat(replacement.lifecycleState()).isEqualTo(LifecycleState.PENDING);
        assertThat(state().instance(REGION, replacement.instanceId()).orElseThrow().launchTime())
                .isEqualTo(START.plus(Duration.ofMinutes(5)));
        advance(Duration.ofMinutes(1));
        assertThat(instances()).extracting(Instance::lifecycleState).containsOnly(LifecycleState.IN_SERVICE);

        state().terminateInstance(REGION, g.instanceIds().get(1), true);
        assertThat(state().group(REGION, GROUP).orElseThrow().desiredCapacity()).isEqualTo(1);
        assertThat(instances()).extracting(Instance::instanceId).containsExactly(replacement.instanceId());
    }

    @Test
    void replacingTheGroupStartsAFreshOneWithTheNextLaunchTemplateVersion() {
        GroupInfo old = state().createGroup(REGION, GROUP, 2, Map.of("aws:cloudformation:stack-name", "buildkite-ci"));
        startRefresh(b -> { });
        advance(Duration.ofHours(2));

        GroupInfo fresh = state().replaceGroup(REGION, GROUP, "buildkite-ci-AgentAutoScaleGroup-NEW");
        assertThat(fresh.launchTemplateId()).isEqualTo(old.launchTemplateId());
        assertThat(fresh.launchTemplateVersion()).isEqualTo("2");
        assertThat(fresh.desiredCapacity()).isEqualTo(2);
        assertThat(fresh.tags()).isEqualTo(old.tags());
        assertThat(fresh.arn()).isNotEqualTo(old.arn());
        assertThat(fresh.instances()).hasSize(2).allSatisfy(i -> {
            assertThat(i.launchTime()).isEqualTo(START.plus(Duration.ofHours(2)));
            assertThat(i.launchTemplateVersion()).isEqualTo("2");
            assertThat(i.inService()).isTrue();
        });
        assertThat(asg.describeAutoScalingGroups(b -> b.autoScalingGroupNames(GROUP)).autoScalingGroups()).isEmpty();
        assertThat(asg.describeInstanceRefreshes(b -> b.autoScalingGroupName(fresh.name())).instanceRefreshes())
                .isEmpty();
        AutoScalingException gone = catchThrowableOfType(AutoScalingException.class,
                () -> asg.describeInstanceRefreshes(b -> b.autoScalingGroupName(GROUP)));
        assertThat(gone.awsErrorDetails().errorCode()).isEqualTo("ValidationError");
        assertThat(state().groups(REGION)).extracting(GroupInfo::name).containsExactly(fresh.name());
    }

    // ------------------------------------------------------------------ refresh lifecycle

    @Test
    void refreshGoesPendingInProgressSuccessfulReplacingEveryInstance() {
        GroupInfo g = state().createGroup(REGION, GROUP, 4);
        advance(Duration.ofDays(1));
        Instant started = emulator.clock().instant();

        String id = startRefresh(b -> b.preferences(p -> p.minHealthyPercentage(50)));
        assertThat(id).matches("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
        InstanceRefresh r = refresh(id);
        assertThat(r.statusAsString()).isEqualTo("Pending");
        assertThat(r.startTime()).isEqualTo(started);
        assertThat(r.endTime()).isNull();
        assertThat(r.percentageComplete()).isZero();
        assertThat(r.instancesToUpdate()).isEqualTo(4);
        assertThat(r.preferences().minHealthyPercentage()).isEqualTo(50);
        assertThat(r.preferences().scaleInProtectedInstancesAsString()).isEqualTo("Wait"); // AWS's default
        assertThat(r.preferences().skipMatching()).isFalse();
        assertThat(r.strategyAsString()).isEqualTo("Rolling");

        // 10 s pending, then batches of 2 (50 % of 4 must stay InService), 1 minute each
        advance(Duration.ofSeconds(30));
        r = refresh(id);
        assertThat(r.statusAsString()).isEqualTo("InProgress");
        assertThat(r.percentageComplete()).isZero();
        assertThat(instances()).extracting(Instance::lifecycleStateAsString)
                .containsExactly("Terminating", "Terminating", "InService", "InService", "Pending", "Pending");

        advance(Duration.ofSeconds(40)); // +70 s: first batch done
        r = refresh(id);
        assertThat(r.statusAsString()).isEqualTo("InProgress");
        assertThat(r.percentageComplete()).isEqualTo(50);
        assertThat(r.instancesToUpdate()).isEqualTo(2);
        assertThat(r.progressDetails().livePoolProgress().percentageComplete()).isEqualTo(50);

        advance(Duration.ofMinutes(1)); // +130 s
        r = refresh(id);
        assertThat(r.statusAsString()).isEqualTo("Successful");
        assertThat(r.percentageComplete()).isEqualTo(100);
        assertThat(r.instancesToUpdate()).isZero();
        assertThat(r.endTime()).isEqualTo(started.plusSeconds(130));

        List<InstanceInfo> after = state().instances(REGION, GROUP);
        assertThat(after).hasSize(4).allSatisfy(i -> {
            assertThat(i.inService()).isTrue();
            assertThat(i.launchTime()).isAfter(started);
            assertThat(g.instanceIds()).doesNotContain(i.instanceId());
        });
        assertThat(after).extracting(InstanceInfo::launchTime).containsExactly(
                started.plusSeconds(10), started.plusSeconds(10), started.plusSeconds(70), started.plusSeconds(70));
        assertThat(after).extracting(InstanceInfo::availabilityZone)
                .containsExactlyInAnyOrderElementsOf(g.instances().stream().map(InstanceInfo::availabilityZone).toList());
        assertThat(g.instanceIds()).allSatisfy(old ->
                assertThat(state().instance(REGION, old).orElseThrow().ec2State()).isEqualTo("terminated"));
        assertThat(state().refreshes(REGION, GROUP)).singleElement()
                .satisfies(info -> assertThat(info.replacedInstanceIds()).containsExactlyElementsOf(g.instanceIds()));

        // a later refresh may start, and is listed first
        String second = startRefresh(b -> { });
        assertThat(asg.describeInstanceRefreshes(b -> b.autoScalingGroupName(GROUP)).instanceRefreshes())
                .extracting(InstanceRefresh::instanceRefreshId).containsExactly(second, id);
    }

    @ParameterizedTest(name = "{0} instances, MinHealthyPercentage {1}: {2} batches of at most {3}")
    @CsvSource({"10, 90, 10, 1", "10, 100, 10, 1", "10, 0, 1, 10", "4, 50, 2, 2", "5, 50, 3, 2", "10, 75, 5, 2"})
    void minHealthyPercentageSetsTheBatchSize(int size, int minHealthy, int batches, int maxOutOfService) {
        state().createGroup(REGION, GROUP, size);
        String id = startRefresh(b -> b.preferences(p -> p.minHealthyPercentage(minHealthy)));
        int worst = 0;
        int lastPercentage = 0;
        RefreshInfo info;
        do {
            advance(Duration.ofSeconds(10));
            long inService = state().instances(REGION, GROUP).stream().filter(InstanceInfo::inService).count();
            worst = Math.max(worst, size - (int) inService);
            info = state().refreshes(REGION, GROUP).get(0);
            assertThat(info.percentageComplete()).isGreaterThanOrEqualTo(lastPercentage);
            lastPercentage = info.percentageComplete();
        } while (!info.status().equals(AutoScalingState.SUCCESSFUL));
        assertThat(worst).isEqualTo(maxOutOfService);
        assertThat(info.instanceRefreshId()).isEqualTo(id);
        assertThat(info.endTime()).isEqualTo(START.plusSeconds(10).plus(Duration.ofMinutes(batches)));
        Set<Instant> launchTimes = new HashSet<>();
        state().instances(REGION, GROUP).forEach(i -> launchTimes.add(i.launchTime()));
        assertThat(launchTimes).hasSize(batches);
    }

    @Test
    void replacementDurationAndWarmupSetTheBatchLength() {
        state().createGroup(REGION, GROUP, 2);
        state().setReplacementDuration(Duration.ofMinutes(5));
        String id = startRefresh(b -> b.preferences(p -> p.instanceWarmup(60).minHealthyPercentage(50)));
        advance(Duration.ofSeconds(10).plus(Duration.ofMinutes(5)));
        assertThat(refresh(id).statusAsString()).isEqualTo("InProgress");
        advance(Duration.ofMinutes(1));
        assertThat(refresh(id).percentageComplete()).isEqualTo(50);
        advance(Duration.ofMinutes(6));
        assertThat(refresh(id).statusAsString()).isEqualTo("Successful");
        assertThat(refresh(id).preferences().instanceWarmup()).isEqualTo(60);

        emulator.reset();
        assertThat(state().replacementDuration()).isEqualTo(Duration.ofMinutes(1));
        assertThat(state().groups(REGION)).isEmpty();
    }

    @Test
    void bakeTimeAddsABakingPhase() {
        state().createGroup(REGION, GROUP, 1);
        String id = startRefresh(b -> b.preferences(p -> p.bakeTime(300)));
        advance(Duration.ofSeconds(70));
        assertThat(refresh(id).statusAsString()).isEqualTo("Baking");
        assertThat(refresh(id).percentageComplete()).isEqualTo(100);
        advance(Duration.ofMinutes(5));
        assertThat(refresh(id).statusAsString()).isEqualTo("Successful");
        assertThat(refresh(id).endTime()).isEqualTo(START.plusSeconds(370));
    }

    @Test
    void skipMatchingWithoutANewConfigurationReplacesNothing() {
        GroupInfo g = state().createGroup(REGION, GROUP, 3);
        String id = startRefresh(b -> b.preferences(p -> p.skipMatching(true)));
        assertThat(refresh(id).instancesToUpdate()).isZero();
        advance(Duration.ofSeconds(10));
        InstanceRefresh r = refresh(id);
        assertThat(r.statusAsString()).isEqualTo("Successful");
        assertThat(r.percentageComplete()).isEqualTo(100);
        assertThat(instances()).extracting(Instance::instanceId).containsExactlyElementsOf(g.instanceIds());
    }

    @Test
    void desiredConfigurationMovesTheGroupToTheNewVersionOnSuccess() {
        GroupInfo g = state().createGroup(REGION, GROUP, 2);
        String v2 = state().newLaunchTemplateVersion(REGION, GROUP);
        assertThat(v2).isEqualTo("2");
        String id = startRefresh(b -> b.desiredConfiguration(d -> d.launchTemplate(t -> t
                .launchTemplateId(g.launchTemplateId()).version("$Latest"))));
        assertThat(refresh(id).desiredConfiguration().launchTemplate().version()).isEqualTo("2");
        advance(Duration.ofSeconds(70));
        assertThat(instances()).extracting(i -> i.launchTemplate().version()).contains("1", "2");
        assertThat(state().group(REGION, GROUP).orElseThrow().launchTemplateVersion()).isEqualTo("1");
        advance(Duration.ofMinutes(1));
        assertThat(refresh(id).statusAsString()).isEqualTo("Successful");
        assertThat(state().group(REGION, GROUP).orElseThrow().launchTemplateVersion()).isEqualTo("2");
        assertThat(instances()).extracting(i -> i.launchTemplate().version()).containsOnly("2");
    }

    // ------------------------------------------------------------------ scale-in protected instances

    @Test
    void protectedInstancesWithRefreshAreReplacedToo() {
        GroupInfo g = state().createGroup(REGION, GROUP, 3);
        state().setProtected(REGION, g.instanceIds().get(1), true);
        String id = startRefresh(b -> b.preferences(p -> p.scaleInProtectedInstances(ScaleInProtectedInstances.REFRESH)));
        advance(Duration.ofMinutes(10));
        InstanceRefresh r = refresh(id);
        assertThat(r.statusAsString()).isEqualTo("Successful");
        assertThat(r.endTime()).isEqualTo(START.plusSeconds(10 + 3 * 60)); // 90 %: one at a time
        assertThat(instances()).hasSize(3).allSatisfy(i -> {
            assertThat(g.instanceIds()).doesNotContain(i.instanceId());
            assertThat(i.protectedFromScaleIn()).isFalse(); // the group does not protect new instances
        });
    }

    @Test
    void newInstancesAreProtectedWhenTheGroupSaysSo() {
        state().createGroup(REGION, GROUP, 1);
        state().setNewInstancesProtectedFromScaleIn(REGION, GROUP, true);
        startRefresh(b -> { });
        advance(Duration.ofMinutes(2));
        assertThat(instances()).singleElement().satisfies(i -> assertThat(i.protectedFromScaleIn()).isTrue());
    }

    @Test
    void protectedInstancesWithIgnoreAreSkippedAndTheRefreshStillSucceeds() {
        GroupInfo g = state().createGroup(REGION, GROUP, 3);
        String busy = g.instanceIds().get(1);
        state().setProtected(REGION, busy, true);
        String id = startRefresh(b -> b.preferences(p -> p.scaleInProtectedInstances(ScaleInProtectedInstances.IGNORE)));
        advance(Duration.ofMinutes(10));
        InstanceRefresh r = refresh(id);
        assertThat(r.statusAsString()).isEqualTo("Successful");
        assertThat(r.percentageComplete()).isEqualTo(100);
        assertThat(r.endTime()).isEqualTo(START.plusSeconds(10 + 2 * 60));
        // the busy agent still runs with its old launch time: a "Successful" refresh did not replace everything
        assertThat(instances()).extracting(Instance::instanceId).contains(busy);
        assertThat(state().instance(REGION, busy).orElseThrow().launchTime()).isEqualTo(START);
        assertThat(state().refreshes(REGION, GROUP).get(0).skippedInstanceIds()).containsExactly(busy);
    }

    @Test
    void protectedInstancesWithWaitFailTheRefreshAfterAnHour() {
        GroupInfo g = state().createGroup(REGION, GROUP, 3);
        String busy = g.instanceIds().get(1);
        state().setProtected(REGION, busy, true);
        String id = startRefresh(b -> { }); // no preference: AWS waits
        advance(Duration.ofSeconds(130)); // the two unprotected instances are replaced
        InstanceRefresh r = refresh(id);
        assertThat(r.statusAsString()).isEqualTo("InProgress");
        assertThat(r.percentageComplete()).isEqualTo(66);
        assertThat(r.statusReason()).contains("protected from scale in").contains(busy);

        advance(Duration.ofMinutes(59));
        assertThat(refresh(id).statusAsString()).isEqualTo("InProgress");
        advance(Duration.ofMinutes(1));
        r = refresh(id);
        assertThat(r.statusAsString()).isEqualTo("Failed");
        assertThat(r.statusReason()).contains("protected from scale in").contains(busy);
        assertThat(r.endTime()).isEqualTo(START.plusSeconds(130).plus(Duration.ofHours(1)));
        assertThat(r.percentageComplete()).isEqualTo(66);
        assertThat(state().instance(REGION, busy).orElseThrow().inService()).isTrue();

        // a failed refresh does not block the next one
        startRefresh(b -> b.preferences(p -> p.scaleInProtectedInstances(ScaleInProtectedInstances.REFRESH)));
    }

    @Test
    void protectedInstancesWithWaitAreReplacedOnceUnprotected() {
        GroupInfo g = state().createGroup(REGION, GROUP, 3);
        String busy = g.instanceIds().get(0);
        state().setProtected(REGION, busy, true);
        String id = startRefresh(b -> b.preferences(p -> p.scaleInProtectedInstances(ScaleInProtectedInstances.WAIT)));
        advance(Duration.ofMinutes(30));
        assertThat(refresh(id).statusAsString()).isEqualTo("InProgress");
        assertThat(instances()).extracting(Instance::instanceId).contains(busy);

        state().setProtected(REGION, busy, false); // the agent finished its job
        Instant unprotected = emulator.clock().instant();
        advance(Duration.ofSeconds(59));
        assertThat(refresh(id).statusAsString()).isEqualTo("InProgress");
        advance(Duration.ofSeconds(1));
        InstanceRefresh r = refresh(id);
        assertThat(r.statusAsString()).isEqualTo("Successful");
        assertThat(r.statusReason()).isNull();
        assertThat(r.endTime()).isEqualTo(unprotected.plus(Duration.ofMinutes(1)));
        assertThat(instances()).extracting(Instance::instanceId).doesNotContainAnyElementsOf(g.instanceIds());
    }

    // ------------------------------------------------------------------ concurrency, cancel, failures

    @Test
    void aSecondRefreshIsRefusedWhileOneIsActive() {
        state().createGroup(REGION, GROUP, 3);
        String id = startRefresh(b -> { });
        for (Duration step : List.of(Duration.ZERO, Duration.ofSeconds(30))) {
            advance(step);
            InstanceRefreshInProgressException e = catchThrowableOfType(InstanceRefreshInProgressException.class,
                    () -> startRefresh(b -> { }));
            assertThat(e.awsErrorDetails().errorCode()).isEqualTo("InstanceRefreshInProgress");
            assertThat(e.statusCode()).isEqualTo(400);
            assertThat(e.awsErrorDetails().errorMessage()).isEqualTo(
                    "An Instance Refresh is already in progress and blocks the execution of this Instance Refresh.");
        }
        asg.cancelInstanceRefresh(b -> b.autoScalingGroupName(GROUP));
        assertThat(refresh(id).statusAsString()).isEqualTo("Cancelling");
        catchThrowableOfType(InstanceRefreshInProgressException.class, () -> startRefresh(b -> { }));
        assertThat(state().refreshes(REGION, GROUP)).hasSize(1);
    }

    @Test
    void cancelGoesCancellingThenCancelledOnceTheBatchInFlightCompletes() {
        GroupInfo g = state().createGroup(REGION, GROUP, 3);
        ActiveInstanceRefreshNotFoundException none = catchThrowableOfType(
                ActiveInstanceRefreshNotFoundException.class,
                () -> asg.cancelInstanceRefresh(b -> b.autoScalingGroupName(GROUP)));
        assertThat(none.awsErrorDetails().errorCode()).isEqualTo("ActiveInstanceRefreshNotFound");

        String id = startRefresh(b -> { });
        advance(Duration.ofSeconds(30)); // the first instance is being replaced
        assertThat(asg.cancelInstanceRefresh(b -> b.autoScalingGroupName(GROUP)).instanceRefreshId()).isEqualTo(id);
        assertThat(refresh(id).statusAsString()).isEqualTo("Cancelling");
        catchThrowableOfType(ActiveInstanceRefreshNotFoundException.class,
                () -> asg.cancelInstanceRefresh(b -> b.autoScalingGroupName(GROUP)));

        advance(Duration.ofSeconds(40));
        InstanceRefresh r = refresh(id);
        assertThat(r.statusAsString()).isEqualTo("Cancelled");
        assertThat(r.endTime()).isEqualTo(START.plusSeconds(70));
        assertThat(r.percentageComplete()).isEqualTo(33);
        assertThat(instances()).extracting(Instance::instanceId)
                .contains(g.instanceIds().get(1), g.instanceIds().get(2)).doesNotContain(g.instanceIds().get(0));
        advance(Duration.ofHours(1));
        assertThat(instances()).extracting(Instance::instanceId).contains(g.instanceIds().get(1));

        // cancelling a pending refresh: Cancelling, then Cancelled
        String next = startRefresh(b -> { });
        asg.cancelInstanceRefresh(b -> b.autoScalingGroupName(GROUP));
        assertThat(refresh(next).statusAsString()).isEqualTo("Cancelling");
        advance(Duration.ofSeconds(10));
        assertThat(refresh(next).statusAsString()).isEqualTo("Cancelled");
        assertThat(refresh(next).percentageComplete()).isZero();
    }

    @Test
    void anInjectedFailureFailsTheRefresh() {
        state().createGroup(REGION, GROUP, 3);
        String id = startRefresh(b -> { });
        advance(Duration.ofSeconds(90));
        state().failRefresh(REGION, GROUP, "Instance i-0abc failed to launch: capacity");
        InstanceRefresh r = refresh(id);
        assertThat(r.statusAsString()).isEqualTo("Failed");
        assertThat(r.statusReason()).isEqualTo("Instance i-0abc failed to launch: capacity");
        assertThat(r.endTime()).isEqualTo(START.plusSeconds(90));
        assertThat(r.percentageComplete()).isEqualTo(33);
        assertThat(r.rollbackDetails()).isNull();
        advance(Duration.ofMinutes(10));
        assertThat(refresh(id).statusAsString()).isEqualTo("Failed");
        assertThat(instances()).hasSize(3).allSatisfy(i -> assertThat(i.lifecycleState())
                .isEqualTo(LifecycleState.IN_SERVICE));
    }

    private String startRollbackableRefresh(GroupInfo g) {
        String v2 = state().newLaunchTemplateVersion(REGION, GROUP);
        return startRefresh(b -> b.desiredConfiguration(d -> d.launchTemplate(t -> t
                        .launchTemplateId(g.launchTemplateId()).version(v2)))
                .preferences(p -> p.autoRollback(true)));
    }

    @Test
    void aFailureWithAutoRollbackRollsBack() {
        GroupInfo g = state().createGroup(REGION, GROUP, 3);
        String id = startRollbackableRefresh(g);
        advance(Duration.ofSeconds(160)); // two replaced, the third in flight
        state().failRefresh(REGION, GROUP, "alarm fired");
        InstanceRefresh r = refresh(id);
        assertThat(r.statusAsString()).isEqualTo("RollbackInProgress");
        assertThat(r.rollbackDetails().rollbackReason()).isEqualTo("alarm fired");
        assertThat(r.rollbackDetails().rollbackStartTime()).isEqualTo(START.plusSeconds(160));
        assertThat(r.rollbackDetails().instancesToUpdateOnRollback()).isEqualTo(3);
        assertThat(r.rollbackDetails().percentageCompleteOnRollback()).isZero();

        advance(Duration.ofSeconds(90)); // +250 s: the batch in flight done at 190 s, one rolled back at 250 s
        r = refresh(id);
        assertThat(r.statusAsString()).isEqualTo("RollbackInProgress");
        assertThat(r.rollbackDetails().percentageCompleteOnRollback()).isEqualTo(33);
        assertThat(r.percentageComplete()).isEqualTo(66); // goes back down during a rollback
        catchThrowableOfType(InstanceRefreshInProgressException.class, () -> startRefresh(b -> { }));

        advance(Duration.ofMinutes(2));
        r = refresh(id);
        assertThat(r.statusAsString()).isEqualTo("RollbackSuccessful");
        assertThat(r.endTime()).isEqualTo(START.plusSeconds(370));
        assertThat(r.rollbackDetails().percentageCompleteOnRollback()).isEqualTo(100);
        assertThat(r.percentageComplete()).isZero();
        assertThat(instances()).hasSize(3).allSatisfy(i -> {
            assertThat(i.launchTemplate().version()).isEqualTo("1");
            assertThat(i.lifecycleState()).isEqualTo(LifecycleState.IN_SERVICE);
        });
        assertThat(state().group(REGION, GROUP).orElseThrow().launchTemplateVersion()).isEqualTo("1");
    }

    @Test
    void aRollbackCanFail() {
        GroupInfo g = state().createGroup(REGION, GROUP, 3);
        String id = startRollbackableRefresh(g);
        advance(Duration.ofSeconds(130));
        state().failRefresh(REGION, GROUP, "health checks failed", true);
        assertThat(refresh(id).statusAsString()).isEqualTo("RollbackInProgress");
        advance(Duration.ofMinutes(10));
        InstanceRefresh r = refresh(id);
        assertThat(r.statusAsString()).isEqualTo("RollbackFailed");
        assertThat(r.statusReason()).contains("health checks failed");
        // the batch in flight ends at 190 s, the first rollback batch (which fails) at 250 s
        assertThat(r.endTime()).isEqualTo(START.plusSeconds(250));
        assertThat(r.rollbackDetails().percentageCompleteOnRollback()).isEqualTo(33);
    }

    @Test
    void rollbackOnRequestNeedsADesiredConfiguration() {
        GroupInfo g = state().createGroup(REGION, GROUP, 2);
        AutoScalingException noActive = catchThrowableOfType(ActiveInstanceRefreshNotFoundException.class,
                () -> asg.rollbackInstanceRefresh(b -> b.autoScalingGroupName(GROUP)));
        assertThat(noActive.awsErrorDetails().errorCode()).isEqualTo("ActiveInstanceRefreshNotFound");

        String plain = startRefresh(b -> { });
        IrreversibleInstanceRefreshException irreversible = catchThrowableOfType(
                IrreversibleInstanceRefreshException.class,
                () -> asg.rollbackInstanceRefresh(b -> b.autoScalingGroupName(GROUP)));
        assertThat(irreversible.awsErrorDetails().errorCode()).isEqualTo("IrreversibleInstanceRefresh");
        asg.cancelInstanceRefresh(b -> b.autoScalingGroupName(GROUP));
        advance(Duration.ofMinutes(2));
        assertThat(refresh(plain).statusAsString()).isEqualTo("Cancelled");

        AutoScalingException invalid = catchThrowableOfType(AutoScalingException.class,
                () -> startRefresh(b -> b.preferences(p -> p.autoRollback(true))));
        assertThat(invalid.awsErrorDetails().errorCode()).isEqualTo("ValidationError");
        assertThat(invalid.awsErrorDetails().errorMessage()).contains("AutoRollback").contains("DesiredConfiguration");

        String id = startRefresh(b -> b.desiredConfiguration(d -> d.launchTemplate(t -> t
                .launchTemplateId(g.launchTemplateId()).version(state().newLaunchTemplateVersion(REGION, GROUP)))));
        advance(Duration.ofSeconds(70));
        assertThat(asg.rollbackInstanceRefresh(b -> b.autoScalingGroupName(GROUP)).instanceRefreshId()).isEqualTo(id);
        assertThat(refresh(id).statusAsString()).isEqualTo("RollbackInProgress");
        advance(Duration.ofMinutes(5));
        assertThat(refresh(id).statusAsString()).isEqualTo("RollbackSuccessful");
        assertThat(instances()).extracting(i -> i.launchTemplate().version()).containsOnly("1");
    }

    @Test
    void invalidPreferencesAreValidationErrors() {
        state().createGroup(REGION, GROUP, 1);
        AutoScalingException e = catchThrowableOfType(AutoScalingException.class,
                () -> startRefresh(b -> b.preferences(p -> p.minHealthyPercentage(101))));
        assertThat(e.awsErrorDetails().errorCode()).isEqualTo("ValidationError");
        assertThat(e.awsErrorDetails().errorMessage()).contains("preferences.minHealthyPercentage");
        e = catchThrowableOfType(AutoScalingException.class,
                () -> startRefresh(b -> b.preferences(p -> p.scaleInProtectedInstances("Sometimes"))));
        assertThat(e.awsErrorDetails().errorMessage()).contains("[Refresh, Ignore, Wait]");
        assertThat(state().refreshes(REGION, GROUP)).isEmpty();
    }
}
