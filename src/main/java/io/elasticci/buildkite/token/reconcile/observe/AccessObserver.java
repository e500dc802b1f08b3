package io.elasticci.buildkite.token.reconcile.observe;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import io.elasticci.buildkite.token.aws.CallerIdentity;
import io.elasticci.buildkite.token.aws.IamGateway;
import io.elasticci.buildkite.token.aws.KmsGateway;
import io.elasticci.buildkite.token.aws.KmsKey;
import io.elasticci.buildkite.token.aws.RoleInfo;
import io.elasticci.buildkite.token.aws.SecretDescription;
import io.elasticci.buildkite.token.aws.SecretsManagerGateway;
import io.elasticci.buildkite.token.plan.AccessObservation;
import io.elasticci.buildkite.token.plan.DesiredToken;
import io.elasticci.buildkite.token.plan.Planners;
import io.elasticci.buildkite.token.plan.StackObservation;

/**
 * Observes who can read the token: every declared stack (in parallel), the primary's resource policy, the operator's
 * inline policy on each role, (Verify) IAM's simulation of each role's access, and each customer managed key's
 * policy.
 */
@ApplicationScoped
public class AccessObserver {

    private final StackDiscovery discovery;
    private final SecretsManagerGateway secrets;
    private final IamGateway iam;
    private final KmsGateway kms;
    private final Parallel parallel;

    @Inject
    public AccessObserver(StackDiscovery discovery, SecretsManagerGateway secrets, IamGateway iam, KmsGateway kms,
            Parallel parallel) {
        this.discovery = discovery;
        this.secrets = secrets;
        this.iam = iam;
        this.kms = kms;
        this.parallel = parallel;
    }

    /**
     * @param previousRoles names of roles granted before (from status), so a role whose stack left the spec loses
     *        its inline policy
     * @param outages where a replica region's reads fail transiently: its stacks and key policy are left out
     */
    public AccessObservation observe(DesiredToken desired, CallerIdentity identity, Optional<SecretDescription> secret,
            Map<String, KmsKey> keys, Set<String> previousRoles, RegionOutages outages) {
        // Key policies do not depend on what the stacks hold: read them meanwhile, for regions that declare stacks.
        Map<String, CompletableFuture<String>> keyPolicyReads = new LinkedHashMap<>();
        desired.regions().stream().filter(r -> !r.stacks().isEmpty()).map(DesiredToken.DesiredRegion::region)
                .filter(r -> keys.containsKey(r) && !keys.get(r).awsManaged())
                .forEach(r -> keyPolicyReads.put(r, parallel.start(() -> outages.read(r,
                        () -> kms.keyPolicy(r, keys.get(r).keyId()), null))));
        Optional<String> policy = secret.filter(s -> !s.isReplica())
                .flatMap(s -> secrets.resourcePolicy(desired.primaryRegion(), s.arn()));
        if (policy.map(p -> Planners.ourStatementHasUniqueIds(p, desired.owner())).orElse(false)) {
            discovery.forgetRoles(); // AWS shows a pinned ID it no longer knows: some role was re-created
            iam.forgetInlinePolicies();
        }
        List<String[]> declared = new ArrayList<>();
        desired.regions().forEach(r -> r.stacks().forEach(s -> declared.add(new String[] {r.region(), s})));
        List<StackObservation> stacks = parallel.map(declared, d -> outages.read(d[0], () -> discovery.discover(d[0],
                d[1], updatedAtThisGeneration(desired, d[0] + "/" + d[1])), (StackObservation) null)).values().stream()
                .filter(java.util.Objects::nonNull).toList();

        Set<String> roleNames = new TreeSet<>(previousRoles);
        stacks.forEach(s -> s.roles().forEach(r -> roleNames.add(r.name())));
        Map<String, Optional<String>> inline = new HashMap<>();
        String policyName = Planners.inlinePolicyName(desired.owner());
        parallel.map(List.copyOf(roleNames), name -> iam.inlinePolicy(name, policyName)).forEach(inline::put);

        Map<String, Optional<String>> retained = retainedInlinePolicies(secret, policy);

        Map<String, Boolean> simulations = desired.managePermissions() ? Map.of()
                : simulate(desired, identity, stacks, keys);
        Map<String, String> keyPolicies = new LinkedHashMap<>();
        stacks.stream().filter(s -> !s.roles().isEmpty()).map(StackObservation::region).distinct()
                .filter(keyPolicyReads::containsKey)
                .forEach(region -> {
                    String read = Parallel.join(keyPolicyReads.get(region));
                    if (read != null) { // null: the region failed meanwhile (an outage)
                        keyPolicies.put(region, read);
                    }
                });
        return new AccessObservation(stacks, policy, inline, simulations, keyPolicies, retained);
    }

