package io.elasticci.buildkite.token.emulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import org.junit.jupiter.api.Test;

import software.amazon.awssdk.services.cloudformation.CloudFormationClient;
import software.amazon.awssdk.services.cloudformation.model.CloudFormationException;
import software.amazon.awssdk.services.cloudformation.model.Stack;

/** DescribeStacks without a StackName lists a region's stacks a page of 100 at a time, as AWS does. */
class CloudFormationListingEmulatorTest extends EmulatorTestSupport {

    @Test
    void tenThousandStacksArriveOverAHundredPagesThroughTheSdkPaginator() {
        emulator.cloudFormation(AwsEmulator.DEFAULT_ACCOUNT).createOtherStacks("eu-west-1", "other-", 10_000);
        CloudFormationClient cfn = clients.cloudFormation("eu-west-1");

        List<String> names = cfn.describeStacksPaginator().stacks().stream().map(Stack::stackName).toList();

        assertThat(names).hasSize(10_000).doesNotHaveDuplicates().startsWith("other-0").endsWith("other-9999");
        assertThat(emulator.calls().count("cloudformation", "DescribeStacks")).isEqualTo(100);
        assertThat(cfn.describeStacks(b -> b.stackName("other-42")).stacks()).extracting(Stack::stackName)
                .containsExactly("other-42");
    }

    @Test
    void aNextTokenItDidNotIssueIsAValidationError() {
        CloudFormationClient cfn = once.cloudFormation("eu-west-1");

        assertThatThrownBy(() -> cfn.describeStacks(b -> b.nextToken("forged")))
                .isInstanceOfSatisfying(CloudFormationException.class,
                        e -> assertThat(e.awsErrorDetails().errorCode()).isEqualTo("ValidationError"));
    }
}
