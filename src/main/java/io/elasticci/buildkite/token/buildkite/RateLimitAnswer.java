package io.elasticci.buildkite.token.buildkite;

import java.net.http.HttpHeaders;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Comparator;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * What one answer says about Buildkite's two budgets (per organization and per user, design fact 9): how many calls
 * are left and how long until the window resets, from the {@code RateLimit-*} and {@code RateLimit-User-*} headers; on
 * a 429 the body's {@code scope} ({@code rest} or {@code rest_user}) and {@code reset} name the budget that ran out.
 * A budget the answer says nothing about is null.
 */
record RateLimitAnswer(Budget organization, Budget user, Duration retryAfter) {

    /** Calls left in the current window, and the time until it resets. */
    record Budget(int remaining, Duration reset) {

        boolean exhausted() {
            return remaining <= 0;
        }
    }

    static RateLimitAnswer read(HttpHeaders headers, JsonNode body, Instant now) {
        Budget organization = budget(headers, "RateLimit-Remaining", "RateLimit-Reset");
        Budget user = budget(headers, "RateLimit-User-Remaining", "RateLimit-User-Reset");
        if (body != null && body.path("reset").canConvertToLong()) {
            Budget spent = new Budget(0, Duration.ofSeconds(Math.max(0, body.path("reset").asLong())));
            switch (body.path("scope").asText("")) {
                case "rest" -> organization = spent;
                case "rest_user" -> user = spent;
                default -> { /* another budget: the headers say the rest */ }
            }
        }
        return new RateLimitAnswer(organization, user, retryAfter(headers, now));
    }

    /** How long Buildkite says to wait: the reset of a budget that ran out, or Retry-After; empty when neither. */
    Optional<Duration> hint() {
        return Stream.of(spentReset(organization), spentReset(user), retryAfter).filter(Objects::nonNull)
                .max(Comparator.naturalOrder());
    }

    private static Duration spentReset(Budget budget) {
        return budget != null && budget.exhausted() ? budget.reset() : null;
    }

    private static Budget budget(HttpHeaders headers, String remaining, String reset) {
        Optional<Long> left = number(headers, remaining);
        Optional<Long> seconds = number(headers, reset);
        return left.isPresent() && seconds.isPresent()
                ? new Budget((int) Math.min(Integer.MAX_VALUE, left.get()), Duration.ofSeconds(seconds.get()))
                : null;
    }

    /** Retry-After in either of its forms: seconds, or an HTTP date. */
    private static Duration retryAfter(HttpHeaders headers, Instant now) {
        Optional<String> value = headers.firstValue("Retry-After").map(String::trim);
        if (value.isEmpty()) {
            return null;
        }
        Optional<Long> seconds = parse(value.get());
        if (seconds.isPresent()) {
            return Duration.ofSeconds(seconds.get());
        }
        try {
            Duration until = Duration.between(now,
                    ZonedDateTime.parse(value.get(), DateTimeFormatter.RFC_1123_DATE_TIME).toInstant());
            return until.isNegative() ? Duration.ZERO : until;
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    private static Optional<Long> number(HttpHeaders headers, String name) {
        return headers.firstValue(name).flatMap(v -> parse(v.trim()));
    }

    private static Optional<Long> parse(String value) {
        try {
            return Optional.of(Math.max(0, Long.parseLong(value)));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }
}
