package io.elasticci.buildkite.token.emulator;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Every call the emulator answered, in order: service, operation, region, account, whether the operation writes,
 * and the outcome. It never holds a request or response body, so no secret value can end up here.
 */
public final class CallLog {

    /**
     * One answered call.
     *
     * @param service    credential-scope service name ("secretsmanager", "kms", "sts")
     * @param operation  operation name as the SDK sends it (e.g. "PutSecretValue"), or "Unknown"
     * @param region     credential-scope region
     * @param account    account the access key maps to, or null when the key is unknown
     * @param write      whether the operation changes state (see {@link Operations#isWrite(String, String)})
     * @param httpStatus status code answered
     * @param errorCode  AWS error code answered, or null on success
     * @param accessKeyId who called (an access key ID), or null when the request carried none
     */
    public record Call(String service, String operation, String region, String account, boolean write,
                       int httpStatus, String errorCode, String accessKeyId) {

        public Call(String service, String operation, String region, String account, boolean write, int httpStatus,
                String errorCode) {
            this(service, operation, region, account, write, httpStatus, errorCode, null);
        }

        public boolean failed() {
            return errorCode != null;
        }

        /** Answered with the service's throttling error (its quota was spent, or a fault said so). */
        public boolean throttled() {
            return errorCode != null && THROTTLING.contains(errorCode);
        }
    }

    /** The throttling error codes: JSON services, query services, EC2. */
    private static final Set<String> THROTTLING = Set.of("ThrottlingException", "Throttling", "RequestLimitExceeded");

    /**
     * A call with when it arrived and when it was answered ({@link System#nanoTime()}, latency included), and which
     * attempt of which SDK invocation it was: the SDK sends the same {@code amz-sdk-invocation-id} with every attempt
     * of one call and numbers them in {@code amz-sdk-request: attempt=N; max=M}.
     *
     * @param invocationId the SDK's invocation ID, or null when the request carried none
     * @param attempt      the attempt number (1 for the first), or 0 when the request did not say
     */
    public record Timed(Call call, long startNanos, long endNanos, String invocationId, int attempt) {
    }

    private final List<Call> calls = new ArrayList<>();
    private final List<Timed> timed = new ArrayList<>();

    void record(Call call) {
        record(call, System.nanoTime(), null, 0);
    }

    /** Records a call answered now that arrived at {@code startNanos}, attempt {@code attempt} of an invocation. */
    void record(Call call, long startNanos, String invocationId, int attempt) {
        synchronized (calls) {
            calls.add(Objects.requireNonNull(call));
            timed.add(new Timed(call, startNanos, System.nanoTime(), invocationId, attempt));
        }
    }

    /**
     * The longest run of throttled attempts in a row within one SDK invocation (calls without an invocation ID are
     * left out): 0 when nothing was throttled, 1 when every throttled attempt's retry got through.
     */
    public static int longestThrottledRun(List<Timed> calls) {
        Map<String, List<Timed>> invocations = calls.stream().filter(t -> t.invocationId() != null)
                .collect(Collectors.groupingBy(Timed::invocationId));
        int longest = 0;
        for (List<Timed> attempts : invocations.values()) {
            int run = 0;
            for (Timed attempt : attempts.stream().sorted(Comparator.comparingInt(Timed::attempt)).toList()) {
                run = attempt.call().throttled() ? run + 1 : 0;
                longest = Math.max(longest, run);
            }
        }
        return longest;
    }

    /** Every call so far with its timing, oldest answer first. */
    public List<Timed> timed() {
        synchronized (calls) {
            return List.copyOf(timed);
        }
    }

    /** A copy of every call so far, oldest first. */
    public List<Call> all() {
        synchronized (calls) {
            return List.copyOf(calls);
        }
    }

    /** How many calls were answered so far: a mark for {@link #since}. */
    public int size() {
        synchronized (calls) {
            return calls.size();
        }
    }

    /** Calls answered after the {@link #size} mark. */
    public List<Call> since(int mark) {
        synchronized (calls) {
            return List.copyOf(calls.subList(Math.min(mark, calls.size()), calls.size()));
        }
    }

    /** Calls of that service and operation (operation null = any). */
    public List<Call> calls(String service, String operation) {
        return all().stream()
                .filter(c -> c.service().equals(service) && (operation == null || c.operation().equals(operation)))
                .toList();
    }

    public long count(String service, String operation) {
        return calls(service, operation).size();
    }

    public long count(String service, String operation, String region) {
        return calls(service, operation).stream().filter(c -> Objects.equals(c.region(), region)).count();
    }

    /** Calls of operations that change state, whatever their outcome. */
    public List<Call> writes() {
        return all().stream().filter(Call::write).toList();
    }

    public long writeCount() {
        return writes().size();
    }

    /** Calls made with that access key ID: one client among several sharing the emulator. */
    public List<Call> by(String accessKeyId) {
        return all().stream().filter(c -> Objects.equals(c.accessKeyId(), accessKeyId)).toList();
    }

    /** Calls answered with an error. */
    public List<Call> failures() {
        return all().stream().filter(Call::failed).toList();
    }

    public void clear() {
        synchronized (calls) {
            calls.clear();
            timed.clear();
        }
    }

    @Override
    public String toString() {
        return "CallLog" + all();
    }
}
