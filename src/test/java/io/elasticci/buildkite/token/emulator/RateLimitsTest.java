package io.elasticci.buildkite.token.emulator;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

/** The quota arithmetic, on a stepped ticker: which calls share a bucket, how buckets refill. */
class RateLimitsTest {

    private static final String ACCOUNT = "123456789012";
    private final AtomicLong now = new AtomicLong();
    private final RateLimits limits = new RateLimits(now::get);

    private int admitted(int calls, String service, String operation, String region) {
        int admitted = 0;
        for (int i = 0; i < calls; i++) {
            admitted += limits.admit(service, operation, region, ACCOUNT) ? 1 : 0;
        }
        return admitted;
    }

    @Test
    void withoutQuotasEveryCallIsAdmitted() {
        assertThat(admitted(10_000, "iam", "GetRole", "us-east-1")).isEqualTo(10_000);
    }

    @Test
    void aQuotaAdmitsOneSecondsWorthAtOnceThenRefillsWithTime() {
        limits.limit("secretsmanager", RateLimits.Scope.REGION, 50, "PutResourcePolicy", "GetResourcePolicy");

        assertThat(admitted(60, "secretsmanager", "GetResourcePolicy", "us-east-1")).isEqualTo(50);
        now.addAndGet(TimeUnit.MILLISECONDS.toNanos(100));
        assertThat(admitted(10, "secretsmanager", "PutResourcePolicy", "us-east-1")).as("shares the bucket")
                .isEqualTo(5);
        now.addAndGet(TimeUnit.SECONDS.toNanos(10));
        assertThat(admitted(60, "secretsmanager", "GetResourcePolicy", "us-east-1")).as("never above the burst")
                .isEqualTo(50);
    }

    @Test
    void groupsRegionsAndAccountsHaveBucketsOfTheirOwn() {
        limits.limit("secretsmanager", RateLimits.Scope.REGION, 2, "PutSecretValue")
                .limit("secretsmanager", RateLimits.Scope.REGION, 1);
        assertThat(admitted(5, "secretsmanager", "PutSecretValue", "us-east-1")).isEqualTo(2);
        assertThat(admitted(5, "secretsmanager", "PutSecretValue", "us-west-2")).as("another region").isEqualTo(2);
        assertThat(admitted(5, "secretsmanager", "CreateSecret", "us-east-1")).as("the rest of the service")
                .isEqualTo(1);
        assertThat(admitted(5, "secretsmanager", "DeleteSecret", "us-east-1")).as("shares the rest's bucket")
                .isZero();
        assertThat(limits.admit("secretsmanager", "PutSecretValue", "us-east-1", "210987654321"))
                .as("another account").isTrue();
        assertThat(admitted(5, "kms", "DescribeKey", "us-east-1")).as("no quota for KMS").isEqualTo(5);
    }

    @Test
    void anAccountWideQuotaIgnoresTheRegion() {
        limits.limit("iam", RateLimits.Scope.ACCOUNT, 3);
        assertThat(admitted(2, "iam", "GetRole", "us-east-1") + admitted(2, "iam", "PutRolePolicy", "us-west-2"))
                .isEqualTo(3);
    }

    @Test
    void clearRemovesEveryQuota() {
        limits.awsQuotas(10, 5);
        assertThat(limits.quotas()).isNotEmpty();
        assertThat(admitted(20, "iam", "GetRole", "us-east-1")).isEqualTo(10);
        limits.clear();
        assertThat(admitted(20, "iam", "GetRole", "us-east-1")).isEqualTo(20);
    }
}
