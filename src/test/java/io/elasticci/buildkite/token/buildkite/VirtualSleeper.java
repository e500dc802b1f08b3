package io.elasticci.buildkite.token.buildkite;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.elasticci.buildkite.token.emulator.MutableClock;

/** Sleeps by moving the clock the client and the emulator share, and remembers each sleep. */
final class VirtualSleeper implements Sleeper {

    private final MutableClock clock;
    private final List<Duration> sleeps = new ArrayList<>();

    VirtualSleeper(MutableClock clock) {
        this.clock = clock;
    }

    @Override
    public synchronized void sleep(Duration duration) {
        sleeps.add(duration);
        clock.advance(duration);
    }

    synchronized List<Duration> sleeps() {
        return List.copyOf(sleeps);
    }
}
