package io.elasticci.buildkite.token.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import io.elasticci.buildkite.token.emulator.AwsEmulator;
import io.elasticci.buildkite.token.emulator.CallLog;
import io.elasticci.buildkite.token.emulator.MutableClock;
import io.elasticci.buildkite.token.it.MockKubernetesApi;
import io.elasticci.buildkite.token.it.OperatorEnvironment;
import io.elasticci.buildkite.token.it.PackagedOperator;
import io.elasticci.buildkite.token.it.PackagedOperatorEnvironment;

/**
 * The fleet benchmark ({@code mvn -B -ntp -Pfleet verify}, sizes by {@code -Dfleet.*}, see {@link FleetSettings}): the
 * packaged operator in its own process, configured as the image is, against the mock Kubernetes API and the AWS
 * emulator with latency on every call and AWS's quotas. Not a test: it asserts only that the fleet converged, prints a
 * table and writes the same figures as JSON under target/fleet-benchmark/.
 *
 * <ol>
 * <li>convergence: an operator with a resync longer than the run, N tokens created at once; time until each and all
 *     are Ready, the AWS calls it took, the process's heap, RSS and CPU time;</li>
 * <li>restart: a new operator process over the converged fleet (cold caches), with the resync under test and its
 *     cache lifetimes scaled alike; time and calls until every token was reconciled once;</li>
 * <li>steady state: the AWS calls of whole resync waves (from the end of the first to the end of the last counted),
 *     divided by the reconciles in them.</li>
 * </ol>
 */
class FleetBenchmark {

    private static final Path OUT = Path.of("target", "fleet-benchmark");
    /** The operator's production cache lifetimes (OperatorConfig), scaled with the resync when asked. */
    private static final Map<String, Duration> CACHE_LIFETIMES = Map.of(
            "BKAT_AWS_INLINE_POLICY_CACHE_TTL", Duration.ofMinutes(15),
            "BKAT_AWS_ALIAS_CACHE_TTL", Duration.ofMinutes(5),
            "BKAT_AWS_STACK_LISTING_MAX_AGE", Duration.ofMinutes(1),
            "BKAT_AWS_KEY_POLICY_CACHE_TTL", Duration.ofMinutes(15));

    /** The services application.properties limits (an environment variable overrides only a property it has). */
    private static final List<String> UNLIMITED = List.of("SECRETSMANAGER", "SECRETSMANAGER_WRITE",
            "SECRETSMANAGER_POLICY", "SECRETSMANAGER_TAG", "SECRETSMANAGER_READ", "KMS", "STS", "IAM", "CLOUDFORMATION",
            "AUTOSCALING");

    private final FleetSettings settings = FleetSettings.fromSystemProperties();

    @Test
    void fleet() throws IOException {
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("settings", settings.toMap());
        report.put("machine", FleetReport.machine());
        try (AwsEmulator aws = AwsEmulator.start(MutableClock.ticking());
                MockKubernetesApi api = MockKubernetesApi.start("kube-system",
                        PackagedOperatorEnvironment.OPERATOR_NAMESPACE, FleetWorld.NAMESPACE)) {
            FleetWorld world = new FleetWorld(settings, aws);
            long stacks = world.prepareAws();
            world.createTokenSecrets(api.client());
            report.put("stacks", stacks);
            aws.faults().latency(settings.latency());
            if (settings.quotas()) {
                aws.rateLimits().awsQuotas(settings.iamPerSecond(), settings.cloudFormationPerSecond());
            }
            aws.calls().clear();

            Map<String, String> environment = environment(aws, api);
            if (!settings.quotas()) {
                UNLIMITED.forEach(service -> environment.put("BKAT_AWS_RATE_LIMITS_" + service, "100000"));
            }
            Map<String, Object> convergence = converge(aws, api, world, environment);
            report.put("convergence", convergence);
            if (Boolean.TRUE.equals(convergence.get("allReady"))) {
                resyncs(aws, environment, report);
            }
        } finally {
            String json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(report);
            Files.createDirectories(OUT);
            Path file = OUT.resolve("fleet-" + settings.tokens() + "x" + settings.regions() + "x" + settings.stacks()
                    + ".json");
            Files.writeString(file, json);
            System.out.println(FleetReport.table(settings, report));
            System.out.println("JSON: " + file);
        }
        assertThat(((Map<?, ?>) report.get("convergence")).get("allReady")).as("every token Ready").isEqualTo(true);
    }

    /**
     * What a user sets to run the operator outside a cluster, with the operator's production intervals and SDK
     * attempts (the integration tests shorten them).
     */
    private static Map<String, String> environment(AwsEmulator aws, MockKubernetesApi api) {
        Path work = PackagedOperatorEnvironment.WORK.resolve("fleet");
        Map<String, String> env = new LinkedHashMap<>(OperatorEnvironment.of(aws, api.writeKubeconfig(
                work.resolve("kubeconfig"), PackagedOperatorEnvironment.OPERATOR_NAMESPACE), work.resolve("tmp")));
        env.keySet().removeIf(k -> k.startsWith("BKAT_"));
        // -Dfleet.env.NAME=value: an operator setting of the run, as a user would set it (e.g. BKAT_AWS_IAM_ACCOUNT_READS)
        System.getProperties().stringPropertyNames().stream().filter(p -> p.startsWith("fleet.env."))
                .forEach(p -> env.put(p.substring("fleet.env.".length()), System.getProperty(p)));
        return env;
    }

