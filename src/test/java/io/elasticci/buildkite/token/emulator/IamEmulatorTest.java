package io.elasticci.buildkite.token.emulator;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.iam.model.ContextEntry;
import software.amazon.awssdk.services.iam.model.ContextKeyTypeEnum;
import software.amazon.awssdk.services.iam.model.CreateRoleResponse;
import software.amazon.awssdk.services.iam.model.DeleteConflictException;
import software.amazon.awssdk.services.iam.model.EntityAlreadyExistsException;
import software.amazon.awssdk.services.iam.model.EvaluationResult;
import software.amazon.awssdk.services.iam.model.GetRolePolicyResponse;
import software.amazon.awssdk.services.iam.model.MalformedPolicyDocumentException;
import software.amazon.awssdk.services.iam.model.NoSuchEntityException;
import software.amazon.awssdk.services.iam.model.PolicyEvaluationDecisionType;
import software.amazon.awssdk.services.iam.model.Role;
import software.amazon.awssdk.services.iam.model.SimulatePrincipalPolicyResponse;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

@EmulatorTestSupport.SingleAttempt
class IamEmulatorTest extends EmulatorTestSupport {

    private static final String ACCOUNT = AwsEmulator.DEFAULT_ACCOUNT;
    private static final String TRUST = IamState.DEFAULT_TRUST_POLICY;

    private static IamClient iam;

    @BeforeAll
    static void start() {
        iam = clients.iam();
    }

    private static IamState state() {
        return emulator.iam(ACCOUNT);
    }

    @Test
    void createGetAndDeleteRoles() {
        emulator.clock().advance(Duration.ofMinutes(5));
        CreateRoleResponse created = iam.createRole(b -> b.roleName("agents").path("/buildkite/")
                .assumeRolePolicyDocument(TRUST).description("instances"));
        Role role = created.role();
        assertThat(role.arn()).isEqualTo("arn:aws:iam::" + ACCOUNT + ":role/buildkite/agents");
        assertThat(role.roleId()).matches("AROA[A-Z0-9]{17}");
        assertThat(role.path()).isEqualTo("/buildkite/");
        assertThat(role.createDate()).isEqualTo(MutableClock.START.plus(Duration.ofMinutes(5)));
        assertThat(URLDecoder.decode(role.assumeRolePolicyDocument(), StandardCharsets.UTF_8)).isEqualTo(TRUST);

        Role got = iam.getRole(b -> b.roleName("agents")).role();
        assertThat(got.roleId()).isEqualTo(role.roleId());
        assertThat(got.arn()).isEqualTo(role.arn());
        assertThat(got.description()).isEqualTo("instances");

        EntityAlreadyExistsException exists = catchThrowableOfType(EntityAlreadyExistsException.class,
                () -> iam.createRole(b -> b.roleName("AGENTS").assumeRolePolicyDocument(TRUST)));
        assertThat(exists.statusCode()).isEqualTo(409);
        assertThat(exists.awsErrorDetails().errorMessage()).isEqualTo("Role with name AGENTS already exists.");

        iam.deleteRole(b -> b.roleName("agents"));
        NoSuchEntityException missing = catchThrowableOfType(NoSuchEntityException.class,
                () -> iam.getRole(b -> b.roleName("agents")));
        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(missing.awsErrorDetails().errorCode()).isEqualTo("NoSuchEntity");
        assertThat(missing.awsErrorDetails().errorMessage()).isEqualTo("The role with name agents cannot be found.");
        assertThatThrownBy(() -> iam.deleteRole(b -> b.roleName("agents"))).isInstanceOf(NoSuchEntityException.class);
    }

