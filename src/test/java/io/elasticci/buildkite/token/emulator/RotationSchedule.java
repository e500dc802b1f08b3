package io.elasticci.buildkite.token.emulator;

import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Secrets Manager rotation rules: validation of {@code RotationRules} as RotateSecret checks them, and a rough
 * {@code NextRotationDate}. Schedules are {@code AutomaticallyAfterDays} (1–1000), {@code rate(N days)} (1–1000),
 * {@code rate(N hours)} (4–23) or {@code cron(minutes hours day-of-month month day-of-week year)}; the window
 * {@code Duration} is {@code 1h}–{@code 24h}. A cron's {@code L}, {@code W} and {@code #} are accepted and read as
 * "any" (the date is rough anyway); its year field is ignored.
 */
final class RotationSchedule {

    private static final Pattern RATE = Pattern.compile("rate\\((\\d{1,4}) (hours?|days?)\\)");
    private static final Pattern CRON = Pattern.compile("cron\\(([^()]+)\\)");
    private static final Pattern DURATION = Pattern.compile("(\\d{1,2})h");
    private static final Pattern CRON_FIELD = Pattern.compile("[0-9A-Za-z*?,/#\\-]+");
    private static final List<String> MONTHS = List.of("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG",
            "SEP", "OCT", "NOV", "DEC");
    private static final List<String> DAYS = List.of("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT");
    private static final Pattern LAST_OR_WEEKDAY = Pattern.compile("[0-9]*[LW]+[0-9-]*");
    private static final int SEARCH_DAYS = 800;

    private RotationSchedule() {
    }

    /** Throws as RotateSecret does for rules it refuses. */
    static void validate(Long automaticallyAfterDays, String scheduleExpression, String duration) {
        if (automaticallyAfterDays != null && scheduleExpression != null) {
            throw AwsError.of("InvalidParameterException",
                    "You can't specify both AutomaticallyAfterDays and ScheduleExpression in RotationRules.");
        }
        if (automaticallyAfterDays != null && (automaticallyAfterDays < 1 || automaticallyAfterDays > 1000)) {
            throw AwsError.of("ValidationException", "1 validation error detected: Value '" + automaticallyAfterDays
                    + "' at 'rotationRules.automaticallyAfterDays' failed to satisfy constraint: Member must have "
                    + (automaticallyAfterDays < 1 ? "value greater than or equal to 1"
                    : "value less than or equal to 1000"));
        }
        if (scheduleExpression != null) {
            validateExpression(scheduleExpression);
        }
        if (duration != null) {
            Matcher m = DURATION.matcher(duration);
            int hours = m.matches() ? Integer.parseInt(m.group(1)) : 0;
            if (hours < 1 || hours > 24) {
                throw AwsError.of("InvalidParameterException", "Invalid Duration " + duration
                        + ": the rotation window must be between 1h and 24h.");
            }
            Duration period = rateHours(scheduleExpression);
            if (period != null && Duration.ofHours(hours).compareTo(period) > 0) {
                throw AwsError.of("InvalidParameterException", "Invalid Duration " + duration
                        + ": the rotation window must not extend into the next rotation window.");
            }
        }
    }

    private static void validateExpression(String expression) {
        Matcher rate = RATE.matcher(expression);
        if (rate.matches()) {
            long n = Long.parseLong(rate.group(1));
            boolean hours = rate.group(2).startsWith("hour");
            if (hours && (n < 4 || n > 23)) {
                throw AwsError.of("InvalidParameterException", "Invalid ScheduleExpression " + expression
                        + ": a rate in hours must be between 4 and 23 hours.");
            }
            if (!hours && (n < 1 || n > 1000)) {
                throw AwsError.of("InvalidParameterException", "Invalid ScheduleExpression " + expression
                        + ": a rate in days must be between 1 and 1000 days.");
            }
            return;
        }
        Matcher cron = CRON.matcher(expression);
        if (cron.matches()) {
            String[] fields = cron.group(1).trim().split(" +");
            boolean wellFormed = fields.length == 6;
            for (int i = 0; wellFormed && i < fields.length; i++) {
                wellFormed = CRON_FIELD.matcher(fields[i]).matches();
            }
            if (wellFormed && (fields[2].equals("?") == fields[4].equals("?"))) {
                wellFormed = false; // exactly one of day-of-month and day-of-week must be "?"
            }
            if (wellFormed) {
                return;
            }
        }
        throw AwsError.of("InvalidParameterException", "Invalid ScheduleExpression " + expression + ".");
    }

