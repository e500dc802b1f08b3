package io.elasticci.buildkite.token.reconcile.observe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import io.elasticci.buildkite.token.aws.AwsFailure;

/** Which failures leave a region unobserved and which still end the observation. */
class RegionOutagesTest {

    private static final String EAST = "us-east-1";
    private static final String EU = "eu-west-1";

    private static AwsFailure failure(AwsFailure.Kind kind, String region) {
        return failure(kind, kind.name(), region);
    }

    private static AwsFailure failure(AwsFailure.Kind kind, String errorCode, String region) {
        return new AwsFailure(kind, "kms", "DescribeKey", region, errorCode, null, null);
    }

    private static String failing(AwsFailure failure) {
        throw failure;
    }

    @Test
    void aReplicaRegionNotAnsweringIsLeftUnobservedAndNotCalledAgain() {
        RegionOutages outages = new RegionOutages(EAST);
        AwsFailure down = failure(AwsFailure.Kind.UNAVAILABLE, "ServiceUnavailable", EU);
        assertThat(outages.read(EU, () -> failing(down), "fallback")).isEqualTo("fallback");
        AtomicInteger calls = new AtomicInteger();
        assertThat(outages.read(EU, () -> "read " + calls.incrementAndGet(), "fallback")).isEqualTo("fallback");
        assertThat(calls).hasValue(0);
        assertThat(outages.failures()).containsOnlyKeys(EU).containsValue(down);
        assertThat(outages.observed(EU)).isFalse();
        assertThat(outages.read("us-west-2", () -> "read", "fallback")).isEqualTo("read");
    }

    @Test
    void noAnswerAtAllCountsAsAnOutage() {
        RegionOutages outages = new RegionOutages(EAST);
        outages.read(EU, () -> failing(new AwsFailure(AwsFailure.Kind.UNAVAILABLE, "kms", "DescribeKey", EU,
                "NoResponse", "ConnectException: Connection refused", null)), null);
        assertThat(outages.failures()).containsOnlyKeys(EU);
    }

    @Test
    void aThrottleA500OrTheSdksOwnTimeoutStillEndsTheObservation() {
        RegionOutages outages = new RegionOutages(EAST);
        assertThatThrownBy(() -> outages.read(EU, () -> failing(failure(AwsFailure.Kind.THROTTLED,
                "ThrottlingException", EU)), "")).isInstanceOf(AwsFailure.class);
        assertThatThrownBy(() -> outages.read(EU, () -> failing(failure(AwsFailure.Kind.UNAVAILABLE,
                "KMSInternalException", EU)), "")).isInstanceOf(AwsFailure.class);
        AwsFailure gaveUp = new AwsFailure(AwsFailure.Kind.UNAVAILABLE, "kms", "DescribeKey", EU, "NoResponse",
                "ApiCallTimeoutException: Client execution did not complete before the specified timeout", null);
        assertThatThrownBy(() -> outages.read(EU, () -> failing(gaveUp), "")).isSameAs(gaveUp);
        assertThat(outages.failures()).isEmpty();
    }

    @Test
    void thePrimaryRegionAccountWideReadsAndLastingFailuresStillEndTheObservation() {
        RegionOutages outages = new RegionOutages(EAST);
        assertThatThrownBy(() -> outages.read(EAST, () -> failing(failure(AwsFailure.Kind.UNAVAILABLE,
                "ServiceUnavailable", EAST)), ""))
                .isInstanceOf(AwsFailure.class);
        assertThatThrownBy(() -> outages.read(EU, () -> failing(failure(AwsFailure.Kind.ACCESS_DENIED, EU)), ""))
                .isInstanceOf(AwsFailure.class);
        assertThatThrownBy(() -> outages.read(EU, () -> failing(failure(AwsFailure.Kind.INVALID_REQUEST, EU)), ""))
                .isInstanceOf(AwsFailure.class);
        // An IAM call made while discovering a stack of eu-west-1 fails for the account, not for the region.
        assertThatThrownBy(() -> outages.read(EU, () -> failing(failure(AwsFailure.Kind.UNAVAILABLE,
                "ServiceUnavailable", "global")), "")).isInstanceOf(AwsFailure.class);
        assertThat(outages.failures()).isEmpty();
    }
}
