package io.elasticci.buildkite.token.plan;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import io.elasticci.buildkite.token.aws.InstanceDescription;
import io.elasticci.buildkite.token.aws.RefreshDescription;
import io.elasticci.buildkite.token.aws.ReplicaDescription;
import io.elasticci.buildkite.token.aws.SecretDescription;

/**
 * A new version's way to every instance: it must be AWSCURRENT in every replica region, then every stack's instances
 * are refreshed (they read the token only at boot), and only when every in-service instance was launched after the
 * version was current everywhere is the previous version declared revocable.
 */
final class RotationPlanner {

    static final Set<String> FAILED = Set.of("Failed", "Cancelled", "RollbackSuccessful", "RollbackFailed");

    private RotationPlanner() {
    }

    static Optional<RotationState> plan(DesiredToken desired, Snapshot snapshot, List<Action> actions,
            List<Problem> problems) {
        DesiredToken.Rollout rollout = desired.rollout();
        Optional<SecretDescription> secret = snapshot.secret().filter(s -> !s.isReplica());
        Optional<String> current = secret.flatMap(SecretDescription::currentVersionId);
        if (current.isEmpty()) {
            return rollout.previous();
        }
        RolloutObservation seen = snapshot.rollout();
        Instant now = seen.observedAt();
        RotationState state = rollout.previous()
                .map(prev -> prev.versionId().equals(current.get()) ? prev : prev.next(current.get(), now))
                .orElseGet(() -> new RotationState(current.get(), null, now, null, List.of(), List.of()));
        if (!seen.observed()) {
            String version = state.versionId();
            seen.busy().ifPresent(busy -> problems.add(Problem.of(Problem.Scope.ROLLOUT, Reason.Throttled,
                    busy.region(), "the rollout of version " + version + " was not followed this time: Auto Scaling "
                            + "calls in " + busy.region() + " would wait " + busy.queueWait().toSeconds() + " s for "
                            + "the account's quota (bkat.aws.rate-limits.autoscaling) behind other tokens' calls")));
            return Optional.of(state); // nothing in flight was read: keep what status remembers
        }
        if (snapshot.partial()) {
            return Optional.of(state); // the version is not known to be current everywhere: no refresh, no revocation
        }
        boolean syncSeenNow = state.inSyncAt() == null;
        if (syncSeenNow) {
            List<String> lagging = desired.replicaRegions().stream().map(DesiredToken.DesiredRegion::region)
                    .filter(region -> !servesCurrent(secret.get(), seen, region, current.get())).toList();
            if (!lagging.isEmpty()) {
                problems.add(Problem.of(Problem.Scope.ROLLOUT, Reason.ReplicationInProgress, lagging.get(0),
                        "version " + current.get() + " is not yet AWSCURRENT in " + String.join(", ", lagging)));
                return Optional.of(state);
            }
            state = state.inSync(now);
        }
        if (state.complete()) {
            return Optional.of(state.withRefreshes(followed(state, seen))); // rolled out: only follow the refreshes
        }
        state = state.withRefreshes(refreshes(desired, state, seen, actions, problems));
        if (syncSeenNow) {
            state = state.inSync(syncedBy(state, seen, now));
        }
        if (allLaunchedAfter(seen, state.inSyncAt(), state, problems)) {
            state = state.previousRevocable();
        }
        return Optional.of(state);
    }

    /**
     * When the version was in sync everywhere, seen for the first time now: now, unless a refresh of this version is
     * already running or done. The operator starts one only once the version is in sync, so one found in AWS and not
     * in status (a process killed after starting it, before writing status) dates the sync no later than its start;
     * judged against now instead, the instances it launched would look outdated and the rotation never end.
     */
    private static Instant syncedBy(RotationState state, RolloutObservation seen, Instant now) {
        return seen.fleets().stream().flatMap(f -> f.refreshes().stream())
                .filter(r -> r.startTime() != null && state.refreshes().stream().anyMatch(k -> k.id().equals(r.id())))
                .map(RefreshDescription::startTime).filter(now::isAfter).min(Instant::compareTo).orElse(now);
    }

    /** The refreshes status remembers, with their latest status; nothing started, nothing reported. */
    private static List<RotationState.Refresh> followed(RotationState state, RolloutObservation seen) {
        List<RotationState.Refresh> followed = new ArrayList<>();
        for (RotationState.Refresh known : state.refreshes()) {
            Optional<RefreshDescription> now = seen.fleets().stream().filter(f -> f.key().equals(known.key()))
                    .flatMap(f -> f.refreshes().stream()).filter(r -> r.id().equals(known.id())).findFirst();
            followed.add(now.map(r -> new RotationState.Refresh(known.region(), known.stack(), known.group(), r.id(),
                    r.status(), r.percentComplete(), r.statusReason())).orElse(known));
        }
        return followed;
    }

    private static boolean servesCurrent(SecretDescription secret, RolloutObservation seen, String region,
            String version) {
        boolean inSync = secret.replica(region).map(r -> ReplicaDescription.IN_SYNC.equals(r.status())).orElse(false);
        return inSync && version.equals(seen.replicaCurrentVersions().get(region));
    }

