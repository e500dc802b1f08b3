package io.elasticci.buildkite.token.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.UnaryOperator;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import io.elasticci.buildkite.token.api.v1alpha1.BuildkiteAgentToken;
import io.elasticci.buildkite.token.emulator.AwsEmulator;
import io.elasticci.buildkite.token.emulator.MutableClock;
import io.elasticci.buildkite.token.it.MockKubernetesApi;
import io.elasticci.buildkite.token.it.OperatorEnvironment;
import io.elasticci.buildkite.token.it.PackagedOperator;
import io.elasticci.buildkite.token.it.PackagedOperatorEnvironment;
import io.elasticci.buildkite.token.it.TokenFootprint;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;

/**
 * The soak, on the packaged operator: N tokens (FleetWorld: 3 regions, a stack per region) converge, then are
 * reconciled continuously for the duration (a short resync) while AWS cycles through mixed faults
 * ({@link FaultSchedule}) and each round of changes rotates a quarter of the tokens (a new value in their Secret),
 * requests a reconcile of another quarter (the requested-at annotation) and edits the spec of a third; then faults
 * stop. Asserted: every token converged within the settle bound (Ready for its current generation, AWS serving its
 * last value), no live-heap growth (after a forced GC, last third of the samples against the first), nothing made
 * twice (versions, replicas, statements, inline policies, stack updates, refreshes per rotation), no token value in
 * the operator's output. Prints a table and writes JSON under target/soak/.
 *
 * <p>In {@code mvn verify} with its short defaults (20 tokens, 75 s); the long one is
 * {@code mvn -B -ntp -Psoak verify -Dsoak.tokens=500 -Dsoak.duration=PT10M -Dsoak.settle=PT10M} (see {@link SoakSettings}).
 */
class SoakIT {

    private static final Path OUT = Path.of("target", "soak");
    /** Live heap may grow by this fraction of the first third's median, plus a fixed allowance, and no more. */
    private static final double HEAP_GROWTH = 0.25;
    private static final double HEAP_ALLOWANCE_MIB = 8;

    private final SoakSettings settings = SoakSettings.fromSystemProperties();
    private final Map<Integer, List<String>> values = new TreeMap<>();

    @Test
    void soak() throws IOException {
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("settings", settings.toMap());
        report.put("machine", FleetReport.machine());
        FleetSettings fleet = settings.fleet();
        try (AwsEmulator aws = AwsEmulator.start(MutableClock.ticking());
                MockKubernetesApi api = MockKubernetesApi.start("kube-system",
                        PackagedOperatorEnvironment.OPERATOR_NAMESPACE, FleetWorld.NAMESPACE)) {
            aws.linkStacksToAutoScaling(AwsEmulator.DEFAULT_ACCOUNT, 2);
            aws.autoScaling(AwsEmulator.DEFAULT_ACCOUNT).setPendingDuration(Duration.ofMillis(500));
            aws.autoScaling(AwsEmulator.DEFAULT_ACCOUNT).setReplacementDuration(Duration.ofSeconds(1));
            FleetWorld world = new FleetWorld(fleet, aws);
            world.prepareAws();
            world.createTokenSecrets(api.client());
            for (int i = 0; i < settings.tokens(); i++) {
                values.computeIfAbsent(i, k -> new ArrayList<>()).add(FleetWorld.initialValue(i));
            }
            aws.faults().latency(settings.latency());
            try (PackagedOperator operator = PackagedOperator.start("soak", environment(aws, api)).awaitStarted();
                    ReadyWatch watch = new ReadyWatch(api.client(), FleetWorld.NAMESPACE)) {
                OperatorProbe probe = new OperatorProbe(operator);
                run(aws, api.client(), world, fleet, watch, probe, report);
                report.put("valueInOutput", values.values().stream().flatMap(List::stream)
                        .anyMatch(operator.log()::contains));
                report.put("operator", probe.read());
            }
        } finally {
            write(report);
        }
        assertThat(report.get("allConvergedAtStart")).as("every token Ready before the soak").isEqualTo(true);
        assertThat((Double) ((Map<?, ?>) report.get("duringSoak")).get("sdkRetries")).as("the faults reached the "
                + "operator (its SDK retried)").isPositive();
        assertThat((List<?>) report.get("stuck")).as("tokens not converged after faults stopped").isEmpty();
        assertThat((List<?>) report.get("duplicates")).as("anything made twice").isEmpty();
        assertThat(report.get("valueInOutput")).as("a token value in the operator's output").isEqualTo(false);
        Map<?, ?> heap = (Map<?, ?>) report.get("liveHeapMiB");
        assertThat((Double) heap.get("lastThirdMedian")).as("live heap, last third against first (MiB)")
                .isLessThanOrEqualTo((Double) heap.get("firstThirdMedian") * (1 + HEAP_GROWTH) + HEAP_ALLOWANCE_MIB);
    }

