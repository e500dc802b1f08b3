package io.elasticci.buildkite.token.emulator;

import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.retry.RetryMode;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kms.model.KmsInternalException;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.secretsmanager.model.InternalServiceErrorException;
import software.amazon.awssdk.services.secretsmanager.model.LimitExceededException;
import software.amazon.awssdk.services.secretsmanager.model.ResourceNotFoundException;
import software.amazon.awssdk.services.secretsmanager.model.SecretsManagerException;
import software.amazon.awssdk.services.sts.model.StsException;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

class FaultsAndCallLogEmulatorTest extends EmulatorTestSupport {

    private static final String EAST = "us-east-1";
    private static final String WEST = "us-west-2";
    private static final String NAME = "buildkite/agent-token";
    private static final String SECRET_VALUE = "bkua_SUPER-SECRET-VALUE-0123456789";

    @Test
    void callLogRecordsOperationsRegionsAccountsAndWrites() {
        SecretsManagerClient east = clients.secretsManager(EAST);
        SecretsManagerClient west = clients.secretsManager(WEST);
        east.createSecret(b -> b.name(NAME).secretString(SECRET_VALUE));
        east.describeSecret(b -> b.secretId(NAME));
        east.getSecretValue(b -> b.secretId(NAME));
        east.putSecretValue(b -> b.secretId(NAME).secretString(SECRET_VALUE + "2"));
        east.replicateSecretToRegions(b -> b.secretId(NAME).addReplicaRegions(r -> r.region(WEST)));
        west.describeSecret(b -> b.secretId(NAME));
        west.getSecretValue(b -> b.secretId(NAME));
        clients.kms(EAST).describeKey(b -> b.keyId("alias/aws/secretsmanager"));
        try {
            east.describeSecret(b -> b.secretId("missing"));
        } catch (ResourceNotFoundException expected) {
            // recorded as a failed call
        }

        CallLog log = emulator.calls();
        assertThat(log.all()).hasSize(9);
        assertThat(log.count("secretsmanager", "DescribeSecret")).isEqualTo(3);
        assertThat(log.count("secretsmanager", "DescribeSecret", WEST)).isEqualTo(1);
        assertThat(log.count("secretsmanager", "GetSecretValue", EAST)).isEqualTo(1);
        assertThat(log.count("kms", "DescribeKey")).isEqualTo(1);
        assertThat(log.writes()).extracting(CallLog.Call::operation)
                .containsExactly("CreateSecret", "PutSecretValue", "ReplicateSecretToRegions");
        assertThat(log.writeCount()).isEqualTo(3);
        assertThat(log.all()).allSatisfy(c -> assertThat(c.account()).isEqualTo(AwsEmulator.DEFAULT_ACCOUNT));
        CallLog.Call last = log.all().get(8);
        assertThat(last.httpStatus()).isEqualTo(400);
        assertThat(last.errorCode()).isEqualTo("ResourceNotFoundException");
        assertThat(log.failures()).containsExactly(last);
        assertThat(log.all().get(0)).isEqualTo(new CallLog.Call("secretsmanager", "CreateSecret", EAST,
                AwsEmulator.DEFAULT_ACCOUNT, true, 200, null, AwsEmulator.ACCESS_KEY));

        // no secret value anywhere the emulator keeps or prints
        assertThat(log.toString()).doesNotContain("SUPER-SECRET");
        assertThat(emulator.secretsManager(AwsEmulator.DEFAULT_ACCOUNT).secret(EAST, NAME).orElseThrow().toString())
                .doesNotContain("SUPER-SECRET");
        assertThat(emulator.secretsManager(AwsEmulator.DEFAULT_ACCOUNT).secret(WEST, NAME).orElseThrow().toString())
                .doesNotContain("SUPER-SECRET");

        log.clear();
        assertThat(log.all()).isEmpty();
    }

    @Test
    void everyLoggedCallHasItsArrivalAndAnswerTimes() {
        SecretsManagerClient east = clients.secretsManager(EAST);
        east.createSecret(b -> b.name(NAME).secretString("v"));
        east.describeSecret(b -> b.secretId(NAME));

        assertThat(emulator.calls().timed()).extracting(CallLog.Timed::call).isEqualTo(emulator.calls().all());
        assertThat(emulator.calls().timed()).allSatisfy(t -> assertThat(t.endNanos()).isGreaterThanOrEqualTo(
                t.startNanos()));
        emulator.calls().clear();
        assertThat(emulator.calls().timed()).isEmpty();
    }

