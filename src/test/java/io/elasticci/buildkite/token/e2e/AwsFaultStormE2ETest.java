package io.elasticci.buildkite.token.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

import jakarta.inject.Inject;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import io.elasticci.buildkite.token.api.v1alpha1.Mode;
import io.elasticci.buildkite.token.config.OperatorConfig;
import io.elasticci.buildkite.token.emulator.CallLog;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;

/**
 * AWS faults during every action, for a fleet ({@link TokenFleet}: 4 tokens, 3 regions, 2 stacks per region each):
 * throttling, bursts of 5xx, a region down, calls slower than the SDK's timeout, IAM slow to accept new roles. While
 * the faults last the operator retries; once they stop every token converges, and nothing was ever made twice.
 *
 * <p>Wall time is compressed, not the number of cycles: the test configuration requeues after 0.5 s (in progress,
 * throttled, unavailable) instead of 10 s and 30 s, so a fault that lasts a few seconds here spans as many
 * reconciles as minutes would in production; the SDK gives up on a call after 2 s ({@link CompressedTime}) instead
 * of 30 s. IAM propagation and instance refreshes run on the emulator's clock, which the test moves.
 */
@QuarkusTest
@WithKubernetesTestServer
@QuarkusTestResource(value = EmulatorResource.class, restrictToAnnotatedClass = true)
@TestProfile(AwsFaultStormE2ETest.CompressedTime.class)
class AwsFaultStormE2ETest extends E2ETestBase {

