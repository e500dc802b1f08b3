package io.elasticci.buildkite.token.aws;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import io.elasticci.buildkite.token.config.OperatorConfig;

import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.iam.model.ContextEntry;
import software.amazon.awssdk.services.iam.model.ContextKeyTypeEnum;
import software.amazon.awssdk.services.iam.model.PolicyEvaluationDecisionType;
import software.amazon.awssdk.services.iam.model.Role;

/** {@link IamGateway} over the AWS SDK, for one partition. */
@ApplicationScoped
public class SdkIamGateway implements IamGateway {

    private static final String SERVICE = "iam";

    private final AwsClients clients;
    private final PartitionHolder partition;
    private final Clock clock;
    private final Duration inlinePolicyTtl;
    /**
     * The operator's own inline policies, as last read or written: IAM is the most throttled service, and these only
     * change when the operator writes them, so they are re-read once per TTL to notice edits by others.
     */
    private final Map<String, Cached> inlinePolicies = new ConcurrentHashMap<>();

    private record Cached(Optional<String> document, Instant expires) {
    }

    @Inject
    public SdkIamGateway(AwsClients clients, PartitionHolder partition, Clock clock, OperatorConfig config) {
        this(clients, partition, clock, config.aws().inlinePolicyCacheTtl());
    }

    public SdkIamGateway(AwsClients clients, PartitionHolder partition, Clock clock, Duration inlinePolicyTtl) {
        this.clients = clients;
        this.partition = partition;
        this.clock = clock;
        this.inlinePolicyTtl = inlinePolicyTtl;
    }

    @Override
    public Optional<RoleInfo> role(String roleName) {
        return AwsCall.absentIfNotFound(() -> {
            Role role = call("GetRole", c -> c.getRole(b -> b.roleName(roleName)).role());
            return new RoleInfo(role.roleName(), role.arn(), role.roleId(), role.createDate());
        });
    }

    @Override
    public Optional<String> inlinePolicy(String roleName, String policyName) {
        String key = AwsScope.key(roleName + "|" + policyName);
        Cached cached = inlinePolicies.get(key);
        if (cached != null && clock.instant().isBefore(cached.expires())) {
            return cached.document();
        }
        Optional<String> document = AwsCall.absentIfNotFound(() -> URLDecoder.decode(call("GetRolePolicy",
                c -> c.getRolePolicy(b -> b.roleName(roleName).policyName(policyName)).policyDocument()),
                StandardCharsets.UTF_8));
        remember(key, document);
        return document;
    }

    @Override
    public void putInlinePolicy(String roleName, String policyName, String document) {
        call("PutRolePolicy",
                c -> c.putRolePolicy(b -> b.roleName(roleName).policyName(policyName).policyDocument(document)));
        remember(AwsScope.key(roleName + "|" + policyName), Optional.of(document));
    }

    @Override
    public void deleteInlinePolicy(String roleName, String policyName) {
        AwsCall.absentIfNotFound(() -> call("DeleteRolePolicy",
                c -> c.deleteRolePolicy(b -> b.roleName(roleName).policyName(policyName))));
        remember(AwsScope.key(roleName + "|" + policyName), Optional.empty());
    }

    @Override
    public void forgetInlinePolicies() {
        inlinePolicies.clear();
    }

    private void remember(String key, Optional<String> document) {
        inlinePolicies.put(key, new Cached(document, clock.instant().plus(inlinePolicyTtl)));
    }

    @Override
    public Map<String, Boolean> simulate(String roleArn, List<String> actions, List<String> resources,
            Map<String, String> context) {
        List<ContextEntry> entries = context.entrySet().stream().map(e -> ContextEntry.builder()
                .contextKeyName(e.getKey()).contextKeyValues(e.getValue()).contextKeyType(ContextKeyTypeEnum.STRING)
                .build()).toList();
        Map<String, Boolean> allowed = new LinkedHashMap<>();
        call("SimulatePrincipalPolicy", c -> c.simulatePrincipalPolicyPaginator(b -> b.policySourceArn(roleArn)
                .actionNames(actions).resourceArns(resources).contextEntries(entries)))
                .evaluationResults().forEach(r -> allowed.put(r.evalActionName() + " " + r.evalResourceName(),
                        r.evalDecision() == PolicyEvaluationDecisionType.ALLOWED));
        return allowed;
    }

    private <T> T call(String operation, java.util.function.Function<IamClient, T> call) {
        IamClient client = clients.iam(partition.get());
        return AwsCall.run(SERVICE, operation, "global", () -> call.apply(client));
    }

}
