package io.elasticci.buildkite.token;

import io.elasticci.buildkite.token.cli.PlanCommand;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.annotations.QuarkusMain;

/**
 * The one artifact's two entry points: {@code plan ...} runs the read-only plan command without starting Quarkus (no
 * Kubernetes client, no HTTP server, no leader election); anything else starts the operator.
 */
@QuarkusMain
public final class OperatorMain {

    private OperatorMain() {
    }

    public static void main(String... args) {
        if (args.length > 0 && PlanCommand.NAME.equals(args[0])) {
            System.exit(PlanCommand.run(java.util.Arrays.copyOfRange(args, 1, args.length), System.out, System.err,
                    System.getenv()));
        }
        Quarkus.run(args);
    }
}
