package io.elasticci.buildkite.token.emulator;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;

/**
 * Secrets Manager resource policies: checks a policy as PutResourcePolicy does, stores it with every IAM role
 * principal pinned to the role's unique ID, renders it back as GetResourcePolicy does (an ID whose role still exists
 * as its current ARN, otherwise the bare ID), and answers whether a role is granted an action.
 *
 * <p>Principals accepted in {@code "AWS"}: {@code *}, a 12-digit account ID (stored as the account's root ARN),
 * {@code arn:aws:iam::ACCOUNT:root}, an existing role's ARN (path included) or unique ID that IAM has propagated,
 * and {@code arn:aws:sts::ACCOUNT:assumed-role/...}. Anything else (users are not modelled, unknown or too young
 * roles, other partitions) is an "unsupported principal". Service, Federated and CanonicalUser principals pass
 * through. Statements are otherwise kept exactly as given.
 */
final class ResourcePolicies {

    static final String SYNTAX_ERROR = "This resource policy contains a syntax error.";
    static final String UNSUPPORTED_PRINCIPAL = "This resource policy contains an unsupported principal.";
    static final String PUBLIC_POLICY = "This resource policy will grant public access to the secret.";

    /** ValidateResourcePolicy check names (the emulator's own names: AWS does not document them). */
    static final String CHECK_PUBLIC = "PUBLIC_ACCESS_CHECK";
    static final String CHECK_PRINCIPAL = "PRINCIPAL_CHECK";

    /** Condition keys that, fixed to specific values, keep a {@code *} principal from being public. */
    private static final Set<String> RESTRICTING_KEYS = Set.of("aws:principalaccount", "aws:sourceaccount",
            "aws:principalarn", "aws:principalorgid", "aws:principalorgpaths", "aws:sourcearn", "aws:sourceowner",
            "aws:sourcevpc", "aws:sourcevpce", "aws:userid", "aws:sourceip", "kms:calleraccount");

    private static final Pattern ACCOUNT_ID = Pattern.compile("\\d{12}");
    private static final Pattern ROOT = Pattern.compile("arn:aws:iam::\\d{12}:root");
    private static final Pattern ROLE_ARN = Pattern.compile("arn:aws:iam::\\d{12}:role/.+");
    private static final Pattern ASSUMED_ROLE = Pattern.compile("arn:aws:sts::\\d{12}:assumed-role/.+");

    /** One finding of ValidateResourcePolicy. */
    record Problem(String checkName, String message) {
    }

    private final IamDirectory iam;

    ResourcePolicies(IamDirectory iam) {
        this.iam = iam;
    }

    /** PutResourcePolicy's checks; returns the document to store. */
    ObjectNode pin(String json, boolean blockPublicPolicy) {
        PolicyDocument doc = parse(json);
        ObjectNode stored = doc.root.deepCopy();
        mapAwsPrincipals(stored, value -> pinned(value).orElseThrow(
                () -> AwsError.of("MalformedPolicyDocumentException", UNSUPPORTED_PRINCIPAL)));
        if (blockPublicPolicy && isPublic(doc)) {
            throw AwsError.of("PublicPolicyException", PUBLIC_POLICY);
        }
        return stored;
    }

    /** ValidateResourcePolicy: a syntax error is an exception; other findings are listed. */
    List<Problem> validate(String json) {
        PolicyDocument doc = parse(json);
        List<Problem> problems = new ArrayList<>();
        List<String> bad = new ArrayList<>();
        mapAwsPrincipals(doc.root.deepCopy(), value -> {
            Optional<String> p = pinned(value);
            if (p.isEmpty()) {
                bad.add(value);
            }
            return value;
        });
        if (!bad.isEmpty()) {
            problems.add(new Problem(CHECK_PRINCIPAL, UNSUPPORTED_PRINCIPAL));
        }
        if (isPublic(doc)) {
            problems.add(new Problem(CHECK_PUBLIC, PUBLIC_POLICY));
        }
        return problems;
    }

    /** The stored document as GetResourcePolicy shows it. */
    String render(ObjectNode stored) {
        ObjectNode copy = stored.deepCopy();
        mapAwsPrincipals(copy, value -> IamState.ROLE_ID.matcher(value).matches()
                ? iam.roleById(value).map(IamState.RoleInfo::arn).orElse(value)
                : value);
        try {
            return JsonProtocol.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(copy);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write JSON", e);
        }
    }

