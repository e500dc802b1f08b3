package io.elasticci.buildkite.token.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** What {@code plan} was asked: files or directories, the output format, and how to identify the cluster. */
record PlanArguments(List<Path> paths, Format format, Optional<String> clusterId, String namespace, boolean offline,
        boolean help) {

    enum Format {
        TABLE, JSON
    }

    static final String USAGE = """
            Usage: java -jar quarkus-run.jar plan -f <file-or-directory> [-f ...] [options]

            Validates every BuildkiteAgentToken in the files (YAML or JSON, directories recursively) with the
            operator's own rules and the CRD's schema and CEL rules; then, with AWS read credentials, observes AWS
            and prints what the operator would do. Reads only: it never writes to AWS, never reads a secret value,
            and needs no Kubernetes cluster.

            Options:
              -f, --filename PATH     a file or directory of manifests (repeatable)
              -o, --output FORMAT     table (default) or json
              -n, --namespace NAME    namespace of manifests that name none (default: default)
                  --cluster-id ID     the operator's cluster identity (bkat.cluster-id, else the UID of the
                                      kube-system namespace); default: read from the secret's owner tag
                  --offline           validate only, call no AWS API
              -h, --help              this text

            Exit codes: 0 no changes; 2 changes planned; 1 invalid manifests, a plan the operator could not
            finish (a terminal reason such as SecretClaimed), or AWS could not be read.
            AWS credentials, region and endpoints come from the SDK's usual sources (AWS_PROFILE, AWS_REGION,
            AWS_ENDPOINT_URL, ...); BKAT_* variables configure it as they configure the operator.
            """;

    /** Thrown for arguments that cannot be run; the message says which. */
    static final class UsageException extends Exception {
        UsageException(String message) {
            super(message);
        }
    }

    static PlanArguments parse(String[] args) throws UsageException {
        List<Path> paths = new ArrayList<>();
        Format format = Format.TABLE;
        Optional<String> clusterId = Optional.empty();
        String namespace = "default";
        boolean offline = false;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            switch (arg) {
                case "-h", "--help" -> {
                    return new PlanArguments(List.of(), format, clusterId, namespace, offline, true);
                }
                case "-f", "--filename" -> paths.add(Path.of(value(args, ++i, arg)));
                case "-o", "--output" -> format = format(value(args, ++i, arg));
                case "-n", "--namespace" -> namespace = value(args, ++i, arg);
                case "--cluster-id" -> clusterId = Optional.of(value(args, ++i, arg));
                case "--offline" -> offline = true;
                default -> throw new UsageException("unknown argument: " + arg);
            }
        }
        if (paths.isEmpty()) {
            throw new UsageException("no manifests: give at least one -f FILE or -f DIRECTORY");
        }
        return new PlanArguments(List.copyOf(paths), format, clusterId, namespace, offline, false);
    }

    private static String value(String[] args, int i, String option) throws UsageException {
        if (i >= args.length || args[i].isBlank()) {
            throw new UsageException(option + " needs a value");
        }
        return args[i];
    }

    private static Format format(String value) throws UsageException {
        return switch (value) {
            case "table" -> Format.TABLE;
            case "json" -> Format.JSON;
            default -> throw new UsageException("--output must be table or json, not " + value);
        };
    }
}