    @Test
    void inlinePolicies() {
        state().createRole("ci-Role");
        String doc = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"ssm:GetParameter\","
                + "\"Resource\":\"arn:aws:ssm:us-east-1:" + ACCOUNT
                + ":parameter/aws/reference/secretsmanager/a b+c\"}]}";
        iam.putRolePolicy(b -> b.roleName("ci-Role").policyName("BuildkiteAgentToken-abc").policyDocument(doc));

        GetRolePolicyResponse got = iam.getRolePolicy(b -> b.roleName("ci-Role").policyName("BuildkiteAgentToken-abc"));
        assertThat(got.policyDocument()).doesNotContain("{").contains("%20").contains("%2B");
        assertThat(URLDecoder.decode(got.policyDocument(), StandardCharsets.UTF_8)).isEqualTo(doc);
        assertThat(iam.listRolePolicies(b -> b.roleName("ci-Role")).policyNames())
                .containsExactly("BuildkiteAgentToken-abc");
        assertThat(state().inlinePolicies("ci-Role")).containsEntry("BuildkiteAgentToken-abc", doc);

        DeleteConflictException conflict = catchThrowableOfType(DeleteConflictException.class,
                () -> iam.deleteRole(b -> b.roleName("ci-Role")));
        assertThat(conflict.statusCode()).isEqualTo(409);
        assertThat(conflict.awsErrorDetails().errorMessage())
                .isEqualTo("Cannot delete entity, must delete policies first.");

        NoSuchEntityException noPolicy = catchThrowableOfType(NoSuchEntityException.class,
                () -> iam.getRolePolicy(b -> b.roleName("ci-Role").policyName("other")));
        assertThat(noPolicy.statusCode()).isEqualTo(404);
        assertThat(noPolicy.awsErrorDetails().errorMessage())
                .isEqualTo("The role policy with name other cannot be found.");
        assertThatThrownBy(() -> iam.putRolePolicy(b -> b.roleName("missing").policyName("p").policyDocument(doc)))
                .isInstanceOf(NoSuchEntityException.class);
        assertThatThrownBy(() -> iam.putRolePolicy(b -> b.roleName("ci-Role").policyName("p")
                .policyDocument("{not json"))).isInstanceOf(MalformedPolicyDocumentException.class);
        assertThatThrownBy(() -> iam.putRolePolicy(b -> b.roleName("ci-Role").policyName("p")
                .policyDocument("{\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:*\"}]}")))
                .isInstanceOf(MalformedPolicyDocumentException.class)
                .hasMessageContaining("Policy statement must contain resources.");

        iam.deleteRolePolicy(b -> b.roleName("ci-Role").policyName("BuildkiteAgentToken-abc"));
        assertThat(iam.listRolePolicies(b -> b.roleName("ci-Role")).policyNames()).isEmpty();
        assertThatThrownBy(() -> iam.deleteRolePolicy(b -> b.roleName("ci-Role").policyName("BuildkiteAgentToken-abc")))
                .isInstanceOf(NoSuchEntityException.class);
        iam.deleteRole(b -> b.roleName("ci-Role"));
        assertThat(state().role("ci-Role")).isEmpty();
    }

    @Test
    void fixtureRecreateKeepsArnButNotIdOrPolicies() {
        IamState.RoleInfo first = state().createRole("/custom/", "shared-agents");
        state().putInlinePolicy("shared-agents", "p", allow("s3:GetObject", "*"));
        IamState.RoleInfo second = state().recreateRole("shared-agents");
        assertThat(second.arn()).isEqualTo(first.arn())
                .isEqualTo("arn:aws:iam::" + ACCOUNT + ":role/custom/shared-agents");
        assertThat(second.roleId()).isNotEqualTo(first.roleId()).matches("AROA[A-Z0-9]{17}");
        assertThat(state().inlinePolicies("shared-agents")).isEmpty();
        assertThat(state().roleById(first.roleId())).isEmpty();
        assertThat(state().roleById(second.roleId())).contains(second);
        assertThat(state().role(first.arn())).contains(second);
        assertThat(state().role("arn:aws:iam::" + ACCOUNT + ":role/shared-agents")).isEmpty(); // path matters
        // the fixture delete is forced: inline policies go with the role
        state().putInlinePolicy("shared-agents", "p", allow("s3:GetObject", "*"));
        state().deleteRole("shared-agents");
        assertThat(state().role("shared-agents")).isEmpty();
    }

