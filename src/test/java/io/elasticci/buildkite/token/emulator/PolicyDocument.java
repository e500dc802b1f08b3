package io.elasticci.buildkite.token.emulator;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * A parsed IAM policy document (identity or resource policy) and the small evaluation engine the emulator needs:
 * Effect Allow/Deny (an explicit deny wins), Action/NotAction (case-insensitive, {@code *} and {@code ?}),
 * Resource/NotResource (case-sensitive wildcards), and the condition operators StringEquals, StringNotEquals,
 * StringEqualsIgnoreCase, StringNotEqualsIgnoreCase, StringLike, StringNotLike, ArnEquals, ArnLike, ArnNotEquals,
 * ArnNotLike, Bool and Null, each also with the {@code IfExists} suffix. Set operators ({@code ForAnyValue:},
 * {@code ForAllValues:}) and unknown operators never match. Policy variables are not expanded.
 */
final class PolicyDocument {

    /** Identity policies (IAM inline) forbid Principal and require Resource; resource policies the opposite. */
    enum Kind { IDENTITY, RESOURCE }

    /** A policy the emulator cannot accept; the message says why (callers wrap it in their service's error). */
    static final class Invalid extends RuntimeException {
        Invalid(String message) {
            super(message, null, false, false);
        }
    }

    /** One statement, as parsed; {@link #node} is the statement as given. */
    static final class Statement {
        final ObjectNode node;
        final String sid;
        final boolean allow;
        final List<String> actions;
        final List<String> notActions;
        final List<String> resources;
        final List<String> notResources;
        final JsonNode principal;
        final JsonNode notPrincipal;
        final JsonNode condition;

        private Statement(ObjectNode node, Kind kind) {
            this.node = node;
            JsonNode sidNode = node.get("Sid");
            this.sid = sidNode == null || sidNode.isNull() ? null : sidNode.asText();
            JsonNode effect = node.get("Effect");
            if (effect == null || !effect.isTextual()
                    || !(effect.asText().equals("Allow") || effect.asText().equals("Deny"))) {
                throw new Invalid("The policy statement has an invalid or missing Effect.");
            }
            this.allow = effect.asText().equals("Allow");
            this.actions = strings(node, "Action");
            this.notActions = strings(node, "NotAction");
            if ((actions == null) == (notActions == null)) {
                throw new Invalid("The policy statement must contain exactly one of Action and NotAction.");
            }
            this.resources = strings(node, "Resource");
            this.notResources = strings(node, "NotResource");
            if (resources != null && notResources != null) {
                throw new Invalid("The policy statement must not contain both Resource and NotResource.");
            }
            if (kind == Kind.IDENTITY && resources == null && notResources == null) {
                throw new Invalid("Policy statement must contain resources.");
            }
            this.principal = node.get("Principal");
            this.notPrincipal = node.get("NotPrincipal");
            if (kind == Kind.IDENTITY && (principal != null || notPrincipal != null)) {
                throw new Invalid("Policy document should not specify a principal.");
            }
            if (kind == Kind.RESOURCE) {
                if ((principal == null) == (notPrincipal == null)) {
                    throw new Invalid("The policy statement must contain exactly one of Principal and NotPrincipal.");
                }
                checkPrincipal(principal != null ? principal : notPrincipal);
            }
            this.condition = node.get("Condition");
            if (condition != null) {
                if (!condition.isObject()) {
                    throw new Invalid("The policy statement has an invalid Condition block.");
                }
                for (JsonNode keys : (Iterable<JsonNode>) condition::elements) {
                    if (!keys.isObject()) {
                        throw new Invalid("The policy statement has an invalid Condition block.");
                    }
                }
            }
        }

        boolean matchesAction(String action) {
            if (actions != null) {
                return actions.stream().anyMatch(a -> wildcard(a, action, true));
            }
            return notActions.stream().noneMatch(a -> wildcard(a, action, true));
        }

        boolean matchesResource(String resource) {
            if (resources != null) {
                return resources.stream().anyMatch(r -> wildcard(r, resource, false));
            }
            if (notResources != null) {
                return notResources.stream().noneMatch(r -> wildcard(r, resource, false));
            }
            return true; // a resource policy statement without Resource applies to the resource it is attached to
        }

        /** Principal values of one type ("AWS", "Service", ...); "*" as a bare principal counts for every type. */
        List<String> principals(String type) {
            return principalValues(principal, type);
        }

        List<String> notPrincipals(String type) {
            return principalValues(notPrincipal, type);
        }