    /** Whether this operator updated the stack's parameters for the spec as it is (StackPlanner's failure check). */
    private static boolean updatedAtThisGeneration(DesiredToken desired, String stackKey) {
        return Long.valueOf(desired.generation()).equals(desired.stackUpdateGenerations().get(stackKey));
    }

    /** A role a previous owner's retained statement names, and that owner's hash. */
    private record RetainedRole(String ownerHash, String roleName) {
    }

    /** After a hand-over: the inline policies previous owners retained on the roles their statements name. */
    private Map<String, Optional<String>> retainedInlinePolicies(Optional<SecretDescription> secret,
            Optional<String> policy) {
        List<String> hashes = secret.map(s -> Planners.retainedHashes(s.tags())).orElse(List.of());
        if (hashes.isEmpty() || policy.isEmpty()) {
            return Map.of();
        }
        List<RetainedRole> roles = new ArrayList<>();
        hashes.forEach(h -> Planners.retainedRoleNames(policy.get(), h).forEach(r -> roles.add(new RetainedRole(h, r))));
        Map<String, Optional<String>> retained = new HashMap<>();
        parallel.map(roles, r -> iam.inlinePolicy(r.roleName(), Planners.inlinePolicyNameOfHash(r.ownerHash())))
                .forEach((r, document) -> retained.put(Planners.retainedPolicyKey(r.ownerHash(), r.roleName()),
                        document));
        return retained;
    }

    private Map<String, Boolean> simulate(DesiredToken desired, CallerIdentity identity, List<StackObservation> stacks,
            Map<String, KmsKey> keys) {
        Map<String, String[]> checks = new LinkedHashMap<>(); // role+region → [roleArn, region]
        for (StackObservation stack : stacks) {
            for (RoleInfo role : stack.roles()) {
                checks.putIfAbsent(role.arn() + " " + stack.region(), new String[] {role.arn(), stack.region()});
            }
        }
        Map<String, Boolean> results = new HashMap<>();
        parallel.map(List.copyOf(checks.values()), check -> {
            String region = check[1];
            String parameter = Planners.parameterArn(identity, region, desired.secretName());
            KmsKey key = keys.get(region);
            List<String> resources = key == null ? List.of(parameter) : List.of(parameter, key.arn());
            Map<String, Boolean> allowed = iam.simulate(check[0], Planners.ROLE_ACTIONS, resources,
                    Map.of("kms:ViaService", Planners.viaService(region)));
            Map<String, Boolean> picked = new HashMap<>();
            picked.put(Planners.simulationKey(check[0], region, Planners.ROLE_ACTIONS.get(0)),
                    allowed.getOrDefault(Planners.ROLE_ACTIONS.get(0) + " " + parameter, false));
            if (key != null) {
                picked.put(Planners.simulationKey(check[0], region, Planners.ROLE_ACTIONS.get(1)),
                        allowed.getOrDefault(Planners.ROLE_ACTIONS.get(1) + " " + key.arn(), false));
            }
            return picked;
        }).values().forEach(results::putAll);
        return results;
    }
}
