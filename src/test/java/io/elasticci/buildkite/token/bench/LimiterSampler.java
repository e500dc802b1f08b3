package io.elasticci.buildkite.token.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Reads, once a second, how long each of the operator's rate limiters has had calls waiting so far
 * ({@code bkat_aws_limiter_queued_seconds_total}, by quota group and region): which seconds each AWS quota bound.
 */
final class LimiterSampler implements AutoCloseable {

    /** One reading: when ({@link System#nanoTime()}) and the queued seconds so far by "group|region". */
    record Sample(long nanos, Map<String, Double> queuedSeconds) {
    }

    private final OperatorProbe probe;
    private final List<Sample> samples = new ArrayList<>();
    private final Thread thread;

    LimiterSampler(OperatorProbe probe) {
        this.probe = probe;
        this.thread = new Thread(this::run, "limiter-sampler");
        thread.setDaemon(true);
        thread.start();
    }

    private void run() {
        while (!Thread.currentThread().isInterrupted()) {
            try {
                Map<String, Double> queued = OperatorProbe.byLabels(probe.metrics(),
                        "bkat_aws_limiter_queued_seconds_total", "group", "region");
                synchronized (samples) {
                    samples.add(new Sample(System.nanoTime(), queued));
                }
                Thread.sleep(1000);
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                // the process is stopping: the readings so far stand
                return;
            }
        }
    }

    List<Sample> samples() {
        synchronized (samples) {
            return List.copyOf(samples);
        }
    }

    @Override
    public void close() {
        thread.interrupt();
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