    @Test
    void simulatePrincipalPolicy() {
        IamState.RoleInfo role = state().createRole("agents");
        String key = "arn:aws:kms:us-east-1:" + ACCOUNT + ":key/1234abcd-12ab-34cd-56ef-1234567890ab";
        String param = "arn:aws:ssm:us-east-1:" + ACCOUNT + ":parameter/aws/reference/secretsmanager/buildkite/token";
        state().putInlinePolicy("agents", "ReadAgentToken", allow("ssm:GetParameter",
                "arn:aws:ssm:*:*:parameter/aws/reference/secretsmanager/buildkite/*"));
        state().putInlinePolicy("agents", "BuildkiteAgentToken-1", "{\"Version\":\"2012-10-17\",\"Statement\":[{"
                + "\"Effect\":\"Allow\",\"Action\":[\"kms:Decrypt\"],\"Resource\":\"" + key + "\",\"Condition\":{"
                + "\"StringEquals\":{\"kms:ViaService\":\"secretsmanager.us-east-1.amazonaws.com\"}}}]}");
        state().putInlinePolicy("agents", "NoS3", "{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Deny\","
                + "\"Action\":\"s3:*\",\"Resource\":\"*\"}}");
        state().putInlinePolicy("agents", "Everything", "{\"Version\":\"2012-10-17\",\"Statement\":[{"
                + "\"Effect\":\"Allow\",\"NotAction\":[\"iam:*\",\"kms:*\"],\"Resource\":\"*\"}]}");

        SimulatePrincipalPolicyResponse r = iam.simulatePrincipalPolicy(b -> b.policySourceArn(role.arn())
                .actionNames("SSM:getparameter", "s3:GetObject", "iam:CreateRole")
                .resourceArns(param));
        assertThat(r.evaluationResults()).extracting(EvaluationResult::evalActionName)
                .containsExactly("SSM:getparameter", "s3:GetObject", "iam:CreateRole");
        assertThat(r.evaluationResults()).extracting(EvaluationResult::evalDecision).containsExactly(
                PolicyEvaluationDecisionType.ALLOWED, PolicyEvaluationDecisionType.EXPLICIT_DENY,
                PolicyEvaluationDecisionType.IMPLICIT_DENY);
        assertThat(r.evaluationResults().get(0).evalResourceName()).isEqualTo(param);
        assertThat(r.evaluationResults().get(0).matchedStatements())
                .extracting(s -> s.sourcePolicyId()).containsExactlyInAnyOrder("ReadAgentToken", "Everything");
        assertThat(r.evaluationResults().get(1).matchedStatements())
                .extracting(s -> s.sourcePolicyId()).containsExactly("NoS3");
        assertThat(r.evaluationResults().get(2).matchedStatements()).isEmpty();

        // kms:ViaService: allowed only with the right context
        assertThat(decision(role.arn(), "kms:Decrypt", key, "secretsmanager.us-east-1.amazonaws.com"))
                .isEqualTo(PolicyEvaluationDecisionType.ALLOWED);
        assertThat(decision(role.arn(), "kms:Decrypt", key, "ssm.us-east-1.amazonaws.com"))
                .isEqualTo(PolicyEvaluationDecisionType.IMPLICIT_DENY);
        EvaluationResult noContext = iam.simulatePrincipalPolicy(b -> b.policySourceArn(role.arn())
                .actionNames("kms:Decrypt").resourceArns(key)).evaluationResults().get(0);
        assertThat(noContext.evalDecision()).isEqualTo(PolicyEvaluationDecisionType.IMPLICIT_DENY);
        assertThat(noContext.missingContextValues()).containsExactly("kms:ViaService");
        assertThat(decision(role.arn(), "kms:Decrypt", key.replace("1234abcd", "99999999"),
                "secretsmanager.us-east-1.amazonaws.com")).isEqualTo(PolicyEvaluationDecisionType.IMPLICIT_DENY);

        // resources default to "*"
        EvaluationResult star = iam.simulatePrincipalPolicy(b -> b.policySourceArn(role.arn())
                .actionNames("ec2:DescribeInstances")).evaluationResults().get(0);
        assertThat(star.evalResourceName()).isEqualTo("*");
        assertThat(star.evalDecision()).isEqualTo(PolicyEvaluationDecisionType.ALLOWED);

        assertThat(state().allows("agents", "kms:Decrypt", key,
                Map.of("kms:ViaService", "secretsmanager.us-east-1.amazonaws.com"))).isTrue();
        assertThat(state().allows(role.arn(), "kms:Decrypt", key, Map.of())).isFalse();

        NoSuchEntityException missing = catchThrowableOfType(NoSuchEntityException.class,
                () -> iam.simulatePrincipalPolicy(b -> b.policySourceArn(role.arn() + "-gone")
                        .actionNames("s3:GetObject")));
        assertThat(missing.statusCode()).isEqualTo(404);
    }

