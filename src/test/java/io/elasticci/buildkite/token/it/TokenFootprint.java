package io.elasticci.buildkite.token.it;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import io.elasticci.buildkite.token.emulator.AwsEmulator;
import io.elasticci.buildkite.token.emulator.CloudFormationState;
import io.elasticci.buildkite.token.emulator.SecretsManagerState;
import io.elasticci.buildkite.token.emulator.SecretsManagerState.SecretInfo;

/**
 * What one token left in AWS, read from the emulator's state and named without the token's own names, so that two
 * tokens built alike compare equal and anything made twice shows: secret versions, replicas, statements in the
 * resource policy, and per region whether it serves the desired value, the stacks' token parameters, the instance
 * refreshes of each stack's group and the operator's inline policies on each role.
 */
public final class TokenFootprint {

    /** The operator's inline policies are named so (the template's own, e.g. ReadAgentToken, are not counted). */
    private static final String OPERATOR_POLICY = "BuildkiteAgentToken-";

    private TokenFootprint() {
    }

    /**
     * @param stacks region → the token's stacks there, the primary region first
     * @param keyIds region → the bare key ID its stacks' parameter must hold
     */
    public static Map<String, Object> of(AwsEmulator aws, String secretName, String value,
            Map<String, List<String>> stacks, Map<String, String> keyIds) {
        String account = AwsEmulator.DEFAULT_ACCOUNT;
        SecretsManagerState sm = aws.secretsManager(account);
        String primary = stacks.keySet().iterator().next();
        Map<String, Object> state = new TreeMap<>();
        SecretInfo secret = sm.secret(primary, secretName).orElseThrow();
        state.put("versions", secret.versions().size());
        state.put("replicas", secret.replicas().stream().map(r -> r.status()).sorted().toList());
        state.put("statements", sm.resourcePolicy(primary, secret.arn()).orElse("").split("\"Sid\"", -1).length - 1);
        List<Object> regions = new java.util.ArrayList<>();
        CloudFormationState cfn = aws.cloudFormation(account);
        stacks.forEach((region, names) -> {
            Map<String, Object> each = new TreeMap<>();
            each.put("servesValue", sm.secret(region, secretName).map(s -> value.equals(s.currentValue()))
                    .orElse(false));
            each.put("stacks", names.stream().map(name -> {
                CloudFormationState.StackInfo stack = cfn.stackOrThrow(region, name);
                Map<String, Object> one = new TreeMap<>();
                one.put("parametersSet", ("/aws/reference/secretsmanager/" + secretName)
                        .equals(stack.parameter(CloudFormationState.TOKEN_PATH))
                        && keyIds.get(region).equals(stack.parameter(CloudFormationState.TOKEN_KMS_KEY)));
                one.put("refreshes", aws.autoScaling(account).refreshes(region, stack.autoScalingGroupName()).size());
                one.put("inlinePolicies", stack.roles().stream().map(role -> role.logicalId() + ":"
                        + aws.iam(account).inlinePolicies(role.name()).keySet().stream()
                                .filter(policy -> policy.startsWith(OPERATOR_POLICY)).count()).sorted().toList());
                return one;
            }).toList());
            regions.add(each);
        });
        state.put("regions", regions);
        return state;
    }
}
