package io.elasticci.buildkite.token.reconcile.act;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;

/**
 * Remembers, per resource, when our resource policy statement was found gone after we had put it: the sign of a
 * whole-document owner (Terraform, CloudFormation) fighting the operator. Kept in memory: a restart forgives.
 */
@ApplicationScoped
public class StatementRemovals {

    static final Duration WINDOW = Duration.ofHours(1);
    private static final org.jboss.logging.Logger LOG = org.jboss.logging.Logger.getLogger(StatementRemovals.class);

    private final Map<String, State> states = new ConcurrentHashMap<>();

    private static final class State {
        boolean applied;
        final Deque<Instant> removals = new ArrayDeque<>();
    }

    /** Records what an observation saw and returns how many removals fall in the window. */
    public synchronized int observe(String owner, boolean statementPresent, Instant now) {
        State state = states.computeIfAbsent(owner, k -> new State());
        if (!statementPresent && state.applied) {
            state.removals.addLast(now);
            state.applied = false;
            LOG.infof("the resource policy statement of %s was removed by someone else (%d in the last hour)", owner,
                    state.removals.size());
        }
        while (!state.removals.isEmpty() && state.removals.peekFirst().isBefore(now.minus(WINDOW))) {
            state.removals.removeFirst();
        }
        return state.removals.size();
    }

    public synchronized void applied(String owner) {
        states.computeIfAbsent(owner, k -> new State()).applied = true;
    }

    /** A new generation is a new agreement: start counting afresh. */
    public synchronized void reset(String owner) {
        states.remove(owner);
    }
}
