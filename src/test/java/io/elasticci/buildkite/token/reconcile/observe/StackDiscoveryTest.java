package io.elasticci.buildkite.token.reconcile.observe;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.elasticci.buildkite.token.aws.AwsClients;
import io.elasticci.buildkite.token.aws.GatewayTestSupport;
import io.elasticci.buildkite.token.aws.PartitionHolder;
import io.elasticci.buildkite.token.aws.SdkCloudFormationGateway;
import io.elasticci.buildkite.token.aws.SdkIamGateway;
import io.elasticci.buildkite.token.emulator.AwsEmulator;
import io.elasticci.buildkite.token.emulator.CloudFormationState;
import io.elasticci.buildkite.token.emulator.CloudFormationState.StackShape;
import io.elasticci.buildkite.token.emulator.MutableClock;
import io.elasticci.buildkite.token.plan.StackObservation;

/**
 * Stack discovery with region listings, against the emulator: one ListStacks stands for every stack of the region
 * while it is younger than its max age, and a change made to a stack by someone else is still seen, once a listing
 * from after the change shows it; stacks in progress, not listed, or just updated by the operator are described.
 */
class StackDiscoveryTest {

    private static final String REGION = "sa-east-1";
    private static final Duration MAX_AGE = Duration.ofMinutes(1);
    private static final AwsEmulator AWS = GatewayTestSupport.AWS;
    private static final String PATH = CloudFormationState.TOKEN_PATH;

    private final String id = UUID.randomUUID().toString().substring(0, 8);
    private final AwsClients clients = GatewayTestSupport.clients();
    private final SdkCloudFormationGateway cloudFormation = new SdkCloudFormationGateway(clients);
    private final MutableClock clock = new MutableClock();
    private final StackDiscovery discovery = discovery(MAX_AGE);

    private StackDiscovery discovery(Duration maxAge) {
        return new StackDiscovery(cloudFormation,
                new SdkIamGateway(clients, new PartitionHolder(), clock, Duration.ofMinutes(5), false),
                new StackListings(cloudFormation, clock, maxAge));
    }

    @AfterEach
    void clearFaults() {
        AWS.faults().clear();
    }

    private static CloudFormationState cfn() {
        return AWS.cloudFormation(AwsEmulator.DEFAULT_ACCOUNT);
    }

    private String stack(String name) {
        return cfn().elasticCiStack(REGION, name + "-" + id).shape(StackShape.CURRENT)
                .tokenParameters("/aws/reference/secretsmanager/old", "old-key").create().stackName();
    }

    private static long calls(String operation) {
        return AWS.calls().count("cloudformation", operation, REGION);
    }

    private String pathSeen(String stack) {
        return discovery.discover(REGION, stack, false).stack().orElseThrow().parameter(PATH);
    }

    /** Someone else updates the stack's token path (the emulator's clock moves, as AWS's would). */
    private void updatePath(String stack, String path) {
        AWS.clock().advance(Duration.ofSeconds(1));
        String stackId = cfn().stackOrThrow(REGION, stack).stackId();
        cloudFormation.updateParameters(REGION, stackId, List.copyOf(cfn().stackOrThrow(REGION, stack).parameters()
                .keySet()), Map.of(PATH, path));
    }

    @Test
    void oneListingStandsForEveryStackOfTheRegion() {
        List<String> stacks = List.of(stack("a"), stack("b"), stack("c"));
        long resources = calls("DescribeStackResources");
        stacks.forEach(s -> discovery.discover(REGION, s, false));
        long lists = calls("ListStacks");
        long describes = calls("DescribeStacks");

        for (int pass = 0; pass < 3; pass++) {
            stacks.forEach(s -> assertThat(discovery.discover(REGION, s, false).stack()).isPresent());
        }

        assertThat(calls("DescribeStacks")).as("unchanged stacks are not described again").isEqualTo(describes);
        assertThat(calls("ListStacks")).isEqualTo(lists);
        assertThat(calls("DescribeStackResources")).as("nor their resources").isEqualTo(resources + 3);
    }

    @Test
    void aChangeBySomeoneElseIsSeenOnceTheListingIsOlderThanItsMaxAge() {
        String stack = stack("drift");
        assertThat(pathSeen(stack)).isEqualTo("/aws/reference/secretsmanager/old");

        updatePath(stack, "/aws/reference/secretsmanager/new");
        assertThat(pathSeen(stack)).as("within the listing's max age").isEqualTo("/aws/reference/secretsmanager/old");
        clock.advance(MAX_AGE);

        assertThat(pathSeen(stack)).isEqualTo("/aws/reference/secretsmanager/new");
    }

    @Test
    void aStackInProgressIsDescribedOnEveryPassUntilItSettles() {
        String stack = stack("busy");
        discovery.discover(REGION, stack, false);
        cfn().setStatus(REGION, stack, "UPDATE_IN_PROGRESS");
        clock.advance(MAX_AGE);
        assertThat(discovery.discover(REGION, stack, false).stack().orElseThrow().inProgress()).isTrue();
        long describes = calls("DescribeStacks");

        cfn().setStatus(REGION, stack, "UPDATE_COMPLETE");

        assertThat(discovery.discover(REGION, stack, false).stack().orElseThrow().status())
                .as("no listing needed to see it settle").isEqualTo("UPDATE_COMPLETE");
        assertThat(calls("DescribeStacks")).isEqualTo(describes + 1);
    }

    @Test
    void aStackTheListingDoesNotShowIsDescribed() {
        stack("first");
        discovery.discover(REGION, "first-" + id, false);

        String created = stack("created-after-the-listing");
        assertThat(discovery.discover(REGION, created, false).stack()).isPresent();
        assertThat(discovery.discover(REGION, "never-" + id, false).stack()).isEmpty();

        cfn().deleteStack(REGION, created);
        clock.advance(MAX_AGE);
        assertThat(discovery.discover(REGION, created, false).stack()).as("gone from the next listing").isEmpty();
    }

    @Test
    void aStackTheOperatorJustUpdatedIsDescribedWhateverTheListingShows() {
        String stack = stack("ours");
        discovery.discover(REGION, stack, false);

        updatePath(stack, "/aws/reference/secretsmanager/ours");

        assertThat(discovery.discover(REGION, stack, true).stack().orElseThrow().parameter(PATH))
                .isEqualTo("/aws/reference/secretsmanager/ours");
    }

    @Test
    void withoutListStacksPermissionEachStackIsDescribed() {
        AWS.faults().failNext("cloudformation", "ListStacks", REGION, "AccessDenied", "not authorized to perform: "
                + "cloudformation:ListStacks");
        String stack = stack("denied");
        assertThat(discovery.discover(REGION, stack, false).stack()).isPresent();
        updatePath(stack, "/aws/reference/secretsmanager/denied");
        long lists = calls("ListStacks");

        assertThat(pathSeen(stack)).isEqualTo("/aws/reference/secretsmanager/denied");
        assertThat(calls("ListStacks")).as("not asked again within the max age").isEqualTo(lists);
    }

    @Test
    void withListingsOffEveryPassDescribesEveryStack() {
        StackDiscovery off = discovery(Duration.ZERO);
        String stack = stack("off");
        long lists = calls("ListStacks");
        long describes = calls("DescribeStacks");

        off.discover(REGION, stack, false);
        off.discover(REGION, stack, false);

        assertThat(calls("DescribeStacks")).isEqualTo(describes + 2);
        assertThat(calls("ListStacks")).isEqualTo(lists);
    }
}
