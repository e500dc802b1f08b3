package io.elasticci.buildkite.token.emulator;

import io.elasticci.buildkite.token.emulator.AutoScalingState.GroupInfo;
import io.elasticci.buildkite.token.emulator.AutoScalingState.InstanceInfo;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.DescribeInstancesResponse;
import software.amazon.awssdk.services.ec2.model.Ec2Exception;
import software.amazon.awssdk.services.ec2.model.Instance;
import software.amazon.awssdk.services.ec2.model.InstanceStateName;
import software.amazon.awssdk.services.ec2.model.Reservation;
import software.amazon.awssdk.services.ec2.model.Tag;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static io.elasticci.buildkite.token.emulator.MutableClock.START;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** EC2 DescribeInstances over the Auto Scaling instances, through the real SDK client and on the wire. */
@EmulatorTestSupport.SingleAttempt
class Ec2EmulatorTest extends EmulatorTestSupport {

    private static final String REGION = "us-east-1";
    private static final String GROUP = "buildkite-ci-AgentAutoScaleGroup-1A2B3C4D5E6F";
    private static final String GROUP_TAG = "aws:autoscaling:groupName";

    private static Ec2Client ec2;

    @BeforeAll
    static void start() {
        ec2 = clients.ec2(REGION);
    }

    private static AutoScalingState state() {
        return emulator.autoScaling(AwsEmulator.DEFAULT_ACCOUNT);
    }

    private static List<Instance> instances(DescribeInstancesResponse response) {
        return response.reservations().stream().flatMap(r -> r.instances().stream()).toList();
    }

    private static String tag(Instance i, String key) {
        return i.tags().stream().filter(t -> t.key().equals(key)).map(Tag::value).findFirst().orElse(null);
    }

    @Test
    void describeInstancesShowsLaunchTimesStatesAndTheGroupTag() {
        GroupInfo g = state().createGroup(REGION, GROUP, 2, Map.of("aws:cloudformation:stack-name", "buildkite-ci"));
        emulator.clock().advance(Duration.ofHours(3));
        String gone = g.instanceIds().get(0);
        state().terminateInstance(REGION, gone);
        String replacement = state().instances(REGION, GROUP).get(1).instanceId();

        List<Instance> found = instances(ec2.describeInstances(b -> b.instanceIds(gone, g.instanceIds().get(1),
                replacement)));
        assertThat(found).extracting(Instance::instanceId).containsExactly(gone, g.instanceIds().get(1), replacement);
        assertThat(found).extracting(i -> i.state().name()).containsExactly(InstanceStateName.TERMINATED,
                InstanceStateName.RUNNING, InstanceStateName.PENDING);
        assertThat(found).extracting(i -> i.state().code()).containsExactly(48, 16, 0);
        assertThat(found).extracting(Instance::launchTime).containsExactly(START, START,
                START.plus(Duration.ofHours(3)));
        assertThat(found).allSatisfy(i -> {
            assertThat(tag(i, GROUP_TAG)).isEqualTo(GROUP);
            assertThat(tag(i, "aws:cloudformation:stack-name")).isEqualTo("buildkite-ci");
            assertThat(i.instanceTypeAsString()).isEqualTo("t3.large");
            assertThat(i.imageId()).startsWith("ami-");
        });
        InstanceInfo running = state().instance(REGION, g.instanceIds().get(1)).orElseThrow();
        assertThat(found.get(1).placement().availabilityZone()).isEqualTo(running.availabilityZone());
        assertThat(found.get(1).privateIpAddress()).isEqualTo(running.privateIpAddress());
        Reservation reservation = ec2.describeInstances(b -> b.instanceIds(running.instanceId())).reservations().get(0);
        assertThat(reservation.ownerId()).isEqualTo(AwsEmulator.DEFAULT_ACCOUNT);
        assertThat(reservation.reservationId()).startsWith("r-");
    }

