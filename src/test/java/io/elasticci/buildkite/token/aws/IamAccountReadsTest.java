package io.elasticci.buildkite.token.aws;

import static io.elasticci.buildkite.token.aws.GatewayTestSupport.AWS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.stream.IntStream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.elasticci.buildkite.token.emulator.AwsEmulator;
import io.elasticci.buildkite.token.emulator.IamState;
import io.elasticci.buildkite.token.emulator.MutableClock;

/** {@code bkat.aws.iam-account-reads}: roles and the operator's inline policies from one account-wide read. */
class IamAccountReadsTest {

    private static final Duration TTL = Duration.ofMinutes(15);
    private static final String POLICY = IamGateway.OWN_POLICY_PREFIX + "abc";

    private final MutableClock clock = new MutableClock();
    private final SdkIamGateway iam = new SdkIamGateway(GatewayTestSupport.clients(), new PartitionHolder(), clock,
            TTL, true);
    private final String id = UUID.randomUUID().toString().substring(0, 8);

    private static IamState state() {
        return AWS.iam(AwsEmulator.DEFAULT_ACCOUNT);
    }

    private static String document(String parameter) {
        return "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"ssm:GetParameter\","
                + "\"Resource\":\"arn:aws:ssm:us-west-2:123456789012:parameter/" + parameter + "\"}]}";
    }

    private static long calls(String operation) {
        return AWS.calls().count("iam", operation);
    }

    /** Calls one whole account read takes: a page per {@link SdkIamGateway#ACCOUNT_READ_PAGE} roles. */
    private static long pages() {
        int page = SdkIamGateway.ACCOUNT_READ_PAGE;
        return (state().roles().size() + page - 1) / page;
    }

    @AfterEach
    void clearFaults() {
        AWS.faults().clear();
    }

    @Test
    void manyRolesAndTheirPoliciesCostOneAccountReadAndNoPerRoleCall() {
        // More roles than a page, the operator's policy on the last: every page is read and kept.
        List<String> roles = IntStream.range(0, SdkIamGateway.ACCOUNT_READ_PAGE + 40)
                .mapToObj(i -> "acct-" + id + "-" + i).toList();
        roles.forEach(r -> state().createRole(r));
        String last = roles.get(roles.size() - 1);
        state().putInlinePolicy(last, POLICY, document("last"));
        state().putInlinePolicy(roles.get(3), POLICY, document("three"));
        state().putInlinePolicy(roles.get(4), "SomeoneElses", document("other"));
        long reads = calls("GetAccountAuthorizationDetails");
        long getRole = calls("GetRole");
        long getRolePolicy = calls("GetRolePolicy");

        for (String role : roles) {
            RoleInfo info = iam.role(role).orElseThrow();
            assertThat(info.roleId()).isEqualTo(state().role(role).orElseThrow().roleId());
            assertThat(iam.inlinePolicy(role, POLICY)).isEqualTo(role.equals(roles.get(3))
                    ? java.util.Optional.of(document("three"))
                    : role.equals(last) ? java.util.Optional.of(document("last")) : java.util.Optional.empty());
        }

        assertThat(calls("GetAccountAuthorizationDetails") - reads).isEqualTo(pages()).isGreaterThan(1);
        assertThat(calls("GetRole") - getRole).isZero();
        assertThat(calls("GetRolePolicy") - getRolePolicy).isZero();
        // Not the operator's: not kept from the account read, so asked of IAM.
        assertThat(iam.inlinePolicy(roles.get(4), "SomeoneElses")).contains(document("other"));
        assertThat(calls("GetRolePolicy") - getRolePolicy).isEqualTo(1);
    }

    @Test
    void aRoleCreatedSinceTheReadIsAskedForAndAMissingOneIsEmpty() {
        state().createRole("acct-old-" + id);
        assertThat(iam.role("acct-old-" + id)).isPresent();
        var fresh = state().createRole("acct-new-" + id);
        long getRole = calls("GetRole");

        assertThat(iam.role("acct-new-" + id)).map(RoleInfo::roleId).contains(fresh.roleId());
        assertThat(iam.role("acct-none-" + id)).isEmpty();
        assertThat(calls("GetRole") - getRole).isEqualTo(2);
    }

    @Test
    void ownWritesStandAndSomeoneElsesEditIsSeenWithinTheTtl() {
        String role = state().createRole("acct-edit-" + id).name();
        assertThat(iam.inlinePolicy(role, POLICY)).isEmpty(); // the account read, at t0
        clock.advance(Duration.ofMinutes(5));
        iam.putInlinePolicy(role, POLICY, document("mine")); // at t0 + 5
        long reads = calls("GetAccountAuthorizationDetails");
        clock.advance(Duration.ofMinutes(10));
        state().putInlinePolicy(role, POLICY, document("edited"));
        clock.advance(Duration.ofMinutes(1));
        assertThat(iam.inlinePolicy(role, POLICY)).as("our write, trusted for its TTL though the read has expired")
                .contains(document("mine"));
        assertThat(calls("GetAccountAuthorizationDetails") - reads).isZero();
        clock.advance(Duration.ofMinutes(5));
        assertThat(iam.inlinePolicy(role, POLICY)).as("a new account read shows the edit").contains(document("edited"));
        assertThat(calls("GetAccountAuthorizationDetails") - reads).isEqualTo(pages());
    }

    @Test
    void aReCreatedRoleIsReadAgainOnceForgotten() {
        String role = state().createRole("acct-re-" + id).name();
        String before = iam.role(role).orElseThrow().roleId();
        String after = state().recreateRole(role).roleId();
        assertThat(iam.role(role)).map(RoleInfo::roleId).as("the account read stands until forgotten")
                .contains(before);
        iam.forgetInlinePolicies();
        assertThat(iam.role(role)).map(RoleInfo::roleId).contains(after);
    }

    @Test
    void withoutThePermissionItReadsRoleByRoleAndAsksOncePerTtl() {
        String role = state().createRole("acct-denied-" + id).name();
        AWS.faults().failNext("iam", "GetAccountAuthorizationDetails", "AccessDenied", "not authorized");
        long reads = calls("GetAccountAuthorizationDetails");
        long getRole = calls("GetRole");

        assertThat(iam.role(role)).isPresent();
        assertThat(iam.role(role)).isPresent();
        assertThat(calls("GetRole") - getRole).isEqualTo(2);
        assertThat(calls("GetAccountAuthorizationDetails") - reads).isEqualTo(1);
        clock.advance(TTL);
        assertThat(iam.role(role)).isPresent();
        assertThat(calls("GetAccountAuthorizationDetails") - reads).as("the denied page, then a whole read")
                .isEqualTo(1 + pages());
        assertThat(calls("GetRole") - getRole).isEqualTo(2);
    }

    @Test
    void aFailedAccountReadFailsThePassAndIsNotKept() {
        String role = state().createRole("acct-fail-" + id).name();
        for (int i = 0; i < 2; i++) {
            AWS.faults().failNext("iam", "GetAccountAuthorizationDetails", "ServiceFailure", "boom");
        }
        assertThatThrownBy(() -> iam.role(role)).isInstanceOfSatisfying(AwsFailure.class,
                f -> assertThat(f.operation()).isEqualTo("GetAccountAuthorizationDetails"));
        assertThat(iam.role(role)).isPresent();
    }
}