    private Map<String, Object> converge(AwsEmulator aws, MockKubernetesApi api, FleetWorld world,
            Map<String, String> environment) {
        Map<String, String> env = new LinkedHashMap<>(environment);
        env.put("BKAT_RESYNC_INTERVAL", "PT24H"); // no resync mixes into the convergence's calls
        Map<String, Object> result = new LinkedHashMap<>();
        try (PackagedOperator operator = PackagedOperator.start("fleet-converge", env).awaitStarted();
                ReadyWatch watch = new ReadyWatch(api.client(), FleetWorld.NAMESPACE)) {
            OperatorProbe probe = new OperatorProbe(operator);
            result.put("warmupSeconds", warmUp(api, world, watch));
            LimiterSampler sampler = new LimiterSampler(probe);
            aws.calls().clear();
            Map<String, Long> createdAt = new LinkedHashMap<>();
            long start = System.nanoTime();
            for (int i = 0; i < settings.tokens(); i++) {
                createdAt.put(FleetWorld.tokenName(i), System.nanoTime());
                api.client().resource(world.token(i)).create();
            }
            result.put("createSeconds", seconds(System.nanoTime() - start));
            boolean allReady = await(settings.timeout(), () -> watch.readyCount() == settings.fleetSize(),
                    () -> "ready " + (watch.readyCount() - settings.warmup()) + "/" + settings.tokens()
                            + ", AWS calls " + aws.calls().all().size());
            sampler.close();
            List<CallLog.Timed> timed = aws.calls().timed();
            Map<String, Long> readyAt = new LinkedHashMap<>(watch.readyAt());
            readyAt.keySet().retainAll(createdAt.keySet()); // the measured tokens
            result.put("allReady", allReady);
            result.put("ready", readyAt.size());
            result.put("readyReasons", watch.readyReasons());
            result.put("allReadySeconds", seconds(readyAt.values().stream().mapToLong(t -> t - start).max()
                    .orElse(System.nanoTime() - start)));
            List<Double> perToken = new ArrayList<>();
            readyAt.forEach((name, at) -> perToken.add(seconds(at - createdAt.get(name))));
            result.put("perTokenSeconds", percentiles(perToken));
            CallCounts calls = CallCounts.of(timed.stream().map(CallLog.Timed::call).toList());
            result.put("callsTotal", calls.total());
            result.put("perToken", calls.per(settings.tokens()));
            result.put("quotaUseWhileQueued", QuotaUse.of(sampler.samples(), timed, aws.rateLimits()));
            result.put("longestThrottledRun", CallLog.longestThrottledRun(timed));
            if (settings.tokens() == 1) {
                List<CallLog.Call> chain = sequentialChain(timed);
                result.put("sequentialCallRounds", chain.size());
                result.put("sequentialCallChain", runs(chain));
            }
            OperatorProbe.Reading reading = probe.read();
            result.put("operator", reading);
            result.put("heapAfterGcMiB", probe.liveHeapMiB());
            if (Boolean.getBoolean("fleet.diagnostics")) {
                probe.diagnostics(OUT, "converged-" + settings.tokens());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return result;
    }

    /** Converges the warm-up tokens (none by default); returns how long they took. */
    private double warmUp(MockKubernetesApi api, FleetWorld world, ReadyWatch watch) {
        long start = System.nanoTime();
        for (int i = settings.tokens(); i < settings.fleetSize(); i++) {
            api.client().resource(world.token(i)).create();
        }
        boolean ready = await(settings.timeout(), () -> watch.readyCount() == settings.warmup(),
                () -> "warm-up: ready " + watch.readyCount() + "/" + settings.warmup());
        assertThat(ready).as("every warm-up token Ready").isTrue();
        return seconds(System.nanoTime() - start);
    }

    /** A new operator process over the converged fleet: its first pass (restart), then its steady state. */
    private void resyncs(AwsEmulator aws, Map<String, String> environment, Map<String, Object> report) {
        Map<String, String> env = new LinkedHashMap<>(environment);
        env.put("BKAT_RESYNC_INTERVAL", settings.resync().toString());
        CACHE_LIFETIMES.forEach((name, production) -> env.put(name, settings.scaled(production).toString()));
        aws.calls().clear();
        try (PackagedOperator operator = PackagedOperator.start("fleet-resync", env).awaitStarted()) {
            OperatorProbe probe = new OperatorProbe(operator);
            boolean done = await(settings.timeout(), () -> probe.reconciles() >= settings.fleetSize(),
                    () -> "restart: reconciled " + (long) probe.reconciles() + "/" + settings.fleetSize());
            long end = System.nanoTime();
            Map<String, Object> restart = new LinkedHashMap<>();
            restart.put("complete", done);
            // from the first AWS call: the wait for the previous process's Lease is leader election's, not the work's
            restart.put("seconds", seconds(end - aws.calls().timed().stream().mapToLong(CallLog.Timed::startNanos)
                    .min().orElse(end)));
            restart.put("cacheLifetimes", env.entrySet().stream().filter(e -> CACHE_LIFETIMES.containsKey(e.getKey()))
                    .collect(java.util.stream.Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue)));
            restart.put("perToken", CallCounts.of(aws.calls().all()).per(settings.fleetSize()));
            restart.put("longestThrottledRun", CallLog.longestThrottledRun(aws.calls().timed()));
            report.put("restart", restart);

            // Whole resync waves: from the end of the first (every token reconciled twice) to the end of the last
            // counted, so that every call in the window belongs to a reconcile counted in it.
            int tokens = settings.fleetSize();
            Duration waves = settings.timeout().plus(settings.resync().multipliedBy(settings.windows() + 1L));
            await(waves, () -> probe.reconciles() >= 2.0 * tokens,
                    () -> "first resync: reconciled " + (long) probe.reconciles() + "/" + 2 * tokens);
            int from = aws.calls().all().size();
            OperatorProbe.Reading before = probe.read();
            long windowStart = System.nanoTime();
            boolean complete = await(waves, () -> probe.reconciles() >= (2.0 + settings.windows()) * tokens,
                    () -> "steady state: reconciled " + (long) probe.reconciles() + "/"
                            + (2 + settings.windows()) * tokens);
            OperatorProbe.Reading after = probe.read();
            long windowEnd = System.nanoTime();
            List<CallLog.Call> all = aws.calls().all();
            CallCounts window = CallCounts.of(all.subList(from, all.size()));
            double reconciles = after.reconciles() - before.reconciles();
            Map<String, Object> steady = new LinkedHashMap<>();
            steady.put("complete", complete);
            steady.put("windowSeconds", seconds(windowEnd - windowStart));
            steady.put("reconciles", reconciles);
            steady.put("reconcilesPerToken", CallCounts.round(reconciles / tokens));
            steady.put("callsTotal", window.total());
            steady.put("writesTotal", window.writes());
            steady.put("throttledTotal", window.throttled());
            List<CallLog.Timed> timedAll = aws.calls().timed();
            steady.put("longestThrottledRun", CallLog.longestThrottledRun(timedAll.subList(from, timedAll.size())));
            steady.put("perReconcile", window.per(Math.max(1, reconciles)));
            steady.put("operatorThrottled", after.throttled() - before.throttled());
            steady.put("operatorRetries", after.retries() - before.retries());
            steady.put("cpuSeconds", CallCounts.round(after.cpuSeconds() - before.cpuSeconds()));
            steady.put("operator", after);
            report.put("steadyState", steady);
        }
    }

    /**
     * The longest chain of AWS calls each answered before the next one was sent: the sequential rounds a reconcile
     * needs whatever its parallelism (greedy by answer time, which maximises the number of disjoint calls).
     */
    static List<CallLog.Call> sequentialChain(List<CallLog.Timed> calls) {
        List<CallLog.Timed> byEnd = new ArrayList<>(calls);
        byEnd.sort((a, b) -> Long.compare(a.endNanos(), b.endNanos()));
        List<CallLog.Call> chain = new ArrayList<>();
        long last = Long.MIN_VALUE;
        for (CallLog.Timed call : byEnd) {
            if (call.startNanos() >= last) {
                chain.add(call.call());
                last = call.endNanos();
            }
        }
        return chain;
    }

    /** The chain's operations, repeats folded: "iam:PutRolePolicy ×30". */
    private static List<String> runs(List<CallLog.Call> chain) {
        List<String> runs = new ArrayList<>();
        String previous = null;
        int count = 0;
        for (CallLog.Call call : chain) {
            String operation = call.service() + ":" + call.operation();
            if (operation.equals(previous)) {
                count++;
                continue;
            }
            if (previous != null) {
                runs.add(count == 1 ? previous : previous + " ×" + count);
            }
            previous = operation;
            count = 1;
        }
        if (previous != null) {
            runs.add(count == 1 ? previous : previous + " ×" + count);
        }
        return runs;
    }

    private static Map<String, Double> percentiles(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        Map<String, Double> map = new LinkedHashMap<>();
        if (sorted.isEmpty()) {
            return map;
        }
        map.put("p50", sorted.get((int) Math.ceil(0.50 * sorted.size()) - 1));
        map.put("p95", sorted.get((int) Math.ceil(0.95 * sorted.size()) - 1));
        map.put("max", sorted.get(sorted.size() - 1));
        return map;
    }

    private static boolean await(Duration timeout, BooleanSupplier done,
            java.util.function.Supplier<String> progress) {
        return Waits.until("fleet benchmark", timeout, done, progress);
    }

    private static double seconds(long nanos) {
        return Waits.seconds(nanos);
    }
}
