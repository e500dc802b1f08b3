package io.elasticci.buildkite.token.reconcile.observe;

import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import io.elasticci.buildkite.token.aws.AutoScalingGateway;
import io.elasticci.buildkite.token.aws.RefreshDescription;
import io.elasticci.buildkite.token.aws.SecretDescription;
import io.elasticci.buildkite.token.aws.SecretsManagerGateway;
import io.elasticci.buildkite.token.config.OperatorConfig;
import io.elasticci.buildkite.token.plan.AccessObservation;
import io.elasticci.buildkite.token.plan.DesiredToken;
import io.elasticci.buildkite.token.plan.RolloutObservation;
import io.elasticci.buildkite.token.plan.RotationState;
import io.elasticci.buildkite.token.plan.StackObservation;

/**
 * Reads how far the current version has reached, but only while a rotation is rolling out: at steady state (the
 * first version seen, or the previous version already revocable) it costs no call at all.
 */
@ApplicationScoped
public class RolloutObserver {

    private final SecretsManagerGateway secrets;
    private final AutoScalingGateway autoScaling;
    private final Parallel parallel;
    private final Clock clock;
    private final Duration maxQueueWait;

    @Inject
    public RolloutObserver(SecretsManagerGateway secrets, AutoScalingGateway autoScaling, Parallel parallel,
            Clock clock, OperatorConfig config) {
        this(secrets, autoScaling, parallel, clock, config.progressInterval());
    }

    /** @param maxQueueWait the longest wait for the Auto Scaling quota worth holding a reconcile for */
    public RolloutObserver(SecretsManagerGateway secrets, AutoScalingGateway autoScaling, Parallel parallel,
            Clock clock, Duration maxQueueWait) {
        this.secrets = secrets;
        this.autoScaling = autoScaling;
        this.parallel = parallel;
        this.clock = clock;
        this.maxQueueWait = maxQueueWait;
    }

    /** @param outages where a replica region's reads fail transiently: its versions and groups are left out */
    public RolloutObservation observe(DesiredToken desired, Optional<SecretDescription> secret,
            AccessObservation access, RegionOutages outages) {
        Optional<String> current = secret.filter(s -> !s.isReplica()).flatMap(SecretDescription::currentVersionId);
        Optional<RotationState> previous = desired.rollout().previous();
        boolean settled = current.isEmpty() || previous.isEmpty()
                || previous.get().versionId().equals(current.get()) && previous.get().complete()
                        && previous.get().refreshesEnded();
        if (settled) {
            return RolloutObservation.notObserved(clock.instant());
        }
        List<StackObservation> withGroups = access.stacks().stream().filter(s -> s.autoScalingGroup() != null)
                .toList();
        Optional<RolloutObservation.Busy> busy = busiest(withGroups);
        if (busy.isPresent()) {
            return RolloutObservation.notObservedBusy(clock.instant(), busy.get());
        }
        String version = current.get();
        Map<String, String> replicaVersions = new HashMap<>();
        parallel.map(desired.replicaRegions().stream().map(DesiredToken.DesiredRegion::region).toList(),
                region -> outages.read(region, () -> secrets.describe(region, desired.secretName())
                        .flatMap(SecretDescription::currentVersionId).orElse(""), ""))
                .forEach(replicaVersions::put);
        Optional<java.time.Instant> created = secrets.versionCreated(desired.primaryRegion(), secret.get().arn(),
                version);
        List<RolloutObservation.Fleet> fleets = parallel.map(withGroups, s -> outages.read(s.region(),
                () -> fleet(s), (RolloutObservation.Fleet) null)).values().stream()
                .filter(java.util.Objects::nonNull).toList();
        return new RolloutObservation(clock.instant(), true, replicaVersions, created, fleets);
    }

    /**
     * The region whose Auto Scaling calls would wait longest, if longer than the progress interval: holding a
     * reconciler thread in that queue (hundreds of rotations at once) would starve every other token's reconcile,
     * and the rollout is looked at again within that interval anyway.
     */
    private Optional<RolloutObservation.Busy> busiest(List<StackObservation> stacks) {
        return stacks.stream().map(StackObservation::region).distinct()
                .map(region -> new RolloutObservation.Busy(region, autoScaling.queueWait(region)))
                .filter(b -> b.queueWait().compareTo(maxQueueWait) > 0)
                .max(java.util.Comparator.comparing(RolloutObservation.Busy::queueWait));
    }

    /** A stack's refreshes, and its instances unless a refresh is replacing them (a real one runs for minutes). */
    private RolloutObservation.Fleet fleet(StackObservation stack) {
        List<RefreshDescription> refreshes = autoScaling.refreshes(stack.region(), stack.autoScalingGroup());
        if (refreshes.stream().anyMatch(RefreshDescription::active)) {
            return RolloutObservation.Fleet.refreshRunning(stack.region(), stack.name(), stack.autoScalingGroup(),
                    refreshes);
        }
        return new RolloutObservation.Fleet(stack.region(), stack.name(), stack.autoScalingGroup(), refreshes,
                autoScaling.instances(stack.region(), stack.autoScalingGroup()));
    }
}
