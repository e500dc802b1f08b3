package io.elasticci.buildkite.token.e2e;

import java.time.Clock;

import jakarta.annotation.Priority;
import jakarta.enterprise.inject.Alternative;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/**
 * In tests the operator runs on the emulator's clock, so that times it compares with AWS's (version creation,
 * refresh start, instance launch) come from one clock that tests can move.
 */
public class TestClock {

    @Produces
    @Singleton
    @Alternative
    @Priority(1)
    Clock emulatorClock() {
        return EmulatorResource.emulator().clock();
    }

    /** Waits (Buildkite's rate limits, backoff) move that clock instead of sleeping: a clock that stands still never ends them. */
    @Produces
    @Singleton
    @Alternative
    @Priority(1)
    io.elasticci.buildkite.token.buildkite.Sleeper emulatorSleeper() {
        return duration -> EmulatorResource.emulator().clock().advance(duration);
    }
}
