package io.elasticci.buildkite.token.deploy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import io.elasticci.buildkite.token.crd.Yaml;

/**
 * RBAC as the API server applies it, for the operator's requests: each request becomes an API call (group, resource
 * with subresource, verb, namespace, name) the way the authorizer reads the URL, and a ClusterRole grants it anywhere,
 * a Role in its own namespace. Enough to say which requests a set of rules allows and which permissions no request
 * used.
 */
public final class RbacRules {

    /**
     * One request as the authorizer sees it.
     *
     * @param group    API group, "" for core; null for a non-resource URL (/version, /apis, ...)
     * @param resource resource, with "/subresource" when there is one
     * @param verb     get, list, watch, create, update, patch, delete, deletecollection
     */
    public record Call(String group, String resource, String verb, String namespace, String name, String path) {

        /** Discovery and self-reviews: every authenticated user may (system:discovery, system:basic-user). */
        public boolean grantedToEveryone() {
            return group == null || group.equals("authorization.k8s.io") && resource.startsWith("selfsubject");
        }

        public String permission() {
            return (group.isEmpty() ? "core" : group) + " " + resource + " " + verb;
        }

        @Override
        public String toString() {
            return verb + " " + path;
        }
    }

    /** One permission a rule grants: a group, resource, verb, maybe names, in a namespace (null: cluster-wide). */
    public record Grant(String group, String resource, String verb, Set<String> names, String namespace) {

        boolean allows(Call call) {
            return group.equals(call.group()) && resource.equals(call.resource()) && verb.equals(call.verb())
                    && (namespace == null || namespace.equals(call.namespace()))
                    && (names.isEmpty() || names.contains(call.name()));
        }

        @Override
        public String toString() {
            return (group.isEmpty() ? "core" : group) + " " + resource + " " + verb + (names.isEmpty() ? "" : " " + names)
                    + (namespace == null ? "" : " in " + namespace);
        }
    }

    private RbacRules() {
    }

    /** What an HTTP request asks of the authorizer. */
    public static Call call(String method, String pathAndQuery) {
        String path = pathAndQuery.split("\\?", 2)[0];
        String query = pathAndQuery.contains("?") ? pathAndQuery.split("\\?", 2)[1] : "";
        List<String> parts = new ArrayList<>(List.of(path.replaceAll("^/+", "").split("/")));
        String group;
        if (parts.size() >= 2 && parts.get(0).equals("api")) {
            group = "";
            parts = parts.subList(2, parts.size());
        } else if (parts.size() >= 3 && parts.get(0).equals("apis")) {
            group = parts.get(1);
            parts = parts.subList(3, parts.size());
        } else {
            return new Call(null, null, method, null, null, pathAndQuery);
        }
        if (parts.isEmpty()) {
            return new Call(null, null, method, null, null, pathAndQuery); // discovery of a group version
        }
        String namespace = null;
        if (parts.get(0).equals("namespaces") && parts.size() >= 3) {
            namespace = parts.get(1);
            parts = parts.subList(2, parts.size());
        }
        String resource = parts.get(0);
        String name = parts.size() > 1 ? parts.get(1) : null;
        if (parts.size() > 2) {
            resource += "/" + parts.get(2);
        }
        java.util.regex.Matcher byName = java.util.regex.Pattern
                .compile("(?:^|&)fieldSelector=metadata\\.name(?:%3D|=)([^&]+)").matcher(query);
        if (name == null && byName.find()) {
            name = byName.group(1); // a list or watch of one object is authorized by its name
        }
        boolean watch = query.matches("(.*&)?watch=(true|1)(&.*)?");
        String verb = switch (method) {
            case "GET" -> watch ? "watch" : name == null ? "list" : "get";
            case "POST" -> "create";
            case "PUT" -> "update";
            case "PATCH" -> "patch";
            case "DELETE" -> name == null ? "deletecollection" : "delete";
            default -> method.toLowerCase(java.util.Locale.ROOT);
        };
        return new Call(group, resource, verb, namespace, name, pathAndQuery);
    }

    /** Every permission the rules of a ClusterRole (namespace null) or a Role (its namespace) grant. */
    public static List<Grant> grants(Map<String, Object> role) {
        String namespace = "Role".equals(role.get("kind"))
                ? String.valueOf(Yaml.map(role, "metadata").get("namespace")) : null;
        List<Grant> grants = new ArrayList<>();
        for (Object r : Yaml.list(role.get("rules"))) {
            Map<String, Object> rule = Yaml.map(r);
            Set<String> names = new TreeSet<>(Yaml.strings(rule.get("resourceNames")));
            for (String group : Yaml.strings(rule.get("apiGroups"))) {
                for (String resource : Yaml.strings(rule.get("resources"))) {
                    for (String verb : Yaml.strings(rule.get("verbs"))) {
                        grants.add(new Grant(group, resource, verb, names, namespace));
                    }
                }
            }
        }
        return grants;
    }

    /** The calls no grant allows. */
    public static List<Call> refused(List<Grant> grants, List<Call> calls) {
        return calls.stream().filter(c -> !c.grantedToEveryone())
                .filter(c -> grants.stream().noneMatch(g -> g.allows(c))).toList();
    }

    /** The grants no call used. */
    public static List<Grant> unused(List<Grant> grants, List<Call> calls) {
        return grants.stream().filter(g -> calls.stream().noneMatch(g::allows)).toList();
    }
}
