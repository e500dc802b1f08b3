package io.elasticci.buildkite.token.emulator;

import io.elasticci.buildkite.token.emulator.AutoScalingState.GroupInfo;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.services.autoscaling.AutoScalingClient;
import software.amazon.awssdk.services.autoscaling.model.AutoScalingException;
import software.amazon.awssdk.services.autoscaling.model.InstanceRefreshInProgressException;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.Ec2Exception;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** Call log, throttling, server errors and outages for Auto Scaling and EC2, as for the other services. */
class AutoScalingFaultsEmulatorTest extends EmulatorTestSupport {

    private static final String EAST = "us-east-1";
    private static final String WEST = "us-west-2";
    private static final String GROUP = "buildkite-ci-AgentAutoScaleGroup-1A2B3C4D5E6F";

    private static AutoScalingState state() {
        return emulator.autoScaling(AwsEmulator.DEFAULT_ACCOUNT);
    }

    @Test
    void callLogRecordsBothServicesWithWriteFlags() {
        GroupInfo g = state().createGroup(EAST, GROUP, 2);
        AutoScalingClient asg = clients.autoScaling(EAST);
        Ec2Client ec2 = clients.ec2(EAST);
        asg.describeAutoScalingGroups(b -> b.autoScalingGroupNames(GROUP));
        asg.startInstanceRefresh(b -> b.autoScalingGroupName(GROUP));
        asg.describeInstanceRefreshes(b -> b.autoScalingGroupName(GROUP));
        asg.cancelInstanceRefresh(b -> b.autoScalingGroupName(GROUP));
        ec2.describeInstances(b -> b.instanceIds(g.instanceIds()));
        try {
            asg.rollbackInstanceRefresh(b -> b.autoScalingGroupName(GROUP));
        } catch (AutoScalingException expected) {
            // Cancelling: nothing to roll back; still a write call, recorded as failed
        }
        try {
            clients.ec2(WEST).describeInstances(b -> b.instanceIds(g.instanceIds()));
        } catch (Ec2Exception expected) {
            // the instances live in us-east-1
        }

        CallLog log = emulator.calls();
        assertThat(log.all()).extracting(CallLog.Call::operation).containsExactly("DescribeAutoScalingGroups",
                "StartInstanceRefresh", "DescribeInstanceRefreshes", "CancelInstanceRefresh", "DescribeInstances",
                "RollbackInstanceRefresh", "DescribeInstances");
        assertThat(log.writes()).extracting(CallLog.Call::operation)
                .containsExactly("StartInstanceRefresh", "CancelInstanceRefresh", "RollbackInstanceRefresh");
        assertThat(log.calls("autoscaling", null)).hasSize(5);
        assertThat(log.count("ec2", "DescribeInstances", EAST)).isEqualTo(1);
        assertThat(log.count("ec2", "DescribeInstances", WEST)).isEqualTo(1);
        assertThat(log.failures()).extracting(CallLog.Call::errorCode)
                .containsExactly("ActiveInstanceRefreshNotFound", "InvalidInstanceID.NotFound");
        assertThat(log.all()).allSatisfy(c -> assertThat(c.account()).isEqualTo(AwsEmulator.DEFAULT_ACCOUNT));
        assertThat(log.all().get(1)).isEqualTo(new CallLog.Call("autoscaling", "StartInstanceRefresh", EAST,
                AwsEmulator.DEFAULT_ACCOUNT, true, 200, null, AwsEmulator.ACCESS_KEY));
    }

    @Test
    void throttlingUsesEachServicesCode() {
        state().createGroup(EAST, GROUP, 1);
        emulator.faults().throttleRate(1);

        AutoScalingException asgThrottled = catchThrowableOfType(AutoScalingException.class,
                () -> once.autoScaling(EAST).describeAutoScalingGroups(b -> { }));
        assertThat(asgThrottled.awsErrorDetails().errorCode()).isEqualTo("Throttling");
        assertThat(asgThrottled.awsErrorDetails().errorMessage()).isEqualTo("Rate exceeded");
        assertThat(asgThrottled.statusCode()).isEqualTo(400);
        assertThat(asgThrottled.isThrottlingException()).isTrue();

        Ec2Exception ec2Throttled = catchThrowableOfType(Ec2Exception.class,
                () -> once.ec2(EAST).describeInstances(b -> { }));
        assertThat(ec2Throttled.awsErrorDetails().errorCode()).isEqualTo("RequestLimitExceeded");
        assertThat(ec2Throttled.awsErrorDetails().errorMessage()).isEqualTo("Request limit exceeded.");
        assertThat(ec2Throttled.statusCode()).isEqualTo(503);
        assertThat(ec2Throttled.isThrottlingException()).isTrue();

        assertThat(emulator.calls().failures()).extracting(CallLog.Call::errorCode)
                .containsExactly("Throttling", "RequestLimitExceeded");
    }

