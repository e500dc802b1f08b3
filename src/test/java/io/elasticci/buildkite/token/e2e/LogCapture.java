package io.elasticci.buildkite.token.e2e;

import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.LogManager;
import java.util.logging.LogRecord;

/** Every log record of the test JVM while open (message, parameters, throwable), to check what never appears. */
final class LogCapture extends Handler implements AutoCloseable {

    private final List<String> lines = new ArrayList<>();

    private LogCapture() {
    }

    static LogCapture start() {
        LogCapture capture = new LogCapture();
        LogManager.getLogManager().getLogger("").addHandler(capture);
        return capture;
    }

    @Override
    public synchronized void publish(LogRecord record) {
        Object[] params = record.getParameters();
        String text = params == null ? "" : java.util.Arrays.deepToString(params);
        lines.add(record.getLoggerName() + " " + record.getMessage() + " " + text
                + (record.getThrown() == null ? "" : " " + record.getThrown()));
    }

    synchronized List<String> lines() {
        return List.copyOf(lines);
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
        LogManager.getLogManager().getLogger("").removeHandler(this);
    }
}
