package io.elasticci.buildkite.token.emulator;

import io.elasticci.buildkite.token.emulator.CloudFormationState.ResourceInfo;
import io.elasticci.buildkite.token.emulator.CloudFormationState.StackInfo;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * CloudFormation over the query protocol: DescribeStacks, ListStacks, DescribeStackResource, DescribeStackResources and
 * UpdateStack (UsePreviousTemplate only). Semantics live in {@link CloudFormationState}.
 */
final class CloudFormationService extends QueryService {

    static final String NAMESPACE = "http://cloudformation.amazonaws.com/doc/2010-05-15/";
    static final int LIST_PAGE = 100;

    CloudFormationService() {
        super(NAMESPACE, "2010-05-15");
        operation("DescribeStacks", this::describeStacks);
        operation("ListStacks", this::listStacks);
        operation("DescribeStackResource", this::describeStackResource);
        operation("DescribeStackResources", this::describeStackResources);
        operation("UpdateStack", this::updateStack);
    }

    @Override
    String name() {
        return "cloudformation";
    }

    private static CloudFormationState cfn(CallContext ctx) {
        return ctx.emulator().cloudFormation(ctx.account());
    }

    /** Stacks per page of a listing (DescribeStacks without StackName), as AWS pages them. */
    static final int PAGE_SIZE = 100;

    private void describeStacks(CallContext ctx, QueryParams in, Xml out) {
        List<StackInfo> stacks = cfn(ctx).describeStacks(ctx.region(), in.string("StackName"));
        int from = page(in.string("NextToken"), stacks.size());
        int to = Math.min(from + PAGE_SIZE, stacks.size());
        out.open("Stacks");
        for (StackInfo s : stacks.subList(from, to)) {
            out.open("member");
            stack(out, s);
            out.close("member");
        }
        out.close("Stacks");
        if (to < stacks.size()) {
            out.element("NextToken", java.util.Base64.getEncoder().encodeToString(("stacks:" + to).getBytes(
                    java.nio.charset.StandardCharsets.UTF_8)));
        }
    }

    /** Where a NextToken of ours resumes; a token we did not issue is refused as AWS refuses it. */
    private static int page(String token, int size) {
        if (token == null) {
            return 0;
        }
        try {
            String decoded = new String(java.util.Base64.getDecoder().decode(token),
                    java.nio.charset.StandardCharsets.UTF_8);
            int from = decoded.startsWith("stacks:") ? Integer.parseInt(decoded.substring("stacks:".length())) : -1;
            if (from >= 0 && from <= size) {
                return from;
            }
        } catch (IllegalArgumentException e) {
            // refused below
        }
        throw AwsError.of("ValidationError", "Invalid NextToken");
    }

    /**
     * Stack summaries, {@link #LIST_PAGE} a page (AWS does not document its page size; the SDK's paginator follows
     * NextToken whatever it is).
     */
    private void listStacks(CallContext ctx, QueryParams in, Xml out) {
        List<StackInfo> stacks = cfn(ctx).listStacks(ctx.region(), in.strings("StackStatusFilter"));
        int from = 0;
        if (in.string("NextToken") != null) {
            try {
                from = Integer.parseInt(in.string("NextToken"));
            } catch (NumberFormatException e) {
                throw error("ValidationError", "Invalid NextToken");
            }
        }
        int to = Math.min(stacks.size(), from + LIST_PAGE);
        out.open("StackSummaries");
        for (StackInfo s : stacks.subList(Math.min(from, to), to)) {
            out.open("member")
                    .element("StackId", s.stackId())
                    .element("StackName", s.stackName())
                    .element("TemplateDescription", s.description())
                    .element("CreationTime", s.creationTime())
                    .element("LastUpdatedTime", s.lastUpdatedTime())
                    .element("StackStatus", s.status())
                    .element("ParentId", s.parentId())
                    .element("RootId", s.rootId())
                    .open("DriftInformation").element("StackDriftStatus", "NOT_CHECKED").close("DriftInformation")
                    .close("member");
        }
        out.close("StackSummaries");
        if (to < stacks.size()) {
            out.element("NextToken", String.valueOf(to));
        }
    }