    @Test
    void everyAttemptIsLoggedWithItsInvocationAndAttemptNumber() {
        SecretsManagerClient sm = clients.secretsManager(EAST);
        sm.createSecret(b -> b.name(NAME).secretString("v"));
        emulator.calls().clear();
        emulator.faults().failNext("secretsmanager", "DescribeSecret", "ThrottlingException", "Rate exceeded")
                .failNext("secretsmanager", "DescribeSecret", "ThrottlingException", "Rate exceeded");

        sm.describeSecret(b -> b.secretId(NAME)); // throttled twice, the SDK's third attempt gets through
        emulator.faults().failNext("secretsmanager", "GetSecretValue", "ThrottlingException", "Rate exceeded");
        sm.getSecretValue(b -> b.secretId(NAME));

        List<CallLog.Timed> attempts = emulator.calls().timed();
        assertThat(attempts).extracting(t -> t.call().operation()).containsExactly("DescribeSecret",
                "DescribeSecret", "DescribeSecret", "GetSecretValue", "GetSecretValue");
        assertThat(attempts).extracting(CallLog.Timed::attempt).containsExactly(1, 2, 3, 1, 2);
        assertThat(attempts).extracting(t -> t.call().throttled()).containsExactly(true, true, false, true, false);
        assertThat(attempts.subList(0, 3)).extracting(CallLog.Timed::invocationId).doesNotContainNull()
                .containsOnly(attempts.get(0).invocationId());
        assertThat(attempts.get(3).invocationId()).isNotNull().isNotEqualTo(attempts.get(0).invocationId())
                .isEqualTo(attempts.get(4).invocationId());
        assertThat(CallLog.longestThrottledRun(attempts)).isEqualTo(2);
        assertThat(CallLog.longestThrottledRun(attempts.subList(2, 5))).as("one throttle per call").isEqualTo(1);
        assertThat(CallLog.longestThrottledRun(attempts.subList(2, 3))).isZero();
    }

    @Test
    void throttlesOfDifferentCallsInARowAreNotARun() {
        SecretsManagerClient sm = clients.secretsManager(EAST);
        sm.createSecret(b -> b.name(NAME).secretString("v"));
        emulator.calls().clear();
        for (int i = 0; i < 3; i++) {
            emulator.faults().failNext("secretsmanager", "DescribeSecret", "ThrottlingException", "Rate exceeded");
            sm.describeSecret(b -> b.secretId(NAME));
        }

        List<CallLog.Timed> attempts = emulator.calls().timed();
        assertThat(attempts).hasSize(6);
        assertThat(attempts).extracting(CallLog.Timed::attempt).containsExactly(1, 2, 1, 2, 1, 2);
        assertThat(attempts.stream().map(CallLog.Timed::invocationId).distinct()).doesNotContainNull().hasSize(3);
        assertThat(CallLog.longestThrottledRun(attempts)).isEqualTo(1);
    }

    @Test
    void writeClassification() {
        for (String op : List.of("CreateSecret", "PutSecretValue", "UpdateSecret", "UpdateSecretVersionStage",
                "DeleteSecret", "RestoreSecret", "TagResource", "UntagResource", "ReplicateSecretToRegions",
                "RemoveRegionsFromReplication", "StopReplicationToReplica", "RotateSecret", "CancelRotateSecret",
                "CreateKey", "CreateAlias", "DisableKey", "EnableKey", "PutKeyPolicy", "ScheduleKeyDeletion",
                "CancelKeyDeletion", "CreateStack", "UpdateAutoScalingGroup", "AttachRolePolicy")) {
            assertThat(Operations.isWrite("any", op)).as(op).isTrue();
        }
        for (String op : List.of("DescribeSecret", "GetSecretValue", "ListSecretVersionIds", "ListSecrets",
                "DescribeKey", "GetKeyPolicy", "ListAliases", "GetCallerIdentity", "Unknown", "Settings",
                "Creator")) {
            assertThat(Operations.isWrite("any", op)).as(op).isFalse();
        }
    }

