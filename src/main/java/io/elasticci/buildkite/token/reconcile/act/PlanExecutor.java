package io.elasticci.buildkite.token.reconcile.act;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;
import org.jboss.logging.MDC;

import io.elasticci.buildkite.token.aws.AutoScalingGateway;
import io.elasticci.buildkite.token.aws.AwsFailure;
import io.elasticci.buildkite.token.aws.CloudFormationGateway;
import io.elasticci.buildkite.token.aws.IamGateway;
import io.elasticci.buildkite.token.aws.KeyResolver;
import io.elasticci.buildkite.token.aws.NewReplica;
import io.elasticci.buildkite.token.aws.SecretValue;
import io.elasticci.buildkite.token.aws.SecretsManagerGateway;
import io.elasticci.buildkite.token.plan.Action;
import io.elasticci.buildkite.token.reconcile.observe.Parallel;

/**
 * Carries out a plan, one call per action (replica additions of one secret batched). Actions on one secret run one
 * after another (Secrets Manager refuses concurrent changes to a secret), as do actions on one role; independent ones
 * run concurrently (see {@link ActionSteps}). A failure stops the actions that wait for it.
 */
@ApplicationScoped
public class PlanExecutor {

    private static final Logger LOG = Logger.getLogger(PlanExecutor.class);

    private final SecretsManagerGateway secrets;
    private final KeyResolver keys;
    private final IamGateway iam;
    private final CloudFormationGateway cloudFormation;
    private final AutoScalingGateway autoScaling;
    private final Parallel parallel;

    /** What was done, and the failure that stopped the rest, if any. */
    public record Result(List<Action> done, Optional<Action> failedAction, Optional<AwsFailure> failure) {
        public boolean failed() {
            return failure.isPresent();
        }
    }

    @Inject
    public PlanExecutor(SecretsManagerGateway secrets, KeyResolver keys, IamGateway iam,
            CloudFormationGateway cloudFormation, AutoScalingGateway autoScaling, Parallel parallel) {
        this.parallel = parallel;
        this.autoScaling = autoScaling;
        this.secrets = secrets;
        this.keys = keys;
        this.iam = iam;
        this.cloudFormation = cloudFormation;
    }

    /**
     * Runs the plan's {@link ActionSteps steps}, independent ones concurrently on the shared pool. A step whose
     * predecessors did not all succeed is not started; independent steps still run. The result lists what was done,
     * in plan order, and the first failure in plan order.
     */
    public Result execute(List<Action> actions, Optional<SecretValue> value) {
        List<ActionSteps.Step> steps = ActionSteps.of(actions);
        List<CompletableFuture<Outcome>> outcomes = new ArrayList<>();
        for (ActionSteps.Step step : steps) {
            List<CompletableFuture<Outcome>> before = step.after().stream().map(outcomes::get).toList();
            outcomes.add(parallel.startAfter(before, () -> before.stream().allMatch(b -> b.join().done())
                    ? run(step, value) : Outcome.NOT_STARTED));
        }
        List<Action> done = new ArrayList<>();
        Optional<Action> failedAction = Optional.empty();
        Optional<AwsFailure> failure = Optional.empty();
        RuntimeException unexpected = null;
        for (int i = 0; i < steps.size(); i++) {
            ActionSteps.Step step = steps.get(i);
            Outcome outcome = outcomes.get(i).join();
            if (outcome.done()) {
                done.addAll(step.actions());
                step.actions().forEach(a -> log(a, "done", a.detail()));
            } else if (outcome.failure() instanceof AwsFailure e) {
                if (e.kind() == AwsFailure.Kind.KMS_KEY_INVALID) {
                    keys.invalidate(); // a cached key turned out unusable: resolve afresh next time
                }
                log(step.first(), "failed", e.getMessage());
                if (failure.isEmpty()) {
                    failedAction = Optional.of(step.first());
                    failure = Optional.of(e);
                }
            } else if (outcome.failure() != null && unexpected == null) {
                unexpected = outcome.failure();
            }
        }
        if (unexpected != null) {
            throw unexpected; // a bug, not an AWS answer: as before, it fails the reconcile
        }
        return new Result(done, failedAction, failure);
    }

    /** How a step ended: done, failed (with what), or not started because a step before it did not succeed. */
    private record Outcome(boolean done, RuntimeException failure) {
        static final Outcome DONE = new Outcome(true, null);
        static final Outcome NOT_STARTED = new Outcome(false, null);
    }