    private void describeStackResource(CallContext ctx, QueryParams in, Xml out) {
        String stackName = in.requiredString("StackName");
        String logicalId = in.requiredString("LogicalResourceId");
        StackInfo s = cfn(ctx).describeStackResources(ctx.region(), stackName, null, logicalId);
        ResourceInfo r = s.resource(logicalId).orElseThrow();
        out.open("StackResourceDetail")
                .element("StackName", s.stackName())
                .element("StackId", s.stackId())
                .element("LogicalResourceId", r.logicalId())
                .element("PhysicalResourceId", r.physicalId())
                .element("ResourceType", r.type())
                .element("LastUpdatedTimestamp", r.lastUpdated())
                .element("ResourceStatus", r.status())
                .open("DriftInformation").element("StackResourceDriftStatus", "NOT_CHECKED").close("DriftInformation")
                .close("StackResourceDetail");
    }

    private void describeStackResources(CallContext ctx, QueryParams in, Xml out) {
        String logicalId = in.string("LogicalResourceId");
        StackInfo s = cfn(ctx).describeStackResources(ctx.region(), in.string("StackName"),
                in.string("PhysicalResourceId"), logicalId);
        out.open("StackResources");
        for (ResourceInfo r : s.resources()) {
            if (logicalId != null && !logicalId.equals(r.logicalId())) {
                continue;
            }
            out.open("member")
                    .element("StackName", s.stackName())
                    .element("StackId", s.stackId())
                    .element("LogicalResourceId", r.logicalId())
                    .element("PhysicalResourceId", r.physicalId())
                    .element("ResourceType", r.type())
                    .element("Timestamp", r.lastUpdated())
                    .element("ResourceStatus", r.status())
                    .open("DriftInformation").element("StackResourceDriftStatus", "NOT_CHECKED")
                    .close("DriftInformation")
                    .close("member");
        }
        out.close("StackResources");
    }

    private void updateStack(CallContext ctx, QueryParams in, Xml out) {
        List<CloudFormationState.ParameterInput> parameters = new ArrayList<>();
        for (QueryParams p : in.members("Parameters")) {
            parameters.add(new CloudFormationState.ParameterInput(p.string("ParameterKey"), p.string("ParameterValue"),
                    Boolean.TRUE.equals(p.bool("UsePreviousValue"))));
        }
        Map<String, String> tags = null;
        List<QueryParams> tagParams = in.members("Tags");
        if (!tagParams.isEmpty()) {
            tags = new LinkedHashMap<>();
            for (QueryParams t : tagParams) {
                tags.put(t.string("Key"), t.string("Value") == null ? "" : t.string("Value"));
            }
        }
        String stackId = cfn(ctx).updateStack(ctx.region(), in.string("StackName"),
                Boolean.TRUE.equals(in.bool("UsePreviousTemplate")),
                in.has("TemplateBody") || in.has("TemplateURL"), parameters, in.strings("Capabilities"), tags);
        out.element("StackId", stackId);
    }

    private static void stack(Xml out, StackInfo s) {
        out.element("StackId", s.stackId())
                .element("StackName", s.stackName())
                .element("Description", s.description());
        out.open("Parameters");
        s.parameters().forEach((k, v) -> out.open("member").element("ParameterKey", k).element("ParameterValue", v)
                .close("member"));
        out.close("Parameters");
        out.element("CreationTime", s.creationTime())
                .element("LastUpdatedTime", s.lastUpdatedTime())
                .open("RollbackConfiguration").close("RollbackConfiguration")
                .element("StackStatus", s.status())
                .element("StackStatusReason", s.statusReason())
                .element("DisableRollback", false)
                .open("NotificationARNs").close("NotificationARNs");
        out.open("Capabilities");
        s.capabilities().forEach(c -> out.element("member", c));
        out.close("Capabilities");
        out.open("Outputs");
        s.outputs().forEach((k, v) -> {
            out.open("member").element("OutputKey", k).element("OutputValue", v);
            if (s.parentId() == null) {
                out.element("ExportName", s.stackName() + "-" + k);
            }
            out.close("member");
        });
        out.close("Outputs");
        out.open("Tags");
        s.tags().forEach((k, v) -> out.open("member").element("Key", k).element("Value", v).close("member"));
        out.close("Tags");
        out.element("EnableTerminationProtection", false)
                .element("ParentId", s.parentId())
                .element("RootId", s.rootId())
                .open("DriftInformation").element("StackDriftStatus", "NOT_CHECKED").close("DriftInformation");
    }
}
