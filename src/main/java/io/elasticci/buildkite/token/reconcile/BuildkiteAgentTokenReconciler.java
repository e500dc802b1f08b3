package io.elasticci.buildkite.token.reconcile;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

import jakarta.inject.Inject;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.elasticci.buildkite.token.api.v1alpha1.BuildkiteAgentToken;
import io.elasticci.buildkite.token.api.v1alpha1.BuildkiteAgentTokenSpec;
import io.elasticci.buildkite.token.api.v1alpha1.BuildkiteAgentTokenStatus;
import io.elasticci.buildkite.token.aws.AwsScope;
import io.elasticci.buildkite.token.config.OperatorConfig;
import io.elasticci.buildkite.token.plan.DesiredToken;
import io.elasticci.buildkite.token.plan.Problem;
import io.elasticci.buildkite.token.plan.Reason;
import io.elasticci.buildkite.token.reconcile.act.EventPublisher;
import io.elasticci.buildkite.token.reconcile.act.EventReason;
import io.elasticci.buildkite.token.reconcile.act.StatementRemovals;
import io.elasticci.buildkite.token.reconcile.observe.InstalledCrd;
import io.elasticci.buildkite.token.reconcile.observe.TokenSource;
import io.elasticci.buildkite.token.reconcile.report.OperatorCauses;
import io.elasticci.buildkite.token.reconcile.report.ReconcileMetrics;
import io.elasticci.buildkite.token.reconcile.report.Requeue;
import io.elasticci.buildkite.token.reconcile.report.StatusAggregator;
import io.elasticci.buildkite.token.reconcile.report.StatusTransitions;
import io.elasticci.buildkite.token.reconcile.report.StatusWriter;
import io.fabric8.kubernetes.api.model.Secret;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Cleaner;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.DeleteControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;

/** validate → observe → plan → act → report, for one BuildkiteAgentToken. */
@ControllerConfiguration(name = BuildkiteAgentTokenReconciler.NAME, generationAwareEventProcessing = false,
        informer = @Informer(onUpdateFilter = SpecOrRequestChanged.class))
public class BuildkiteAgentTokenReconciler implements Reconciler<BuildkiteAgentToken>, Cleaner<BuildkiteAgentToken> {

    public static final String NAME = "buildkiteagenttoken";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final OperatorConfig config;
    private final Convergence convergence;
    private final InstallationSettings installation;
    private final EventPublisher events;
    private final Clock clock;
    private final SpecValidator validator;
    private final StatementRemovals removals;
    private final StatusTransitions transitions;
    private final OperatorCauses causes;
    private final InstalledCrd crd;
    private final String version;
    private final TokenDeletion deletion;
    private final StatusWriter statusWriter;
    private final ReconcileMetrics reconcileMetrics;

    @Inject
    public BuildkiteAgentTokenReconciler(OperatorConfig config, Convergence convergence,
            InstallationSettings installation, EventPublisher events, Clock clock, StatementRemovals removals,
            StatusTransitions transitions, OperatorCauses causes, InstalledCrd crd,
            @ConfigProperty(name = "quarkus.application.version", defaultValue = "unknown") String version,
            TokenDeletion deletion, StatusWriter statusWriter, ReconcileMetrics reconcileMetrics) {
        this.reconcileMetrics = reconcileMetrics;
        this.deletion = deletion;
        this.statusWriter = statusWriter;
        this.causes = causes;
        this.crd = crd;
        this.version = version;
        this.removals = removals;
        this.transitions = transitions;
        this.config = config;
        this.convergence = convergence;
        this.installation = installation;
        this.events = events;
        this.clock = clock;
        this.validator = new SpecValidator(config.allowedSecretNamePrefixes(), config.allowedNamespaces());
    }

    @Override
    public List<EventSource<?, BuildkiteAgentToken>> prepareEventSources(
            EventSourceContext<BuildkiteAgentToken> context) {
        reconcileMetrics.watch(context.getPrimaryCache());
        return List.of(TokenSecretEvents.create(context, config.tokenSecretLabelSelector()));
    }

    @Override
    public UpdateControl<BuildkiteAgentToken> reconcile(BuildkiteAgentToken resource,
            Context<BuildkiteAgentToken> context) {
        long start = System.nanoTime();
        UpdateControl<BuildkiteAgentToken> control = converge(resource, context);
        reconcileMetrics.record(resource.getStatus(), System.nanoTime() - start);
        return control;
    }

