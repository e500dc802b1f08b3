package io.elasticci.buildkite.token.aws;

import static io.elasticci.buildkite.token.aws.GatewayTestSupport.AWS;
import static io.elasticci.buildkite.token.aws.GatewayTestSupport.kms;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.UUID;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.elasticci.buildkite.token.emulator.AwsEmulator;
import io.elasticci.buildkite.token.emulator.KmsState;

class SdkKmsAndStsGatewayTest {

    private static final String REGION = "eu-west-1";
    private final AwsClients clients = GatewayTestSupport.clients();
    private final SdkKmsGateway kmsGateway = new SdkKmsGateway(clients);

    @AfterEach
    void clearFaults() {
        AWS.faults().clear();
    }

    @Test
    void describesAKeyByIdArnAliasAndAliasArn() {
        KmsState.KeyInfo key = kms().createKey(REGION);
        String alias = "alias/gw-" + UUID.randomUUID();
        kms().createAlias(REGION, alias, key.keyId());
        String aliasArn = "arn:aws:kms:" + REGION + ":" + AwsEmulator.DEFAULT_ACCOUNT + ":" + alias;
        for (String ref : new String[] {key.keyId(), key.arn(), alias, aliasArn}) {
            assertThat(kmsGateway.describeKey(REGION, ref)).as(ref).hasValueSatisfying(k -> {
                assertThat(k.keyId()).isEqualTo(key.keyId());
                assertThat(k.arn()).isEqualTo(key.arn());
                assertThat(k.enabled()).isTrue();
                assertThat(k.awsManaged()).isFalse();
            });
        }
    }

    @Test
    void managedKeyExistsOnFirstReferenceInEachRegion() {
        KmsKey east = kmsGateway.describeKey("ap-southeast-2", KeyResolver.MANAGED_KEY_ALIAS).orElseThrow();
        KmsKey west = kmsGateway.describeKey("ap-southeast-1", KeyResolver.MANAGED_KEY_ALIAS).orElseThrow();
        assertThat(east.awsManaged()).isTrue();
        assertThat(east.arn()).isNotEqualTo(west.arn()).contains("ap-southeast-2");
    }

    @Test
    void missingKeyIsEmptyAndDisabledKeyIsNotEnabled() {
        assertThat(kmsGateway.describeKey(REGION, "alias/does-not-exist-" + UUID.randomUUID())).isEmpty();
        KmsState.KeyInfo key = kms().createKey(REGION);
        kms().disableKey(REGION, key.keyId());
        assertThat(kmsGateway.describeKey(REGION, key.keyId())).hasValueSatisfying(
                k -> assertThat(k.enabled()).isFalse());
    }

    @Test
    void accessDeniedIsAFailure() {
        AWS.faults().failNext("kms", "DescribeKey", "AccessDeniedException", "not allowed");
        assertThatThrownBy(() -> kmsGateway.describeKey(REGION, "alias/x")).isInstanceOfSatisfying(
                AwsFailure.class, f -> assertThat(f.kind()).isEqualTo(AwsFailure.Kind.ACCESS_DENIED));
    }

    @Test
    void keyPoliciesAreReadOncePerTtlAndAnEditIsSeenAfterIt() {
        KmsState.KeyInfo key = kms().createKey(REGION);
        io.elasticci.buildkite.token.emulator.MutableClock clock = new io.elasticci.buildkite.token.emulator
                .MutableClock();
        SdkKmsGateway cached = new SdkKmsGateway(clients, clock, Duration.ofMinutes(15));
        long before = AWS.calls().count("kms", "GetKeyPolicy", REGION);
        String policy = cached.keyPolicy(REGION, key.keyId());
        assertThat(cached.keyPolicy(REGION, key.keyId())).isEqualTo(policy);
        assertThat(AWS.calls().count("kms", "GetKeyPolicy", REGION) - before).isEqualTo(1);

        kms().setKeyPolicyWithoutRootDelegation(REGION, key.keyId(), "arn:aws:iam::123456789012:role/admin");
        clock.advance(Duration.ofMinutes(14));
        assertThat(cached.keyPolicy(REGION, key.keyId())).as("within the TTL").isEqualTo(policy);
        clock.advance(Duration.ofMinutes(1));
        assertThat(cached.keyPolicy(REGION, key.keyId())).as("the edit, once the TTL is over").isNotEqualTo(policy)
                .contains("role/admin");
        assertThat(AWS.calls().count("kms", "GetKeyPolicy", REGION) - before).isEqualTo(2);
        assertThat(kmsGateway.keyPolicy(REGION, key.keyId())).as("no TTL: read every time").contains("role/admin");
    }

    @Test
    void resolverCachesKeyIdsForeverAndAliasesForTheirTtl() {
        KmsState.KeyInfo key = kms().createKey(REGION);
        String alias = "alias/ttl-" + UUID.randomUUID();
        kms().createAlias(REGION, alias, key.keyId());
        Instant[] now = {Instant.parse("2026-01-01T00:00:00Z")};
        Clock clock = new Clock() {
            public java.time.ZoneId getZone() {
                return ZoneOffset.UTC;
            }

            public Clock withZone(java.time.ZoneId zone) {
                return this;
            }

            public Instant instant() {
                return now[0];
            }
        };
        KeyResolver resolver = new KeyResolver(kmsGateway, clock, Duration.ofMinutes(5));
        long before = AWS.calls().count("kms", "DescribeKey", REGION);
        resolver.resolve(REGION, key.keyId());
        resolver.resolve(REGION, key.keyId());
        resolver.resolve(REGION, alias);
        resolver.resolve(REGION, alias);
        assertThat(AWS.calls().count("kms", "DescribeKey", REGION) - before).isEqualTo(2);

        KmsState.KeyInfo other = kms().createKey(REGION);
        kms().updateAlias(REGION, alias, other.keyId());
        now[0] = now[0].plus(Duration.ofMinutes(6));
        assertThat(resolver.resolve(REGION, alias)).hasValueSatisfying(k -> assertThat(k.arn()).isEqualTo(other.arn()));
        assertThat(resolver.resolve(REGION, key.keyId())).hasValueSatisfying(k -> assertThat(k.arn())
                .isEqualTo(key.arn()));
        assertThat(AWS.calls().count("kms", "DescribeKey", REGION) - before).isEqualTo(3);
    }

    @Test
    void stsIdentityGivesAccountAndPartition() {
        CallerIdentity identity = new SdkStsGateway(clients, "us-east-1").callerIdentity();
        assertThat(identity.accountId()).isEqualTo(AwsEmulator.DEFAULT_ACCOUNT);
        assertThat(identity.partition()).isEqualTo("aws");
    }

    @Test
    void unknownCredentialsAreAccessDenied() {
        AWS.faults().failNext("sts", "GetCallerIdentity", "InvalidClientTokenId", "The security token is invalid");
        assertThatThrownBy(() -> new SdkStsGateway(clients, "us-east-1").callerIdentity())
                .isInstanceOfSatisfying(AwsFailure.class,
                        f -> assertThat(f.kind()).isEqualTo(AwsFailure.Kind.ACCESS_DENIED));
    }
}
