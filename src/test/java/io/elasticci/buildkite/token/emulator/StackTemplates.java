package io.elasticci.buildkite.token.emulator;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.elasticci.buildkite.token.emulator.CloudFormationState.Resource;
import io.elasticci.buildkite.token.emulator.CloudFormationState.Stack;
import io.elasticci.buildkite.token.emulator.CloudFormationState.StackShape;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;
import java.util.regex.Pattern;

import static io.elasticci.buildkite.token.emulator.CloudFormationState.TOKEN_KMS_KEY;
import static io.elasticci.buildkite.token.emulator.CloudFormationState.TOKEN_PATH;

/**
 * The three templates the emulator knows, reduced to what the operator cares about, after the public templates of
 * buildkite/elastic-ci-stack-for-aws ({@code templates/aws-stack.yml}, current and as of early 2020) and
 * buildkite/buildkite-agent-scaler ({@code template.yaml}, the nested stack):
 * <ul>
 *   <li>parameters with defaults, NoEcho and the constraints that matter;</li>
 *   <li>resources: the roles (IAMRole named {@code STACK-Role}; AsgProcessSuspenderRole; the scaler's
 *       ExecutionRole or the legacy AutoscalingLambdaExecutionRole, with generated names), the instance profile,
 *       launch template, Auto Scaling group, security group, and the nested scaler stack (a SAM application,
 *       an {@code AWS::CloudFormation::Stack} after the transform);</li>
 *   <li>the inline policies the templates put on the roles they create: ReadAgentToken ({@code ssm:GetParameter}
 *       on {@code arn:aws:ssm:REGION:ACCOUNT:parameter<path>}) when the path is set, DecryptAgentToken
 *       ({@code kms:Decrypt} on {@code arn:aws:kms:REGION:ACCOUNT:key/<value>}) when the key is set, both with
 *       {@code arn:aws:} hard-coded, plus an unrelated policy or two. A custom InstanceRoleARN role gets nothing.</li>
 * </ul>
 * Used with the owning {@link CloudFormationState}'s lock held.
 */
final class StackTemplates {

    static final String ROLE = "AWS::IAM::Role";
    static final String ASG = "AWS::AutoScaling::AutoScalingGroup";
    static final String NESTED = "AWS::CloudFormation::Stack";

    static final String CAPABILITY_IAM = "CAPABILITY_IAM";
    static final String CAPABILITY_NAMED_IAM = "CAPABILITY_NAMED_IAM";
    static final String CAPABILITY_AUTO_EXPAND = "CAPABILITY_AUTO_EXPAND";

    enum Template { ELASTIC_CI_CURRENT, ELASTIC_CI_LEGACY, AGENT_SCALER }

    /** Parameters whose change changes the launch template, which replaces the Auto Scaling group. */
    private static final Set<String> LAUNCH_TEMPLATE_PARAMETERS = Set.of("BuildkiteAgentToken", TOKEN_PATH,
            TOKEN_KMS_KEY, "BuildkiteQueue", "InstanceTypes", "InstanceType", "AgentsPerInstance", "InstanceRoleARN");

    private static final String EC2_TRUST = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
            + "\"Principal\":{\"Service\":[\"autoscaling.amazonaws.com\",\"ec2.amazonaws.com\"]},"
            + "\"Action\":\"sts:AssumeRole\"}]}";
    private static final String LAMBDA_TRUST = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
            + "\"Principal\":{\"Service\":[\"lambda.amazonaws.com\"]},\"Action\":[\"sts:AssumeRole\"]}]}";

    /** One template parameter. defaultValue null: required. */
    record ParamSpec(String key, String defaultValue, boolean noEcho, Pattern pattern, String constraint,
                     List<String> allowedValues, boolean number) {

        static ParamSpec of(String key, String defaultValue) {
            return new ParamSpec(key, defaultValue, false, null, null, null, false);
        }

        static ParamSpec number(String key, String defaultValue) {
            return new ParamSpec(key, defaultValue, false, null, null, null, true);
        }

        void check(String value) {
            if (allowedValues != null && !allowedValues.contains(value)) {
                throw AwsError.of("ValidationError", "Parameter '" + key + "' must be one of AllowedValues");
            }
            if (number && !value.trim().matches("-?\\d+(\\.\\d+)?")) {
                throw AwsError.of("ValidationError", "Parameter '" + key + "' must be a number");
            }
            if (pattern != null && !pattern.matcher(value).matches()) {
                throw AwsError.of("ValidationError", constraint != null
                        ? "Parameter " + key + " failed to satisfy constraint: " + constraint
                        : "Parameter '" + key + "' must match pattern " + pattern.pattern());
            }
        }
    }