    private UpdateControl<BuildkiteAgentToken> converge(BuildkiteAgentToken resource,
            Context<BuildkiteAgentToken> context) {
        ResourceReads.readLatestStatus(resource, context);
        BuildkiteAgentTokenSpec spec = resource.getSpec();
        long generation = Objects.requireNonNullElse(resource.getMetadata().getGeneration(), 0L);
        BuildkiteAgentToken asRead = ResourceReads.asRead(resource, context);
        Optional<Problem> unreadable = Understanding.unreadable(asRead, version);
        if (unreadable.isPresent()) {
            return report(resource, StatusAggregator.Outcome.unobserved(generation, StatusAggregator.Mode.NORMAL,
                    List.of(unreadable.get())));
        }
        if (spec != null && spec.isSuspend()) {
            return report(resource, StatusAggregator.Outcome.unobserved(generation, StatusAggregator.Mode.SUSPENDED,
                    List.of()));
        }
        // what this build does not understand: observe and plan, change nothing
        List<Problem> holds = new ArrayList<>();
        Understanding.unknownFields(asRead, version).ifPresent(holds::add);
        crd.outdated().ifPresent(holds::add);
        List<String> errors = validator.validate(resource.getMetadata().getNamespace(), spec);
        if (!errors.isEmpty()) {
            holds.add(Problem.secret(Reason.InvalidSpec, null, String.join("; ", errors)));
            return report(resource, StatusAggregator.Outcome.unobserved(generation, StatusAggregator.Mode.NORMAL,
                    holds));
        }

        String clusterId;
        VersionTokens versionTokens;
        try {
            clusterId = installation.clusterId();
            versionTokens = installation.versionTokens();
        } catch (OperatorSetupException e) {
            Problem misconfigured = Problem.secret(Reason.OperatorMisconfigured, null, e.getMessage());
            causes.observe(List.of(misconfigured));
            return report(resource, StatusAggregator.Outcome.unobserved(generation, StatusAggregator.Mode.NORMAL,
                    List.of(misconfigured)));
        }
        DesiredToken desired = DesiredTokens.of(resource, clusterId, context.getPrimaryCache().list().toList());
        if (resource.getStatus() != null && !Objects.equals(resource.getStatus().observedGeneration, generation)) {
            removals.reset(desired.owner()); // a new spec: earlier fights over the policy are forgiven
        }
        TokenSource.Read value = spec.getTokenSecretRef() == null
                ? new TokenSource.Read(Optional.empty(), Optional.empty())
                : TokenSource.read(resource.getMetadata().getNamespace(), spec.getTokenSecretRef(),
                        context.getSecondaryResource(Secret.class), config.tokenSecretLabelSelector());
        boolean readOnly = spec.isDryRun() || !holds.isEmpty();
        Convergence.Request request = new Convergence.Request(desired, value, versionTokens,
                DesiredTokens.previousRoles(resource), readOnly);
        Convergence.Result result = AwsScope.with(AwsPrincipals.of(resource),
                () -> convergence.run(request, action -> events.publish(resource, action)));
        result.failure().ifPresent(f -> events.publish(resource, EventReason.ActionFailed, f.message()));
        List<Problem> problems = new ArrayList<>(holds);
        problems.addAll(result.problems());
        causes.observe(problems);
        return report(resource, new StatusAggregator.Outcome(generation,
                readOnly ? StatusAggregator.Mode.DRY_RUN : StatusAggregator.Mode.NORMAL,
                Optional.of(result.desired()),
                result.snapshot(), result.shown(), result.pending(), problems, result.rotation()));
    }

    /** The resource was deleted: its finalizer stays until what it made in AWS is gone (deletionPolicy). */
    @Override
    public DeleteControl cleanup(BuildkiteAgentToken resource, Context<BuildkiteAgentToken> context) {
        return deletion.cleanup(resource, context);
    }

    private UpdateControl<BuildkiteAgentToken> report(BuildkiteAgentToken resource,
            StatusAggregator.Outcome outcome) {
        BuildkiteAgentTokenStatus previous = resource.getStatus();
        BuildkiteAgentTokenStatus status = StatusAggregator.build(outcome, previous, clock.instant());
        transitions.announce(resource, previous, status);
        Optional<Duration> requeue = Requeue.after(outcome, config);
        if (!JSON.valueToTree(status).equals(previous == null ? null : JSON.valueToTree(previous))) {
            statusWriter.write(resource, status); // on the fresh object: a concurrent change never drops it
        }
        resource.setStatus(status);
        UpdateControl<BuildkiteAgentToken> control = UpdateControl.noUpdate();
        requeue.ifPresent(control::rescheduleAfter);
        return control;
    }
}