    @Test
    void filtersByGroupTagInstanceIdAndState() {
        GroupInfo a = state().createGroup(REGION, GROUP, 3);
        GroupInfo b = state().createGroup(REGION, "other-AgentAutoScaleGroup-X", 2);
        state().createGroup("us-west-2", GROUP, 1);

        assertThat(instances(ec2.describeInstances(r -> r.filters(f -> f.name("tag:" + GROUP_TAG).values(GROUP)))))
                .extracting(Instance::instanceId).containsExactlyElementsOf(a.instanceIds());
        assertThat(instances(ec2.describeInstances(r -> r.filters(
                f -> f.name("tag:" + GROUP_TAG).values(GROUP, b.name()),
                f -> f.name("instance-id").values(a.instanceIds().get(0), b.instanceIds().get(1))))))
                .extracting(Instance::instanceId).containsExactly(a.instanceIds().get(0), b.instanceIds().get(1));
        assertThat(instances(ec2.describeInstances(r -> r.instanceIds(a.instanceIds()).filters(
                f -> f.name("tag:" + GROUP_TAG).values(b.name()))))).isEmpty();

        state().terminateInstance(REGION, a.instanceIds().get(2), true);
        assertThat(instances(ec2.describeInstances(r -> r.filters(f -> f.name("instance-state-name")
                .values("running"))))).hasSize(4);
        assertThat(instances(ec2.describeInstances(r -> { }))).hasSize(5);

        Ec2Exception bad = catchThrowableOfType(Ec2Exception.class,
                () -> ec2.describeInstances(r -> r.filters(f -> f.name("owner-alias").values("x"))));
        assertThat(bad.awsErrorDetails().errorCode()).isEqualTo("InvalidParameterValue");
    }

    @Test
    void unknownInstanceIdsAreNotFound() {
        GroupInfo g = state().createGroup(REGION, GROUP, 1);
        Ec2Exception one = catchThrowableOfType(Ec2Exception.class,
                () -> ec2.describeInstances(b -> b.instanceIds(g.instanceIds().get(0), "i-0123456789abcdef0")));
        assertThat(one.awsErrorDetails().errorCode()).isEqualTo("InvalidInstanceID.NotFound");
        assertThat(one.statusCode()).isEqualTo(400);
        assertThat(one.awsErrorDetails().errorMessage()).isEqualTo(
                "The instance ID 'i-0123456789abcdef0' does not exist");
        assertThat(one.requestId()).isNotBlank();

        Ec2Exception two = catchThrowableOfType(Ec2Exception.class,
                () -> ec2.describeInstances(b -> b.instanceIds("i-0123456789abcdef0", "i-0123456789abcdef1")));
        assertThat(two.awsErrorDetails().errorMessage())
                .isEqualTo("The instance IDs 'i-0123456789abcdef0, i-0123456789abcdef1' do not exist");

        Ec2Exception malformed = catchThrowableOfType(Ec2Exception.class,
                () -> ec2.describeInstances(b -> b.instanceIds("nonsense")));
        assertThat(malformed.awsErrorDetails().errorCode()).isEqualTo("InvalidInstanceID.Malformed");

        // the same instance in another region does not exist
        Ec2Exception elsewhere = catchThrowableOfType(Ec2Exception.class,
                () -> clients.ec2("eu-west-1").describeInstances(b -> b.instanceIds(g.instanceIds().get(0))));
        assertThat(elsewhere.awsErrorDetails().errorCode()).isEqualTo("InvalidInstanceID.NotFound");
    }