    private static List<RotationState.Refresh> refreshes(DesiredToken desired, RotationState state,
            RolloutObservation seen, List<Action> actions, List<Problem> problems) {
        DesiredToken.Rollout rollout = desired.rollout();
        List<RotationState.Refresh> refreshes = new ArrayList<>();
        if (!rollout.refreshInstances()) {
            return refreshes;
        }
        for (RolloutObservation.Fleet fleet : seen.fleets()) {
            String where = "stack " + fleet.stack() + " in " + fleet.region();
            Optional<String> knownId = state.refreshOf(fleet.key()).map(RotationState.Refresh::id);
            // Ours: the one status remembers, or (status lost) one started since the version was created that no
            // earlier rotation claimed (a rolled-back version is old: its creation says little).
            Instant since = seen.versionCreated().orElse(state.observedAt());
            Optional<RefreshDescription> ours = fleet.refreshes().stream()
                    .filter(r -> knownId.map(r.id()::equals).orElse(r.startTime() != null
                            && !r.startTime().isBefore(since) && !state.earlierRefreshIds().contains(r.id())))
                    .findFirst();
            if (ours.isEmpty()) {
                Optional<RefreshDescription> other = fleet.refreshes().stream().filter(RefreshDescription::active)
                        .findFirst();
                if (other.isPresent()) {
                    problems.add(Problem.of(Problem.Scope.ROLLOUT, Reason.RefreshInProgress, fleet.region(), where
                            + ": waiting for refresh " + other.get().id() + " (started before this version) to end"));
                } else {
                    actions.add(new Action.StartInstanceRefresh(fleet.region(), fleet.stack(), fleet.group(),
                            rollout.minHealthyPercentage(), rollout.protectedInstances(), state.versionId()));
                }
                continue;
            }
            RefreshDescription refresh = ours.get();
            refreshes.add(new RotationState.Refresh(fleet.region(), fleet.stack(), fleet.group(), refresh.id(),
                    refresh.status(), refresh.percentComplete(), refresh.statusReason()));
            if (FAILED.contains(refresh.status())) {
                problems.add(Problem.of(Problem.Scope.ROLLOUT, Reason.RefreshFailed, fleet.region(), where
                        + ": instance refresh " + refresh.id() + " ended " + refresh.status()
                        + (refresh.statusReason() == null ? "" : " (" + refresh.statusReason() + ")")
                        + "; not restarted for this version: refresh the group by hand"));
            } else if (refresh.active()) {
                problems.add(Problem.of(Problem.Scope.ROLLOUT, Reason.RefreshInProgress, fleet.region(), where
                        + ": instance refresh " + refresh.id() + " is " + refresh.status()
                        + (refresh.percentComplete() == null ? "" : " (" + refresh.percentComplete() + "%)")));
            }
        }
        return refreshes;
    }

    /**
     * Whether every in-service instance of every stack booted after the version was current everywhere: only then
     * can no instance hold the previous token. Judged on launch times, not on a "Successful" refresh (which, with
     * Ignore, may have replaced nothing).
     */
    private static boolean allLaunchedAfter(RolloutObservation seen, Instant inSyncAt, RotationState state,
            List<Problem> problems) {
        List<RolloutObservation.Fleet> replacing = seen.fleets().stream().filter(f -> !f.instancesRead()).toList();
        if (!replacing.isEmpty()) {
            if (problems.stream().noneMatch(p -> p.scope() == Problem.Scope.ROLLOUT)) {
                problems.add(Problem.of(Problem.Scope.ROLLOUT, Reason.RefreshInProgress, replacing.get(0).region(),
                        "version " + state.previousVersionId() + " is not revocable yet: instances are being "
                                + "replaced by a running refresh in " + String.join(", ", replacing.stream()
                                        .map(f -> "stack " + f.stack() + " in " + f.region()).toList())));
            }
            return false;
        }
        List<String> outdated = new ArrayList<>();
        for (RolloutObservation.Fleet fleet : seen.fleets()) {
            for (InstanceDescription instance : fleet.instances()) {
                if (instance.inService() && (instance.launchTime() == null || !instance.launchTime().isAfter(inSyncAt))) {
                    outdated.add(instance.id() + (instance.protectedFromScaleIn() ? " (scale-in protected)" : ""));
                }
            }
        }
        if (outdated.isEmpty()) {
            return true;
        }
        if (problems.stream().noneMatch(p -> p.scope() == Problem.Scope.ROLLOUT)) {
            problems.add(Problem.of(Problem.Scope.ROLLOUT, Reason.InstancesOutdated, null, "version "
                    + state.previousVersionId() + " is not revocable yet: " + outdated.size()
                    + " instances booted before version " + state.versionId() + " was current everywhere: "
                    + String.join(", ", outdated.subList(0, Math.min(5, outdated.size())))));
        }
        return false;
    }

    /** Secrets Manager rotation as the spec wants it (rotation.automatic). */
    static void planAutomaticRotation(DesiredToken desired, SecretDescription secret, List<Action> actions) {
        DesiredToken.Rollout rollout = desired.rollout();
        if (rollout.rotationLambdaArn().isEmpty()) {
            return;
        }
        String lambda = rollout.rotationLambdaArn().get();
        String schedule = rollout.rotationSchedule().orElse("");
        if (!lambda.equals(secret.rotationLambdaArn()) || !schedule.equals(secret.rotationSchedule())) {
            actions.add(new Action.ConfigureRotation(desired.primaryRegion(), secret.arn(), lambda, schedule));
        }
    }
}
