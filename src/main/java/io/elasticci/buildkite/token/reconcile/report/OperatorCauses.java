package io.elasticci.buildkite.token.reconcile.report;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import io.elasticci.buildkite.token.plan.Problem;
import io.elasticci.buildkite.token.plan.Reason;

/**
 * Logs what keeps the operator as a whole from acting (its configuration, its credentials) once per cause, not once per
 * resource and retry: every resource reports the cause in its status; the log says it once, and once more when it is
 * gone.
 */
@ApplicationScoped
public class OperatorCauses {

    static final Set<Reason> OPERATOR_LEVEL = Set.of(Reason.OperatorMisconfigured, Reason.CredentialsUnavailable,
            Reason.CRDOutdated);
    private static final Logger LOG = Logger.getLogger(OperatorCauses.class);
    /** Causes differ by region at most; a bound keeps a misbehaving endpoint from growing the set. */
    private static final int MAX_REMEMBERED = 64;

    private final Set<String> logged = ConcurrentHashMap.newKeySet();

    /** Takes the problems of one reconcile; a reconcile without operator-level problems means the causes are gone. */
    public void observe(List<Problem> problems) {
        List<String> causes = problems.stream().filter(p -> OPERATOR_LEVEL.contains(p.reason()))
                .map(p -> p.reason() + ": " + p.message()).distinct().toList();
        if (causes.isEmpty()) {
            if (!logged.isEmpty()) {
                logged.clear();
                LOG.info("the operator can act again: its configuration and AWS credentials work");
            }
            return;
        }
        for (String cause : causes) {
            if (logged.size() < MAX_REMEMBERED && logged.add(cause)) {
                LOG.warnf("the operator cannot act on any resource until this is fixed: %s", cause);
            }
        }
    }
}
