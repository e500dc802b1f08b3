package io.elasticci.buildkite.token.emulator;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The emulator's clock. All emulator timestamps (creation dates, deletion dates, replication delays) come from it. By
 * default it stands still until a test moves it ({@link #MutableClock()}); {@link #ticking()} follows the system clock
 * plus whatever a test added, for an operator in another process that runs on its own (system) clock, as against AWS.
 * It is a {@link Clock}, so it can be handed to code under test as well.
 */
public final class MutableClock extends Clock {

    /** Where every standing emulator clock starts (and where {@link AwsEmulator#reset()} puts it back). */
    public static final Instant START = Instant.parse("2025-01-01T00:00:00Z");

    private final Clock base;
    private final AtomicReference<Duration> offset;
    private final ZoneId zone;

    /** A clock standing at {@link #START}. */
    public MutableClock() {
        this(Clock.fixed(START, ZoneOffset.UTC), new AtomicReference<>(Duration.ZERO), ZoneOffset.UTC);
    }

    /** A clock that runs with the system clock, moved forward by every {@link #advance}. */
    public static MutableClock ticking() {
        return new MutableClock(Clock.systemUTC(), new AtomicReference<>(Duration.ZERO), ZoneOffset.UTC);
    }

    private MutableClock(Clock base, AtomicReference<Duration> offset, ZoneId zone) {
        this.base = base;
        this.offset = offset;
        this.zone = zone;
    }

    @Override
    public Instant instant() {
        return base.instant().plus(offset.get());
    }

    @Override
    public ZoneId getZone() {
        return zone;
    }

    /** A view in another zone that shares this clock's time. */
    @Override
    public Clock withZone(ZoneId zone) {
        return new MutableClock(base, offset, Objects.requireNonNull(zone, "zone"));
    }

    /** Moves the clock forward (a negative duration moves it back). */
    public void advance(Duration duration) {
        Objects.requireNonNull(duration, "duration");
        offset.updateAndGet(o -> o.plus(duration));
    }

    /** Sets the time; a ticking clock goes on ticking from there. */
    public void set(Instant instant) {
        Objects.requireNonNull(instant, "instant");
        offset.set(Duration.between(base.instant(), instant));
    }

    @Override
    public String toString() {
        return "MutableClock[" + instant() + "]";
    }
}
