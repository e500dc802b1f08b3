package io.elasticci.buildkite.token.bench;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** Long waits of the benchmarks and the soak: polled each second, progress printed every 30 s, no exception. */
final class Waits {

    private Waits() {
    }

    /** Waits until done, printing "label: progress" every 30 s; false on timeout. */
    static boolean until(String label, Duration timeout, BooleanSupplier done, Supplier<String> progress) {
        long deadline = System.nanoTime() + timeout.toNanos();
        long nextPrint = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            if (System.nanoTime() > nextPrint) {
                System.out.println(label + ": " + progress.get());
                nextPrint += Duration.ofSeconds(30).toNanos();
            }
            sleep(Duration.ofSeconds(1));
        }
        return true;
    }

    static void sleep(Duration duration) {
        try {
            Thread.sleep(Math.max(0, duration.toMillis()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static double seconds(long nanos) {
        return CallCounts.round(nanos / 1e9);
    }
}