    /**
     * {@code AutomaticallyAfterDays} as DescribeSecret shows it: the value given, or N for {@code rate(N days)};
     * null otherwise.
     */
    static Integer days(Long automaticallyAfterDays, String scheduleExpression) {
        if (automaticallyAfterDays != null) {
            return automaticallyAfterDays.intValue();
        }
        if (scheduleExpression != null) {
            Matcher rate = RATE.matcher(scheduleExpression);
            if (rate.matches() && rate.group(2).startsWith("day")) {
                return Integer.parseInt(rate.group(1));
            }
        }
        return null;
    }

    /**
     * Roughly when the next rotation is due after {@code base}: the start (UTC) of the day N days later for a
     * schedule in days, N hours later for {@code rate(N hours)}, the next matching minute for a cron; null without a
     * schedule.
     */
    static Instant next(Long automaticallyAfterDays, String scheduleExpression, Instant base) {
        Integer days = days(automaticallyAfterDays, scheduleExpression);
        if (days != null) {
            return base.plus(Duration.ofDays(days)).truncatedTo(ChronoUnit.DAYS);
        }
        if (scheduleExpression == null) {
            return null;
        }
        Duration hours = rateHours(scheduleExpression);
        if (hours != null) {
            return base.plus(hours);
        }
        Matcher cron = CRON.matcher(scheduleExpression);
        return cron.matches() ? nextCron(cron.group(1).trim().split(" +"), base) : null;
    }

    private static Duration rateHours(String expression) {
        if (expression == null) {
            return null;
        }
        Matcher rate = RATE.matcher(expression);
        return rate.matches() && rate.group(2).startsWith("hour") ? Duration.ofHours(Long.parseLong(rate.group(1)))
                : null;
    }

    private static Instant nextCron(String[] f, Instant base) {
        LocalDate day = base.atZone(ZoneOffset.UTC).toLocalDate();
        for (int i = 0; i < SEARCH_DAYS; i++, day = day.plusDays(1)) {
            int dow = day.getDayOfWeek() == DayOfWeek.SUNDAY ? 1 : day.getDayOfWeek().getValue() + 1;
            if (!matches(f[3], day.getMonthValue(), 1, 12, MONTHS) || !matches(f[2], day.getDayOfMonth(), 1, 31, null)
                    || !matches(f[4], dow, 1, 7, DAYS)) {
                continue;
            }
            for (int hour = 0; hour < 24; hour++) {
                if (!matches(f[1], hour, 0, 23, null)) {
                    continue;
                }
                for (int minute = 0; minute < 60; minute++) {
                    if (matches(f[0], minute, 0, 59, null)) {
                        Instant at = day.atTime(hour, minute).toInstant(ZoneOffset.UTC);
                        if (at.isAfter(base)) {
                            return at;
                        }
                    }
                }
            }
        }
        return null;
    }

    /** Whether a cron field (lists, ranges, steps, names; L, W and # read as any) matches the value. */
    private static boolean matches(String field, int value, int min, int max, List<String> names) {
        for (String part : field.split(",")) {
            if (part.equals("*") || part.equals("?") || part.contains("#") || LAST_OR_WEEKDAY.matcher(part).matches()) {
                return true;
            }
            int step = 1;
            int slash = part.indexOf('/');
            if (slash >= 0) {
                step = Math.max(1, number(part.substring(slash + 1), names, min));
                part = part.substring(0, slash);
            }
            int from;
            int to;
            if (part.equals("*")) {
                from = min;
                to = max;
            } else if (part.indexOf('-') > 0) {
                from = number(part.substring(0, part.indexOf('-')), names, min);
                to = number(part.substring(part.indexOf('-') + 1), names, min);
            } else {
                from = number(part, names, min);
                to = slash >= 0 ? max : from;
            }
            if (value >= from && value <= to && (value - from) % step == 0) {
                return true;
            }
        }
        return false;
    }

    private static int number(String token, List<String> names, int min) {
        if (names != null) {
            int i = names.indexOf(token.toUpperCase(Locale.ROOT));
            if (i >= 0) {
                return i + 1;
            }
        }
        try {
            return Integer.parseInt(token);
        } catch (NumberFormatException e) {
            return min - 1; // matches nothing
        }
    }
}
