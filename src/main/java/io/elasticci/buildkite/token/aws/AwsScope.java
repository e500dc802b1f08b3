package io.elasticci.buildkite.token.aws;

import java.util.function.Supplier;

/**
 * The principal the current AWS calls act as, for one reconcile: set around it by the reconciler, carried into the
 * threads that run its calls in parallel, and read by the client factory and every cache of AWS answers (the same
 * role name or key alias means different things in two accounts).
 */
public final class AwsScope {

    private static final ThreadLocal<AwsPrincipal> CURRENT = ThreadLocal.withInitial(() -> AwsPrincipal.OPERATOR);

    private AwsScope() {
    }

    public static AwsPrincipal current() {
        return CURRENT.get();
    }

    /** Runs {@code work} acting as {@code principal}. */
    public static <T> T with(AwsPrincipal principal, Supplier<T> work) {
        AwsPrincipal before = CURRENT.get();
        CURRENT.set(principal);
        try {
            return work.get();
        } finally {
            CURRENT.set(before);
        }
    }

    /** {@code work}, to run on another thread as the principal current here. */
    public static <T> Supplier<T> carried(Supplier<T> work) {
        AwsPrincipal principal = current();
        return () -> with(principal, work);
    }

    /** A cache key that keeps principals apart. */
    public static String key(String key) {
        AwsPrincipal principal = current();
        return principal.assumesRole() ? principal.key() + "|" + key : key;
    }
}