    @Test
    void failNextInjectsOneErrorWithItsStatus() {
        SecretsManagerClient sm = clients.secretsManager(EAST);
        sm.createSecret(b -> b.name(NAME).secretString("v"));
        emulator.faults().failNext("secretsmanager", "GetSecretValue", "LimitExceededException", "injected");

        LimitExceededException e = catchThrowableOfType(() -> sm.getSecretValue(b -> b.secretId(NAME)),
                LimitExceededException.class);
        assertThat(e.awsErrorDetails().errorCode()).isEqualTo("LimitExceededException");
        assertThat(e.awsErrorDetails().errorMessage()).isEqualTo("injected");
        assertThat(e.statusCode()).isEqualTo(400);
        assertThat(sm.getSecretValue(b -> b.secretId(NAME)).secretString()).as("one-shot").isEqualTo("v");

        // a 500 is retried by the SDK: the next attempt succeeds
        emulator.calls().clear();
        emulator.faults().failNext("secretsmanager", "GetSecretValue", "InternalServiceError", "boom");
        assertThat(sm.getSecretValue(b -> b.secretId(NAME)).secretString()).isEqualTo("v");
        assertThat(emulator.calls().calls("secretsmanager", "GetSecretValue"))
                .extracting(CallLog.Call::httpStatus).containsExactly(500, 200);

        // region-scoped injection leaves other regions alone
        emulator.faults().failNext("secretsmanager", "DescribeSecret", WEST, "ResourceNotFoundException", "x");
        sm.describeSecret(b -> b.secretId(NAME));
        assertThat(emulator.faults().pendingInjectedErrors()).isEqualTo(1);
        emulator.faults().clear();
        assertThat(emulator.faults().pendingInjectedErrors()).isZero();
    }

    @Test
    void regionOutageAnswers503InThatRegionOnly() {
        SecretsManagerClient east = clients.secretsManager(EAST);
        SecretsManagerClient west = clients.secretsManager(WEST);
        east.createSecret(b -> b.name(NAME).secretString("v"));
        emulator.faults().regionOutage(WEST, true);

        SdkException e = catchThrowableOfType(() -> west.describeSecret(b -> b.secretId(NAME)), SdkException.class);
        assertThat(e).isInstanceOf(SecretsManagerException.class);
        SecretsManagerException sme = (SecretsManagerException) e;
        assertThat(sme.statusCode()).isEqualTo(503);
        assertThat(sme.awsErrorDetails().errorCode()).isEqualTo("ServiceUnavailable");
        assertThat(emulator.calls().count("secretsmanager", "DescribeSecret", WEST))
                .as("every SDK attempt is logged").isEqualTo(e.numAttempts().longValue()).isGreaterThan(1L);
        assertThat(emulator.calls().calls("secretsmanager", "DescribeSecret"))
                .allSatisfy(c -> assertThat(c.errorCode()).isEqualTo("ServiceUnavailable"));

        assertThat(east.describeSecret(b -> b.secretId(NAME)).name()).isEqualTo(NAME);
        emulator.faults().regionOutage(WEST, false);
        east.replicateSecretToRegions(b -> b.secretId(NAME).addReplicaRegions(r -> r.region(WEST)));
        assertThat(west.describeSecret(b -> b.secretId(NAME)).primaryRegion()).isEqualTo(EAST);
    }

    @Test
    void throttlingAtRateOneExhaustsTheSdkRetries() {
        SecretsManagerClient sm = clients.secretsManager(EAST);
        emulator.faults().throttleRate(1.0);
        SecretsManagerException e = catchThrowableOfType(() -> sm.listSecrets(), SecretsManagerException.class);
        assertThat(e.statusCode()).isEqualTo(400);
        assertThat(e.awsErrorDetails().errorCode()).isEqualTo("ThrottlingException");
        assertThat(e.awsErrorDetails().errorMessage()).isEqualTo("Rate exceeded");
        assertThat(e.isThrottlingException()).isTrue();
        long attempts = emulator.calls().count("secretsmanager", "ListSecrets");
        assertThat(attempts).isEqualTo(e.numAttempts().longValue()).isGreaterThan(1L);

        StsException sts = catchThrowableOfType(() -> once.sts(EAST, AwsEmulator.ACCESS_KEY).getCallerIdentity(),
                StsException.class);
        assertThat(sts.awsErrorDetails().errorCode()).isEqualTo("Throttling");
        assertThat(sts.awsErrorDetails().errorMessage()).isEqualTo("Rate exceeded");
        assertThat(sts.statusCode()).isEqualTo(400);
        assertThat(sts.isThrottlingException()).isTrue();
    }