    private void run(AwsEmulator aws, KubernetesClient client, FleetWorld world, FleetSettings fleet,
            ReadyWatch watch, OperatorProbe probe, Map<String, Object> report) {
        long start = System.nanoTime();
        for (int i = 0; i < settings.tokens(); i++) {
            client.resource(world.token(i)).create();
        }
        boolean ready = Waits.until("soak: convergence", fleet.timeout(), () -> watch.readyCount() == settings.tokens(),
                () -> "ready " + watch.readyCount() + "/" + settings.tokens());
        report.put("allConvergedAtStart", ready);
        report.put("convergeSeconds", Waits.seconds(System.nanoTime() - start));
        if (!ready) {
            report.put("stuck", List.of("never converged: " + watch.readyReasons()));
            report.put("duplicates", List.of());
            report.put("liveHeapMiB", Map.of("firstThirdMedian", 0.0, "lastThirdMedian", 0.0));
            return;
        }

        String outageRegion = fleet.regionNames().get(fleet.regions() - 1);
        FaultSchedule faults = new FaultSchedule(aws.faults(), settings.latency(), outageRegion, settings.duration(),
                settings.seed());
        OperatorProbe.Reading before = probe.read();
        List<Double> heap = new ArrayList<>();
        Map<String, Integer> phases = new TreeMap<>();
        heap.add(probe.liveHeapMiB());
        long soakStart = System.nanoTime();
        long nextChange = soakStart + settings.changeEvery().toNanos();
        long nextHeap = soakStart + settings.heapEvery().toNanos();
        int round = 0;
        while (System.nanoTime() - soakStart < settings.duration().toNanos()) {
            long now = System.nanoTime();
            phases.merge(faults.at(Duration.ofNanos(now - soakStart)).name(), 1, Integer::sum);
            if (now >= nextChange && round < settings.rounds()) {
                change(client, ++round);
                nextChange += settings.changeEvery().toNanos();
            }
            if (now >= nextHeap) {
                heap.add(probe.liveHeapMiB());
                nextHeap += settings.heapEvery().toNanos();
            }
            Waits.sleep(Duration.ofSeconds(1));
        }
        faults.off();
        OperatorProbe.Reading during = probe.read();
        report.put("callsWaitingAtFaultsOff", waiting(probe));
        long faultsOff = System.nanoTime();
        boolean settled = Waits.until("soak: settle", settings.settle(), () -> stuck(client, aws).isEmpty(),
                () -> "stuck " + stuck(client, aws).size());
        report.put("settleSeconds", settled ? Waits.seconds(System.nanoTime() - faultsOff) : null);
        report.put("callsWaitingAfterSettle", waiting(probe));
        heap.add(probe.liveHeapMiB());

        report.put("rounds", round);
        report.put("rotations", values.values().stream().mapToInt(v -> v.size() - 1).sum());
        report.put("faultSecondsByPhase", phases);
        report.put("stuck", stuck(client, aws));
        report.put("duplicates", duplicates(aws, world, fleet));
        report.put("liveHeapMiB", heapSummary(heap));
        Map<String, Object> soak = new LinkedHashMap<>();
        soak.put("reconciles", during.reconciles() - before.reconciles());
        soak.put("awsThrottledSeenByOperator", during.throttled() - before.throttled());
        soak.put("sdkRetries", during.retries() - before.retries());
        soak.put("cpuSeconds", CallCounts.round(during.cpuSeconds() - before.cpuSeconds()));
        soak.put("awsCalls", CallCounts.of(aws.calls().all()).per(settings.tokens()));
        report.put("duringSoak", soak);
    }

