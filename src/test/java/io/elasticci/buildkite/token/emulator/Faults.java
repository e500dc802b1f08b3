package io.elasticci.buildkite.token.emulator;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Random;
import java.util.Set;

/**
 * Fault knobs. Applied to every call after the caller's account is known, in this order: latency (and slow calls),
 * region outage, one-shot injected errors ({@link #failNext}), random throttling, random server errors. Thread-safe.
 */
public final class Faults {

    /** What the emulator should do to one call, decided by {@link #decide}. */
    record Decision(Kind kind, String code, String message, Integer status) {
        enum Kind { NONE, OUTAGE, INJECTED, THROTTLE, SERVER_ERROR }
    }

    private record Injected(String service, String operation, String region, String code, String message) {
    }

    /** Calls of one operation (null = any), in one region (null = any), that take this long before being served. */
    private record Slow(String service, String operation, String region, Duration delay) {
        boolean matches(String s, String o, String r) {
            return service.equals(s) && (operation == null || operation.equals(o))
                    && (region == null || region.equals(r));
        }
    }

    private Duration latency = Duration.ZERO;
    private double throttleRate;
    private double serverErrorRate;
    private Random random = new Random(0x5eed);
    private final Set<String> downRegions = new HashSet<>();
    private final Deque<Injected> injected = new ArrayDeque<>();
    private final List<Slow> slow = new ArrayList<>();
    /** Successful writes left before every call fails (a crash as AWS sees it); -1: never. */
    private int writesBeforeStop = -1;
    private boolean loseLastResponse;

    /** Delay every call by this much (zero to turn off). */
    public synchronized Faults latency(Duration latency) {
        this.latency = Objects.requireNonNull(latency, "latency");
        return this;
    }

    /**
     * Delays calls of one service's operation (null = every operation), in one region (null = every region), by this
     * much before serving them, on top of {@link #latency}. The call is still served after the delay, as AWS may carry
     * out a request whose caller has given up waiting: a write lands late.
     */
    public synchronized Faults slowCalls(String service, String operation, String region, Duration delay) {
        Objects.requireNonNull(delay, "delay");
        if (delay.isNegative()) {
            throw new IllegalArgumentException("delay must not be negative: " + delay);
        }
        slow.add(new Slow(Objects.requireNonNull(service, "service"), operation, region, delay));
        return this;
    }

    /** Fraction (0..1) of calls answered with a throttling error. */
    public synchronized Faults throttleRate(double rate) {
        this.throttleRate = checkRate(rate);
        return this;
    }

    /** Fraction (0..1) of calls answered with HTTP 500 and the service's internal-error code. */
    public synchronized Faults serverErrorRate(double rate) {
        this.serverErrorRate = checkRate(rate);
        return this;
    }

    /** Seeds the random generator behind the rates, for repeatable runs. */
    public synchronized Faults seed(long seed) {
        this.random = new Random(seed);
        return this;
    }

    /** While down, every call to that region is answered with HTTP 503 ServiceUnavailable. */
    public synchronized Faults regionOutage(String region, boolean down) {
        Objects.requireNonNull(region, "region");
        if (down) {
            downRegions.add(region);
        } else {
            downRegions.remove(region);
        }
        return this;
    }

    /**
     * The next call of that operation (in any region) fails with this error code and message, with the HTTP status
     * the service uses for that code. Calls queue up: failNext twice fails the next two calls.
     */
    public Faults failNext(String service, String operation, String errorCode, String message) {
        return failNext(service, operation, null, errorCode, message);
    }

    /** Like {@link #failNext(String, String, String, String)}, for calls to one region only (null = any). */
    public synchronized Faults failNext(String service, String operation, String region, String errorCode,
                                        String message) {
        injected.add(new Injected(Objects.requireNonNull(service, "service"),
                Objects.requireNonNull(operation, "operation"), region,
                Objects.requireNonNull(errorCode, "errorCode"), message == null ? "" : message));
        return this;
    }