    private Outcome run(ActionSteps.Step step, Optional<SecretValue> value) {
        try {
            if (step.actions().size() == 1) {
                apply(step.first(), value);
            } else {
                replicate(step.actions());
            }
            return Outcome.DONE;
        } catch (RuntimeException e) {
            return new Outcome(false, e);
        }
    }

    /** Several replicas of one secret, added by one call. */
    private void replicate(List<Action> replicas) {
        Action.ReplicateSecret first = (Action.ReplicateSecret) replicas.get(0);
        secrets.replicate(first.primaryRegion(), first.secretId(), replicas.stream()
                .map(a -> (Action.ReplicateSecret) a).map(a -> new NewReplica(a.region(), a.kmsKeyId())).toList());
    }

    /**
     * One line per action, its fields also in the MDC for JSON logs (the resource's name and namespace are there
     * already, put by the SDK around the reconcile). Details and AWS messages never hold a secret value.
     */
    private static void log(Action action, String outcome, String detail) {
        MDC.put("action", action.name());
        MDC.put("region", action.region());
        MDC.put("outcome", outcome);
        try {
            if ("done".equals(outcome)) {
                LOG.infof("%s %s in %s: %s", action.name(), action.target(), action.region(), detail);
            } else {
                LOG.warnf("%s %s in %s failed: %s", action.name(), action.target(), action.region(), detail);
            }
        } finally {
            MDC.remove("action");
            MDC.remove("region");
            MDC.remove("outcome");
        }
    }

    private void apply(Action action, Optional<SecretValue> value) {
        if (action instanceof Action.CreateSecret a) {
            secrets.create(a.region(), a.secretName(), required(value), a.versionToken(), a.kmsKeyId(), a.tags());
        } else if (action instanceof Action.TagSecret a) {
            secrets.tag(a.region(), a.secretArn(), a.tags());
        } else if (action instanceof Action.UntagSecret a) {
            secrets.untag(a.region(), a.secretArn(), a.keys());
        } else if (action instanceof Action.UpdateSecretKey a) {
            secrets.updateKey(a.region(), a.secretArn(), a.kmsKeyId());
        } else if (action instanceof Action.PutSecretValue a) {
            secrets.putValue(a.region(), a.secretArn(), required(value), a.versionToken());
        } else if (action instanceof Action.RestoreVersion a) {
            secrets.moveCurrent(a.region(), a.secretArn(), a.versionId(), a.fromVersionId());
        } else if (action instanceof Action.ReplicateSecret a) {
            replicate(List.of(a));
        } else if (action instanceof Action.RekeyReplica a) {
            secrets.updateKey(a.region(), a.replicaArn(), a.kmsKeyId());
        } else if (action instanceof Action.RemoveReplica a) {
            secrets.removeReplica(a.primaryRegion(), a.secretArn(), a.region());
        } else if (action instanceof Action.PutResourcePolicy a) {
            List<String> errors = secrets.validateResourcePolicy(a.region(), a.secretId(), a.document());
            if (!errors.isEmpty()) {
                throw new AwsFailure(AwsFailure.Kind.MALFORMED_POLICY, "secretsmanager", "ValidateResourcePolicy",
                        a.region(), "PolicyValidationFailed", String.join("; ", errors), null);
            }
            secrets.putResourcePolicy(a.region(), a.secretId(), a.document());
        } else if (action instanceof Action.ScheduleSecretDeletion a) {
            secrets.scheduleDeletion(a.region(), a.secretArn(), a.recoveryWindowInDays());
        } else if (action instanceof Action.DeleteResourcePolicy a) {
            secrets.deleteResourcePolicy(a.region(), a.secretId());
        } else if (action instanceof Action.PutRolePolicy a) {
            iam.putInlinePolicy(a.roleName(), a.policyName(), a.document());
        } else if (action instanceof Action.DeleteRolePolicy a) {
            iam.deleteInlinePolicy(a.roleName(), a.policyName());
        } else if (action instanceof Action.StartInstanceRefresh a) {
            autoScaling.startRefresh(a.region(), a.group(), a.minHealthyPercentage(), a.protectedInstances());
        } else if (action instanceof Action.ConfigureRotation a) {
            secrets.configureRotation(a.region(), a.secretArn(), a.lambdaArn(), a.scheduleExpression());
        } else if (action instanceof Action.UpdateStackParameters a) {
            cloudFormation.updateParameters(a.region(), a.stackId(), a.parameterKeys(), a.values());
        } else {
            throw new IllegalStateException("no executor for " + action.name());
        }
    }

    private static SecretValue required(Optional<SecretValue> value) {
        return value.orElseThrow(() -> new IllegalStateException("a value action was planned without a value"));
    }
}