    private static final Map<String, ParamSpec> CURRENT = specs(
            new ParamSpec("BuildkiteAgentToken", "", true, null, null, null, false),
            new ParamSpec(TOKEN_PATH, "", false, Pattern.compile(
                    "^$|^/$|^/[a-zA-Z0-9_.\\-/]+$|^arn:aws:ssm:[a-z0-9-]+:[0-9]{12}:parameter/[a-zA-Z0-9_.\\-/]+$"),
                    "Expects a leading forward slash for parameter path or full SSM parameter ARN for cross-account "
                            + "access", null, false),
            ParamSpec.of(TOKEN_KMS_KEY, ""),
            ParamSpec.of("BuildkiteQueue", "default"),
            ParamSpec.of("InstanceTypes", "t3.large"),
            ParamSpec.number("AgentsPerInstance", "1"),
            ParamSpec.number("MinSize", "0"),
            ParamSpec.number("MaxSize", "10"),
            new ParamSpec("InstanceRoleARN", "", false, Pattern.compile("^$|^arn:aws:iam::[0-9]+:role/.*$"), null,
                    null, false),
            new ParamSpec("LambdaArchitecture", "x86_64", false, null, null, List.of("x86_64", "arm64"), false));

    private static final Map<String, ParamSpec> LEGACY = specs(
            new ParamSpec("BuildkiteAgentToken", "", true, null, null, null, false),
            ParamSpec.of(TOKEN_PATH, ""),
            ParamSpec.of(TOKEN_KMS_KEY, ""),
            ParamSpec.of("BuildkiteQueue", "default"),
            ParamSpec.of("InstanceType", "t2.nano"),
            ParamSpec.number("AgentsPerInstance", "1"),
            ParamSpec.number("MinSize", "0"),
            ParamSpec.number("MaxSize", "10"));

    private static final Map<String, ParamSpec> SCALER = specs(
            ParamSpec.of("BuildkiteAgentTokenParameter", null),
            ParamSpec.of(TOKEN_KMS_KEY, ""),
            ParamSpec.of("BuildkiteQueue", "default"),
            ParamSpec.of("AgentAutoScaleGroup", "default"),
            ParamSpec.number("AgentsPerInstance", null),
            ParamSpec.of("MinSize", null),
            ParamSpec.of("MaxSize", null));

    private final CloudFormationState cfn;

    StackTemplates(CloudFormationState cfn) {
        this.cfn = cfn;
    }

    Map<String, ParamSpec> parameters(Template t) {
        return switch (t) {
            case ELASTIC_CI_CURRENT -> CURRENT;
            case ELASTIC_CI_LEGACY -> LEGACY;
            case AGENT_SCALER -> SCALER;
        };
    }

    /** Values a fixture stack starts from (before its shape and overrides): a token, so the stack is valid. */
    Map<String, String> fixtureDefaults(Template t) {
        return Map.of("BuildkiteAgentToken", "emulator-placeholder-agent-token");
    }

    String description(Template t) {
        return switch (t) {
            case ELASTIC_CI_CURRENT -> "Buildkite stack v6.40.0";
            case ELASTIC_CI_LEGACY -> "Buildkite stack v4.4.0";
            case AGENT_SCALER -> "Autoscaling Lambda for elastic-ci stack Buildkite Agents";
        };
    }

    List<String> allCapabilities(Template t) {
        return switch (t) {
            case ELASTIC_CI_CURRENT -> List.of(CAPABILITY_IAM, CAPABILITY_NAMED_IAM, CAPABILITY_AUTO_EXPAND);
            case ELASTIC_CI_LEGACY -> List.of(CAPABILITY_NAMED_IAM);
            case AGENT_SCALER -> List.of(CAPABILITY_IAM, CAPABILITY_AUTO_EXPAND);
        };
    }