        /**
         * Whether every condition holds in the context (keys case-insensitive, multi-valued). Keys the conditions
         * need but the context lacks are added to {@code missing}.
         */
        boolean conditionsHold(Map<String, List<String>> context, Set<String> missing) {
            if (condition == null) {
                return true;
            }
            boolean all = true;
            for (Iterator<Map.Entry<String, JsonNode>> ops = condition.fields(); ops.hasNext(); ) {
                Map.Entry<String, JsonNode> op = ops.next();
                for (Iterator<Map.Entry<String, JsonNode>> keys = op.getValue().fields(); keys.hasNext(); ) {
                    Map.Entry<String, JsonNode> key = keys.next();
                    List<String> values = new ArrayList<>();
                    if (key.getValue().isArray()) {
                        key.getValue().forEach(v -> values.add(v.asText()));
                    } else {
                        values.add(key.getValue().asText());
                    }
                    List<String> actual = lookup(context, key.getKey());
                    if (actual == null && !op.getKey().startsWith("Null")) {
                        missing.add(key.getKey());
                    }
                    if (!condition(op.getKey(), actual, values)) {
                        all = false;
                    }
                }
            }
            return all;
        }
    }

    final ObjectNode root;
    final List<Statement> statements;

    private PolicyDocument(ObjectNode root, List<Statement> statements) {
        this.root = root;
        this.statements = statements;
    }

    static PolicyDocument parse(String json, Kind kind) {
        if (json == null || json.isBlank()) {
            throw new Invalid("The policy document is empty.");
        }
        JsonNode node;
        try {
            node = JsonProtocol.MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            throw new Invalid("The policy document is not valid JSON.");
        }
        if (node == null || !node.isObject()) {
            throw new Invalid("The policy document is not a JSON object.");
        }
        return of((ObjectNode) node, kind);
    }

    static PolicyDocument of(ObjectNode root, Kind kind) {
        JsonNode version = root.get("Version");
        if (version != null && !(version.isTextual()
                && (version.asText().equals("2012-10-17") || version.asText().equals("2008-10-17")))) {
            throw new Invalid("The policy document has an invalid Version.");
        }
        JsonNode st = root.get("Statement");
        if (st == null || !(st.isObject() || st.isArray()) || (st.isArray() && st.isEmpty())) {
            throw new Invalid("The policy document must contain a Statement.");
        }
        List<Statement> statements = new ArrayList<>();
        for (JsonNode s : st.isArray() ? st : List.of(st)) {
            if (!s.isObject()) {
                throw new Invalid("A policy statement must be a JSON object.");
            }
            statements.add(new Statement((ObjectNode) s, kind));
        }
        return new PolicyDocument(root, List.copyOf(statements));
    }

    /** Statement nodes of a document node, whether Statement is one object or a list. */
    static List<ObjectNode> statementNodes(ObjectNode root) {
        JsonNode st = root.get("Statement");
        List<ObjectNode> out = new ArrayList<>();
        if (st != null && st.isObject()) {
            out.add((ObjectNode) st);
        } else if (st != null && st.isArray()) {
            st.forEach(s -> {
                if (s.isObject()) {
                    out.add((ObjectNode) s);
                }
            });
        }
        return out;
    }

    // ------------------------------------------------------------------ evaluation

    /** A statement that matched, with the name of the policy it belongs to. */
    record Match(String policyName, Statement statement) {
    }

    /**
     * The decision for one request: "allowed", "explicitDeny" or "implicitDeny", the statements that decided it
     * (the denying ones for an explicit deny, the allowing ones when allowed) and the context keys that conditions
     * of otherwise matching statements lacked.
     */
    record Decision(String decision, List<Match> matched, Set<String> missingContext) {
        boolean allowed() {
            return decision.equals("allowed");
        }
    }

    /**
     * Evaluates named policies for one action on one resource. {@code applies} selects the statements that apply to
     * the principal at all (always true for identity policies).
     */
    static Decision evaluate(Map<String, PolicyDocument> policies, String action, String resource,
                             Map<String, List<String>> context, Predicate<Statement> applies) {
        List<Match> allows = new ArrayList<>();
        List<Match> denies = new ArrayList<>();
        Set<String> missing = new LinkedHashSet<>();
        policies.forEach((name, policy) -> {
            for (Statement s : policy.statements) {
                if (!applies.test(s) || !s.matchesAction(action) || !s.matchesResource(resource)) {
                    continue;
                }
                if (s.conditionsHold(context, missing)) {
                    (s.allow ? allows : denies).add(new Match(name, s));
                }
            }
        });
        if (!denies.isEmpty()) {
            return new Decision("explicitDeny", List.copyOf(denies), missing);
        }
        if (!allows.isEmpty()) {
            return new Decision("allowed", List.copyOf(allows), missing);
        }
        return new Decision("implicitDeny", List.of(), missing);
    }

