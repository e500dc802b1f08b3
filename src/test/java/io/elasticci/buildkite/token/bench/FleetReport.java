package io.elasticci.buildkite.token.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** The benchmark's figures as a table for people; the same map goes to JSON. */
final class FleetReport {

    private FleetReport() {
    }

    /** The machine the figures came from: cores, memory, load (other builds share it), Java. */
    static Map<String, Object> machine() {
        Map<String, Object> machine = new LinkedHashMap<>();
        machine.put("cores", Runtime.getRuntime().availableProcessors());
        machine.put("memTotal", procLine("meminfo", "MemTotal:"));
        machine.put("loadAverageAtStart", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        machine.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
        machine.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version"));
        return machine;
    }

    private static String procLine(String file, String prefix) {
        try {
            return Files.readAllLines(Path.of("/proc", file)).stream().filter(l -> l.startsWith(prefix))
                    .map(l -> l.substring(prefix.length()).trim()).findFirst().orElse("?");
        } catch (IOException e) {
            return "?";
        }
    }

    static String table(FleetSettings settings, Map<String, Object> report) {
        StringBuilder out = new StringBuilder();
        out.append(String.format("%n=== Fleet benchmark: %s (%s stacks), %d ms per AWS call ===%n", settings.size(),
                report.get("stacks"), settings.latency().toMillis()));
        out.append(String.format("machine: %s; load average at start %.2f (shared: times are noisy, counts are not)%n",
                get(report, "machine", "cores") + " cores, " + get(report, "machine", "memTotal") + ", "
                        + get(report, "machine", "java"), (Double) get(report, "machine", "loadAverageAtStart")));
        out.append(settings.quotas() ? String.format("AWS quotas in the emulator: IAM %.0f/s, CloudFormation %.0f/s "
                + "per region, Secrets Manager 50/s per group and region%n", settings.iamPerSecond(),
                settings.cloudFormationPerSecond()) : String.format("no AWS quotas, no operator rate limits%n"));
        Map<?, ?> convergence = (Map<?, ?>) report.get("convergence");
        if (convergence != null) {
            out.append(String.format("%n-- convergence (all %d tokens created at once%s)%n", settings.tokens(),
                    settings.warmup() == 0 ? ", in a process that has never reconciled"
                            : ", after " + settings.warmup() + " warm-up tokens converged in "
                                    + convergence.get("warmupSeconds") + " s"));
            row(out, "tokens Ready", convergence.get("ready") + "/" + settings.tokens()
                    + (Boolean.TRUE.equals(convergence.get("allReady")) ? "" : " " + convergence.get("readyReasons")));
            row(out, "time until all Ready", convergence.get("allReadySeconds") + " s");
            Map<?, ?> p = (Map<?, ?>) convergence.get("perTokenSeconds");
            row(out, "per-token convergence p50 / p95 / max", p.get("p50") + " / " + p.get("p95") + " / "
                    + p.get("max") + " s");
            calls(out, "AWS calls per token", (Map<?, ?>) convergence.get("perToken"));
            row(out, "longest run of throttles of one call", convergence.get("longestThrottledRun"));
            quotaUse(out, (Map<?, ?>) convergence.get("quotaUseWhileQueued"));
            if (convergence.get("sequentialCallRounds") != null) {
                row(out, "sequential AWS call rounds", convergence.get("sequentialCallRounds"));
                row(out, "  the chain", convergence.get("sequentialCallChain"));
            }
            process(out, (OperatorProbe.Reading) convergence.get("operator"), convergence.get("heapAfterGcMiB"));
        }
        Map<?, ?> restart = (Map<?, ?>) report.get("restart");
        if (restart != null) {
            out.append(String.format("%n-- restart (a new operator process, resync %s, caches %s)%n",
                    settings.resync(), restart.get("cacheLifetimes")));
            row(out, "time until every token reconciled", restart.get("seconds") + " s from the first AWS call"
                    + (Boolean.TRUE.equals(restart.get("complete")) ? "" : " (timed out)"));
            calls(out, "AWS calls per token", (Map<?, ?>) restart.get("perToken"));
            row(out, "longest run of throttles of one call", restart.get("longestThrottledRun"));
        }
        Map<?, ?> steady = (Map<?, ?>) report.get("steadyState");
        if (steady != null) {
            out.append(String.format("%n-- steady state (%d resync waves, %s s%s)%n", settings.windows(),
                    steady.get("windowSeconds"), Boolean.TRUE.equals(steady.get("complete")) ? "" : ", timed out"));
            row(out, "reconciles (per token)", steady.get("reconciles") + " (" + steady.get("reconcilesPerToken")
                    + ")");
            calls(out, "AWS calls per token per resync", (Map<?, ?>) steady.get("perReconcile"));
            row(out, "writes / throttled calls in the window", steady.get("writesTotal") + " / "
                    + steady.get("throttledTotal") + " (longest run of one call " + steady.get("longestThrottledRun")
                    + ")");
            row(out, "operator metrics in the window: throttled / retries", steady.get("operatorThrottled") + " / "
                    + steady.get("operatorRetries"));
            row(out, "CPU seconds in the window", steady.get("cpuSeconds"));
            process(out, (OperatorProbe.Reading) steady.get("operator"), null);
        }
        return out.toString();
    }

    /** Per quota group and region: AWS-accepted calls per second in the seconds the operator had calls queued. */
    private static void quotaUse(StringBuilder out, Map<?, ?> use) {
        if (use.isEmpty()) {
            row(out, "quota use while queued", "no operator limiter had calls waiting");
        }
        use.forEach((key, value) -> {
            Map<?, ?> u = (Map<?, ?>) value;
            row(out, "quota use while queued: " + key, String.format("%s/s = %s of %s/s over %s s (throttled %s)",
                    u.get("perSecond"), u.get("ofLimit"), u.get("limitPerSecond"), u.get("queuedSeconds"),
                    u.get("throttled")));
        });
    }

    private static void calls(StringBuilder out, String label, Map<?, ?> per) {
        row(out, label, per.get("calls") + " (writes " + per.get("writes") + ", throttled " + per.get("throttled")
                + ")");
        row(out, "  by operation", per.get("byOperation"));
    }

    private static void process(StringBuilder out, OperatorProbe.Reading reading, Object heapAfterGc) {
        row(out, "operator so far: throttled / SDK retries", CallCounts.round(reading.throttled()) + " / "
                + CallCounts.round(reading.retries()));
        row(out, "operator: heap used" + (heapAfterGc == null ? "" : " (after GC)") + " / RSS / CPU",
                String.format("%.0f%s MiB / %.0f MiB / %.1f s", reading.heapMiB(),
                        heapAfterGc == null ? "" : " (" + heapAfterGc + ")", reading.rssMiB(), reading.cpuSeconds()));
    }

    private static void row(StringBuilder out, String label, Object value) {
        out.append(String.format("  %-44s %s%n", label, value));
    }

    private static Object get(Map<String, Object> report, String section, String key) {
        return ((Map<?, ?>) report.get(section)).get(key);
    }
}