    @Test
    void standardRetryModeMakesThreeAttempts() {
        SecretsManagerClient standard = SecretsManagerClient.builder()
                .endpointOverride(emulator.endpoint())
                .region(Region.of(EAST))
                .credentialsProvider(StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(AwsEmulator.ACCESS_KEY, AwsEmulator.SECRET_KEY)))
                .overrideConfiguration(o -> o.retryStrategy(RetryMode.STANDARD))
                .build();
        try (standard) {
            standard.createSecret(b -> b.name(NAME).secretString("v"));
            emulator.calls().clear();
            for (int i = 0; i < 3; i++) {
                emulator.faults().failNext("secretsmanager", "GetSecretValue", "ThrottlingException", "Rate exceeded");
            }
            SecretsManagerException e = catchThrowableOfType(() -> standard.getSecretValue(b -> b.secretId(NAME)),
                    SecretsManagerException.class);
            assertThat(e.awsErrorDetails().errorCode()).isEqualTo("ThrottlingException");
            assertThat(e.numAttempts()).isEqualTo(3);
            assertThat(emulator.calls().count("secretsmanager", "GetSecretValue")).isEqualTo(3);
            assertThat(standard.getSecretValue(b -> b.secretId(NAME)).secretString()).isEqualTo("v");
        }
    }

    @Test
    void throttlingWithFailNextIsRetriedThrough() {
        SecretsManagerClient sm = clients.secretsManager(EAST);
        sm.createSecret(b -> b.name(NAME).secretString("v"));
        emulator.calls().clear();
        emulator.faults().failNext("secretsmanager", "GetSecretValue", "ThrottlingException", "Rate exceeded");
        assertThat(sm.getSecretValue(b -> b.secretId(NAME)).secretString()).isEqualTo("v");
        assertThat(emulator.calls().all()).extracting(CallLog.Call::errorCode)
                .containsExactly("ThrottlingException", null);
    }

    @Test
    void serverErrorRateUsesEachServicesInternalError() {
        emulator.faults().serverErrorRate(1.0);
        InternalServiceErrorException sm = catchThrowableOfType(() -> clients.secretsManager(EAST).listSecrets(),
                InternalServiceErrorException.class);
        assertThat(sm.statusCode()).isEqualTo(500);
        assertThat(sm.awsErrorDetails().errorCode()).isEqualTo("InternalServiceError");
        assertThat(sm.numAttempts()).isGreaterThan(1);
        KmsInternalException kms = catchThrowableOfType(() -> once.kms(EAST).listKeys(),
                KmsInternalException.class);
        assertThat(kms.awsErrorDetails().errorCode()).isEqualTo("KMSInternalException");
        assertThat(kms.statusCode()).isEqualTo(500);
        StsException sts = catchThrowableOfType(() -> once.sts(EAST, AwsEmulator.ACCESS_KEY).getCallerIdentity(),
                StsException.class);
        assertThat(sts.statusCode()).isEqualTo(500);
        assertThat(sts.awsErrorDetails().errorCode()).isEqualTo("InternalFailure");
    }

    @Test
    void seededRatesAreRepeatable() {
        List<Faults.Decision.Kind> first = sample(42);
        List<Faults.Decision.Kind> second = sample(42);
        assertThat(first).isEqualTo(second).contains(Faults.Decision.Kind.THROTTLE, Faults.Decision.Kind.NONE);
    }

    private static List<Faults.Decision.Kind> sample(long seed) {
        Faults faults = new Faults().seed(seed).throttleRate(0.3).serverErrorRate(0.2);
        List<Faults.Decision.Kind> kinds = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            kinds.add(faults.decide("secretsmanager", "GetSecretValue", EAST).kind());
        }
        return kinds;
    }

    @Test
    void latencyDelaysEveryCall() {
        emulator.faults().latency(Duration.ofMillis(300));
        long start = System.nanoTime();
        clients.secretsManager(EAST).listSecrets();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(300));
    }

    @Test
    void slowCallsDelayOnlyTheirOperationAndRegionAndTheWriteStillLands() {
        SecretsManagerClient east = once.secretsManager(EAST);
        SecretsManagerClient west = once.secretsManager(WEST);
        east.createSecret(b -> b.name(NAME).secretString("v1"));
        west.createSecret(b -> b.name(NAME).secretString("v1"));
        emulator.faults().slowCalls("secretsmanager", "PutSecretValue", EAST, Duration.ofSeconds(3));
        var patient = software.amazon.awssdk.awscore.AwsRequestOverrideConfiguration.builder()
                .apiCallTimeout(Duration.ofSeconds(1)).build();

        var timeout = catchThrowableOfType(() -> east.putSecretValue(b -> b.secretId(NAME).secretString("v2")
                .overrideConfiguration(patient)), software.amazon.awssdk.core.exception.ApiCallTimeoutException.class);

        assertThat(timeout).as("the caller gave up").isNotNull();
        // other operations and regions answer within the same timeout
        east.getSecretValue(b -> b.secretId(NAME).overrideConfiguration(patient));
        west.putSecretValue(b -> b.secretId(NAME).secretString("v2").overrideConfiguration(patient));
        // the abandoned write is carried out when its delay is over
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> emulator
                .secretsManager(AwsEmulator.DEFAULT_ACCOUNT).secret(EAST, NAME).orElseThrow().versions().size() == 2);
        assertThat(emulator.faults().toString()).contains("PutSecretValue");
        emulator.faults().clear();
        assertThat(emulator.faults().toString()).isEqualTo("Faults[]");
    }

    @Test
    void resetClearsStateFaultsLogAndClock() {
        clients.secretsManager(EAST).createSecret(b -> b.name(NAME).secretString("v"));
        emulator.faults().regionOutage(WEST, true).latency(Duration.ofMillis(1));
        emulator.clock().advance(Duration.ofDays(1));
        var port = emulator.endpoint();

        SecretsManagerState cached = emulator.secretsManager(AwsEmulator.DEFAULT_ACCOUNT);
        cached.setReplicationDelay(Duration.ofMinutes(1));
        emulator.reset();
        assertThat(emulator.secretsManager(AwsEmulator.DEFAULT_ACCOUNT)).isSameAs(cached);
        assertThat(cached.replicationDelay()).isZero();
        assertThat(emulator.calls().all()).isEmpty();
        assertThat(emulator.secretsManager(AwsEmulator.DEFAULT_ACCOUNT).secret(EAST, NAME)).isEmpty();
        assertThat(emulator.clock().instant()).isEqualTo(MutableClock.START);
        assertThat(emulator.endpoint()).isEqualTo(port);
        clients.secretsManager(WEST).listSecrets();
        assertThat(emulator.calls().failures()).isEmpty();
    }

    @Test
    void parallelCallsAcrossRegionsAreSafe() throws Exception {
        List<String> regions = List.of("us-east-1", "us-west-2", "eu-west-1", "ap-southeast-2");
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (String region : regions) {
                SecretsManagerClient sm = clients.secretsManager(region);
                sm.createSecret(b -> b.name(NAME).secretString("0"));
                for (int t = 0; t < 2; t++) {
                    futures.add(pool.submit(() -> {
                        for (int i = 0; i < 10; i++) {
                            sm.putSecretValue(b -> b.secretId(NAME).secretString("x"));
                            sm.getSecretValue(b -> b.secretId(NAME));
                        }
                    }));
                }
            }
            for (Future<?> f : futures) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        for (String region : regions) {
            assertThat(emulator.secretsManager(AwsEmulator.DEFAULT_ACCOUNT).secret(region, NAME).orElseThrow()
                    .versions()).hasSize(21);
            assertThat(emulator.calls().count("secretsmanager", "PutSecretValue", region)).isEqualTo(20);
        }
        assertThat(emulator.calls().failures()).isEmpty();
    }
}
