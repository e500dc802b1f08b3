package io.elasticci.buildkite.token.emulator;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * IAM over the query protocol. IAM is global: the credential-scope region (us-east-1 for partition aws, or whatever
 * the client signs with) does not matter; the state is per account ({@link IamState}).
 */
final class IamService extends QueryService {

    static final String NAMESPACE = "https://iam.amazonaws.com/doc/2010-05-08/";

    IamService() {
        super(NAMESPACE, "2010-05-08");
        operation("GetRole", this::getRole);
        operation("CreateRole", this::createRole);
        operation("DeleteRole", this::deleteRole);
        operation("PutRolePolicy", this::putRolePolicy);
        operation("GetRolePolicy", this::getRolePolicy);
        operation("DeleteRolePolicy", this::deleteRolePolicy);
        operation("ListRolePolicies", this::listRolePolicies);
        operation("SimulatePrincipalPolicy", this::simulatePrincipalPolicy);
        operation("GetAccountAuthorizationDetails", this::getAccountAuthorizationDetails);
    }

    /** Most entities a GetAccountAuthorizationDetails page holds, and how many without MaxItems (AWS's 1,000 / 100). */
    static final int DETAILS_MAX_ITEMS = 1000;
    static final int DETAILS_DEFAULT_ITEMS = 100;

    @Override
    String name() {
        return "iam";
    }

    @Override
    String internalErrorCode() {
        return "ServiceFailure";
    }

    private static IamState iam(CallContext ctx) {
        return ctx.emulator().iam(ctx.account());
    }

    private void getRole(CallContext ctx, QueryParams in, Xml out) {
        role(out, iam(ctx).getRole(in.requiredString("RoleName")));
    }

    private void createRole(CallContext ctx, QueryParams in, Xml out) {
        Map<String, String> tags = new LinkedHashMap<>();
        for (QueryParams tag : in.members("Tags")) {
            tags.put(tag.string("Key"), tag.string("Value") == null ? "" : tag.string("Value"));
        }
        role(out, iam(ctx).createRole(in.string("Path"), in.string("RoleName"),
                in.string("AssumeRolePolicyDocument"), in.string("Description"), tags));
    }

    private void deleteRole(CallContext ctx, QueryParams in, Xml out) {
        iam(ctx).deleteRoleOp(in.requiredString("RoleName"));
    }

    private void putRolePolicy(CallContext ctx, QueryParams in, Xml out) {
        iam(ctx).putRolePolicy(in.requiredString("RoleName"), in.string("PolicyName"), in.string("PolicyDocument"));
    }

    private void getRolePolicy(CallContext ctx, QueryParams in, Xml out) {
        String role = in.requiredString("RoleName");
        String policy = in.requiredString("PolicyName");
        String document = iam(ctx).getRolePolicy(role, policy);
        out.element("RoleName", iam(ctx).getRole(role).name())
                .element("PolicyName", policy)
                .element("PolicyDocument", IamState.urlEncode(document));
    }

    private void deleteRolePolicy(CallContext ctx, QueryParams in, Xml out) {
        iam(ctx).deleteRolePolicy(in.requiredString("RoleName"), in.requiredString("PolicyName"));
    }

    private void listRolePolicies(CallContext ctx, QueryParams in, Xml out) {
        out.open("PolicyNames");
        for (String name : iam(ctx).listRolePolicies(in.requiredString("RoleName"))) {
            out.element("member", name);
        }
        out.close("PolicyNames").element("IsTruncated", false);
    }