    @Test
    void refreshedInstancesHaveNewLaunchTimesAndTheOldOnesVanishAfterAnHour() {
        GroupInfo g = state().createGroup(REGION, GROUP, 2);
        emulator.clock().advance(Duration.ofDays(7));
        clients.autoScaling(REGION).startInstanceRefresh(b -> b.autoScalingGroupName(GROUP)
                .preferences(p -> p.minHealthyPercentage(0)));
        emulator.clock().advance(Duration.ofMinutes(5));

        List<Instance> current = instances(ec2.describeInstances(b -> b.filters(
                f -> f.name("tag:" + GROUP_TAG).values(GROUP), f -> f.name("instance-state-name").values("running"))));
        assertThat(current).hasSize(2).allSatisfy(i -> {
            assertThat(g.instanceIds()).doesNotContain(i.instanceId());
            assertThat(i.launchTime()).isEqualTo(START.plus(Duration.ofDays(7)).plusSeconds(10));
        });
        assertThat(instances(ec2.describeInstances(b -> b.instanceIds(g.instanceIds()))))
                .allSatisfy(i -> assertThat(i.state().name()).isEqualTo(InstanceStateName.TERMINATED));

        emulator.clock().advance(Duration.ofHours(1));
        Ec2Exception gone = catchThrowableOfType(Ec2Exception.class,
                () -> ec2.describeInstances(b -> b.instanceIds(g.instanceIds().get(0))));
        assertThat(gone.awsErrorDetails().errorCode()).isEqualTo("InvalidInstanceID.NotFound");
    }

    @Test
    void pagination() {
        state().createGroup(REGION, GROUP, 7);
        DescribeInstancesResponse first = ec2.describeInstances(b -> b.maxResults(5));
        assertThat(instances(first)).hasSize(5);
        assertThat(first.nextToken()).isNotNull();
        DescribeInstancesResponse second = ec2.describeInstances(b -> b.maxResults(5).nextToken(first.nextToken()));
        assertThat(instances(second)).hasSize(2);
        assertThat(second.nextToken()).isNull();
        assertThat(ec2.describeInstancesPaginator(b -> b.maxResults(5)).reservations()).hasSize(7);

        Ec2Exception combined = catchThrowableOfType(Ec2Exception.class, () -> ec2.describeInstances(b -> b
                .maxResults(5).instanceIds(state().instances(REGION, GROUP).get(0).instanceId())));
        assertThat(combined.awsErrorDetails().errorCode()).isEqualTo("InvalidParameterCombination");
    }

    @Test
    void wireFormatHasNoResultWrapperAndEc2StyleErrors() throws Exception {
        GroupInfo g = state().createGroup(REGION, GROUP, 1);
        HttpClient http = HttpClient.newHttpClient();
        String auth = "AWS4-HMAC-SHA256 Credential=" + AwsEmulator.ACCESS_KEY
                + "/20250101/us-east-1/ec2/aws4_request, SignedHeaders=host;x-amz-date, Signature=00";
        HttpRequest.Builder base = HttpRequest.newBuilder(URI.create(emulator.endpoint() + "/"))
                .header("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
                .header("Authorization", auth);

        HttpResponse<String> ok = http.send(base.copy().POST(HttpRequest.BodyPublishers.ofString(
                "Action=DescribeInstances&Version=2016-11-15&InstanceId.1=" + g.instanceIds().get(0))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(ok.statusCode()).isEqualTo(200);
        assertThat(ok.body()).contains("<DescribeInstancesResponse xmlns=\"http://ec2.amazonaws.com/doc/2016-11-15/\">"
                        + "<requestId>")
                .contains("<reservationSet><item><reservationId>r-")
                .contains("<instanceState><code>16</code><name>running</name></instanceState>")
                .contains("<launchTime>2025-01-01T00:00:00Z</launchTime>")
                .contains("<item><key>aws:autoscaling:groupName</key><value>" + GROUP + "</value></item>")
                .doesNotContain("DescribeInstancesResult");

        HttpResponse<String> missing = http.send(base.copy().POST(HttpRequest.BodyPublishers.ofString(
                "Action=DescribeInstances&Version=2016-11-15&InstanceId.1=i-00000000000000000")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(missing.statusCode()).isEqualTo(400);
        assertThat(missing.body()).contains("<Response><Errors><Error><Code>InvalidInstanceID.NotFound</Code>"
                + "<Message>The instance ID &apos;i-00000000000000000&apos; does not exist</Message></Error></Errors>"
                + "<RequestID>");
    }
}