    /**
     * Whether the stored policy allows the role the action on the resource: an Allow statement names the role's
     * current unique ID (or {@code *}, conditions permitting), and no Deny statement applies to it.
     */
    boolean grants(ObjectNode stored, String resourceArn, IamState.RoleInfo role, String action) {
        PolicyDocument doc = PolicyDocument.of(stored, PolicyDocument.Kind.RESOURCE);
        String root = "arn:aws:iam::" + role.accountId() + ":root";
        Map<String, List<String>> context = new LinkedHashMap<>();
        context.put("aws:PrincipalArn", List.of(role.arn()));
        context.put("aws:PrincipalAccount", List.of(role.accountId()));
        context.put("aws:userid", List.of(role.roleId() + ":session"));
        Map<String, PolicyDocument> policies = Map.of("ResourcePolicy", doc);
        return PolicyDocument.evaluate(policies, action, resourceArn, context, s -> {
            if (s.notPrincipal != null) {
                return !s.notPrincipals("AWS").contains(role.roleId());
            }
            List<String> named = s.principals("AWS");
            return named.contains(role.roleId()) || named.contains("*") || (!s.allow && named.contains(root));
        }).allowed();
    }

    Optional<IamState.RoleInfo> roleByArn(String arn) {
        return iam.roleByArn(arn);
    }

    // ------------------------------------------------------------------ internals

    private static PolicyDocument parse(String json) {
        try {
            return PolicyDocument.parse(json, PolicyDocument.Kind.RESOURCE);
        } catch (PolicyDocument.Invalid e) {
            throw AwsError.of("MalformedPolicyDocumentException", SYNTAX_ERROR);
        }
    }

    /** The stored form of one AWS principal, or empty when IAM would not accept it. */
    private Optional<String> pinned(String value) {
        if (value.equals("*") || ROOT.matcher(value).matches() || ASSUMED_ROLE.matcher(value).matches()) {
            return Optional.of(value);
        }
        if (ACCOUNT_ID.matcher(value).matches()) {
            return Optional.of("arn:aws:iam::" + value + ":root");
        }
        if (ROLE_ARN.matcher(value).matches()) {
            return iam.roleByArn(value).filter(iam::isValidPrincipal).map(IamState.RoleInfo::roleId);
        }
        if (IamState.ROLE_ID.matcher(value).matches()) {
            return iam.roleById(value).filter(iam::isValidPrincipal).map(IamState.RoleInfo::roleId);
        }
        return Optional.empty();
    }

    private static boolean isPublic(PolicyDocument doc) {
        for (PolicyDocument.Statement s : doc.statements) {
            if (!s.allow) {
                continue;
            }
            boolean wildcard = s.notPrincipal != null || s.principals("AWS").contains("*");
            if (wildcard && !restricted(s)) {
                return true;
            }
        }
        return false;
    }

    private static boolean restricted(PolicyDocument.Statement s) {
        if (s.condition == null) {
            return false;
        }
        for (Iterator<Map.Entry<String, JsonNode>> ops = s.condition.fields(); ops.hasNext(); ) {
            Map.Entry<String, JsonNode> op = ops.next();
            if (op.getKey().contains("Not") || op.getKey().startsWith("Null") || op.getKey().endsWith("IfExists")) {
                continue;
            }
            for (Iterator<Map.Entry<String, JsonNode>> keys = op.getValue().fields(); keys.hasNext(); ) {
                Map.Entry<String, JsonNode> key = keys.next();
                if (!RESTRICTING_KEYS.contains(key.getKey().toLowerCase(Locale.ROOT))) {
                    continue;
                }
                List<String> values = new ArrayList<>();
                if (key.getValue().isArray()) {
                    key.getValue().forEach(v -> values.add(v.asText()));
                } else {
                    values.add(key.getValue().asText());
                }
                if (!values.isEmpty() && values.stream().noneMatch(v -> v.equals("*") || v.isEmpty())) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Applies f to every "AWS" principal value (Principal and NotPrincipal), in place, keeping string vs list. */
    private static void mapAwsPrincipals(ObjectNode root, UnaryOperator<String> f) {
        for (ObjectNode statement : PolicyDocument.statementNodes(root)) {
            for (String field : List.of("Principal", "NotPrincipal")) {
                JsonNode p = statement.get(field);
                if (p == null || !p.isObject()) {
                    continue;
                }
                JsonNode aws = p.get("AWS");
                if (aws == null) {
                    continue;
                }
                if (aws.isTextual()) {
                    ((ObjectNode) p).set("AWS", TextNode.valueOf(f.apply(aws.asText())));
                } else if (aws.isArray()) {
                    ArrayNode mapped = JsonProtocol.array();
                    aws.forEach(v -> mapped.add(f.apply(v.asText())));
                    ((ObjectNode) p).set("AWS", mapped);
                }
            }
        }
    }
}
