package io.elasticci.buildkite.token.plan;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Durations as Kubernetes users write them (Go's format, units h, m, s): 720h, 1h30m, 90s. */
public final class Durations {

    private static final Pattern WHOLE = Pattern.compile("^([0-9]{1,6}(h|m|s))+$");
    private static final Pattern PART = Pattern.compile("([0-9]{1,6})(h|m|s)");

    private Durations() {
    }

    /** The duration, or null when {@code text} is not one. */
    public static Duration parse(String text) {
        if (text == null || !WHOLE.matcher(text).matches()) {
            return null;
        }
        Duration total = Duration.ZERO;
        Matcher part = PART.matcher(text);
        while (part.find()) {
            long amount = Long.parseLong(part.group(1));
            total = total.plus(switch (part.group(2)) {
                case "h" -> Duration.ofHours(amount);
                case "m" -> Duration.ofMinutes(amount);
                default -> Duration.ofSeconds(amount);
            });
        }
        return total;
    }
}
