package io.elasticci.buildkite.token.aws;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import io.elasticci.buildkite.token.config.OperatorConfig;

import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.iam.model.ContextEntry;
import software.amazon.awssdk.services.iam.model.ContextKeyTypeEnum;
import software.amazon.awssdk.services.iam.model.EntityType;
import software.amazon.awssdk.services.iam.model.PolicyEvaluationDecisionType;
import software.amazon.awssdk.services.iam.model.Role;
import software.amazon.awssdk.services.iam.model.RoleDetail;

/** {@link IamGateway} over the AWS SDK, for one partition. */
@ApplicationScoped
public class SdkIamGateway implements IamGateway {

    private static final Logger LOG = Logger.getLogger(SdkIamGateway.class);
    private static final String SERVICE = "iam";
    /**
     * Roles per GetAccountAuthorizationDetails page (IAM allows 1,000). The SDK parses a whole page (every role's
     * trust and inline policies) before the first role is kept: smaller pages keep that peak small, for a few more
     * calls every 15 minutes.
     */
    static final int ACCOUNT_READ_PAGE = 200;

    private final AwsClients clients;
    private final PartitionHolder partition;
    private final Clock clock;
    private final Duration inlinePolicyTtl;
    /**
     * The operator's own inline policies, as last read or written: IAM is the most throttled service, and these only
     * change when the operator writes them, so they are re-read once per TTL to notice edits by others.
     */
    private final Map<String, Cached> inlinePolicies = new ConcurrentHashMap<>();

    /** Per principal, when {@code iamAccountReads}: the account's roles, renewed once per inline policy TTL. */
    private final Optional<SharedReads<AccountRoles>> accountReads;
    /** Principals whose missing permission for account reads was logged: once each. */
    private final Set<String> warned = ConcurrentHashMap.newKeySet();

    private record Cached(Optional<String> document, Instant expires) {
    }

    @Inject
    public SdkIamGateway(AwsClients clients, PartitionHolder partition, Clock clock, OperatorConfig config) {
        this(clients, partition, clock, config.aws().inlinePolicyCacheTtl(), config.aws().iamAccountReads());
    }

    public SdkIamGateway(AwsClients clients, PartitionHolder partition, Clock clock, Duration inlinePolicyTtl,
            boolean iamAccountReads) {
        this.clients = clients;
        this.partition = partition;
        this.clock = clock;
        this.inlinePolicyTtl = inlinePolicyTtl;
        this.accountReads = iamAccountReads ? Optional.of(new SharedReads<>(clock, inlinePolicyTtl)) : Optional.empty();
    }

    @Override
    public Optional<RoleInfo> role(String roleName) {
        AccountRoles account = accountRoles().value();
        if (account.shows(roleName)) {
            return account.role(roleName);
        }
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
        SharedReads.Read<AccountRoles> account = accountRoles();
        if (account.value().shows(roleName) && policyName.startsWith(OWN_POLICY_PREFIX)) {
            // Trusted as long as the account read is: a policy written since that read is in the cache above.
            Optional<String> document = account.value().inlinePolicy(roleName, policyName);
            inlinePolicies.put(key, new Cached(document, account.asOf().plus(inlinePolicyTtl)));
            return document;
        }
        Optional<String> document = AwsCall.absentIfNotFound(() -> URLDecoder.decode(call("GetRolePolicy",
                c -> c.getRolePolicy(b -> b.roleName(roleName).policyName(policyName)).policyDocument()),
                StandardCharsets.UTF_8));
        remember(key, document);
        return document;
    }

    private SharedReads.Read<AccountRoles> accountRoles() {
        if (accountReads.isEmpty()) {
            return new SharedReads.Read<>(Instant.MIN, AccountRoles.UNKNOWN);
        }
        String key = AwsScope.key("account");
        return accountReads.get().get(key, () -> {
            try {
                return readAccountRoles();
            } catch (AwsFailure f) {
                if (f.kind() != AwsFailure.Kind.ACCESS_DENIED) {
                    throw f;
                }
                if (warned.add(key)) {
                    LOG.warnf("cannot read the account's roles at once (%s): reading them one by one; grant "
                            + "iam:GetAccountAuthorizationDetails (deploy/iam/account-reads-policy.json) or set "
                            + "bkat.aws.iam-account-reads=false", f.getMessage());
                }
                return AccountRoles.UNKNOWN;
            }
        });
    }

    private AccountRoles readAccountRoles() {
        Map<String, RoleInfo> roles = new HashMap<>();
        Map<String, Map<String, String>> policies = new HashMap<>();
        // Page by page: each page's parsed roles (trust policies, every inline policy) are dropped once what is
        // kept has been taken. Collected first, the whole account was in memory at once while IAM answered every page.
        call("GetAccountAuthorizationDetails", c -> {
            c.getAccountAuthorizationDetailsPaginator(b -> b.filter(EntityType.ROLE).maxItems(ACCOUNT_READ_PAGE))
                    .roleDetailList().forEach(role -> keep(role, roles, policies));
            return roles;
        });
        return new AccountRoles(roles, policies);
    }

    private static void keep(RoleDetail role, Map<String, RoleInfo> roles, Map<String, Map<String, String>> policies) {
        roles.put(role.roleName(), new RoleInfo(role.roleName(), role.arn(), role.roleId(), role.createDate()));
        Map<String, String> own = new HashMap<>();
        role.rolePolicyList().stream().filter(p -> p.policyName().startsWith(OWN_POLICY_PREFIX))
                .forEach(p -> own.put(p.policyName(),
                        SharedStrings.of(URLDecoder.decode(p.policyDocument(), StandardCharsets.UTF_8))));
        if (!own.isEmpty()) {
            policies.put(role.roleName(), Map.copyOf(own));
        }
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
        accountReads.ifPresent(SharedReads::clear);
    }

    /** Every role serving one token in the same regions gets the same document: kept once. */
    private void remember(String key, Optional<String> document) {
        inlinePolicies.put(key, new Cached(document.map(SharedStrings::of), clock.instant().plus(inlinePolicyTtl)));
    }

    @Override
    public Map<String, Boolean> simulate(String roleArn, List<String> actions, List<String> resources,
            Map<String, String> context) {
        List<ContextEntry> entries = context.entrySet().stream().map(e -> ContextEntry.builder()
                .contextKeyName(e.getKey()).contextKeyValues(e.getValue()).contextKeyType(ContextKeyTypeEnum.STRING)
                .build()).toList();
        Map<String, Boolean> allowed = new LinkedHashMap<>();
        call("SimulatePrincipalPolicy", c -> c.simulatePrincipalPolicyPaginator(b -> b.policySourceArn(roleArn)
                .actionNames(actions).resourceArns(resources).contextEntries(entries)).evaluationResults().stream()
                .toList()).forEach(r -> allowed.put(r.evalActionName() + " " + r.evalResourceName(),
                        r.evalDecision() == PolicyEvaluationDecisionType.ALLOWED));
        return allowed;
    }

    private <T> T call(String operation, java.util.function.Function<IamClient, T> call) {
        IamClient client = clients.iam(partition.get());
        return AwsCall.run(SERVICE, operation, "global", () -> call.apply(client));
    }

}
