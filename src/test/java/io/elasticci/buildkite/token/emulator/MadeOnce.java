package io.elasticci.buildkite.token.emulator;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * What the operator made in one account, counted from the emulator's state and call log: how tests show that nothing
 * was made twice (a value written as a second version, a second replica, statement or inline policy, a stack updated
 * or a group refreshed once too often). Counts only, never values: a failed assertion prints no token.
 */
public final class MadeOnce {

    /** The prefix of the operator's inline role policies. */
    public static final String INLINE_POLICY_PREFIX = "BuildkiteAgentToken";

    private static final ObjectMapper JSON = new ObjectMapper();

    private final AwsEmulator aws;
    private final String account;

    public MadeOnce(AwsEmulator aws, String account) {
        this.aws = aws;
        this.account = account;
    }

    private SecretsManagerState.SecretInfo secret(String region, String secretName) {
        return aws.secretsManager(account).secret(region, secretName).orElseThrow(
                () -> new AssertionError("no secret " + secretName + " in " + region));
    }

    /** Versions of the secret. */
    public int versions(String region, String secretName) {
        return secret(region, secretName).versions().size();
    }

    /** Versions holding a value an earlier version already holds: a value written twice. */
    public long repeatedValues(String region, String secretName) {
        SecretsManagerState.SecretInfo secret = secret(region, secretName);
        return secret.versions().size() - secret.versions().keySet().stream().map(secret::valueOf).distinct().count();
    }

    /** The regions the secret is replicated to, one entry per replica: a region listed twice is a duplicate. */
    public List<String> replicaRegions(String region, String secretName) {
        return secret(region, secretName).replicas().stream().map(SecretsManagerState.ReplicaInfo::region).sorted()
                .toList();
    }

    /** Statements in the secret's resource policy (zero without a policy). */
    public int policyStatements(String region, String secretName) {
        String policy = aws.secretsManager(account).resourcePolicy(region, secret(region, secretName).arn())
                .orElse(null);
        if (policy == null) {
            return 0;
        }
        try {
            JsonNode statement = JSON.readTree(policy).path("Statement");
            return statement.isArray() ? statement.size() : statement.isObject() ? 1 : 0;
        } catch (java.io.IOException e) {
            throw new AssertionError("resource policy of " + secretName + " is no JSON", e);
        }
    }

    /** For each role, how many of the operator's inline policies it has. */
    public Map<String, Long> operatorInlinePolicies(Collection<String> roleNames) {
        Map<String, Long> counts = new TreeMap<>();
        for (String role : roleNames) {
            counts.put(role, aws.iam(account).inlinePolicies(role).keySet().stream()
                    .filter(name -> name.startsWith(INLINE_POLICY_PREFIX)).count());
        }
        return counts;
    }

    /** Successful calls of the operation since the call log's {@link CallLog#size} mark (region null = any). */
    public long succeeded(String service, String operation, String region, int since) {
        return aws.calls().since(since).stream().filter(c -> c.service().equals(service)
                && c.operation().equals(operation) && (region == null || Objects.equals(region, c.region()))
                && !c.failed()).count();
    }
}
