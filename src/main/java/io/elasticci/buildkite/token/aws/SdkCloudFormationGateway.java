package io.elasticci.buildkite.token.aws;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import software.amazon.awssdk.services.cloudformation.CloudFormationClient;
import software.amazon.awssdk.services.cloudformation.model.Capability;
import software.amazon.awssdk.services.cloudformation.model.Parameter;
import software.amazon.awssdk.services.cloudformation.model.Stack;
import software.amazon.awssdk.services.cloudformation.model.StackStatus;

/** {@link CloudFormationGateway} over the AWS SDK. */
@ApplicationScoped
public class SdkCloudFormationGateway implements CloudFormationGateway {

    private static final String SERVICE = "cloudformation";
    /** Every status but DELETE_COMPLETE: ListStacks would otherwise list deleted stacks for 90 days. */
    private static final List<StackStatus> LISTED = StackStatus.knownValues().stream()
            .filter(s -> s != StackStatus.DELETE_COMPLETE).toList();

    private final AwsClients clients;

    @Inject
    public SdkCloudFormationGateway(AwsClients clients) {
        this.clients = clients;
    }

    @Override
    public Optional<StackDescription> describe(String region, String stackName) {
        try {
            Stack stack = call("DescribeStacks", region, c -> c.describeStacks(b -> b.stackName(stackName)))
                    .stacks().get(0);
            Map<String, String> parameters = new LinkedHashMap<>();
            stack.parameters().forEach(p -> parameters.put(p.parameterKey(), p.parameterValue()));
            Map<String, String> outputs = new LinkedHashMap<>();
            stack.outputs().forEach(o -> outputs.put(o.outputKey(), o.outputValue()));
            return Optional.of(new StackDescription(stack.stackName(), stack.stackId(), region,
                    stack.stackStatusAsString(), stack.stackStatusReason(), parameters, outputs,
                    stack.lastUpdatedTime() != null ? stack.lastUpdatedTime() : stack.creationTime()));
        } catch (AwsFailure e) {
            if (isMissingStack(e)) {
                return Optional.empty();
            }
            throw e;
        }
    }

    @Override
    public List<StackSummary> list(String region) {
        return call("ListStacks", region, c -> c.listStacksPaginator(b -> b.stackStatusFilters(LISTED))
                .stackSummaries().stream()
                .map(s -> new StackSummary(s.stackName(), s.stackId(), s.stackStatusAsString(),
                        s.lastUpdatedTime() != null ? s.lastUpdatedTime() : s.creationTime()))
                .toList());
    }

    @Override
    public List<StackResource> resources(String region, String stackId) {
        return call("DescribeStackResources", region, c -> c.describeStackResources(b -> b.stackName(stackId)))
                .stackResources().stream()
                .map(r -> new StackResource(r.logicalResourceId(), r.physicalResourceId(), r.resourceType()))
                .toList();
    }

    @Override
    public Optional<StackResource> resource(String region, String stackId, String logicalId) {
        try {
            var r = call("DescribeStackResource", region, c -> c.describeStackResource(
                    b -> b.stackName(stackId).logicalResourceId(logicalId))).stackResourceDetail();
            return Optional.of(new StackResource(r.logicalResourceId(), r.physicalResourceId(), r.resourceType()));
        } catch (AwsFailure e) {
            if (e.kind() == AwsFailure.Kind.INVALID_REQUEST && String.valueOf(e.getMessage()).contains("does not exist")) {
                return Optional.empty();
            }
            throw e;
        }
    }

    @Override
    public boolean updateParameters(String region, String stackId, List<String> allParameterKeys,
            Map<String, String> newValues) {
        List<Parameter> parameters = allParameterKeys.stream().map(key -> newValues.containsKey(key)
                ? Parameter.builder().parameterKey(key).parameterValue(newValues.get(key)).build()
                : Parameter.builder().parameterKey(key).usePreviousValue(true).build()).toList();
        try {
            call("UpdateStack", region, c -> c.updateStack(b -> b.stackName(stackId).usePreviousTemplate(true)
                    .parameters(parameters)
                    .capabilities(Capability.CAPABILITY_IAM, Capability.CAPABILITY_NAMED_IAM,
                            Capability.CAPABILITY_AUTO_EXPAND)));
            return true;
        } catch (AwsFailure e) {
            if (String.valueOf(e.getMessage()).contains("No updates are to be performed")) {
                return false;
            }
            throw e;
        }
    }

    /** CloudFormation has no NotFound code: a missing stack is a ValidationError with this text. */
    static boolean isMissingStack(AwsFailure e) {
        return "ValidationError".equals(e.errorCode()) && String.valueOf(e.getMessage()).contains("does not exist");
    }

    private <T> T call(String operation, String region, java.util.function.Function<CloudFormationClient, T> call) {
        CloudFormationClient client = clients.cloudFormation(region);
        return AwsCall.run(SERVICE, operation, region, () -> call.apply(client));
    }
}
