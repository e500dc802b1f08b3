package io.elasticci.buildkite.token.emulator;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.secretsmanager.model.GetResourcePolicyResponse;
import software.amazon.awssdk.services.secretsmanager.model.InvalidParameterException;
import software.amazon.awssdk.services.secretsmanager.model.MalformedPolicyDocumentException;
import software.amazon.awssdk.services.secretsmanager.model.PublicPolicyException;
import software.amazon.awssdk.services.secretsmanager.model.ReplicaRegionType;
import software.amazon.awssdk.services.secretsmanager.model.ResourceNotFoundException;
import software.amazon.awssdk.services.secretsmanager.model.ValidateResourcePolicyResponse;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.assertj.core.groups.Tuple.tuple;

@EmulatorTestSupport.SingleAttempt
class ResourcePolicyEmulatorTest extends EmulatorTestSupport {

    private static final String ACCOUNT = AwsEmulator.DEFAULT_ACCOUNT;
    private static final String EAST = "us-east-1";
    private static final String WEST = "us-west-2";
    private static final String NAME = "buildkite/agent-token";
    private static final String GET = "secretsmanager:GetSecretValue";
    private static final String UNSUPPORTED = "This resource policy contains an unsupported principal.";

    private static SecretsManagerClient east;
    private static SecretsManagerClient west;

    @BeforeAll
    static void start() {
        east = clients.secretsManager(EAST);
        west = clients.secretsManager(WEST);
    }

    @BeforeEach
    void reset() {
        secrets().createSecret(EAST, NAME, "token-1", null, null);
    }

    private static SecretsManagerState secrets() {
        return emulator.secretsManager(ACCOUNT);
    }

    private static IamState iam() {
        return emulator.iam(ACCOUNT);
    }

    /** Our statement: GetSecretValue for some AWS principals. */
    private static String grant(String... principals) {
        StringBuilder aws = new StringBuilder();
        for (String p : principals) {
            aws.append(aws.length() == 0 ? "" : ",").append('"').append(p).append('"');
        }
        return "{\"Sid\":\"BuildkiteAgentTokenabc123\",\"Effect\":\"Allow\",\"Principal\":{\"AWS\":["
                + aws + "]},\"Action\":\"secretsmanager:GetSecretValue\",\"Resource\":\"*\"}";
    }

    private static String policy(String... statements) {
        return "{\"Version\":\"2012-10-17\",\"Statement\":[" + String.join(",", statements) + "]}";
    }

    private static final String FOREIGN = "{\"Sid\":\"Rotation\",\"Effect\":\"Allow\","
            + "\"Principal\":{\"Service\":\"lambda.amazonaws.com\"},"
            + "\"Action\":[\"secretsmanager:DescribeSecret\",\"secretsmanager:PutSecretValue\"],"
            + "\"Resource\":\"*\",\"Condition\":{\"StringEquals\":{\"aws:SourceAccount\":\"" + ACCOUNT + "\"}}}";

    private static JsonNode json(String s) throws Exception {
        return JsonProtocol.MAPPER.readTree(s);
    }

