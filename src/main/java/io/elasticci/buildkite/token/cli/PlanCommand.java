package io.elasticci.buildkite.token.cli;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.elasticci.buildkite.token.api.v1alpha1.BuildkiteAgentToken;
import io.elasticci.buildkite.token.aws.AwsFailure;
import io.elasticci.buildkite.token.aws.AwsScope;
import io.elasticci.buildkite.token.config.OperatorConfig;
import io.elasticci.buildkite.token.plan.DesiredToken;
import io.elasticci.buildkite.token.plan.Plan;
import io.elasticci.buildkite.token.plan.Planner;
import io.elasticci.buildkite.token.plan.Snapshot;
import io.elasticci.buildkite.token.plan.ValueObservation;
import io.elasticci.buildkite.token.reconcile.AwsPrincipals;
import io.elasticci.buildkite.token.reconcile.DesiredTokens;
import io.elasticci.buildkite.token.reconcile.SpecValidator;

/**
 * {@code plan}: for a pull request, what the operator would do with these manifests, without a cluster and without
 * writing anything. The same validator, CRD rules, observer and planner as the operator; only acting is absent.
 */
public final class PlanCommand {

    public static final String NAME = "plan";
    static final String VALUE_NOT_COMPARED = "the token value is not compared: the plan command never reads "
            + "Kubernetes Secrets or secret values";
    private static final String UNKNOWN_CLUSTER = "<cluster>";
    static final String MINTED_NOT_CHECKED = "spec.buildkite: the value is minted in Buildkite; the plan command never "
            + "calls Buildkite, so rotations that are due and revocations are not shown";

    private PlanCommand() {
    }

    /** Runs the command; returns the exit code (see {@link PlanArguments#USAGE}). */
    public static int run(String[] args, PrintStream out, PrintStream err, Map<String, String> environment) {
        PlanArguments arguments;
        List<Manifests.Manifest> manifests;
        try {
            arguments = PlanArguments.parse(args);
            if (arguments.help()) {
                out.print(PlanArguments.USAGE);
                return 0;
            }
            manifests = Manifests.read(arguments.paths());
        } catch (PlanArguments.UsageException e) {
            err.println("plan: " + e.getMessage());
            err.print(PlanArguments.USAGE);
            return 1;
        }
        OperatorConfig config = CliSettings.load(environment);
        ManifestCheck check = new ManifestCheck(
                new SpecValidator(config.allowedSecretNamePrefixes(), config.allowedNamespaces()),
                arguments.namespace());
        List<ManifestCheck.Checked> checked = manifests.stream().map(check::check).toList();
        List<BuildkiteAgentToken> valid = checked.stream().flatMap(c -> c.resource().stream()).toList();
        StandaloneObserver observer = arguments.offline() || valid.isEmpty() ? null : new StandaloneObserver(config);
        List<TokenPlan> plans = new ArrayList<>();
        for (ManifestCheck.Checked c : checked) {
            String source = c.manifest().source();
            String name = c.manifest().name();
            if (c.resource().isEmpty()) {
                plans.add(TokenPlan.invalid(source, c.namespace(), name, c.errors()));
            } else if (observer == null) {
                plans.add(TokenPlan.validated(source, c.namespace(), name));
            } else {
                plans.add(plan(source, c.resource().get(), valid, observer,
                        arguments.clusterId().or(config::clusterId)));
            }
        }
        if (manifests.isEmpty()) {
            err.println("plan: no " + Manifests.KIND + " in " + arguments.paths());
        }
        PlanPrinter.print(plans, arguments.format(), out);
        return TokenPlan.exitCode(plans);
    }

    private static TokenPlan plan(String source, BuildkiteAgentToken resource, List<BuildkiteAgentToken> all,
            StandaloneObserver observer, Optional<String> clusterId) {
        String namespace = resource.getMetadata().getNamespace();
        String name = resource.getMetadata().getName();
        List<String> notes = new ArrayList<>();
        try {
            return AwsScope.with(AwsPrincipals.of(resource), () -> {
                // The owner (cluster/namespace/name) names the operator's policies: it must be right before observing.
                String cluster = clusterId.orElseGet(() -> {
                    Optional<String> found = clusterFromOwnerTag(observer.ownerTag(
                            resource.getSpec().getPrimaryRegion(), resource.getSpec().getSecretName()), namespace,
                            name);
                    notes.add(found.map(id -> "cluster identity " + id + " read from the secret's owner tag")
                            .orElse("no --cluster-id and no owner tag to read it from: ownership is not checked"));
                    return found.orElse(UNKNOWN_CLUSTER);
                });
                DesiredToken desired = DesiredTokens.of(resource, cluster, all);
                if (resource.getSpec().getBuildkite() != null) {
                    // the operator would mint the first token; later ones depend on Buildkite, never called here
                    desired = desired.withValueManaged(true);
                    notes.add(MINTED_NOT_CHECKED);
                }
                return planned(source, resource, desired, observer.observe(desired), notes);
            });
        } catch (AwsFailure e) {
            return new TokenPlan(source, namespace, name, List.of(), List.of(), List.of(),
                    Optional.of(e.getMessage()), notes);
        }
    }

    private static TokenPlan planned(String source, BuildkiteAgentToken resource, DesiredToken desired,
            Snapshot observed, List<String> notes) {
        Snapshot snapshot = observed;
        if (desired.valueManaged() && resource.getSpec().getBuildkite() == null) {
            notes.add(VALUE_NOT_COMPARED);
        }
        if (desired.valueManaged()) {
            snapshot = observed.withValue(Optional.of(observed.secret().isPresent()
                    ? new ValueObservation("", true, Optional.empty())
                    : ValueObservation.forNewSecret("")));
        }
        Plan plan = Planner.plan(desired, snapshot);
        return new TokenPlan(source, resource.getMetadata().getNamespace(), resource.getMetadata().getName(),
                List.of(), plan.actions(), plan.problems(), Optional.empty(), notes);
    }

    /** The cluster part of an owner tag "cluster/namespace/name" that names this resource. */
    private static Optional<String> clusterFromOwnerTag(Optional<String> ownerTag, String namespace, String name) {
        String suffix = "/" + namespace + "/" + name;
        return ownerTag.filter(tag -> tag.endsWith(suffix) && tag.length() > suffix.length())
                .map(tag -> tag.substring(0, tag.length() - suffix.length()));
    }
}