    /**
     * Calls waiting for the operator's rate limiters now, by quota group and region (those with any): where a backlog
     * is, if tokens are slow to converge.
     */
    private static Map<String, Double> waiting(OperatorProbe probe) {
        Map<String, Double> waiting = new TreeMap<>(OperatorProbe.byLabels(probe.metrics(),
                "bkat_aws_limiter_waiting", "group", "region"));
        waiting.values().removeIf(v -> v == 0);
        return waiting;
    }

    /** Round r: token i is rotated, asked to reconcile, edited or left alone, by (i + r) mod 4. */
    private void change(KubernetesClient client, int round) {
        for (int i = 0; i < settings.tokens(); i++) {
            String name = FleetWorld.tokenName(i);
            switch ((i + round) % 4) {
                case 0 -> {
                    String value = "bkua_soak_" + i + "_round_" + round;
                    values.get(i).add(value);
                    client.secrets().inNamespace(FleetWorld.NAMESPACE).resource(new SecretBuilder().withNewMetadata()
                            .withName(name).endMetadata().withStringData(Map.of("token", value)).build())
                            .createOr(r -> r.update());
                }
                case 1 -> edit(client, name, t -> {
                    Map<String, String> annotations = new LinkedHashMap<>();
                    if (t.getMetadata().getAnnotations() != null) {
                        annotations.putAll(t.getMetadata().getAnnotations());
                    }
                    annotations.put(BuildkiteAgentToken.REQUESTED_AT_ANNOTATION, Instant.now().toString());
                    t.getMetadata().setAnnotations(annotations);
                    return t;
                });
                case 2 -> edit(client, name, t -> {
                    t.getSpec().getTags().put("soak-round", String.valueOf(round));
                    return t;
                });
                default -> {
                }
            }
        }
    }

    /**
     * Edits the token as a person would, again when the operator wrote it between the read and the write (409
     * Conflict: the edit carries the resourceVersion it read).
     */
    private static void edit(KubernetesClient client, String name, UnaryOperator<BuildkiteAgentToken> change) {
        for (int attempt = 1;; attempt++) {
            try {
                tokens(client).withName(name).edit(change);
                return;
            } catch (KubernetesClientException e) {
                if (e.getCode() != 409 || attempt == 5) {
                    throw e;
                }
            }
        }
    }

    private static io.fabric8.kubernetes.client.dsl.NonNamespaceOperation<BuildkiteAgentToken,
            io.fabric8.kubernetes.api.model.KubernetesResourceList<BuildkiteAgentToken>,
            io.fabric8.kubernetes.client.dsl.Resource<BuildkiteAgentToken>> tokens(KubernetesClient client) {
        return client.resources(BuildkiteAgentToken.class).inNamespace(FleetWorld.NAMESPACE);
    }

    /** Tokens not Ready for their current generation, or whose secret does not hold their last value. */
    private List<String> stuck(KubernetesClient client, AwsEmulator aws) {
        List<String> stuck = new ArrayList<>();
        for (BuildkiteAgentToken token : tokens(client).list().getItems()) {
            int i = Integer.parseInt(token.getMetadata().getName().substring("token-".length()));
            String reason = token.getStatus() == null ? "no status" : token.getStatus().conditions.stream()
                    .filter(c -> "Ready".equals(c.getType())).findFirst()
                    .map(c -> "True".equals(c.getStatus()) ? "" : c.getReason() + since(c)).orElse("no Ready");
            reason = reason.isEmpty() ? null : reason;
            if (reason == null && !Objects.equals(token.getStatus().observedGeneration,
                    token.getMetadata().getGeneration())) {
                reason = "generation " + token.getMetadata().getGeneration() + " not observed";
            }
            if (reason == null && !aws.secretsManager(AwsEmulator.DEFAULT_ACCOUNT)
                    .secret(token.getSpec().getPrimaryRegion(), token.getSpec().getSecretName())
                    .map(s -> last(i).equals(s.currentValue())).orElse(false)) {
                reason = "AWS does not hold the last value";
            }
            if (reason != null) {
                stuck.add(token.getMetadata().getName() + ": " + reason);
            }
        }
        return stuck;
    }

    /** Since when, and the condition's message in short: which call failed, or what is awaited. */
    private static String since(io.elasticci.buildkite.token.api.v1alpha1.Condition ready) {
        String message = String.valueOf(ready.getMessage());
        return " since " + ready.getLastTransitionTime() + ": "
                + (message.length() > 160 ? message.substring(0, 160) + "…" : message);
    }