    @Test
    void putGetDeleteKeepsForeignStatementsVerbatim() throws Exception {
        IamState.RoleInfo role = iam().createRole("/buildkite/", "ci-Role");
        GetResourcePolicyResponse none = east.getResourcePolicy(b -> b.secretId(NAME));
        assertThat(none.resourcePolicy()).isNull();
        assertThat(none.name()).isEqualTo(NAME);

        east.putResourcePolicy(b -> b.secretId(NAME).resourcePolicy(policy(FOREIGN, grant(role.arn())))
                .blockPublicPolicy(true));
        GetResourcePolicyResponse got = east.getResourcePolicy(b -> b.secretId(NAME));
        assertThat(got.arn()).isEqualTo(secrets().secret(EAST, NAME).orElseThrow().arn());
        assertThat(got.resourcePolicy()).contains("\"Version\" : \"2012-10-17\"").contains("\n");
        JsonNode doc = json(got.resourcePolicy());
        assertThat(doc.get("Statement").get(0)).isEqualTo(json(FOREIGN));
        assertThat(doc.get("Statement").get(1)).isEqualTo(json(grant(role.arn())));
        assertThat(doc.get("Statement").get(1).get("Action").isTextual()).isTrue(); // as saved: a string
        assertThat(secrets().resourcePolicy(EAST, NAME)).contains(got.resourcePolicy());
        assertThat(secrets().policyGrants(EAST, NAME, role.arn(), GET)).isTrue();
        assertThat(secrets().policyGrants(EAST, NAME, role.arn(), "secretsmanager:PutSecretValue")).isFalse();

        east.deleteResourcePolicy(b -> b.secretId(NAME));
        assertThat(east.getResourcePolicy(b -> b.secretId(NAME)).resourcePolicy()).isNull();
        assertThat(secrets().resourcePolicy(EAST, NAME)).isEmpty();
        assertThat(secrets().policyGrants(EAST, NAME, role.arn(), GET)).isFalse();
        east.deleteResourcePolicy(b -> b.secretId(NAME)); // nothing to delete: still fine

        assertThatThrownBy(() -> east.getResourcePolicy(b -> b.secretId("missing")))
                .isInstanceOf(ResourceNotFoundException.class);
        assertThatThrownBy(() -> east.putResourcePolicy(b -> b.secretId(NAME).resourcePolicy("{\"Version\":")))
                .isInstanceOf(MalformedPolicyDocumentException.class);
    }

    @Test
    void accountIdsBecomeRootArnsAndRootPassesThrough() throws Exception {
        east.putResourcePolicy(b -> b.secretId(NAME).resourcePolicy(policy(
                grant(ACCOUNT, "arn:aws:iam::210987654321:root"))));
        JsonNode aws = json(secrets().resourcePolicy(EAST, NAME).orElseThrow())
                .get("Statement").get(0).get("Principal").get("AWS");
        assertThat(aws.get(0).asText()).isEqualTo("arn:aws:iam::" + ACCOUNT + ":root");
        assertThat(aws.get(1).asText()).isEqualTo("arn:aws:iam::210987654321:root");
    }

    @Test
    void replicasRefusePolicyCallsButReceiveThePolicy() throws Exception {
        IamState.RoleInfo role = iam().createRole("ci-west-Role");
        secrets().setReplicationDelay(Duration.ofSeconds(30));
        east.replicateSecretToRegions(b -> b.secretId(NAME)
                .addReplicaRegions(ReplicaRegionType.builder().region(WEST).build()));
        emulator.clock().advance(Duration.ofSeconds(30));
        east.putResourcePolicy(b -> b.secretId(NAME).resourcePolicy(policy(grant(role.arn()))));

        // not yet replicated
        assertThat(west.getResourcePolicy(b -> b.secretId(NAME)).resourcePolicy()).isNull();
        assertThat(secrets().policyGrants(WEST, NAME, role.arn(), GET)).isFalse();
        emulator.clock().advance(Duration.ofSeconds(30));
        GetResourcePolicyResponse replica = west.getResourcePolicy(b -> b.secretId(NAME));
        assertThat(replica.arn()).contains(":" + WEST + ":");
        assertThat(json(replica.resourcePolicy())).isEqualTo(json(secrets().resourcePolicy(EAST, NAME).orElseThrow()));
        assertThat(secrets().policyGrants(WEST, NAME, role.arn(), GET)).isTrue();

        for (Runnable call : new Runnable[] {
                () -> west.putResourcePolicy(b -> b.secretId(NAME).resourcePolicy(policy(grant(role.arn())))),
                () -> west.deleteResourcePolicy(b -> b.secretId(NAME))}) {
            InvalidParameterException e = catchThrowableOfType(InvalidParameterException.class, call::run);
            assertThat(e.awsErrorDetails().errorMessage()).isEqualTo(
                    "Operation not permitted on a replica secret. Call must be made in primary secret's region.");
        }

        east.deleteResourcePolicy(b -> b.secretId(NAME));
        emulator.clock().advance(Duration.ofSeconds(30));
        assertThat(west.getResourcePolicy(b -> b.secretId(NAME)).resourcePolicy()).isNull();
    }

