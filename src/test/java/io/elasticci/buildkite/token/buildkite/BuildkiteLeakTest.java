package io.elasticci.buildkite.token.buildkite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.elasticci.buildkite.token.buildkite.emulator.BuildkiteEmulator;

/**
 * Neither the API token nor a minted value ever shows: not in exception messages (with their causes), not in any
 * toString, not in log records of any level, even when Buildkite's own messages repeat them.
 */
class BuildkiteLeakTest extends BuildkiteClientTestSupport {

    private static final String PACKAGE = "io.elasticci.buildkite.token.buildkite";

    private final List<String> logs = new ArrayList<>();
    private final Handler capture = new Handler() {
        @Override
        public synchronized void publish(LogRecord record) {
            Object[] parameters = record.getParameters();
            logs.add(record.getLoggerName() + " " + record.getMessage() + " "
                    + (parameters == null ? "" : Arrays.deepToString(parameters))
                    + (record.getThrown() == null ? "" : " " + rendered(record.getThrown())));
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };
    private Level previousLevel;

    @BeforeEach
    void captureEveryLevel() {
        Logger logger = Logger.getLogger(PACKAGE);
        previousLevel = logger.getLevel();
        logger.setLevel(Level.ALL);
        capture.setLevel(Level.ALL);
        LogManager.getLogManager().getLogger("").addHandler(capture);
    }

    @AfterEach
    void stopCapturing() {
        LogManager.getLogManager().getLogger("").removeHandler(capture);
        Logger.getLogger(PACKAGE).setLevel(previousLevel);
    }

    private static String rendered(Throwable e) {
        StringWriter text = new StringWriter();
        e.printStackTrace(new PrintWriter(text));
        return e + "\n" + text;
    }

    private static String failure(Runnable call) {
        return rendered(catchThrowableOfType(call::run, BuildkiteFailure.class));
    }

    @Test
    void neitherTheApiTokenNorAMintedValueAppearsInMessagesToStringsOrLogs() {
        HttpBuildkiteTokens tokens = client();
        List<String> seen = new ArrayList<>();
        MintedToken minted = tokens.create(ACME, TokenRequest.described("leak"));
        String value = minted.value().reveal();
        String id = minted.token().id();
        String echo = "Validation failed: " + BuildkiteEmulator.API_TOKEN + " may not reuse " + value;

        buildkite.faults().failNext("updateToken", 1, 422, echo);
        seen.add(failure(() -> tokens.updateDescription(ACME, id, "x")));
        buildkite.faults().failNext("listTokens", 3, 500, echo); // retried: logged at DEBUG each time
        seen.add(failure(() -> tokens.list(ACME)));
        buildkite.faults().failNext("revokeToken", 1, 401, echo);
        seen.add(failure(() -> tokens.revoke(ACME, id)));
        buildkite.faults().dropResponses("createToken", 1);
        seen.add(failure(() -> tokens.create(ACME, TokenRequest.described("dropped"))));
        buildkite.faults().latency(Duration.ofMillis(400));
        seen.add(failure(() -> client(BuildkiteEmulator.API_TOKEN, settings(retry(), Duration.ofMillis(100)), limits)
                .get(ACME, id)));
        seen.addAll(List.of(minted.toString(), minted.value().toString(), tokens.toString(), limits.toString(),
                String.valueOf(minted.hashCode()), registry.getMeters().toString()));

        assertThat(logs).as("the capture saw the retries").anyMatch(l -> l.contains("attempt 2 of 3"));
        assertThat(seen.get(0)).as("Buildkite's message is kept, masked").contains("Validation failed: [redacted]");
        for (String secret : List.of(BuildkiteEmulator.API_TOKEN, value, "bkct_")) {
            assertThat(seen).noneMatch(text -> text.contains(secret));
            assertThat(logs).noneMatch(text -> text.contains(secret));
        }
    }
}
