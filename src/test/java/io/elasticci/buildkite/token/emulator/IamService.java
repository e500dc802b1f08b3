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
    }

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
