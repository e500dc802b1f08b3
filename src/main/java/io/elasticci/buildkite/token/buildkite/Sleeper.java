package io.elasticci.buildkite.token.buildkite;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** Waits; injected next to the clock so that tests move a clock instead of sleeping. */
@FunctionalInterface
public interface Sleeper {

    void sleep(Duration duration) throws InterruptedException;

    static Sleeper system() {
        return duration -> TimeUnit.NANOSECONDS.sleep(duration.toNanos());
    }
}
