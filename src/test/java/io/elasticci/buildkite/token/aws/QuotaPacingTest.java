package io.elasticci.buildkite.token.aws;

import static io.elasticci.buildkite.token.aws.GatewayTestSupport.AWS;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.elasticci.buildkite.token.emulator.CallLog;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/** Against the emulator: calls of one AWS quota group queue for their own limiter, never for another group's. */
class QuotaPacingTest {

    private static final String EAST = "us-east-1";
    private static final int WRITES = 6;

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    // writes at 1/s: five of six must queue; everything else of Secrets Manager as fast as it comes
    private final RateLimiters limiters = new RateLimiters(Map.of("secretsmanager", 1000.0,
            "secretsmanager-read", 1000.0, "secretsmanager-write", 1.0), registry);
    private final AwsClients clients = GatewayTestSupport.clients(registry, limiters);
    private final SdkSecretsManagerGateway gateway = new SdkSecretsManagerGateway(clients);
    private final ExecutorService writers = Executors.newFixedThreadPool(WRITES + 1);

    @AfterEach
    void close() {
        AWS.faults().clear();
        writers.shutdownNow();
        clients.close();
    }

    @Test
    void aBurstOfWritesOnOneQuotaGroupDoesNotHoldBackDescribeSecret() throws Exception {
        String name = "pacing/" + UUID.randomUUID();
        List<Future<?>> writes = burstOfWrites(gateway, name);
        awaitWaiting("secretsmanager-write");

        for (int i = 0; i < 5; i++) {
            assertThat(gateway.describe(EAST, name)).isPresent();
        }
        for (Future<?> write : writes) {
            write.get(60, TimeUnit.SECONDS);
        }

        assertThat(waitTimer("secretsmanager-read").count()).isEqualTo(5);
        assertThat(waitTimer("secretsmanager-read").max(TimeUnit.NANOSECONDS)).as("no read waited").isZero();
        assertThat(waitTimer("secretsmanager-write").max(TimeUnit.MILLISECONDS)).isPositive();
        assertThat(queuedSeconds("secretsmanager-write")).isPositive();
        assertThat(queuedSeconds("secretsmanager-read")).isZero();
        assertThat(gateway.versionIds(EAST, name)).hasSize(WRITES + 1);
    }

    @Test
    void aThrottledCallsRetryFindsItsLimiterBackedOff() {
        String name = "pacing/" + UUID.randomUUID();
        gateway.create(EAST, name, SecretValue.of("v0"), "0".repeat(64), null, Map.of());
        int before = AWS.calls().timed().size();
        AWS.faults().failNext("secretsmanager", "PutSecretValue", "ThrottlingException", "Rate exceeded");

        gateway.putValue(EAST, name, SecretValue.of("v1"), "1".repeat(64));

        List<CallLog.Timed> puts = AWS.calls().timed().stream().skip(before)
                .filter(t -> t.call().operation().equals("PutSecretValue")).toList();
        assertThat(puts).extracting(t -> t.call().throttled()).containsExactly(true, false);
        assertThat(puts).extracting(CallLog.Timed::attempt).containsExactly(1, 2);
        RateLimiter writes = limiters.forCall("secretsmanager", "PutSecretValue", EAST, EAST);
        assertThat(writes.currentRate()).as("slowed after the throttle").isLessThan(1.0);
        assertThat(limiters.forCall("secretsmanager", "DescribeSecret", EAST, EAST).currentRate())
                .as("other groups untouched").isEqualTo(1000.0);
    }

    private void awaitWaiting(String group) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (waiting(group) == 0 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(waiting(group)).as("writes waiting for their limiter").isPositive();
    }

    private double waiting(String group) {
        Gauge gauge = registry.find("bkat.aws.limiter.waiting").tags("group", group, "region", EAST).gauge();
        return gauge == null ? 0 : gauge.value();
    }

    private double queuedSeconds(String group) {
        var counter = registry.find("bkat.aws.limiter.queued").tags("group", group, "region", EAST).functionCounter();
        return counter == null ? 0 : counter.count();
    }

    /** Creates the secret, then puts WRITES new values at once, each on its own thread. */
    private List<Future<?>> burstOfWrites(SdkSecretsManagerGateway secrets, String name) {
        secrets.create(EAST, name, SecretValue.of("v0"), "0".repeat(64), null, Map.of());
        List<Future<?>> writes = new ArrayList<>();
        for (int i = 1; i <= WRITES; i++) {
            String value = "v" + i;
            String token = String.valueOf(i).repeat(64);
            writes.add(writers.submit(() -> secrets.putValue(EAST, name, SecretValue.of(value), token)));
        }
        return writes;
    }

    private io.micrometer.core.instrument.Timer waitTimer(String group) {
        return registry.find("bkat.aws.rate.limiter.wait").tags("service", "secretsmanager", "group", group).timer();
    }

    @Test
    void waitingForTheLimiterDoesNotCountAgainstTheCallTimeout() throws Exception {
        // writes at 1/s and a 2 s call timeout: the sixth write waits about 5 s for its turn, then succeeds
        AwsClients slow = GatewayTestSupport.clients(registry, limiters, java.time.Duration.ofSeconds(2));
        SdkSecretsManagerGateway paced = new SdkSecretsManagerGateway(slow);
        String name = "pacing/" + UUID.randomUUID();
        List<Future<?>> writes = burstOfWrites(paced, name);
        try {
            for (Future<?> write : writes) {
                write.get(60, TimeUnit.SECONDS);
            }
            assertThat(waitTimer("secretsmanager-write").max(TimeUnit.MILLISECONDS)).isGreaterThan(2_000);
            assertThat(paced.versionIds(EAST, name)).hasSize(WRITES + 1);
        } finally {
            slow.close();
        }
    }

    @Test
    void aThrottledCallsRetryDoesNotQueueBehindCallsThatCameAfterIt() throws Exception {
        // writes at 1/s, each answered after 0.3 s, and a 4 s call timeout. The first write is throttled; while it is
        // answered, six more queue for up to 6 s. Its retry must take the next turn: behind the six it would outlive
        // its call timeout and fail as if AWS had not answered.
        AwsClients slow = GatewayTestSupport.clients(registry, limiters, Duration.ofSeconds(4));
        SdkSecretsManagerGateway paced = new SdkSecretsManagerGateway(slow);
        String first = "pacing/" + UUID.randomUUID();
        paced.create(EAST, first, SecretValue.of("v0"), "0".repeat(64), null, Map.of());
        AWS.faults().slowCalls("secretsmanager", "PutSecretValue", EAST, Duration.ofMillis(300));
        AWS.faults().failNext("secretsmanager", "PutSecretValue", "ThrottlingException", "Rate exceeded");
        try {
            Future<?> throttled = writers.submit(() -> paced.putValue(EAST, first, SecretValue.of("v1"),
                    "1".repeat(64)));
            Thread.sleep(100);
            List<Future<?>> queued = burstOfWrites(paced, "pacing/" + UUID.randomUUID());

            throttled.get(60, TimeUnit.SECONDS); // threw ExecutionException (call timeout) before the fix
            assertThat(paced.versionIds(EAST, first)).hasSize(2);
            for (Future<?> write : queued) {
                write.get(60, TimeUnit.SECONDS);
            }
        } finally {
            slow.close();
        }
    }
}
