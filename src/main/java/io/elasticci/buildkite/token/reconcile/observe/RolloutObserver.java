package io.elasticci.buildkite.token.reconcile.observe;

import java.time.Clock;
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

    @Inject
    public RolloutObserver(SecretsManagerGateway secrets, AutoScalingGateway autoScaling, Parallel parallel,
            Clock clock) {
        this.secrets = secrets;
        this.autoScaling = autoScaling;
        this.parallel = parallel;
        this.clock = clock;
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
        String version = current.get();
        Map<String, String> replicaVersions = new HashMap<>();
        parallel.map(desired.replicaRegions().stream().map(DesiredToken.DesiredRegion::region).toList(),
                region -> outages.read(region, () -> secrets.describe(region, desired.secretName())
                        .flatMap(SecretDescription::currentVersionId).orElse(""), ""))
                .forEach(replicaVersions::put);
        Optional<java.time.Instant> created = secrets.versionCreated(desired.primaryRegion(), secret.get().arn(),
                version);
        List<StackObservation> withGroups = access.stacks().stream().filter(s -> s.autoScalingGroup() != null)
                .toList();
        List<RolloutObservation.Fleet> fleets = parallel.map(withGroups, s -> outages.read(s.region(),
                () -> fleet(s), (RolloutObservation.Fleet) null)).values().stream()
                .filter(java.util.Objects::nonNull).toList();
        return new RolloutObservation(clock.instant(), true, replicaVersions, created, fleets);
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