    @Test
    void blockPublicPolicy() {
        String star = "{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"secretsmanager:GetSecretValue\","
                + "\"Resource\":\"*\"}";
        String awsStar = "{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"*\"},\"Action\":\"secretsmanager:*\","
                + "\"Resource\":\"*\"}";
        String restricted = "{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"*\"},\"Action\":\"secretsmanager:*\","
                + "\"Resource\":\"*\",\"Condition\":{\"StringEquals\":{\"aws:PrincipalAccount\":\"" + ACCOUNT + "\"}}}";
        String denyAll = "{\"Effect\":\"Deny\",\"Principal\":\"*\",\"Action\":\"secretsmanager:DeleteSecret\","
                + "\"Resource\":\"*\"}";
        for (String s : new String[] {star, awsStar}) {
            PublicPolicyException e = catchThrowableOfType(PublicPolicyException.class, () -> east.putResourcePolicy(
                    b -> b.secretId(NAME).resourcePolicy(policy(s)).blockPublicPolicy(true)));
            assertThat(e.awsErrorDetails().errorMessage())
                    .isEqualTo("This resource policy will grant public access to the secret.");
            assertThat(e.statusCode()).isEqualTo(400);
        }
        assertThat(secrets().resourcePolicy(EAST, NAME)).isEmpty();
        east.putResourcePolicy(b -> b.secretId(NAME).resourcePolicy(policy(restricted, denyAll))
                .blockPublicPolicy(true));
        east.putResourcePolicy(b -> b.secretId(NAME).resourcePolicy(policy(star))); // not blocked by default
        assertThat(secrets().resourcePolicy(EAST, NAME)).isPresent();
    }

    @Test
    void unsupportedPrincipals() {
        String missingRole = "arn:aws:iam::" + ACCOUNT + ":role/never-created";
        for (String principal : new String[] {missingRole, "AROAABCDEFGHIJKLMNOPQ",
                "arn:aws:iam::" + ACCOUNT + ":user/someone", "arn:aws-cn:iam::" + ACCOUNT + ":root"}) {
            MalformedPolicyDocumentException e = catchThrowableOfType(MalformedPolicyDocumentException.class,
                    () -> east.putResourcePolicy(b -> b.secretId(NAME).resourcePolicy(policy(grant(principal)))));
            assertThat(e.awsErrorDetails().errorMessage()).as(principal).isEqualTo(UNSUPPORTED);
        }
        // a role with a path must be named with its path
        iam().createRole("/team/", "pathed");
        assertThatThrownBy(() -> east.putResourcePolicy(b -> b.secretId(NAME).resourcePolicy(
                policy(grant("arn:aws:iam::" + ACCOUNT + ":role/pathed"))))).hasMessageContaining(UNSUPPORTED);

        // IAM eventual consistency: a new role is not a valid principal until it has propagated
        iam().setPropagationDelay(Duration.ofSeconds(10));
        IamState.RoleInfo young = iam().createRole("young");
        assertThatThrownBy(() -> east.putResourcePolicy(b -> b.secretId(NAME).resourcePolicy(policy(
                grant(young.arn()))))).isInstanceOf(MalformedPolicyDocumentException.class)
                .hasMessageContaining(UNSUPPORTED);
        emulator.clock().advance(Duration.ofSeconds(10));
        east.putResourcePolicy(b -> b.secretId(NAME).resourcePolicy(policy(grant(young.arn()))));
        assertThat(secrets().policyGrants(EAST, NAME, young.arn(), GET)).isTrue();

        // a role of another account is looked up in that account
        IamState.RoleInfo other = emulator.iam("210987654321").createRole("cross");
        east.putResourcePolicy(b -> b.secretId(NAME).resourcePolicy(policy(grant(other.arn()))));
        assertThat(secrets().policyGrants(EAST, NAME, other.arn(), GET)).isTrue();
    }

