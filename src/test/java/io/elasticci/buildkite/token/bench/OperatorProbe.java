package io.elasticci.buildkite.token.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.elasticci.buildkite.token.it.PackagedOperator;

/**
 * What the operator's process costs and counts, read from outside as a person would: its /q/metrics (AWS calls by
 * outcome, the SDK's retries, reconciles, heap in use) and its /proc entry (resident memory, CPU time).
 */
final class OperatorProbe {

    /** One reading. CPU time in seconds, memory in MiB. */
    record Reading(double throttled, double retries, double reconciles, double heapMiB, double rssMiB,
            double cpuSeconds) {
    }

    private static final long CLOCK_TICKS = clockTicks();

    private final PackagedOperator operator;

    OperatorProbe(PackagedOperator operator) {
        this.operator = operator;
    }

    Reading read() {
        String metrics = metrics();
        return new Reading(sum(metrics, "bkat_aws_calls_total", "outcome=\"throttled\""),
                sum(metrics, "bkat_aws_retries_total", ""),
                sum(metrics, "bkat_reconcile_seconds_count", ""),
                sum(metrics, "jvm_memory_used_bytes", "area=\"heap\"") / (1 << 20),
                rssKiB() / 1024.0, cpuSeconds());
    }

    /** Reconciles finished so far. */
    double reconciles() {
        return sum(metrics(), "bkat_reconcile_seconds_count", "");
    }

    /** The heap in use right after a full collection: what is live (MiB), or null when jcmd is missing. */
    Double liveHeapMiB() {
        return collectGarbage() ? CallCounts.round(read().heapMiB()) : null;
    }

    /** Asks the JVM for a full collection (jcmd), so that the next heap reading is what is live. */
    boolean collectGarbage() {
        return jcmd(ProcessBuilder.Redirect.DISCARD, "GC.run");
    }

    /**
     * Writes what the JVM says of its memory, for a person to read: a heap dump of the live objects, native memory
     * tracking's summary (when the operator runs with {@code -XX:NativeMemoryTracking=summary}) and the threads.
     */
    void diagnostics(Path directory, String name) throws IOException {
        Files.createDirectories(directory);
        Path dump = directory.resolve(name + ".hprof").toAbsolutePath();
        Files.deleteIfExists(dump); // jcmd does not overwrite one
        jcmd(ProcessBuilder.Redirect.DISCARD, "GC.heap_dump", dump.toString());
        jcmd(ProcessBuilder.Redirect.to(directory.resolve(name + "-nmt.txt").toFile()), "VM.native_memory",
                "summary");
        jcmd(ProcessBuilder.Redirect.to(directory.resolve(name + "-threads.txt").toFile()), "Thread.print");
    }

    private boolean jcmd(ProcessBuilder.Redirect output, String... command) {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        if (!Files.isExecutable(jcmd)) {
            return false;
        }
        List<String> line = new ArrayList<>(List.of(jcmd.toString(), String.valueOf(operator.pid())));
        line.addAll(List.of(command));
        try {
            Process p = new ProcessBuilder(line).redirectErrorStream(true).redirectOutput(output).start();
            return p.waitFor(120, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    String metrics() {
        try {
            return operator.get("/q/metrics").body();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot scrape " + operator, e);
        }
    }

    /** Every sample of a Prometheus metric, keyed by the values of some of its labels joined by "|". */
    static Map<String, Double> byLabels(String exposition, String name, String... labels) {
        Map<String, Double> values = new TreeMap<>();
        for (String line : exposition.split("\n")) {
            if (line.startsWith(name + "{")) {
                List<String> key = new ArrayList<>();
                for (String label : labels) {
                    Matcher m = Pattern.compile("[{,]" + label + "=\"([^\"]*)\"").matcher(line);
                    key.add(m.find() ? m.group(1) : "");
                }
                values.merge(String.join("|", key), Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)),
                        Double::sum);
            }
        }
        return values;
    }

    /** Sums every sample of a Prometheus metric whose labels contain {@code label} (empty: every sample). */
    static double sum(String exposition, String name, String label) {
        double total = 0;
        for (String line : exposition.split("\n")) {
            if (line.startsWith("#") || !(line.startsWith(name + "{") || line.startsWith(name + " "))) {
                continue;
            }
            int end = line.lastIndexOf(' ');
            String series = line.substring(0, end);
            if (series.contains(label)) {
                total += Double.parseDouble(line.substring(end + 1));
            }
        }
        return total;
    }

    private long rssKiB() {
        for (String line : proc("status").split("\n")) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("\\D", ""));
            }
        }
        return 0;
    }

    /** utime + stime, fields 14 and 15 of /proc/PID/stat (counted after the command name, which may hold spaces). */
    private double cpuSeconds() {
        String stat = proc("stat");
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) / (double) CLOCK_TICKS;
    }

    private String proc(String file) {
        try {
            return Files.readString(Path.of("/proc", String.valueOf(operator.pid()), file), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static long clockTicks() {
        try {
            Process p = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            return p.waitFor() == 0 ? Long.parseLong(out) : 100;
        } catch (IOException | NumberFormatException e) {
            return 100;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 100;
        }
    }
}
