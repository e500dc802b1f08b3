package io.elasticci.buildkite.token.emulator;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.TestInfo;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The emulator's lifecycle for its own tests: one emulator and its SDK clients per test class, state reset before
 * each test. A subclass's own {@code @BeforeAll} runs after {@link #startEmulator}, its {@code @BeforeEach} after
 * {@link #resetEmulator} and its {@code @AfterAll} before {@link #stopEmulator}.
 *
 * <p>The fields are static, as JUnit's class-level callbacks are: one test class at a time (the emulator tests do
 * not run classes in parallel).
 */
abstract class EmulatorTestSupport {

    /** On a test class: its {@link #clients} make one attempt per call instead of the SDK's default retries. */
    @Retention(RetentionPolicy.RUNTIME)
    @Target(ElementType.TYPE)
    @interface SingleAttempt {
    }

    static AwsEmulator emulator;
    /** The class's clients: SDK default retries, or one attempt under {@link SingleAttempt}. */
    static EmulatorClients clients;
    /** One attempt per call: for error shapes where the SDK's retries would only add backoff time. */
    static EmulatorClients once;

    @BeforeAll
    static void startEmulator(TestInfo test) {
        emulator = AwsEmulator.start();
        boolean retries = !test.getTestClass().orElseThrow().isAnnotationPresent(SingleAttempt.class);
        clients = new EmulatorClients(emulator, retries);
        once = new EmulatorClients(emulator, false);
    }

    @AfterAll
    static void stopEmulator() {
        clients.close();
        once.close();
        emulator.close();
    }

    @BeforeEach
    void resetEmulator() {
        emulator.reset();
    }
}