    @Test
    void conditionOperators() {
        IamState.RoleInfo role = state().createRole("ops");
        state().putInlinePolicy("ops", "conds", "{\"Version\":\"2012-10-17\",\"Statement\":["
                + "{\"Effect\":\"Allow\",\"Action\":\"a:Like\",\"Resource\":\"*\","
                + "\"Condition\":{\"StringLike\":{\"x:k\":\"pre*\"}}},"
                + "{\"Effect\":\"Allow\",\"Action\":\"a:NotEq\",\"Resource\":\"*\","
                + "\"Condition\":{\"StringNotEquals\":{\"x:k\":[\"bad\",\"worse\"]}}},"
                + "{\"Effect\":\"Allow\",\"Action\":\"a:Arn\",\"Resource\":\"*\","
                + "\"Condition\":{\"ArnLike\":{\"aws:SourceArn\":\"arn:aws:cloudformation:*:*:stack/ci-*\"},"
                + "\"ArnEquals\":{\"aws:PrincipalArn\":\"" + role.arn() + "\"}}},"
                + "{\"Effect\":\"Allow\",\"Action\":\"a:Bool\",\"Resource\":\"*\","
                + "\"Condition\":{\"Bool\":{\"aws:SecureTransport\":\"true\"}}},"
                + "{\"Effect\":\"Allow\",\"Action\":\"a:Res?\",\"Resource\":\"arn:aws:s3:::bucket/*\"}]}");
        assertThat(state().allows("ops", "a:Like", "*", Map.of("x:k", "prefix"))).isTrue();
        assertThat(state().allows("ops", "a:Like", "*", Map.of("x:k", "xprefix"))).isFalse();
        assertThat(state().allows("ops", "a:NotEq", "*", Map.of("x:k", "good"))).isTrue();
        assertThat(state().allows("ops", "a:NotEq", "*", Map.of("x:k", "worse"))).isFalse();
        assertThat(state().allows("ops", "a:NotEq", "*", Map.of())).isTrue(); // negated operator, key absent
        assertThat(state().allows("ops", "a:Arn", "*", Map.of("aws:SourceArn",
                "arn:aws:cloudformation:us-east-1:" + ACCOUNT + ":stack/ci-east/uuid",
                "aws:PrincipalArn", role.arn()))).isTrue();
        assertThat(state().allows("ops", "a:Arn", "*", Map.of("aws:SourceArn",
                "arn:aws:cloudformation:us-east-1:" + ACCOUNT + ":stack/other/uuid",
                "aws:PrincipalArn", role.arn()))).isFalse();
        assertThat(state().allows("ops", "a:Bool", "*", Map.of("aws:SecureTransport", "TRUE"))).isTrue();
        assertThat(state().allows("ops", "a:Bool", "*", Map.of("aws:SecureTransport", "false"))).isFalse();
        assertThat(state().allows("ops", "a:Res1", "arn:aws:s3:::bucket/key", Map.of())).isTrue();
        assertThat(state().allows("ops", "a:Res12", "arn:aws:s3:::bucket/key", Map.of())).isFalse();
        assertThat(state().allows("ops", "a:Res1", "arn:aws:s3:::other/key", Map.of())).isFalse();

        List<EvaluationResult> typed = iam.simulatePrincipalPolicy(b -> b.policySourceArn(role.arn())
                .actionNames("a:Bool").contextEntries(ContextEntry.builder().contextKeyName("aws:SecureTransport")
                        .contextKeyType(ContextKeyTypeEnum.BOOLEAN).contextKeyValues("true").build()))
                .evaluationResults();
        assertThat(typed.get(0).evalDecision()).isEqualTo(PolicyEvaluationDecisionType.ALLOWED);
    }