    /**
     * The first capability the update lacks, in the order CloudFormation checks them, or null: the SAM transform
     * (current and scaler templates) needs CAPABILITY_AUTO_EXPAND; a named role (IAMRole is {@code STACK-Role})
     * needs CAPABILITY_NAMED_IAM; other IAM resources need CAPABILITY_IAM (or CAPABILITY_NAMED_IAM).
     */
    String missingCapability(Template t, Map<String, String> params, List<String> capabilities) {
        Set<String> given = Set.copyOf(capabilities);
        if (t != Template.ELASTIC_CI_LEGACY && !given.contains(CAPABILITY_AUTO_EXPAND)) {
            return CAPABILITY_AUTO_EXPAND;
        }
        boolean named = t == Template.ELASTIC_CI_LEGACY
                || (t == Template.ELASTIC_CI_CURRENT && params.get("InstanceRoleARN").isEmpty());
        if (named) {
            return given.contains(CAPABILITY_NAMED_IAM) ? null : CAPABILITY_NAMED_IAM;
        }
        return given.contains(CAPABILITY_IAM) || given.contains(CAPABILITY_NAMED_IAM) ? null : CAPABILITY_IAM;
    }

    boolean fixedSize(Map<String, String> params) {
        return CloudFormationState.parseInt(params.get("MinSize"))
                == CloudFormationState.parseInt(params.get("MaxSize"));
    }

    StackShape shape(Template t, Map<String, String> params) {
        if (t == Template.ELASTIC_CI_LEGACY) {
            return StackShape.LEGACY;
        }
        if (!params.getOrDefault("InstanceRoleARN", "").isEmpty()) {
            return StackShape.CUSTOM_INSTANCE_ROLE;
        }
        return fixedSize(params) ? StackShape.FIXED_SIZE : StackShape.CURRENT;
    }

    boolean replacesAutoScalingGroup(Template t, Map<String, String> before, Map<String, String> after) {
        if (t == Template.AGENT_SCALER) {
            return false;
        }
        return LAUNCH_TEMPLATE_PARAMETERS.stream().anyMatch(k -> !Objects.equals(before.get(k), after.get(k)));
    }

    /** Makes the stack's resources, roles, policies and outputs follow its parameters (create or update). */
    void apply(Stack s, boolean replaceAsg) {
        if (s.template == Template.AGENT_SCALER) {
            applyScaler(s);
        } else {
            applyElasticCi(s, replaceAsg);
        }
    }

    // ------------------------------------------------------------------ templates