    /**
     * The SDK's whole-call timeout here (the slow calls take longer, and longer than it plus a retry's delay), and
     * transient failures retried as soon as work in progress. IAM, CloudFormation, Auto Scaling and EC2 paced at
     * 100/s, not at their production 5 to 9/s: the faults here throttle at random, whatever the rate, and the
     * limiters' back-off to half of a quota (right against AWS: QuotaPacingTest) would stretch a 4-token fleet beyond
     * the test's waits.
     */
    public static class CompressedTime implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("bkat.aws.api-call-timeout", "PT2S", "bkat.transient-retry-interval", "PT0.5S",
                    "bkat.aws.rate-limits.iam", "100", "bkat.aws.rate-limits.cloudformation", "100",
                    "bkat.aws.rate-limits.autoscaling", "100", "bkat.aws.rate-limits.ec2", "100");
        }
    }

    private static final int TOKENS = 4;
    private static final java.util.List<String> SERVICES = java.util.List.of("secretsmanager", "kms", "iam",
            "cloudformation");
    private static final Duration SLOWER_THAN_TIMEOUT = Duration.ofSeconds(5);

    @Inject
    MeterRegistry metrics;

    @Inject
    OperatorConfig config;

    /** Waits while a fault lasts: until {@code enough} holds or every token settled (it no longer calls AWS). */
    private void sustain(TokenFleet fleet, BooleanSupplier enough) {
        Awaitility.await().atMost(OperatorHarness.TIMEOUT).pollInterval(Duration.ofMillis(200))
                .until(() -> enough.getAsBoolean() || fleet.allSettled());
    }

    private long answered(int mark, java.util.function.Predicate<CallLog.Call> which) {
        return aws.calls().since(mark).stream().filter(which).count();
    }

    private static boolean throttled(CallLog.Call call) {
        return "ThrottlingException".equals(call.errorCode()) || "Throttling".equals(call.errorCode());
    }

    private static boolean serverError(CallLog.Call call) {
        return call.httpStatus() >= 500;
    }

    /** Each of these services answered some calls with this kind of fault. */
    private void assertFaultsAnsweredBy(int mark, java.util.function.Predicate<CallLog.Call> kind,
            String... expected) {
        for (String service : expected) {
            assertThat(answered(mark, c -> c.service().equals(service) && kind.test(c))).as("faults of %s", service)
                    .isPositive();
        }
    }

    /** The scenario's size in numbers, for RELIABILITY.md: calls answered, failed, and reconciles started. */
    private void printNumbers(String scenario, int mark, double reconcilesBefore) {
        List<CallLog.Call> calls = aws.calls().since(mark);
        System.out.printf("%s: %d AWS calls, %d failed (%d throttled, %d 5xx), %.0f reconciles%n", scenario,
                calls.size(), calls.stream().filter(CallLog.Call::failed).count(),
                calls.stream().filter(AwsFaultStormE2ETest::throttled).count(),
                calls.stream().filter(AwsFaultStormE2ETest::serverError).count(),
                Reconciles.started(metrics) - reconcilesBefore);
        System.out.println("  by service and answer: " + calls.stream().collect(java.util.stream.Collectors.groupingBy(
                c -> c.service() + " " + c.operation() + " " + (c.errorCode() == null ? "ok" : c.errorCode()),
                java.util.TreeMap::new, java.util.stream.Collectors.counting())));
    }

    private boolean reconciledSince(double before, int perToken) {
        return Reconciles.started(metrics) - before >= perToken * TOKENS;
    }

    @Test
    void halfOfEveryCallThrottledThroughCreationAndRotation() {
        try (LogCapture logs = LogCapture.start()) {
            TokenFleet fleet = TokenFleet.create(this, TOKENS, Mode.Manage);
            int mark = aws.calls().size();
            double started = Reconciles.started(metrics);
            aws.faults().seed(50).throttleRate(0.5);
            fleet.apply();
            sustain(fleet, () -> reconciledSince(started, 5));
            assertThat(reconciledSince(started, 5)).as("reconciles while half the calls were throttled").isTrue();
            // At 50% no reconcile observes everything it needs, so none acts: 10% lets writes through, some throttled.
            aws.faults().throttleRate(0.1);
            fleet.awaitReady();

            aws.faults().throttleRate(0.5);
            double rotating = Reconciles.started(metrics);
            fleet.rotate();
            sustain(fleet, () -> reconciledSince(rotating, 5));
            assertThat(reconciledSince(rotating, 5)).as("reconciles while half the calls were throttled").isTrue();
            aws.faults().throttleRate(0.1);
            fleet.awaitReady();
            aws.faults().clear();

            assertFaultsAnsweredBy(mark, AwsFaultStormE2ETest::throttled, "secretsmanager", "kms", "iam",
                    "cloudformation", "autoscaling");
            assertThat(answered(mark, c -> c.write() && throttled(c))).as("writes throttled").isPositive();
            printNumbers("throttling", mark, started);
            fleet.assertConvergedWithNothingMadeTwice(mark);
            fleet.assertNoValueLeaked(logs);
        }
    }

    @Test
    void burstsOfServerErrorsOnEveryService() {
        try (LogCapture logs = LogCapture.start()) {
            TokenFleet fleet = TokenFleet.create(this, TOKENS, Mode.Manage);
            int mark = aws.calls().size();
            double started = Reconciles.started(metrics);
            aws.faults().seed(500).serverErrorRate(0.8);
            // IAM is reached only by observations that got past the stacks: make sure it answers one 5xx too.
            aws.faults().failNext("iam", "GetRole", "ServiceFailure", "We encountered an internal error.");
            fleet.apply();
            for (int burst = 0; burst < 4; burst++) {
                long before = answered(mark, AwsFaultStormE2ETest::serverError);
                boolean last = burst == 3;
                // The last burst is milder and lasts until every service answered 5xx: at 80% few observations get
                // as far as IAM (roles are read after stacks), so IAM might otherwise never see one.
                aws.faults().serverErrorRate(last ? 0.3 : 0.8);
                sustain(fleet, () -> answered(mark, AwsFaultStormE2ETest::serverError) - before >= 40
                        && (!last || SERVICES.stream().allMatch(service -> answered(mark,
                                c -> c.service().equals(service) && serverError(c)) > 0)));
                aws.faults().serverErrorRate(0);
                sleep(Duration.ofMillis(300)); // a lull: some actions get through between bursts
            }
            fleet.awaitReady();

            assertFaultsAnsweredBy(mark, AwsFaultStormE2ETest::serverError, SERVICES.toArray(String[]::new));
            printNumbers("5xx bursts", mark, started);
            fleet.assertConvergedWithNothingMadeTwice(mark);
            fleet.assertNoValueLeaked(logs);
        }
    }

    /**
     * eu-west-1 down (every call there answered 5xx): the healthy regions converge meanwhile, nothing is attempted in
     * eu-west-1, status names it; once it is back it converges too, and nothing was made twice.
     */
    @Test
    void aRegionDownLeavesTheOthersConvergingAndIsNamedInStatus() {
        try (LogCapture logs = LogCapture.start()) {
            TokenFleet fleet = TokenFleet.create(this, TOKENS, Mode.Verify);
            int mark = aws.calls().size();
            double started = Reconciles.started(metrics);
            aws.faults().regionOutage(EU, true);
            fleet.apply();

            Awaitility.await().atMost(OperatorHarness.TIMEOUT).pollInterval(Duration.ofMillis(200))
                    .untilAsserted(() -> fleet.members().forEach(this::assertHealthyRegionsConverged));
            sustain(fleet, () -> reconciledSince(started, 5));
            assertThat(reconciledSince(started, 5)).as("reconciles while the region is down").isTrue();
            for (TokenFleet.Member member : fleet.members()) {
                assertHealthyRegionsConverged(member);
                assertThat(k8s.condition(member.name(), "Ready")).hasValueSatisfying(c -> {
                    assertThat(c.getStatus()).isEqualTo("False");
                    assertThat(c.getReason()).isEqualTo("RegionUnavailable");
                    assertThat(c.getMessage()).contains(EU);
                });
                assertThat(k8s.condition(member.name(), "Reconciling")).hasValueSatisfying(c -> assertThat(
                        c.getStatus()).isEqualTo("True"));
                assertThat(k8s.condition(member.name(), "Stalled").map(c -> c.getStatus())).hasValue("False");
                assertThat(k8s.get(member.name()).getStatus().regionsReady).as("regions ready").isEqualTo("2/3");
            }
            assertThat(answered(mark, c -> EU.equals(c.region()) && c.write())).as("writes sent to eu-west-1")
                    .isZero();
            assertThat(answered(mark, c -> "ReplicateSecretToRegions".equals(c.operation()))).as("replications")
                    .isEqualTo(TOKENS);
            aws.faults().regionOutage(EU, false);
            fleet.awaitReady();

            printNumbers("region outage", mark, started);
            fleet.assertConvergedWithNothingMadeTwice(mark);
            fleet.assertNoValueLeaked(logs);
        }
    }

    /**
     * The member's secret exists in the primary with its replica in us-west-2 and none in eu-west-1, and every stack
     * of the healthy regions can read it (resource policy, inline policy, key).
     */
    private void assertHealthyRegionsConverged(TokenFleet.Member member) {
        var secret = sm().secret(EAST, member.secretName());
        assertThat(secret).as("secret of %s", member.name()).isPresent();
        assertThat(secret.get().replica(WEST)).as("replica in %s", WEST).hasValueSatisfying(r -> assertThat(
                r.status()).isEqualTo("InSync"));
        assertThat(secret.get().replica(EU)).as("replica in %s", EU).isEmpty();
        assertThat(sm().secret(EU, member.secretName())).as("secret in %s", EU).isEmpty();
        for (TokenFleet.Stack stack : member.stacks()) {
            if (!stack.region().equals(EU)) {
                assertStackReadsToken(member.secretName(), stack.region(),
                        cfn().stackOrThrow(stack.region(), stack.name()));
            }
        }
    }

    @Test
    void callsSlowerThanTheSdkTimeoutLandLateWithoutBeingRepeated() {
        assertThat(config.aws().apiCallTimeout()).as("the SDK gives up first").isLessThan(SLOWER_THAN_TIMEOUT);
        try (LogCapture logs = LogCapture.start()) {
            TokenFleet fleet = TokenFleet.create(this, TOKENS, Mode.Manage);
            int mark = aws.calls().size();
            double started = Reconciles.started(metrics);
            aws.faults().slowCalls("secretsmanager", "ReplicateSecretToRegions", null, SLOWER_THAN_TIMEOUT)
                    .slowCalls("iam", "PutRolePolicy", null, SLOWER_THAN_TIMEOUT)
                    .slowCalls("cloudformation", "UpdateStack", WEST, SLOWER_THAN_TIMEOUT);
            fleet.apply();
            for (TokenFleet.Member member : fleet.members()) {
                k8s.awaitEvent(member.name(), "ActionFailed");
            }
            aws.faults().clear();
            fleet.awaitReady();

            aws.faults().slowCalls("secretsmanager", "PutSecretValue", null, SLOWER_THAN_TIMEOUT)
                    .slowCalls("autoscaling", "StartInstanceRefresh", WEST, SLOWER_THAN_TIMEOUT);
            int rotating = aws.calls().size();
            fleet.rotate();
            sustain(fleet, () -> answered(rotating, c -> "PutSecretValue".equals(c.operation())) >= TOKENS);
            aws.faults().clear();
            // Calls still held land within SLOWER_THAN_TIMEOUT. Only then may the emulator's clock run a refresh to
            // its end: on AWS a refresh takes minutes, far longer than a late call lags, so a late
            // StartInstanceRefresh meets the refresh in progress (refused) and never one already finished.
            sleep(SLOWER_THAN_TIMEOUT.plusSeconds(1));
            fleet.awaitReady();

            printNumbers("slow calls", mark, started);
            fleet.assertConvergedWithNothingMadeTwice(mark);
            fleet.assertNoValueLeaked(logs);
        }
    }

    @Test
    void iamSlowToAcceptNewRolesIsWaitedOutOverManyReconciles() {
        Duration propagation = Duration.ofSeconds(100);
        iam().setPropagationDelay(propagation);
        try (LogCapture logs = LogCapture.start()) {
            TokenFleet fleet = TokenFleet.create(this, TOKENS, Mode.Verify); // its roles are created now
            int mark = aws.calls().size();
            double started = Reconciles.started(metrics);
            java.time.Instant accepted = aws.clock().instant().plus(propagation);
            fleet.apply();
            for (TokenFleet.Member member : fleet.members()) {
                k8s.awaitCondition(member.name(), "Reconciling", "True", "PrincipalNotYetValid");
            }
            while (aws.clock().instant().isBefore(accepted)) {
                assertThat(fleet.members()).noneMatch(fleet::ready);
                aws.clock().advance(Duration.ofSeconds(10));
                double before = Reconciles.started(metrics);
                sustain(fleet, () -> reconciledSince(before, 1)); // a reconcile per token at each step
            }
            fleet.awaitReadyStandingClock();

            // The operator asks AWS to validate its policy first (ValidateResourcePolicy) and puts it only once valid.
            assertThat(answered(mark, c -> "ValidateResourcePolicy".equals(c.operation())))
                    .as("policies checked while IAM refused the roles").isGreaterThanOrEqualTo(6L * TOKENS);
            assertThat(answered(mark, c -> "PutResourcePolicy".equals(c.operation()) && !c.failed()))
                    .as("policies put").isEqualTo(TOKENS);
            printNumbers("IAM propagation", mark, started);
            fleet.assertConvergedWithNothingMadeTwice(mark);
            fleet.assertNoValueLeaked(logs);
        } finally {
            iam().setPropagationDelay(Duration.ZERO);
        }
    }
}
