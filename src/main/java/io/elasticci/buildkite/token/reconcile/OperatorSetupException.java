package io.elasticci.buildkite.token.reconcile;

/**
 * The operator itself cannot act, whatever the resource says: it cannot identify its cluster or keep its installation
 * key. Every resource reports it ({@code OperatorMisconfigured}) instead of failing without a condition.
 */
public class OperatorSetupException extends RuntimeException {

    public OperatorSetupException(String message) {
        super(message);
    }
}
