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
import io.elasticci.buildkite.token.api.v1alpha1.BuildkiteStatus;
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
    private final MintedTokens mintedTokens;

    @Inject
    public BuildkiteAgentTokenReconciler(OperatorConfig config, Convergence convergence,
            InstallationSettings installation, EventPublisher events, Clock clock, StatementRemovals removals,
            StatusTransitions transitions, OperatorCauses causes, InstalledCrd crd,
            @ConfigProperty(name = "quarkus.application.version", defaultValue = "unknown") String version,
            TokenDeletion deletion, StatusWriter statusWriter, ReconcileMetrics reconcileMetrics,
            MintedTokens mintedTokens) {
        this.mintedTokens = mintedTokens;
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
        UpdateControl<BuildkiteAgentToken> control;
        try {
            control = converge(resource, context);
        } catch (RuntimeException e) {
            reconcileMetrics.recordError(System.nanoTime() - start);
            throw e;
        }
        reconcileMetrics.record(resource, System.nanoTime() - start);
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
        List<String> errors = new ArrayList<>(validator.validate(resource.getMetadata().getNamespace(), spec));
        errors.addAll(BuildkiteSpecValidator.rotateAt(resource.getMetadata().getAnnotations()));
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
        Optional<MintedTokens.Prepared> minting = Optional.empty();
        if (spec.getBuildkite() != null) {
            TokenSource.Read apiToken = TokenSource.read(resource.getMetadata().getNamespace(),
                    spec.getBuildkite().getApiTokenSecretRef().asSecretKeyRef(),
                    context.getSecondaryResource(Secret.class), "spec.buildkite.apiTokenSecretRef",
                    config.tokenSecretLabelSelector());
            DesiredToken before = desired;
            MintedTokens.Prepared prepared = AwsScope.with(AwsPrincipals.of(resource),
                    () -> mintedTokens.prepare(resource, before, apiToken, versionTokens, !readOnly));
            if (prepared.problem().isPresent()) {
                holds.add(prepared.problem().get());
                causes.observe(holds);
                return report(resource, StatusAggregator.Outcome.unobserved(generation, StatusAggregator.Mode.NORMAL,
                        holds));
            }
            minting = Optional.of(prepared);
            // Only a token minted now is written; otherwise the value in AWS is the operator's own, kept as it is.
            value = new TokenSource.Read(prepared.minted(), Optional.empty());
            desired = desired.withValueManaged(prepared.minted().isPresent());
        }
        Convergence.Request request = new Convergence.Request(desired, value, versionTokens,
                DesiredTokens.previousRoles(resource), readOnly);
        Convergence.Result result = AwsScope.with(AwsPrincipals.of(resource),
                () -> convergence.run(request, action -> events.publish(resource, action)));
        result.failure().ifPresent(f -> events.publish(resource, EventReason.ActionFailed, f.message()));
        List<Problem> problems = new ArrayList<>(holds);
        problems.addAll(result.problems());
        Optional<MintedTokens.Finished> finished = minting.map(prepared -> AwsScope.with(AwsPrincipals.of(resource),
                () -> mintedTokens.finish(resource, request.desired(), prepared, result, !readOnly)));
        finished.ifPresent(f -> problems.addAll(f.problems()));
        causes.observe(problems);
        Optional<java.time.Instant> wakeAt = minting.flatMap(MintedTokens.Prepared::nextRotation);
        return report(resource, new StatusAggregator.Outcome(generation,
                readOnly ? StatusAggregator.Mode.DRY_RUN : StatusAggregator.Mode.NORMAL,
                Optional.of(result.desired()),
                result.snapshot(), result.shown(), result.pending(), problems, result.rotation()),
                finished.map(MintedTokens.Finished::status), wakeAt);
    }

    /** The resource was deleted: its finalizer stays until what it made in AWS is gone (deletionPolicy). */
    @Override
    public DeleteControl cleanup(BuildkiteAgentToken resource, Context<BuildkiteAgentToken> context) {
        DeleteControl control = deletion.cleanup(resource, context);
        reconcileMetrics.deletionStep(resource, control.isRemoveFinalizer());
        return control;
    }

    private UpdateControl<BuildkiteAgentToken> report(BuildkiteAgentToken resource,
            StatusAggregator.Outcome outcome) {
        return report(resource, outcome, Optional.empty(), Optional.empty());
    }

    /**
     * @param buildkite the Buildkite side (spec.buildkite), else the previous status's is kept
     * @param wakeAt when a scheduled token is due: the resource is looked at then at the latest
     */
    private UpdateControl<BuildkiteAgentToken> report(BuildkiteAgentToken resource, StatusAggregator.Outcome outcome,
            Optional<BuildkiteStatus> buildkite, Optional<java.time.Instant> wakeAt) {
        BuildkiteAgentTokenStatus previous = resource.getStatus();
        BuildkiteAgentTokenStatus status = StatusAggregator.build(outcome, previous, clock.instant());
        status.buildkite = buildkite.orElse(previous == null || resource.getSpec() == null
                || resource.getSpec().getBuildkite() == null ? null : previous.buildkite);
        transitions.announce(resource, previous, status);
        Optional<Duration> requeue = Requeue.after(outcome, config);
        if (requeue.isPresent() && wakeAt.isPresent()) {
            Duration untilDue = Duration.between(clock.instant(), wakeAt.get());
            requeue = Optional.of(untilDue.isNegative() ? Duration.ZERO
                    : untilDue.compareTo(requeue.get()) < 0 ? untilDue : requeue.get());
        }
        if (!JSON.valueToTree(status).equals(previous == null ? null : JSON.valueToTree(previous))) {
            statusWriter.write(resource, status); // on the fresh object: a concurrent change never drops it
        }
        resource.setStatus(status);
        UpdateControl<BuildkiteAgentToken> control = UpdateControl.noUpdate();
        requeue.ifPresent(control::rescheduleAfter);
        return control;
    }
}