    @Test
    void uniqueIdPinningAfterRoleRecreation() throws Exception {
        IamState.RoleInfo before = iam().createRole("ci-Role");
        IamState.RoleInfo stays = iam().createRole("ci-scaler");
        east.putResourcePolicy(b -> b.secretId(NAME).resourcePolicy(policy(FOREIGN, grant(before.arn(), stays.arn()))));

        IamState.RoleInfo after = iam().recreateRole("ci-Role");
        JsonNode shown = json(east.getResourcePolicy(b -> b.secretId(NAME)).resourcePolicy());
        JsonNode aws = shown.get("Statement").get(1).get("Principal").get("AWS");
        assertThat(aws.get(0).asText()).isEqualTo(before.roleId()); // the dead ID, bare
        assertThat(aws.get(1).asText()).isEqualTo(stays.arn());
        assertThat(shown.get("Statement").get(0)).isEqualTo(json(FOREIGN));
        assertThat(secrets().policyGrants(EAST, NAME, after.arn(), GET)).isFalse();
        assertThat(secrets().policyGrants(EAST, NAME, stays.arn(), GET)).isTrue();

        // saving back what GetResourcePolicy shows fails: the bare ID names no role
        String asShown = shown.toString();
        assertThatThrownBy(() -> east.putResourcePolicy(b -> b.secretId(NAME).resourcePolicy(asShown)))
                .isInstanceOf(MalformedPolicyDocumentException.class).hasMessageContaining(UNSUPPORTED);

        // the fix: save the policy again with the ARN
        east.putResourcePolicy(b -> b.secretId(NAME).resourcePolicy(policy(FOREIGN, grant(after.arn(), stays.arn()))));
        assertThat(secrets().policyGrants(EAST, NAME, after.arn(), GET)).isTrue();
        assertThat(json(secrets().resourcePolicy(EAST, NAME).orElseThrow()).get("Statement").get(1)
                .get("Principal").get("AWS").get(0).asText()).isEqualTo(after.arn());

        // deleted for good: the bare ID stays visible
        iam().deleteRole("ci-scaler");
        assertThat(json(secrets().resourcePolicy(EAST, NAME).orElseThrow()).get("Statement").get(1)
                .get("Principal").get("AWS").get(1).asText()).isEqualTo(stays.roleId());
    }

    @Test
    void policyGrantsHonoursDenyWildcardsAndConditions() {
        IamState.RoleInfo role = iam().createRole("ci-Role");
        IamState.RoleInfo other = iam().createRole("other");
        String deny = "{\"Effect\":\"Deny\",\"Principal\":{\"AWS\":\"*\"},\"Action\":\"secretsmanager:*\","
                + "\"Resource\":\"*\",\"Condition\":{\"ArnNotEquals\":{\"aws:PrincipalArn\":[\"" + role.arn()
                + "\"]}}}";
        String wildcardAction = "{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"" + other.arn() + "\"},"
                + "\"Action\":\"SecretsManager:Get*\",\"Resource\":\"*\"}";
        secrets().setResourcePolicy(EAST, NAME, policy(grant(role.arn()), wildcardAction, deny));
        assertThat(secrets().policyGrants(EAST, NAME, role.arn(), GET)).isTrue();
        assertThat(secrets().policyGrants(EAST, NAME, other.arn(), GET)).isFalse(); // denied: not the listed ARN
        secrets().setResourcePolicy(EAST, NAME, policy(grant(role.arn()), wildcardAction));
        assertThat(secrets().policyGrants(EAST, NAME, other.arn(), GET)).isTrue();
        assertThat(secrets().policyGrants(EAST, NAME, other.arn(), "secretsmanager:DescribeSecret")).isFalse();
        assertThat(secrets().policyGrants(EAST, NAME, "arn:aws:iam::" + ACCOUNT + ":role/nobody", GET)).isFalse();
        assertThat(secrets().policyGrants(EAST, "missing", role.arn(), GET)).isFalse();
    }

