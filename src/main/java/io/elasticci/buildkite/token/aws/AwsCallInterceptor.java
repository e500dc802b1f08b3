package io.elasticci.buildkite.token.aws;

import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import software.amazon.awssdk.core.exception.AbortedException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.interceptor.SdkExecutionAttribute;
import software.amazon.awssdk.http.SdkHttpRequest;

/**
 * On every client: waits for the shared rate limiter of the call's quota group before each attempt (retries included:
 * AWS counts those too, and a retry of a throttled call waits a turn rather than meeting an empty quota again).
 * The first attempt waits before the SDK starts the call's timeout ({@code beforeExecution}): a queue of calls for a
 * busy quota (hundreds of tokens' IAM calls) is work waiting its turn, not AWS failing to answer. A retry runs inside
 * that timeout, so it takes the next turn rather than the queue's end ({@link RateLimiter#acquireRetry()}). Also
 * counts calls by service, operation, region and outcome, the attempts beyond the first, and the time spent
 * waiting for the limiter. Labels are bounded: no secret, role or stack names.
 */
final class AwsCallInterceptor implements ExecutionInterceptor {

    private final Function<String, RateLimiter> limiters;
    private final MeterRegistry registry;
    private final String service;
    private final String region;

    /** {@code limiters}: the limiter of each operation's quota group. */
    AwsCallInterceptor(Function<String, RateLimiter> limiters, MeterRegistry registry, String service, String region) {
        this.limiters = limiters;
        this.registry = registry;
        this.service = service;
        this.region = region;
    }

    @Override
    public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
        acquire(operation(attributes), false);
    }

    @Override
    public void beforeTransmission(Context.BeforeTransmission context, ExecutionAttributes attributes) {
        if (attempts(context.httpRequest()) > 1) {
            acquire(operation(attributes), true);
        }
    }

    private void acquire(String operation, boolean retry) {
        RateLimiter limiter = limiters.apply(operation);
        long waited;
        if (retry) {
            limiter.backOff(); // AWS refused the previous attempt (throttled, or failed under load)
            waited = limiter.acquireRetry();
        } else {
            waited = limiter.acquire();
        }
        if (Thread.currentThread().isInterrupted()) {
            // the call's timeout fired while it waited its turn: it must not be sent without a permit
            throw AbortedException.builder().message("interrupted while waiting for the " + service
                    + " rate limiter").build();
        }
        Timer.builder("bkat.aws.rate.limiter.wait").description("Time AWS calls waited for the rate limiter")
                .tags("service", service, "group", QuotaGroups.of(service, operation), "region", region)
                .register(registry).record(waited, TimeUnit.NANOSECONDS);
    }

    @Override
    public void afterExecution(Context.AfterExecution context, ExecutionAttributes attributes) {
        count(attributes, "success", attempts(context.httpRequest()));
    }

    @Override
    public void onExecutionFailure(Context.FailedExecution context, ExecutionAttributes attributes) {
        Throwable e = context.exception();
        String outcome = e instanceof SdkException sdk
                ? AwsErrors.map(sdk, service, operation(attributes), region).kind().name().toLowerCase(Locale.ROOT)
                : "error";
        count(attributes, outcome, context.httpRequest().map(AwsCallInterceptor::attempts).orElse(1));
    }

    /**
     * The attempt the SDK numbers in its amz-sdk-request header ("attempt=2; max=3"). Not an ExecutionAttribute:
     * their names must be unique in the JVM, and several applications can share the SDK's classes (tests do).
     */
    static int attempts(SdkHttpRequest request) {
        return request.firstMatchingHeader("amz-sdk-request").map(h -> {
            for (String part : h.split(";")) {
                String[] pair = part.trim().split("=", 2);
                if (pair.length == 2 && pair[0].equals("attempt")) {
                    try {
                        return Integer.parseInt(pair[1].trim());
                    } catch (NumberFormatException e) {
                        return 1;
                    }
                }
            }
            return 1;
        }).orElse(1);
    }

    private void count(ExecutionAttributes attributes, String outcome, int attempts) {
        String operation = operation(attributes);
        Counter.builder("bkat.aws.calls").description("AWS calls by service, operation, region and outcome")
                .tags("service", service, "operation", operation, "region", region, "outcome", outcome)
                .register(registry).increment();
        if (attempts > 1) {
            Counter.builder("bkat.aws.retries").description("AWS call attempts beyond the first (the SDK's retries)")
                    .tags("service", service, "operation", operation, "region", region)
                    .register(registry).increment(attempts - 1);
        }
    }

    private static String operation(ExecutionAttributes attributes) {
        String operation = attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME);
        return operation == null ? "unknown" : operation;
    }
}
