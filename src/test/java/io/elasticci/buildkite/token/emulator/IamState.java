package io.elasticci.buildkite.token.emulator;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;

/**
 * IAM roles of one account (IAM is global: no regions) with their inline policies, in partition {@code aws}.
 * Used by the IAM service handler, by Secrets Manager to resolve policy principals, by CloudFormation for the roles
 * stacks create, and directly by tests. Thread-safe (one lock per account); it never calls other state classes.
 *
 * <p>Role names are unique regardless of case, as in IAM. Each role gets a fresh unique ID ({@code AROA} + 17
 * characters) when created: a role deleted and created again under the same name keeps its ARN but not its ID.
 * Managed (attached) policies are not modelled: give a role what an attached policy would grant as an inline policy.
 */
public final class IamState {

    public static final String PARTITION = "aws";
    /** The trust policy of roles created without one (fixtures). */
    public static final String DEFAULT_TRUST_POLICY = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":"
            + "\"Allow\",\"Principal\":{\"Service\":\"ec2.amazonaws.com\"},\"Action\":\"sts:AssumeRole\"}]}";

    static final Pattern ROLE_ID = Pattern.compile("AROA[A-Z0-9]{17}");
    private static final Pattern NAME = Pattern.compile("[\\w+=,.@-]{1,64}");
    private static final Pattern POLICY_NAME = Pattern.compile("[\\w+=,.@-]{1,128}");
    private static final Pattern PATH = Pattern.compile("/|/[\\u0021-\\u007E]{0,510}/");
    private static final String ID_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

    /**
     * A snapshot of a role.
     *
     * @param arn    {@code arn:aws:iam::ACCOUNT:role/PATH/NAME} (the path's slashes included)
     * @param roleId the role's unique ID, {@code AROA...}
     */
    public record RoleInfo(String name, String path, String arn, String roleId, Instant createDate,
                           String assumeRolePolicyDocument, String description, Map<String, String> tags) {

        public String accountId() {
            return arn.split(":")[4];
        }
    }

    /** One simulated action on one resource, as SimulatePrincipalPolicy reports it. */
    record Evaluation(String action, String resource, String decision, List<PolicyDocument.Match> matched,
                      Set<String> missingContext) {
    }

    private static final class Role {
        final String name;
        final String path;
        final String arn;
        final String id;
        final Instant created;
        final String trust;
        final String description;
        final LinkedHashMap<String, String> tags = new LinkedHashMap<>();
        final LinkedHashMap<String, String> policies = new LinkedHashMap<>();

        Role(String name, String path, String arn, String id, Instant created, String trust, String description) {
            this.name = name;
            this.path = path;
            this.arn = arn;
            this.id = id;
            this.created = created;
            this.trust = trust;
            this.description = description;
        }

        RoleInfo info() {
            return new RoleInfo(name, path, arn, id, created, trust, description,
                    Collections.unmodifiableMap(new LinkedHashMap<>(tags)));
        }
    }

    private final String account;
    private final Clock clock;
    private final Map<String, Role> roles = new LinkedHashMap<>();
    private Duration propagationDelay = Duration.ZERO;

    IamState(String account, Clock clock) {
        this.account = account;
        this.clock = clock;
    }

    public String account() {
        return account;
    }

    /** Removes every role; propagation delay back to zero ({@link AwsEmulator#reset()}). */
    synchronized void clear() {
        roles.clear();
        propagationDelay = Duration.ZERO;
    }

    // ------------------------------------------------------------------ fixture API

    /** Creates a role with path {@code /}. */
    public RoleInfo createRole(String name) {
        return createRole("/", name);
    }

    /** A role other principals assume (STS AssumeRole checks this trust policy). */
    public synchronized RoleInfo createRoleTrusting(String name, String trustPolicyJson) {
        return create("/", name, trustPolicyJson, null, Map.of()).info();
    }

    public synchronized RoleInfo createRole(String path, String name) {
        return create(path, name, DEFAULT_TRUST_POLICY, null, Map.of()).info();
    }

    /** Deletes a role together with its inline policies (unlike DeleteRole, which refuses while any exist). */
    public synchronized void deleteRole(String name) {
        roles.remove(require(name).name.toLowerCase(Locale.ROOT));
    }

    /**
     * Deletes a role and creates it again with the same path, name and trust policy, as someone re-deploying it
     * would: the ARN stays, the unique ID is new, and the inline policies are gone.
     */
    public synchronized RoleInfo recreateRole(String name) {
        Role old = require(name);
        roles.remove(old.name.toLowerCase(Locale.ROOT));
        Role role = create(old.path, old.name, old.trust, old.description, old.tags);
        return role.info();
    }

    /** The role by name or ARN (an ARN must match exactly, path included). */
    public synchronized Optional<RoleInfo> role(String nameOrArn) {
        return find(nameOrArn).map(Role::info);
    }