    private String last(int i) {
        List<String> given = values.get(i);
        return given.get(given.size() - 1);
    }

    /**
     * Anything made twice or lost, per token, from the emulator's state: more versions than values given, a replica
     * per region other than the primary, one statement, every region serving the last value, at most one inline
     * policy per role, no more refreshes of a group than rotations; and no stack update (stackParameters Verify).
     */
    private List<String> duplicates(AwsEmulator aws, FleetWorld world, FleetSettings fleet) {
        List<String> found = new ArrayList<>();
        for (int i = 0; i < settings.tokens(); i++) {
            Map<String, Object> footprint = TokenFootprint.of(aws, FleetWorld.secretName(i), last(i), world.stacks(i),
                    world.keyIds());
            int given = (int) values.get(i).stream().distinct().count();
            String name = FleetWorld.tokenName(i);
            if ((Integer) footprint.get("versions") > given) {
                found.add(name + ": " + footprint.get("versions") + " versions for " + given + " values");
            }
            if (((List<?>) footprint.get("replicas")).size() != fleet.regions() - 1) {
                found.add(name + ": replicas " + footprint.get("replicas"));
            }
            if (!Integer.valueOf(1).equals(footprint.get("statements"))) {
                found.add(name + ": " + footprint.get("statements") + " statements");
            }
            for (Object region : (List<?>) footprint.get("regions")) {
                if (!Boolean.TRUE.equals(((Map<?, ?>) region).get("servesValue"))) {
                    found.add(name + ": a region does not serve the last value");
                }
                for (Object each : (List<?>) ((Map<?, ?>) region).get("stacks")) {
                    Map<?, ?> stack = (Map<?, ?>) each;
                    if ((Integer) stack.get("refreshes") > given - 1) {
                        found.add(name + ": " + stack.get("refreshes") + " refreshes for " + (given - 1)
                                + " rotations");
                    }
                    for (Object role : (List<?>) stack.get("inlinePolicies")) {
                        if (Integer.parseInt(role.toString().substring(role.toString().indexOf(':') + 1)) > 1) {
                            found.add(name + ": inline policies " + role);
                        }
                    }
                }
            }
        }
        long updates = aws.calls().calls("cloudformation", "UpdateStack").stream().filter(c -> !c.failed()).count();
        if (updates > 0) {
            found.add(updates + " stack updates with stackParameters Verify");
        }
        return found;
    }

    /** The live-heap samples, and the medians of their first and last thirds. */
    private static Map<String, Object> heapSummary(List<Double> samples) {
        List<Double> known = samples.stream().filter(Objects::nonNull).toList();
        assertThat(known).as("live-heap samples (jcmd GC.run)").hasSizeGreaterThanOrEqualTo(3);
        int third = Math.max(1, known.size() / 3);
        Map<String, Object> heap = new LinkedHashMap<>();
        heap.put("samples", known);
        heap.put("firstThirdMedian", median(known.subList(0, third)));
        heap.put("lastThirdMedian", median(known.subList(known.size() - third, known.size())));
        return heap;
    }

    private static double median(List<Double> values) {
        List<Double> sorted = values.stream().sorted().toList();
        return sorted.get(sorted.size() / 2);
    }

    /**
     * As a user runs the operator: its production intervals, SDK attempts and timeouts (the integration tests shorten
     * them; at hundreds of tokens a 1 s retry of every failed pass is a storm no user would configure), with the
     * soak's resync.
     */
    private Map<String, String> environment(AwsEmulator aws, MockKubernetesApi api) {
        Path work = PackagedOperatorEnvironment.WORK.resolve("soak");
        Map<String, String> env = new LinkedHashMap<>(OperatorEnvironment.of(aws, api.writeKubeconfig(
                work.resolve("kubeconfig"), PackagedOperatorEnvironment.OPERATOR_NAMESPACE), work.resolve("tmp")));
        env.keySet().removeIf(k -> k.startsWith("BKAT_"));
        env.put("BKAT_RESYNC_INTERVAL", settings.resync().toString());
        return env;
    }

    private void write(Map<String, Object> report) throws IOException {
        String json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(report);
        Files.createDirectories(OUT);
        Path file = OUT.resolve("soak-" + settings.tokens() + "x" + settings.duration() + ".json");
        Files.writeString(file, json);
        System.out.println(SoakReport.table(report));
        System.out.println("JSON: " + file);
    }
}