    private void simulatePrincipalPolicy(CallContext ctx, QueryParams in, Xml out) {
        Map<String, List<String>> context = new LinkedHashMap<>();
        for (QueryParams entry : in.members("ContextEntries")) {
            String key = entry.string("ContextKeyName");
            if (key != null) {
                context.put(key, entry.strings("ContextKeyValues"));
            }
        }
        List<IamState.Evaluation> results = iam(ctx).simulate(in.string("PolicySourceArn"),
                in.strings("ActionNames"), in.strings("ResourceArns"), context);
        out.open("EvaluationResults");
        for (IamState.Evaluation r : results) {
            out.open("member")
                    .element("EvalActionName", r.action())
                    .element("EvalResourceName", r.resource())
                    .element("EvalDecision", r.decision());
            out.open("MatchedStatements");
            for (PolicyDocument.Match m : r.matched()) {
                out.open("member")
                        .element("SourcePolicyId", m.policyName())
                        .element("SourcePolicyType", "role")
                        .close("member");
            }
            out.close("MatchedStatements");
            out.open("MissingContextValues");
            if (r.decision().equals("implicitDeny")) {
                r.missingContext().forEach(k -> out.element("member", k));
            }
            out.close("MissingContextValues");
            out.close("member");
        }
        out.close("EvaluationResults").element("IsTruncated", false);
    }

    /**
     * The account's roles with their inline policies, MaxItems a page from Marker (this emulator has no users, groups
     * or managed policies: their lists are empty); a Filter without Role lists no role.
     */
    private void getAccountAuthorizationDetails(CallContext ctx, QueryParams in, Xml out) {
        List<String> filter = in.strings("Filter");
        Integer maxItems = in.integer("MaxItems");
        if (maxItems != null && (maxItems < 1 || maxItems > DETAILS_MAX_ITEMS)) {
            throw error("ValidationError", "1 validation error detected: Value '" + maxItems
                    + "' at 'maxItems' failed to satisfy constraint: Member must have value less than or equal to "
                    + DETAILS_MAX_ITEMS);
        }
        List<IamState.RoleInfo> roles = filter.isEmpty() || filter.contains("Role")
                ? iam(ctx).roles().stream().sorted(java.util.Comparator.comparing(IamState.RoleInfo::name)).toList()
                : List.of();
        int from = 0;
        if (in.string("Marker") != null) {
            try {
                from = Integer.parseInt(in.string("Marker"));
            } catch (NumberFormatException e) {
                from = -1;
            }
            if (from < 0 || from > roles.size()) {
                throw error("ValidationError", "Invalid Marker");
            }
        }
        int to = Math.min(roles.size(), from + (maxItems == null ? DETAILS_DEFAULT_ITEMS : maxItems));
        out.open("RoleDetailList");
        for (IamState.RoleInfo r : roles.subList(from, to)) {
            out.open("member")
                    .element("Path", r.path())
                    .element("RoleName", r.name())
                    .element("RoleId", r.roleId())
                    .element("Arn", r.arn())
                    .element("CreateDate", r.createDate())
                    .element("AssumeRolePolicyDocument", IamState.urlEncode(r.assumeRolePolicyDocument()));
            out.open("RolePolicyList");
            iam(ctx).inlinePolicies(r.name()).forEach((name, document) -> out.open("member")
                    .element("PolicyName", name)
                    .element("PolicyDocument", IamState.urlEncode(document))
                    .close("member"));
            out.close("RolePolicyList").open("AttachedManagedPolicies").close("AttachedManagedPolicies")
                    .open("InstanceProfileList").close("InstanceProfileList");
            out.close("member");
        }
        out.close("RoleDetailList")
                .open("UserDetailList").close("UserDetailList")
                .open("GroupDetailList").close("GroupDetailList")
                .open("Policies").close("Policies")
                .element("IsTruncated", to < roles.size());
        if (to < roles.size()) {
            out.element("Marker", String.valueOf(to));
        }
    }

    private static void role(Xml out, IamState.RoleInfo r) {
        out.open("Role")
                .element("Path", r.path())
                .element("RoleName", r.name())
                .element("RoleId", r.roleId())
                .element("Arn", r.arn())
                .element("CreateDate", r.createDate())
                .element("AssumeRolePolicyDocument", IamState.urlEncode(r.assumeRolePolicyDocument()))
                .element("Description", r.description())
                .element("MaxSessionDuration", 3600);
        if (!r.tags().isEmpty()) {
            out.open("Tags");
            r.tags().forEach((k, v) -> out.open("member").element("Key", k).element("Value", v).close("member"));
            out.close("Tags");
        }
        out.close("Role");
    }
}