    // ------------------------------------------------------------------ helpers

    /** {@code *} any run of characters, {@code ?} one character; the rest literal. */
    static boolean wildcard(String pattern, String value, boolean ignoreCase) {
        if (pattern == null || value == null) {
            return false;
        }
        if (pattern.equals("*")) {
            return true;
        }
        StringBuilder regex = new StringBuilder();
        StringBuilder literal = new StringBuilder();
        for (char c : pattern.toCharArray()) {
            if (c == '*' || c == '?') {
                if (literal.length() > 0) {
                    regex.append(Pattern.quote(literal.toString()));
                    literal.setLength(0);
                }
                regex.append(c == '*' ? ".*" : ".");
            } else {
                literal.append(c);
            }
        }
        if (literal.length() > 0) {
            regex.append(Pattern.quote(literal.toString()));
        }
        int flags = Pattern.DOTALL | (ignoreCase ? Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE : 0);
        return Pattern.compile(regex.toString(), flags).matcher(value).matches();
    }

    private static boolean condition(String operator, List<String> actual, List<String> expected) {
        String op = operator;
        if (op.contains(":")) {
            return false; // ForAnyValue:/ForAllValues: are not modelled
        }
        boolean ifExists = op.endsWith("IfExists");
        if (ifExists) {
            op = op.substring(0, op.length() - "IfExists".length());
        }
        if (op.equals("Null")) {
            boolean wantAbsent = expected.stream().anyMatch(v -> v.equalsIgnoreCase("true"));
            return (actual == null) == wantAbsent;
        }
        boolean negated = op.contains("Not");
        if (actual == null) {
            return ifExists || negated;
        }
        boolean any = false;
        for (String a : actual) {
            for (String e : expected) {
                if (matchesValue(op, a, e)) {
                    any = true;
                }
            }
        }
        return negated != any;
    }

    private static boolean matchesValue(String op, String actual, String expected) {
        return switch (op) {
            case "StringEquals", "StringNotEquals" -> actual.equals(expected);
            case "StringEqualsIgnoreCase", "StringNotEqualsIgnoreCase" -> actual.equalsIgnoreCase(expected);
            case "StringLike", "StringNotLike", "ArnEquals", "ArnLike", "ArnNotEquals", "ArnNotLike" ->
                    wildcard(expected, actual, false);
            case "Bool" -> actual.equalsIgnoreCase(expected);
            default -> false;
        };
    }

    private static List<String> lookup(Map<String, List<String>> context, String key) {
        for (Map.Entry<String, List<String>> e : context.entrySet()) {
            if (e.getKey().equalsIgnoreCase(key)) {
                return e.getValue();
            }
        }
        return null;
    }

    private static List<String> strings(ObjectNode node, String field) {
        JsonNode n = node.get(field);
        if (n == null) {
            return null;
        }
        List<String> out = new ArrayList<>();
        if (n.isTextual()) {
            out.add(n.asText());
        } else if (n.isArray() && !n.isEmpty()) {
            for (JsonNode e : n) {
                if (!e.isTextual()) {
                    throw new Invalid("The policy element " + field + " must be a string or a list of strings.");
                }
                out.add(e.asText());
            }
        } else {
            throw new Invalid("The policy element " + field + " must be a string or a list of strings.");
        }
        return List.copyOf(out);
    }

    private static void checkPrincipal(JsonNode p) {
        if (p.isTextual() && p.asText().equals("*")) {
            return;
        }
        if (!p.isObject() || p.isEmpty()) {
            throw new Invalid("The policy statement has an invalid principal.");
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = p.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!Set.of("AWS", "Service", "Federated", "CanonicalUser").contains(e.getKey())) {
                throw new Invalid("The policy statement has an invalid principal type " + e.getKey() + ".");
            }
            JsonNode v = e.getValue();
            boolean ok = v.isTextual() || (v.isArray() && !v.isEmpty());
            if (v.isArray()) {
                for (JsonNode x : v) {
                    ok &= x.isTextual();
                }
            }
            if (!ok) {
                throw new Invalid("The policy statement has an invalid principal.");
            }
        }
    }

    private static List<String> principalValues(JsonNode p, String type) {
        List<String> out = new ArrayList<>();
        if (p == null) {
            return out;
        }
        if (p.isTextual()) {
            out.add(p.asText());
            return out;
        }
        JsonNode v = p.get(type);
        if (v == null) {
            return out;
        }
        if (v.isArray()) {
            v.forEach(x -> out.add(x.asText()));
        } else {
            out.add(v.asText());
        }
        return out;
    }
}
