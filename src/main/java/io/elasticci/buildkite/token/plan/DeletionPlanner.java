package io.elasticci.buildkite.token.plan;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

import io.elasticci.buildkite.token.api.v1alpha1.BuildkiteAgentToken;
import io.elasticci.buildkite.token.aws.ReplicaDescription;
import io.elasticci.buildkite.token.aws.SecretDescription;

/**
 * (desired, snapshot, withdrawal) → what deleting the resource still has to do, one step at a time: first its grants
 * (policy statement, inline role policies), then the ownership tag (Retain) or the replicas and the secret itself
 * (Delete). A later step waits for the earlier ones, so a failure never leaves a secret untagged, or deleted, while
 * roles can still read it through our grants. An empty plan without problems means the deletion is done. Pure.
 */
public final class DeletionPlanner {

    private DeletionPlanner() {
    }

    public static Plan plan(DesiredToken desired, Snapshot snapshot, Withdrawal withdrawal) {
        String account = snapshot.identity().accountId();
        if (desired.expectedAccountId().isPresent() && !desired.expectedAccountId().get().equals(account)) {
            return Plan.blocked(Problem.secret(Reason.AccountMismatch, null, "credentials are for AWS account "
                    + account + " but spec.expectedAccountId is " + desired.expectedAccountId().get()
                    + ": nothing is removed there"));
        }
        Optional<SecretDescription> secret = snapshot.secret()
                .filter(s -> !s.isReplica() && !s.scheduledForDeletion());
        String owner = secret.map(s -> s.tags().get(BuildkiteAgentToken.OWNER_TAG)).orElse(null);
        // Another resource's secret is never touched; an unowned one may still carry our statement.
        Optional<SecretDescription> touchable = secret.filter(s -> owner == null || owner.equals(desired.owner()));
        boolean owned = secret.isPresent() && desired.owner().equals(owner);

        List<Action> actions = new ArrayList<>();
        List<Problem> problems = new ArrayList<>();
        if (!withdrawal.retainGrants()) {
            DesiredToken withdrawn = desired.withoutGrants();
            touchable.ifPresent(s -> ResourcePolicyPlanner.plan(withdrawn, s.arn(),
                    snapshot.access().resourcePolicy(), List.of(), 0, false, actions, problems));
            PermissionsPlanner.plan(withdrawn, snapshot.withoutStacks(), actions, problems);
        }
        if (!actions.isEmpty() || !problems.isEmpty() || !owned) {
            return new Plan(actions, problems);
        }
        SecretDescription ours = secret.get();
        if (!withdrawal.deleteSecret()) {
            if (withdrawal.retainGrants()) {
                // Whoever owns the secret next removes these grants once its own are in place.
                List<String> hashes = new ArrayList<>(Planners.retainedHashes(ours.tags()));
                hashes.add(PolicyDocuments.ownerHash(desired.owner()));
                String retained = String.join(",", hashes.stream().distinct().toList());
                actions.add(new Action.TagSecret(desired.primaryRegion(), ours.arn(),
                        java.util.Map.of(BuildkiteAgentToken.RETAINED_GRANTS_TAG, retained)));
            }
            List<String> tags = ours.tags().keySet().stream().filter(k -> k.equals(BuildkiteAgentToken.OWNER_TAG)
                    || k.equals(BuildkiteAgentToken.MANAGED_TAGS_TAG)).sorted().toList();
            actions.add(new Action.UntagSecret(desired.primaryRegion(), ours.arn(), tags));
            return new Plan(actions, problems);
        }
        // AWS refuses to delete a primary that has replicas: every replica goes first, declared or not.
        ours.replicas().stream().map(ReplicaDescription::region).filter(Objects::nonNull).sorted()
                .forEach(region -> actions.add(new Action.RemoveReplica(region, ours.region(), ours.arn(),
                        "the resource was deleted with deletionPolicy Delete")));
        if (actions.isEmpty()) {
            actions.add(new Action.ScheduleSecretDeletion(ours.region(), ours.arn(),
                    withdrawal.recoveryWindowInDays()));
        }
        return new Plan(actions, problems);
    }
}