    private void applyElasticCi(Stack s, boolean replaceAsg) {
        boolean legacy = s.template == Template.ELASTIC_CI_LEGACY;
        Map<String, String> p = s.params;
        String path = p.get(TOKEN_PATH);
        String key = p.get(TOKEN_KMS_KEY);
        boolean createRole = legacy || p.get("InstanceRoleARN").isEmpty();

        ensure(s, "IAMInstanceProfile", "AWS::IAM::InstanceProfile",
                () -> cfn.generatedName(s.name, "IAMInstanceProfile", 128));
        if (createRole) {
            Resource role = ensureRole(s, "IAMRole", () -> s.name + "-Role", EC2_TRUST);
            Map<String, String> policies = new LinkedHashMap<>();
            policies.put("InstancePolicy", policy(List.of("cloudwatch:PutMetricData",
                    "cloudformation:DescribeStackResource", "ec2:DescribeTags",
                    "autoscaling:DescribeAutoScalingInstances", "autoscaling:SetInstanceHealth"), "*"));
            if (!path.isEmpty()) {
                policies.put("ReadAgentToken", policy(legacy ? List.of("ssm:GetParameter") : "ssm:GetParameter",
                        parameterArn(s, path)));
            }
            if (!key.isEmpty()) {
                policies.put("DecryptAgentToken", policy(List.of("kms:Decrypt"), keyArn(s, key)));
            }
            syncPolicies(role, Set.of("InstancePolicy", "ReadAgentToken", "DecryptAgentToken"), policies);
            ensure(s, "IAMPolicies", "AWS::IAM::Policy",
                    () -> CloudFormationState.truncate(s.name, 20) + "-IAMPo-" + cfn.randomSuffix());
        } else {
            remove(s, "IAMPolicies");
            remove(s, "IAMRole");
        }
        Resource launchTemplate = ensure(s, "AgentLaunchTemplate", "AWS::EC2::LaunchTemplate", () -> "lt-0" + hex(16));
        Resource asg = s.resources.get("AgentAutoScaleGroup");
        if (asg == null) {
            asg = ensure(s, "AgentAutoScaleGroup", ASG, () -> cfn.generatedName(s.name, "AgentAutoScaleGroup", 255));
            cfn.asgChanged(s, null, asg.physicalId);
        } else if (replaceAsg) {
            String old = asg.physicalId;
            asg.physicalId = cfn.generatedName(s.name, "AgentAutoScaleGroup", 255);
            touched(asg);
            touched(launchTemplate);
            cfn.asgChanged(s, old, asg.physicalId);
        }
        if (!legacy) {
            Resource suspender = ensureRole(s, "AsgProcessSuspenderRole",
                    () -> cfn.generatedName(s.name, "AsgProcessSuspenderRole", 64), LAMBDA_TRUST);
            syncPolicies(suspender, Set.of("AsgProcessModification"), Map.of("AsgProcessModification",
                    policy(List.of("autoscaling:SuspendProcesses", "autoscaling:ResumeProcesses"), "*")));
        }
        ensure(s, "SecurityGroup", "AWS::EC2::SecurityGroup", () -> "sg-0" + hex(16));

        boolean variable = !fixedSize(p);
        if (legacy) {
            if (variable) {
                Resource role = ensureRole(s, "AutoscalingLambdaExecutionRole",
                        () -> cfn.generatedName(s.name, "AutoscalingLambdaExecutionRole", 64), LAMBDA_TRUST);
                syncPolicies(role, Set.of("AutoScalingGroups", "WriteCloudwatchMetrics", "ReadAgentToken",
                        "DecryptAgentToken"), scalerPolicies(s, path, key, List.of("ssm:GetParameter"),
                        List.of("kms:Decrypt")));
                ensure(s, "AutoscalingFunction", "AWS::Lambda::Function",
                        () -> cfn.generatedName(s.name, "AutoscalingFunction", 64));
            } else {
                remove(s, "AutoscalingFunction");
                remove(s, "AutoscalingLambdaExecutionRole");
            }
        } else {
            String wanted = !variable ? null
                    : "arm64".equals(p.get("LambdaArchitecture")) ? "AutoscalingArm64" : "Autoscaling";
            for (String logicalId : List.of("Autoscaling", "AutoscalingArm64")) {
                if (!logicalId.equals(wanted)) {
                    remove(s, logicalId);
                }
            }
            if (wanted != null) {
                LinkedHashMap<String, String> params = new LinkedHashMap<>();
                params.put("BuildkiteAgentTokenParameter", path);
                params.put(TOKEN_KMS_KEY, key);
                params.put("BuildkiteQueue", p.get("BuildkiteQueue"));
                params.put("AgentAutoScaleGroup", asg.physicalId);
                params.put("AgentsPerInstance", p.get("AgentsPerInstance"));
                params.put("MinSize", p.get("MinSize"));
                params.put("MaxSize", p.get("MaxSize"));
                Resource nested = s.resources.get(wanted);
                if (nested == null) {
                    Stack n = cfn.createNested(s, wanted, Template.AGENT_SCALER, params);
                    nested = ensure(s, wanted, NESTED, () -> n.id);
                    nested.nested = n;
                } else {
                    Stack n = nested.nested;
                    n.params = params;
                    n.status = CloudFormationState.UPDATE_COMPLETE;
                    n.reason = null;
                    n.lastUpdated = cfn.now();
                    touched(nested);
                }
                applyScaler(nested.nested);
            }
        }

        s.outputs.clear();
        s.outputs.put("AutoScalingGroupName", asg.physicalId);
        String instanceRole = p.getOrDefault("InstanceRoleARN", "");
        s.outputs.put("InstanceRoleName", createRole ? s.resources.get("IAMRole").physicalId
                : instanceRole.substring(instanceRole.lastIndexOf('/') + 1));
    }

    private void applyScaler(Stack n) {
        Map<String, String> p = n.params;
        Resource role = ensureRole(n, "ExecutionRole", () -> cfn.generatedName(n.name, "ExecutionRole", 64),
                LAMBDA_TRUST);
        syncPolicies(role, Set.of("AutoScalingGroups", "WriteCloudwatchMetrics", "ReadAgentToken",
                "DecryptAgentToken"), scalerPolicies(n, p.get("BuildkiteAgentTokenParameter"), p.get(TOKEN_KMS_KEY),
                "ssm:GetParameter", "kms:Decrypt"));
        Resource function = ensure(n, "AutoscalingFunction", "AWS::Lambda::Function",
                () -> cfn.generatedName(n.name, "AutoscalingFunction", 64));
        ensure(n, "AutoscalingFunctionTimer", "AWS::Events::Rule",
                () -> cfn.generatedName(n.name, "AutoscalingFunctionTimer", 64));
        ensure(n, "LogGroup", "AWS::Logs::LogGroup", () -> "/aws/lambda/" + function.physicalId);
        n.outputs.clear();
        n.outputs.put("ExecutionRoleName", role.physicalId);
    }