    @Test
    void callLogMarksWrites() {
        state().createRole("r");
        iam.getRole(b -> b.roleName("r"));
        iam.putRolePolicy(b -> b.roleName("r").policyName("p").policyDocument(allow("s3:GetObject", "*")));
        iam.listRolePolicies(b -> b.roleName("r"));
        iam.simulatePrincipalPolicy(b -> b.policySourceArn(state().role("r").orElseThrow().arn())
                .actionNames("s3:GetObject"));
        iam.deleteRolePolicy(b -> b.roleName("r").policyName("p"));
        assertThat(emulator.calls().calls("iam", null))
                // IAM is global: the state ignores the region. A client for Region.AWS_GLOBAL signs with
                // "aws-global" when its endpoint is overridden, us-east-1 against real AWS endpoints.
                .allSatisfy(c -> assertThat(c.region()).isIn("aws-global", "us-east-1"))
                .extracting(CallLog.Call::operation, CallLog.Call::write, CallLog.Call::account)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("GetRole", false, ACCOUNT),
                        org.assertj.core.groups.Tuple.tuple("PutRolePolicy", true, ACCOUNT),
                        org.assertj.core.groups.Tuple.tuple("ListRolePolicies", false, ACCOUNT),
                        org.assertj.core.groups.Tuple.tuple("SimulatePrincipalPolicy", false, ACCOUNT),
                        org.assertj.core.groups.Tuple.tuple("DeleteRolePolicy", true, ACCOUNT));
    }

    private static PolicyEvaluationDecisionType decision(String roleArn, String action, String resource,
                                                         String viaService) {
        return iam.simulatePrincipalPolicy(b -> b.policySourceArn(roleArn).actionNames(action).resourceArns(resource)
                .contextEntries(ContextEntry.builder().contextKeyName("kms:ViaService")
                        .contextKeyType(ContextKeyTypeEnum.STRING).contextKeyValues(viaService).build()))
                .evaluationResults().get(0).evalDecision();
    }

    static String allow(String action, String resource) {
        return "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"" + action
                + "\",\"Resource\":\"" + resource + "\"}]}";
    }

    @Test
    void accountAuthorizationDetailsPagesEveryRoleWithItsInlinePolicies() {
        for (int i = 0; i < 1205; i++) {
            state().createRole("details-" + i);
        }
        String document = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":"
                + "\"ssm:GetParameter\",\"Resource\":\"*\"}]}";
        state().putInlinePolicy("details-7", "BuildkiteAgentToken-abc", document);
        long calls = emulator.calls().count("iam", "GetAccountAuthorizationDetails");

        var pages = iam.getAccountAuthorizationDetailsPaginator(b -> b.filter(
                software.amazon.awssdk.services.iam.model.EntityType.ROLE).maxItems(1000));
        var roles = pages.roleDetailList().stream().toList();

        assertThat(emulator.calls().count("iam", "GetAccountAuthorizationDetails") - calls)
                .isEqualTo((state().roles().size() + 999) / 1000);
        assertThat(roles).hasSize(state().roles().size());
        var seven = roles.stream().filter(r -> r.roleName().equals("details-7")).findFirst().orElseThrow();
        assertThat(seven.roleId()).isEqualTo(state().role("details-7").orElseThrow().roleId());
        assertThat(seven.arn()).isEqualTo("arn:aws:iam::" + ACCOUNT + ":role/details-7");
        assertThat(seven.rolePolicyList()).singleElement().satisfies(p -> {
            assertThat(p.policyName()).isEqualTo("BuildkiteAgentToken-abc");
            assertThat(URLDecoder.decode(p.policyDocument(), StandardCharsets.UTF_8)).isEqualTo(document);
        });
        assertThat(iam.getAccountAuthorizationDetails(b -> b.filter(
                software.amazon.awssdk.services.iam.model.EntityType.USER)).roleDetailList()).isEmpty();
        assertThat(iam.getAccountAuthorizationDetails(b -> b.filterWithStrings()).roleDetailList())
                .hasSize(Math.min(100, state().roles().size()));
        assertThatThrownBy(() -> iam.getAccountAuthorizationDetails(b -> b.maxItems(1001)))
                .hasMessageContaining("maxItems");
        assertThatThrownBy(() -> iam.getAccountAuthorizationDetails(b -> b.marker("not-ours")))
                .hasMessageContaining("Invalid Marker");
    }
}