    @Test
    void validateResourcePolicy() {
        IamState.RoleInfo role = iam().createRole("ci-Role");
        ValidateResourcePolicyResponse ok = east.validateResourcePolicy(b -> b.secretId(NAME)
                .resourcePolicy(policy(grant(role.arn()))));
        assertThat(ok.policyValidationPassed()).isTrue();
        assertThat(ok.validationErrors()).isEmpty();

        ValidateResourcePolicyResponse bad = east.validateResourcePolicy(b -> b.resourcePolicy(policy(
                grant("arn:aws:iam::" + ACCOUNT + ":role/gone"),
                "{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"*\"},\"Action\":\"secretsmanager:*\","
                        + "\"Resource\":\"*\"}")));
        assertThat(bad.policyValidationPassed()).isFalse();
        assertThat(bad.validationErrors()).extracting(e -> e.checkName(), e -> e.errorMessage()).containsExactly(
                tuple(ResourcePolicies.CHECK_PRINCIPAL, UNSUPPORTED),
                tuple(ResourcePolicies.CHECK_PUBLIC, "This resource policy will grant public access to the secret."));
        assertThatThrownBy(() -> east.validateResourcePolicy(b -> b.resourcePolicy("[]")))
                .isInstanceOf(MalformedPolicyDocumentException.class);
        assertThatThrownBy(() -> east.validateResourcePolicy(b -> b.secretId("missing")
                .resourcePolicy(policy(grant(role.arn()))))).isInstanceOf(ResourceNotFoundException.class);
        assertThat(secrets().resourcePolicy(EAST, NAME)).isEmpty(); // validation saves nothing
    }

    @Test
    void kmsKeyPolicies() throws Exception {
        KmsClient kms = clients.kms(EAST);
        KmsState.KeyInfo key = emulator.kms(ACCOUNT).createKey(EAST);
        JsonNode defaults = json(kms.getKeyPolicy(b -> b.keyId(key.keyId()).policyName("default")).policy());
        JsonNode root = defaults.get("Statement").get(0);
        assertThat(root.get("Principal").get("AWS").asText()).isEqualTo("arn:aws:iam::" + ACCOUNT + ":root");
        assertThat(root.get("Action").asText()).isEqualTo("kms:*");
        assertThat(root.get("Effect").asText()).isEqualTo("Allow");

        IamState.RoleInfo role = iam().createRole("ci-Role");
        emulator.kms(ACCOUNT).setKeyPolicyWithoutRootDelegation(EAST, key.keyId(), role.arn());
        JsonNode restricted = json(kms.getKeyPolicy(b -> b.keyId(key.arn()).policyName("default")).policy());
        assertThat(restricted.toString()).doesNotContain(":root");
        assertThat(restricted.get("Statement").get(1).get("Principal").get("AWS").get(0).asText())
                .isEqualTo(role.arn());
        assertThat(restricted.get("Statement").get(1).get("Action").toString()).contains("kms:Decrypt");

        emulator.kms(ACCOUNT).setKeyPolicyWithoutRootDelegation(EAST, key.keyId());
        assertThat(json(emulator.kms(ACCOUNT).keyPolicy(EAST, key.keyId())).get("Statement")).hasSize(1);
        emulator.kms(ACCOUNT).setKeyPolicy(EAST, key.keyId(), defaults.toString());
        assertThat(json(emulator.kms(ACCOUNT).keyPolicy(EAST, key.keyId()))).isEqualTo(defaults);
    }

    @Test
    void callLogMarksPolicyWrites() {
        IamState.RoleInfo role = iam().createRole("ci-Role");
        emulator.calls().clear();
        east.validateResourcePolicy(b -> b.resourcePolicy(policy(grant(role.arn()))));
        east.putResourcePolicy(b -> b.secretId(NAME).resourcePolicy(policy(grant(role.arn()))));
        east.getResourcePolicy(b -> b.secretId(NAME));
        east.deleteResourcePolicy(b -> b.secretId(NAME));
        assertThat(emulator.calls().calls("secretsmanager", null))
                .extracting(CallLog.Call::operation, CallLog.Call::write)
                .containsExactly(tuple("ValidateResourcePolicy", false), tuple("PutResourcePolicy", true),
                        tuple("GetResourcePolicy", false), tuple("DeleteResourcePolicy", true));
    }
}
