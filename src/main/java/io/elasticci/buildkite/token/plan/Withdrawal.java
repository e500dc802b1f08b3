package io.elasticci.buildkite.token.plan;

/**
 * What deleting the resource asks of AWS.
 *
 * @param deleteSecret deletionPolicy Delete: remove the replicas, then schedule the secret's deletion
 * @param recoveryWindowInDays how long the deleted secret stays restorable (7-30)
 * @param retainGrants deletionPolicy Retain with retainGrants: keep the policy statement and inline policies
 */
public record Withdrawal(boolean deleteSecret, int recoveryWindowInDays, boolean retainGrants) {

    public static final int DEFAULT_RECOVERY_WINDOW_DAYS = 30;
}