    public synchronized Optional<RoleInfo> roleById(String roleId) {
        return roles.values().stream().filter(r -> r.id.equals(roleId)).findFirst().map(Role::info);
    }

    public synchronized List<RoleInfo> roles() {
        return roles.values().stream().map(Role::info).toList();
    }

    /** Inline policies of a role: name to document, as put. */
    public synchronized Map<String, String> inlinePolicies(String roleName) {
        return Collections.unmodifiableMap(new LinkedHashMap<>(require(roleName).policies));
    }

    /** Puts an inline policy as PutRolePolicy does (validated the same way). */
    public synchronized void putInlinePolicy(String roleName, String policyName, String policyJson) {
        putRolePolicy(roleName, policyName, policyJson);
    }

    /** Deletes an inline policy if the role has it. */
    public synchronized void deleteInlinePolicy(String roleName, String policyName) {
        require(roleName).policies.remove(policyName);
    }

    /**
     * IAM eventual consistency: a role younger than this (on the emulator clock) is not yet a valid principal in a
     * Secrets Manager resource policy. Default zero.
     */
    public synchronized void setPropagationDelay(Duration delay) {
        if (delay == null || delay.isNegative()) {
            throw new IllegalArgumentException("delay must be zero or positive");
        }
        this.propagationDelay = delay;
    }

    public synchronized Duration propagationDelay() {
        return propagationDelay;
    }

    /**
     * Whether the role's inline policies allow the action on the resource, given request context keys (e.g.
     * {@code kms:ViaService}): SimulatePrincipalPolicy's "allowed".
     */
    public synchronized boolean allows(String roleNameOrArn, String action, String resource,
                                       Map<String, String> context) {
        Map<String, List<String>> ctx = new LinkedHashMap<>();
        (context == null ? Map.<String, String>of() : context).forEach((k, v) -> ctx.put(k, List.of(v)));
        return decide(require(roleNameOrArn), action, resource, ctx).allowed();
    }

    // ------------------------------------------------------------------ used by other services

    /** Whether the role exists and is old enough to be accepted as a resource policy principal. */
    synchronized boolean isValidPrincipal(String roleId) {
        return roles.values().stream().anyMatch(r -> r.id.equals(roleId)
                && !clock.instant().isBefore(r.created.plus(propagationDelay)));
    }

    // ------------------------------------------------------------------ operations

    synchronized RoleInfo getRole(String name) {
        return require(name).info();
    }

    synchronized RoleInfo createRole(String path, String name, String trust, String description,
                                     Map<String, String> tags) {
        if (name == null) {
            throw missing("RoleName");
        }
        if (trust == null) {
            throw missing("AssumeRolePolicyDocument");
        }
        if (find(name).isPresent()) {
            throw AwsError.of("EntityAlreadyExists", "Role with name " + name + " already exists.");
        }
        try {
            PolicyDocument.parse(trust, PolicyDocument.Kind.RESOURCE);
        } catch (PolicyDocument.Invalid e) {
            throw AwsError.of("MalformedPolicyDocument", "Syntax errors in policy.");
        }
        return create(path == null ? "/" : path, name, trust, description, tags).info();
    }

    synchronized void deleteRoleOp(String name) {
        Role role = require(name);
        if (!role.policies.isEmpty()) {
            throw AwsError.of("DeleteConflict", "Cannot delete entity, must delete policies first.");
        }
        roles.remove(role.name.toLowerCase(Locale.ROOT));
    }

    synchronized void putRolePolicy(String roleName, String policyName, String document) {
        if (policyName == null) {
            throw missing("PolicyName");
        }
        if (document == null) {
            throw missing("PolicyDocument");
        }
        if (!POLICY_NAME.matcher(policyName).matches()) {
            throw AwsError.of("ValidationError", "1 validation error detected: Value '" + policyName
                    + "' at 'policyName' failed to satisfy constraint: Member must satisfy regular expression "
                    + "pattern: [\\w+=,.@-]+");
        }
        Role role = require(roleName);
        try {
            PolicyDocument.parse(document, PolicyDocument.Kind.IDENTITY);
        } catch (PolicyDocument.Invalid e) {
            throw AwsError.of("MalformedPolicyDocument", e.getMessage().startsWith("The policy document is not")
                    ? "Syntax errors in policy." : e.getMessage());
        }
        role.policies.put(policyName, document);
    }

    synchronized String getRolePolicy(String roleName, String policyName) {
        Role role = require(roleName);
        String doc = policyName == null ? null : role.policies.get(policyName);
        if (doc == null) {
            throw AwsError.of("NoSuchEntity", "The role policy with name " + policyName + " cannot be found.");
        }
        return doc;
    }

