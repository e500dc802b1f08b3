package io.elasticci.buildkite.token.bench;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The soak's size and pace, from system properties: {@code -Dsoak.tokens} (default 20), {@code -Dsoak.duration}
 * (PT75S: the short variant in {@code mvn verify}), {@code -Dsoak.regions} (3), {@code -Dsoak.stacks} per region (1),
 * {@code -Dsoak.resync} (PT15S), {@code -Dsoak.latencyMs} (20, on every call, faults or not), {@code -Dsoak.rounds}
 * of changes (rotations, requested reconciles, spec edits; 6), {@code -Dsoak.settle}, the bound for every token to
 * be converged once faults stop (PT3M), {@code -Dsoak.seed} for the fault generator.
 */
record SoakSettings(int tokens, int regions, int stacks, Duration duration, Duration resync, Duration latency,
        int rounds, Duration settle, long seed) {

    static SoakSettings fromSystemProperties() {
        return new SoakSettings(
                Integer.getInteger("soak.tokens", 20),
                Integer.getInteger("soak.regions", 3),
                Integer.getInteger("soak.stacks", 1),
                Duration.parse(System.getProperty("soak.duration", "PT75S")),
                Duration.parse(System.getProperty("soak.resync", "PT15S")),
                Duration.ofMillis(Integer.getInteger("soak.latencyMs", 20)),
                Integer.getInteger("soak.rounds", 6),
                Duration.parse(System.getProperty("soak.settle", "PT3M")),
                Long.getLong("soak.seed", 42));
    }

    /** The fleet the soak runs: no AWS quotas in the emulator (its faults throttle), keys by alias. */
    FleetSettings fleet() {
        return new FleetSettings(tokens, regions, stacks, latency, resync, 1, 10, 10, true, false,
                Duration.ofMinutes(10).plusSeconds(2L * tokens), false, 0);
    }

    /** Time between two rounds of changes. */
    Duration changeEvery() {
        return duration.dividedBy(rounds + 1);
    }

    /** Time between two live-heap samples during the run (twelve of them). */
    Duration heapEvery() {
        return duration.dividedBy(12);
    }

    Map<String, Object> toMap() {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("tokens", tokens);
        map.put("regions", regions);
        map.put("stacksPerRegion", stacks);
        map.put("duration", duration.toString());
        map.put("resync", resync.toString());
        map.put("latencyMs", latency.toMillis());
        map.put("rounds", rounds);
        map.put("settle", settle.toString());
        map.put("seed", seed);
        return map;
    }
}