    /**
     * A crash as AWS sees it: after {@code writes} more successful writes, every call fails with 503 until
     * {@link #clear()}. With {@code loseLastResponse}, the last of those writes is performed but answered with a 500,
     * as when the process dies before reading the answer (the SDK's retry then meets the stop).
     */
    public synchronized Faults stopAfterWrites(int writes, boolean loseLastResponse) {
        if (writes < 0) {
            throw new IllegalArgumentException("writes must not be negative: " + writes);
        }
        this.writesBeforeStop = writes;
        this.loseLastResponse = loseLastResponse;
        return this;
    }

    /** Counts a successful write; true when its answer is to be lost (the write that reaches the stop). */
    synchronized boolean writeDone() {
        if (writesBeforeStop <= 0) {
            return false;
        }
        writesBeforeStop--;
        return writesBeforeStop == 0 && loseLastResponse;
    }

    /** Injected errors not yet used. */
    public synchronized int pendingInjectedErrors() {
        return injected.size();
    }

    /** Back to no faults (the seed is kept). */
    public synchronized void clear() {
        latency = Duration.ZERO;
        throttleRate = 0;
        serverErrorRate = 0;
        downRegions.clear();
        injected.clear();
        slow.clear();
        writesBeforeStop = -1;
    }

    synchronized Decision decide(String service, String operation, String region) {
        if (writesBeforeStop == 0) {
            return new Decision(Decision.Kind.OUTAGE, "ServiceUnavailable", "The emulator is stopped.", 503);
        }
        if (region != null && downRegions.contains(region)) {
            return new Decision(Decision.Kind.OUTAGE, "ServiceUnavailable",
                    "Service unavailable in region " + region + ".", 503);
        }
        for (Iterator<Injected> it = injected.iterator(); it.hasNext(); ) {
            Injected i = it.next();
            if (i.service().equals(service) && i.operation().equals(operation)
                    && (i.region() == null || i.region().equals(region))) {
                it.remove();
                return new Decision(Decision.Kind.INJECTED, i.code(), i.message(), null);
            }
        }
        if (throttleRate > 0 && random.nextDouble() < throttleRate) {
            return new Decision(Decision.Kind.THROTTLE, null, "Rate exceeded", 400);
        }
        if (serverErrorRate > 0 && random.nextDouble() < serverErrorRate) {
            return new Decision(Decision.Kind.SERVER_ERROR, null, "An internal error occurred.", 500);
        }
        return new Decision(Decision.Kind.NONE, null, null, null);
    }

    private static double checkRate(double rate) {
        if (!(rate >= 0 && rate <= 1)) {
            throw new IllegalArgumentException("rate must be within 0..1: " + rate);
        }
        return rate;
    }

    @Override
    public synchronized String toString() {
        List<String> parts = new ArrayList<>();
        if (!latency.isZero()) parts.add("latency=" + latency);
        if (throttleRate > 0) parts.add("throttleRate=" + throttleRate);
        if (serverErrorRate > 0) parts.add("serverErrorRate=" + serverErrorRate);
        if (!downRegions.isEmpty()) parts.add("down=" + downRegions);
        if (!injected.isEmpty()) parts.add("injected=" + injected.size());
        if (!slow.isEmpty()) parts.add("slow=" + slow);
        if (writesBeforeStop >= 0) parts.add("writesBeforeStop=" + writesBeforeStop);
        return "Faults" + parts;
    }

    /** How long to hold this call before serving it: the latency plus the longest matching {@link #slowCalls}. */
    synchronized Optional<Duration> latencyIfAny(String service, String operation, String region) {
        Duration d = latency.plus(slow.stream().filter(s -> s.matches(service, operation, region)).map(Slow::delay)
                .max(Duration::compareTo).orElse(Duration.ZERO));
        return d.isZero() || d.isNegative() ? Optional.empty() : Optional.of(d);
    }
}
