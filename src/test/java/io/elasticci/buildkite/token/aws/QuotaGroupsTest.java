package io.elasticci.buildkite.token.aws;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

import io.elasticci.buildkite.token.config.OperatorConfig;
import io.elasticci.buildkite.token.emulator.RateLimits;
import io.smallrye.config.EnvConfigSource;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfigBuilder;

/** The operator paces each AWS quota apart: operations AWS counts together share a limiter, others do not. */
class QuotaGroupsTest {

    private static final String SM = "secretsmanager";

    @Test
    void secretsManagerOperationsFallIntoAwsQuotaGroups() {
        assertThat(QuotaGroups.of(SM, "PutSecretValue")).isEqualTo("secretsmanager-write");
        assertThat(QuotaGroups.of(SM, "ReplicateSecretToRegions")).isEqualTo("secretsmanager-write");
        assertThat(QuotaGroups.of(SM, "UpdateSecretVersionStage")).isEqualTo("secretsmanager-write");
        assertThat(QuotaGroups.of(SM, "GetResourcePolicy")).isEqualTo("secretsmanager-policy");
        assertThat(QuotaGroups.of(SM, "ValidateResourcePolicy")).isEqualTo("secretsmanager-policy");
        assertThat(QuotaGroups.of(SM, "TagResource")).isEqualTo("secretsmanager-tag");
        assertThat(QuotaGroups.of(SM, "DescribeSecret")).isEqualTo("secretsmanager-read");
        assertThat(QuotaGroups.of(SM, "GetSecretValue")).isEqualTo("secretsmanager-read");
        assertThat(QuotaGroups.of(SM, "CreateSecret")).as("in no group: the service's").isEqualTo(SM);
        assertThat(QuotaGroups.of("iam", "GetRole")).isEqualTo("iam");
        assertThat(QuotaGroups.of("kms", "DescribeSecret")).as("groups are per service").isEqualTo("kms");
    }

    @Test
    void theGroupsAreTheQuotasTheEmulatorEnforcesAsAwsDocumentsThem() {
        Set<Set<String>> emulator = new RateLimits().awsQuotas(10, 10).quotas().stream()
                .filter(q -> q.service().equals(SM) && !q.operations().isEmpty())
                .map(RateLimits.Quota::operations).collect(Collectors.toSet());
        Set<Set<String>> operator = QuotaGroups.GROUPS.stream().filter(g -> g.service().equals(SM))
                .map(QuotaGroups.Group::operations).collect(Collectors.toSet());

        assertThat(operator).isEqualTo(emulator);
    }

    @Test
    void oneLimiterPerQuotaGroupAndScope() {
        RateLimiters limiters = new RateLimiters(Map.of(SM, 25.0, "secretsmanager-read", 9000.0));

        RateLimiter put = limiters.forCall(SM, "PutSecretValue", "us-east-1", "us-east-1");
        assertThat(limiters.forCall(SM, "ReplicateSecretToRegions", "us-east-1", "us-east-1")).isSameAs(put);
        assertThat(limiters.forCall(SM, "PutSecretValue", "us-west-2", "us-west-2")).isNotSameAs(put);
        assertThat(limiters.forCall(SM, "PutSecretValue", "210987654321/us-east-1", "us-east-1"))
                .as("another account").isNotSameAs(put);
        assertThat(limiters.forCall(SM, "DescribeSecret", "us-east-1", "us-east-1")).isNotSameAs(put)
                .isSameAs(limiters.forCall(SM, "GetSecretValue", "us-east-1", "us-east-1"));
        assertThat(limiters.forCall(SM, "GetResourcePolicy", "us-east-1", "us-east-1")).isNotSameAs(put);
        assertThat(limiters.forCall(SM, "CreateSecret", "us-east-1", "us-east-1")).isNotSameAs(put)
                .isSameAs(limiters.forCall(SM, "DeleteSecret", "us-east-1", "us-east-1"));
    }

    @Test
    void aGroupsRateIsItsOwnElseItsServicesAsBeforeGroupsExisted() {
        RateLimiters limiters = new RateLimiters(Map.of(SM, 25.0, "secretsmanager-read", 9000.0));

        assertThat(limiters.forCall(SM, "DescribeSecret", "r", "r").permitsPerSecond()).isEqualTo(9000.0);
        assertThat(limiters.forCall(SM, "PutSecretValue", "r", "r").permitsPerSecond()).isEqualTo(25.0);
        assertThat(limiters.forCall(SM, "CreateSecret", "r", "r").permitsPerSecond()).isEqualTo(25.0);
        assertThat(limiters.forCall("iam", "GetRole", "aws", "aws-global").permitsPerSecond())
                .as("nothing set").isEqualTo(5.0);
    }

    @Test
    void shippedDefaultsAreJustUnderAwsQuotasAndEnvironmentVariablesOverrideGroupsAndServices() throws Exception {
        OperatorConfig config = new SmallRyeConfigBuilder().withMapping(OperatorConfig.class)
                .withSources(new PropertiesConfigSource(getClass().getResource("/application.properties"), 250))
                .withSources(new EnvConfigSource(Map.of("BKAT_AWS_RATE_LIMITS_SECRETSMANAGER_WRITE", "30",
                        "BKAT_AWS_RATE_LIMITS_IAM", "4"), 300))
                .build().getConfigMapping(OperatorConfig.class);
        RateLimiters limiters = new RateLimiters(config.aws().rateLimits());

        assertThat(limiters.forCall(SM, "PutSecretValue", "r", "r").permitsPerSecond()).isEqualTo(30.0);
        assertThat(limiters.forCall(SM, "PutResourcePolicy", "r", "r").permitsPerSecond()).isEqualTo(45.0);
        assertThat(limiters.forCall(SM, "TagResource", "r", "r").permitsPerSecond()).isEqualTo(45.0);
        assertThat(limiters.forCall(SM, "CreateSecret", "r", "r").permitsPerSecond()).isEqualTo(45.0);
        assertThat(limiters.forCall(SM, "GetSecretValue", "r", "r").permitsPerSecond()).isEqualTo(9000.0);
        assertThat(limiters.forCall("iam", "GetRole", "aws", "aws-global").permitsPerSecond()).isEqualTo(4.0);
    }
}
