package io.elasticci.buildkite.token.bench;

import java.time.Duration;

import io.elasticci.buildkite.token.emulator.Faults;

/**
 * The soak's mixed AWS faults: six phases of equal length, cycling over the run (each at least once): calm, 30%
 * throttling, a burst of 5xx (20% of calls), one region fully down, every call a second slow, and all at once
 * milder. The base latency stays on throughout.
 */
final class FaultSchedule {

    enum Phase { CALM, THROTTLING, SERVER_ERRORS, REGION_OUTAGE, SLOW, MIXED }

    private final Faults faults;
    private final Duration latency;
    private final String outageRegion;
    private final Duration phaseLength;
    private Phase current;

    FaultSchedule(Faults faults, Duration latency, String outageRegion, Duration duration, long seed) {
        this.faults = faults;
        this.latency = latency;
        this.outageRegion = outageRegion;
        Duration sixth = duration.dividedBy(Phase.values().length);
        this.phaseLength = sixth.compareTo(Duration.ofMinutes(1)) > 0 ? Duration.ofMinutes(1) : sixth;
        faults.seed(seed);
    }

    /** Sets the faults of the phase {@code elapsed} falls in; returns it. */
    Phase at(Duration elapsed) {
        Phase phase = Phase.values()[(int) (elapsed.toMillis() / phaseLength.toMillis()) % Phase.values().length];
        if (phase != current) {
            apply(phase);
            current = phase;
        }
        return phase;
    }

    /** Every fault off, the base latency kept. */
    void off() {
        apply(Phase.CALM);
        current = Phase.CALM;
    }

    private void apply(Phase phase) {
        faults.clear();
        faults.latency(latency);
        switch (phase) {
            case CALM -> {
            }
            case THROTTLING -> faults.throttleRate(0.3);
            case SERVER_ERRORS -> faults.serverErrorRate(0.2);
            case REGION_OUTAGE -> faults.regionOutage(outageRegion, true);
            case SLOW -> faults.latency(Duration.ofSeconds(1));
            case MIXED -> faults.throttleRate(0.15).serverErrorRate(0.05).latency(latency.plusMillis(200));
        }
    }
}