    synchronized void deleteRolePolicy(String roleName, String policyName) {
        Role role = require(roleName);
        if (policyName == null || role.policies.remove(policyName) == null) {
            throw AwsError.of("NoSuchEntity", "The role policy with name " + policyName + " cannot be found.");
        }
    }

    synchronized List<String> listRolePolicies(String roleName) {
        return List.copyOf(require(roleName).policies.keySet());
    }

    /** SimulatePrincipalPolicy for a role ARN: one evaluation per action and resource (resources default "*"). */
    synchronized List<Evaluation> simulate(String policySourceArn, List<String> actions, List<String> resources,
                                           Map<String, List<String>> context) {
        if (policySourceArn == null) {
            throw missing("PolicySourceArn");
        }
        if (actions.isEmpty()) {
            throw missing("ActionNames");
        }
        if (!policySourceArn.startsWith("arn:" + PARTITION + ":iam::")) {
            throw AwsError.of("InvalidInput", "Invalid ARN: " + policySourceArn);
        }
        Role role = findByArn(policySourceArn).orElseThrow(() -> AwsError.of("NoSuchEntity",
                "The role with name " + lastSegment(policySourceArn) + " cannot be found."));
        List<String> on = resources.isEmpty() ? List.of("*") : resources;
        List<Evaluation> out = new ArrayList<>();
        for (String action : actions) {
            for (String resource : on) {
                PolicyDocument.Decision d = decide(role, action, resource, context);
                out.add(new Evaluation(action, resource, d.decision(), d.matched(), d.missingContext()));
            }
        }
        return out;
    }

    // ------------------------------------------------------------------ internals

    private PolicyDocument.Decision decide(Role role, String action, String resource,
                                           Map<String, List<String>> context) {
        Map<String, PolicyDocument> docs = new LinkedHashMap<>();
        role.policies.forEach((name, doc) -> docs.put(name, PolicyDocument.parse(doc, PolicyDocument.Kind.IDENTITY)));
        return PolicyDocument.evaluate(docs, action, resource, context, s -> true);
    }

    private Role create(String path, String name, String trust, String description, Map<String, String> tags) {
        if (!NAME.matcher(name).matches()) {
            throw AwsError.of("ValidationError", "1 validation error detected: Value '" + name + "' at 'roleName' "
                    + "failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]+");
        }
        if (!PATH.matcher(path).matches()) {
            throw AwsError.of("ValidationError", "The specified value for path is invalid. It must begin and end "
                    + "with / and contain only alphanumeric characters and/or / characters.");
        }
        if (find(name).isPresent()) {
            throw AwsError.of("EntityAlreadyExists", "Role with name " + name + " already exists.");
        }
        String arn = "arn:" + PARTITION + ":iam::" + account + ":role" + path + name;
        Role role = new Role(name, path, arn, newRoleId(), clock.instant(), trust, description);
        role.tags.putAll(tags);
        roles.put(name.toLowerCase(Locale.ROOT), role);
        return role;
    }

    private Role require(String nameOrArn) {
        Objects.requireNonNull(nameOrArn, "role name");
        return find(nameOrArn).orElseThrow(() -> AwsError.of("NoSuchEntity",
                "The role with name " + lastSegment(nameOrArn) + " cannot be found."));
    }

    private Optional<Role> find(String nameOrArn) {
        if (nameOrArn == null) {
            return Optional.empty();
        }
        if (nameOrArn.startsWith("arn:")) {
            return findByArn(nameOrArn);
        }
        return Optional.ofNullable(roles.get(nameOrArn.toLowerCase(Locale.ROOT)));
    }

    private Optional<Role> findByArn(String arn) {
        return roles.values().stream().filter(r -> r.arn.equals(arn)).findFirst();
    }

    private static String lastSegment(String nameOrArn) {
        return nameOrArn.substring(nameOrArn.lastIndexOf('/') + 1);
    }

    private String newRoleId() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        while (true) {
            StringBuilder b = new StringBuilder("AROA");
            for (int i = 0; i < 17; i++) {
                b.append(ID_CHARS.charAt(random.nextInt(ID_CHARS.length())));
            }
            String id = b.toString();
            if (roles.values().stream().noneMatch(r -> r.id.equals(id))) {
                return id;
            }
        }
    }

    private static AwsError missing(String field) {
        String member = Character.toLowerCase(field.charAt(0)) + field.substring(1);
        return AwsError.of("ValidationError", "1 validation error detected: Value null at '" + member
                + "' failed to satisfy constraint: Member must not be null");
    }

    /** URL-encodes a policy document as IAM returns documents (RFC 3986: spaces as %20). */
    static String urlEncode(String document) {
        return URLEncoder.encode(document, StandardCharsets.UTF_8).replace("+", "%20");
    }

    @Override
    public String toString() {
        return "IamState[" + account + "]";
    }
}