    @Test
    void theSdkRetriesThrottledCalls() {
        state().createGroup(EAST, GROUP, 1);
        emulator.faults().failNext("autoscaling", "DescribeAutoScalingGroups", "Throttling", "Rate exceeded")
                .failNext("ec2", "DescribeInstances", "RequestLimitExceeded", "Request limit exceeded.");
        assertThat(clients.autoScaling(EAST).describeAutoScalingGroups(b -> { }).autoScalingGroups()).hasSize(1);
        assertThat(clients.ec2(EAST).describeInstances(b -> { }).reservations()).hasSize(1);
        assertThat(emulator.calls().count("autoscaling", "DescribeAutoScalingGroups")).isEqualTo(2);
        assertThat(emulator.calls().count("ec2", "DescribeInstances")).isEqualTo(2);
        assertThat(emulator.calls().calls("ec2", "DescribeInstances").get(0).httpStatus()).isEqualTo(503);
    }

    @Test
    void serverErrorsAndOutages() {
        state().createGroup(EAST, GROUP, 1);
        state().createGroup(WEST, GROUP, 1);
        emulator.faults().serverErrorRate(1);
        AwsServiceException asg500 = catchThrowableOfType(AutoScalingException.class,
                () -> once.autoScaling(EAST).describeInstanceRefreshes(b -> b.autoScalingGroupName(GROUP)));
        assertThat(asg500.statusCode()).isEqualTo(500);
        assertThat(asg500.awsErrorDetails().errorCode()).isEqualTo("InternalFailure");
        AwsServiceException ec2500 = catchThrowableOfType(Ec2Exception.class,
                () -> once.ec2(EAST).describeInstances(b -> { }));
        assertThat(ec2500.statusCode()).isEqualTo(500);
        assertThat(ec2500.awsErrorDetails().errorCode()).isEqualTo("InternalError");

        emulator.faults().serverErrorRate(0).regionOutage(WEST, true);
        for (Runnable call : new Runnable[] {
                () -> once.autoScaling(WEST).describeAutoScalingGroups(b -> { }),
                () -> once.ec2(WEST).describeInstances(b -> { })}) {
            AwsServiceException down = catchThrowableOfType(AwsServiceException.class, call::run);
            assertThat(down.statusCode()).isEqualTo(503);
            assertThat(down.awsErrorDetails().errorCode()).isEqualTo("ServiceUnavailable");
        }
        assertThat(once.autoScaling(EAST).describeAutoScalingGroups(b -> { }).autoScalingGroups()).hasSize(1);
        assertThat(once.ec2(EAST).describeInstances(b -> { }).reservations()).hasSize(1);
        // no refresh was started by the failed calls, and nothing moved
        assertThat(state().refreshes(WEST, GROUP)).isEmpty();
    }

    @Test
    void injectedErrorsMapToTheModelledExceptions() {
        state().createGroup(EAST, GROUP, 1);
        emulator.faults().failNext("autoscaling", "StartInstanceRefresh", "InstanceRefreshInProgress",
                "An Instance Refresh is already in progress and blocks the execution of this Instance Refresh.");
        catchThrowableOfType(InstanceRefreshInProgressException.class,
                () -> once.autoScaling(EAST).startInstanceRefresh(b -> b.autoScalingGroupName(GROUP)));
        assertThat(state().refreshes(EAST, GROUP)).isEmpty();
        once.autoScaling(EAST).startInstanceRefresh(b -> b.autoScalingGroupName(GROUP));
        emulator.clock().advance(Duration.ofMinutes(2));
        assertThat(state().refreshes(EAST, GROUP)).singleElement()
                .satisfies(r -> assertThat(r.status()).isEqualTo(AutoScalingState.SUCCESSFUL));
    }

    @Test
    void stateIsPerAccount() {
        state().createGroup(EAST, GROUP, 1);
        assertThat(emulator.autoScaling("210987654321").groups(EAST)).isEmpty();
        assertThat(emulator.autoScaling("210987654321").group(EAST, GROUP)).isEmpty();
        assertThat(state().group(EAST, GROUP)).isPresent();
        emulator.autoScaling("210987654321").createGroup(EAST, GROUP, 2);
        assertThat(state().instances(EAST, GROUP)).hasSize(1);
    }
}