    private Map<String, String> scalerPolicies(Stack s, String path, String key, Object ssmAction, Object kmsAction) {
        Map<String, String> policies = new LinkedHashMap<>();
        policies.put("AutoScalingGroups", policy(List.of("autoscaling:DescribeAutoScalingGroups",
                "autoscaling:SetDesiredCapacity", "autoscaling:DescribeScalingActivities"), "*"));
        policies.put("WriteCloudwatchMetrics", policy("cloudwatch:PutMetricData", "*"));
        if (path != null && !path.isEmpty()) {
            policies.put("ReadAgentToken", policy(ssmAction, parameterArn(s, path)));
        }
        if (key != null && !key.isEmpty()) {
            policies.put("DecryptAgentToken", policy(kmsAction, keyArn(s, key)));
        }
        return policies;
    }

    // ------------------------------------------------------------------ resources

    private Resource ensure(Stack s, String logicalId, String type, Supplier<String> physicalId) {
        Resource r = s.resources.get(logicalId);
        if (r == null) {
            r = new Resource(logicalId, type, physicalId.get(), CloudFormationState.CREATE_COMPLETE, cfn.now());
            s.resources.put(logicalId, r);
        }
        return r;
    }

    private Resource ensureRole(Stack s, String logicalId, Supplier<String> name, String trust) {
        Resource r = ensure(s, logicalId, ROLE, name);
        IamState iam = cfn.iam();
        if (iam.role(r.physicalId).isEmpty()) {
            iam.createRole("/", r.physicalId, trust, null, Map.of());
        }
        return r;
    }

    private void remove(Stack s, String logicalId) {
        Resource r = s.resources.remove(logicalId);
        if (r == null) {
            return;
        }
        if (r.nested != null) {
            cfn.delete(r.nested);
        } else if (r.type.equals(ROLE) && cfn.iam().role(r.physicalId).isPresent()) {
            cfn.iam().deleteRole(r.physicalId);
        }
    }

    private void touched(Resource r) {
        r.status = CloudFormationState.UPDATE_COMPLETE;
        r.updated = cfn.now();
    }

    /** Puts and deletes the inline policies the template manages on a role; others stay untouched. */
    private void syncPolicies(Resource role, Set<String> managed, Map<String, String> desired) {
        IamState iam = cfn.iam();
        Map<String, String> current = iam.inlinePolicies(role.physicalId);
        boolean changed = false;
        for (String name : managed) {
            String want = desired.get(name);
            if (want != null && !want.equals(current.get(name))) {
                iam.putInlinePolicy(role.physicalId, name, want);
                changed = true;
            } else if (want == null && current.containsKey(name)) {
                iam.deleteInlinePolicy(role.physicalId, name);
                changed = true;
            }
        }
        if (changed && !current.isEmpty()) {
            touched(role);
        }
    }

    // ------------------------------------------------------------------ policy documents

    /** The template's {@code !Sub arn:aws:ssm:${AWS::Region}:${AWS::AccountId}:parameter${Path}} (or an ARN path). */
    private String parameterArn(Stack s, String path) {
        return path.startsWith("arn:") ? path : "arn:aws:ssm:" + s.region + ":" + cfn.account() + ":parameter" + path;
    }

    /** The template's {@code !Sub arn:aws:kms:${AWS::Region}:${AWS::AccountId}:key/${KMSKey}}. */
    private String keyArn(Stack s, String key) {
        return "arn:aws:kms:" + s.region + ":" + cfn.account() + ":key/" + key;
    }

    /** A one-statement Allow policy as CloudFormation sends it to IAM (compact JSON). */
    private static String policy(Object action, String resource) {
        ObjectNode doc = JsonProtocol.object();
        doc.put("Version", "2012-10-17");
        ObjectNode statement = doc.putArray("Statement").addObject();
        statement.put("Effect", "Allow");
        if (action instanceof List<?> actions) {
            actions.forEach(a -> statement.withArray("Action").add(a.toString()));
        } else {
            statement.put("Action", action.toString());
        }
        statement.put("Resource", resource);
        try {
            return JsonProtocol.MAPPER.writeValueAsString(doc);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String hex(int length) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        StringBuilder b = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            b.append(Character.forDigit(random.nextInt(16), 16));
        }
        return b.toString();
    }

    private static Map<String, ParamSpec> specs(ParamSpec... specs) {
        Map<String, ParamSpec> out = new LinkedHashMap<>();
        for (ParamSpec s : specs) {
            out.put(s.key(), s);
        }
        return java.util.Collections.unmodifiableMap(out);
    }
}
