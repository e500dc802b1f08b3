package io.elasticci.buildkite.token.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.StreamSupport;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.elasticci.buildkite.token.api.v1alpha1.BuildkiteAgentToken;
import io.elasticci.buildkite.token.api.v1alpha1.RegionSpec;
import io.elasticci.buildkite.token.emulator.CloudFormationState;
import io.elasticci.buildkite.token.hostile.ForeignStatements;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;

/**
 * AWS answering what a careless neighbour or a broken tool leaves behind: a resource policy that is no JSON, statements
 * of others with keys IAM does not know or granting everyone, random statements of others the operator must carry
 * through its rewrite untouched, ten thousand other stacks in the region, a 64 KiB secret value.
 */
@QuarkusTest
@WithKubernetesTestServer
@QuarkusTestResource(value = EmulatorResource.class, restrictToAnnotatedClass = true)
class HostileAwsAnswersE2ETest extends E2ETestBase {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String OUR_SID_PREFIX = "BuildkiteAgentToken";

    @Test
    void aResourcePolicyThatIsNotJsonIsReportedAndNeverRewritten() {
        converge();
        String garbage = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\"cut off";
        sm().setUnparsedResourcePolicy(EAST, secretName(), garbage);
        long writes = aws.calls().writeCount();

        k8s.requestReconcile("ci-token");

        k8s.await("ci-token", t -> hasReason(t, "ResourcePolicyApplied", "ForeignStatementInvalid"));
        assertThat(k8s.condition("ci-token", "Ready").orElseThrow().getReason()).isEqualTo("ForeignStatementInvalid");
        assertThat(k8s.condition("ci-token", "Stalled").orElseThrow().getStatus()).isEqualTo("True");
        assertThat(k8s.condition("ci-token", "ResourcePolicyApplied").orElseThrow().getMessage())
                .contains(secretName()).contains("not valid JSON");
        assertThat(aws.calls().writeCount()).as("writes: %s", aws.calls().writes()).isEqualTo(writes);
        assertThat(sm().resourcePolicy(EAST, secretName())).hasValue(garbage);
    }

    @Test
    void aForeignStatementWithKeysIamDoesNotKnowIsKeptVerbatim() throws Exception {
        converge();
        JsonNode foreign = JSON.readTree("{\"Sid\":\"AuditorsDescribe\",\"Effect\":\"Allow\",\"Principal\":{\"AWS\":"
                + "\"arn:aws:iam::123456789012:root\"},\"Action\":\"secretsmanager:DescribeSecret\",\"Resource\":\"*\","
                + "\"Comment\":\"kept by whoever wrote it\",\"FutureElement\":{\"Mode\":[\"strict\",1,true]}}");
        JsonNode before = withStaleOurs(List.of(foreign), 0);

        k8s.requestReconcile("ci-token");

        List<JsonNode> after = awaitOursGrantingEveryRole();
        assertThat(foreign(after)).isEqualTo(foreign(statements(before))).hasSize(1);
        assertThat(foreign(after).get(0).path("FutureElement").path("Mode")).hasSize(3);
        roles().forEach(role -> assertThat(sm().policyGrants(EAST, secretName(), role,
                "secretsmanager:GetSecretValue")).as("granted %s", role).isTrue());
    }

    @Test
    void aForeignStatementAwsRefusesIsReportedNotRetriedInALoop() throws Exception {
        converge();
        aws.faults().failNext("secretsmanager", "PutResourcePolicy", "MalformedPolicyDocumentException",
                "This resource policy contains a syntax error.");

        JsonNode before = refusedWith("{\"Sid\":\"Odd\",\"Effect\":\"Allow\",\"Principal\":{\"AWS\":"
                + "\"arn:aws:iam::123456789012:root\"},\"Action\":\"secretsmanager:DescribeSecret\",\"Oops\":1}");

        assertThat(k8s.condition("ci-token", "Stalled").orElseThrow().getStatus()).isEqualTo("True");
        sleep(java.time.Duration.ofSeconds(2)); // a retry would now succeed (the fault was one-shot) and show here
        assertThat(aws.calls().count("secretsmanager", "PutResourcePolicy")).as("one attempt, no retry")
                .isEqualTo(putsSoFar + 1);
        assertThat(policyNow()).isEqualTo(before);
    }

    /** ValidateResourcePolicy finds the public statement: the operator refuses before any PutResourcePolicy. */
    @Test
    void aForeignStatementGrantingEveryoneIsRefusedBeforeAnyPut() throws Exception {
        converge();

        JsonNode before = refusedWith("{\"Sid\":\"Everyone\",\"Effect\":\"Allow\",\"Principal\":\"*\","
                + "\"Action\":\"secretsmanager:GetSecretValue\",\"Resource\":\"*\"}");

        assertThat(k8s.condition("ci-token", "ResourcePolicyApplied").orElseThrow().getMessage()).contains("public");
        assertThat(aws.calls().count("secretsmanager", "PutResourcePolicy")).isEqualTo(putsSoFar);
        assertThat(policyNow()).isEqualTo(before);
    }

    /** Part of the policy property through the real wire and the emulator's IAM: a few seeded rounds. */
    @Test
    void randomForeignStatementsSurviveTheOperatorsRewriteInOrder() throws Exception {
        converge();
        List<String> principals = new ArrayList<>(List.of("arn:aws:iam::123456789012:root"));
        roles().forEach(principals::add);
        for (int round = 0; round < 4; round++) {
            Random random = new Random(7_000 + round);
            List<JsonNode> foreign = new ArrayList<>();
            for (int n = 1 + random.nextInt(4); n > 0; n--) {
                foreign.add(ForeignStatements.statement(random, principals));
            }
            JsonNode before = withStaleOurs(foreign, random.nextInt(foreign.size() + 1));
            List<JsonNode> foreignAsAwsShowsThem = foreign(statements(before));

            k8s.requestReconcile("ci-token");

            List<JsonNode> after = awaitOursGrantingEveryRole();
            assertThat(foreign(after)).as("round %s: foreign statements in order, verbatim", round)
                    .isEqualTo(foreignAsAwsShowsThem);
            assertThat(sm().lastPutBlockedPublicPolicy(EAST, secretName())).as("round %s: BlockPublicPolicy", round)
                    .hasValue(true);
            assertThat(after).as("round %s: no * principal", round)
                    .noneMatch(s -> "*".equals(s.path("Principal").asText())
                            || s.path("Principal").path("AWS").toString().contains("\"*\""));
        }
    }

    @Test
    void tenThousandOtherStacksInTheRegionAreNeverListed() {
        String region = "ap-southeast-2";
        kms().createAlias(region, alias(), kms().createKey(region).keyId());
        CloudFormationState.StackInfo stack = stack(region, "ci-au-" + k8s.id,
                CloudFormationState.StackShape.FIXED_SIZE);
        cfn().createOtherStacks(region, "other-" + k8s.id + "-", 10_000);
        long describes = aws.calls().count("cloudformation", "DescribeStacks", region);
        k8s.tokenSecret("agent-token", TOKEN_V1);
        BuildkiteAgentToken token = k8s.fixture("token.yaml");
        token.getSpec().setPrimaryRegion(region);
        token.getSpec().setRegions(new ArrayList<>(List.of(new RegionSpec(region, alias(),
                List.of(stack.stackName())))));
        k8s.apply(token);

        k8s.awaitCondition("ci-token", "StacksConfigured", "True", "Converged");

        assertThat(aws.calls().count("cloudformation", "DescribeStacks", region) - describes)
                .as("DescribeStacks by name only: a listing of the region would take 100 pages").isLessThan(20);
        assertStackReadsTokenIn(region, stack);
    }

    @Test
    void aSixtyFourKibValueIsComparedNotRewrittenAndNeverShown() throws Exception {
        String value = "bkct_" + "x".repeat(65_536 - 5);
        String versionId = sm().createSecret(EAST, secretName(), value, alias(), Map.of()).currentVersionId()
                .orElseThrow();
        long puts = aws.calls().count("secretsmanager", "PutSecretValue");
        k8s.tokenSecret("agent-token", value);
        k8s.apply(k8s.fixture("token.yaml"));

        BuildkiteAgentToken ready = k8s.awaitCondition("ci-token", "SecretReady", "True", "Converged");

        assertThat(aws.calls().count("secretsmanager", "PutSecretValue")).isEqualTo(puts);
        assertThat(sm().secret(EAST, secretName()).orElseThrow().currentVersionId()).hasValue(versionId);
        assertThat(ready.getStatus().currentVersionId).isEqualTo(versionId);
        String shown = JSON.writeValueAsString(ready.getStatus()) + JSON.writeValueAsString(k8s.events("ci-token"));
        assertThat(shown).doesNotContain("x".repeat(64));
    }

    private long putsSoFar;

    private void converge() {
        k8s.tokenSecret("agent-token", TOKEN_V1);
        k8s.apply(k8s.fixture("token.yaml"));
        k8s.awaitReady("ci-token");
        putsSoFar = aws.calls().count("secretsmanager", "PutResourcePolicy");
    }

    /** Every stack role ARN the resource grants (both stacks of token.yaml), as the emulator's IAM has them. */
    private List<String> roles() {
        List<String> arns = new ArrayList<>();
        for (var stack : List.of(cfn().stackOrThrow(EAST, eastStack()), cfn().stackOrThrow(WEST, westStack()))) {
            stack.roles().forEach(r -> arns.add(r.arn()));
        }
        return arns.stream().distinct().sorted().toList();
    }

    /**
     * Puts these foreign statements with our statement, stale (it grants only the first role), at {@code position};
     * returns the document as AWS then shows it.
     */
    private JsonNode withStaleOurs(List<JsonNode> foreign, int position) throws Exception {
        JsonNode current = policyNow();
        ObjectNode ours = statements(current).stream().filter(s -> s.path("Sid").asText().startsWith(OUR_SID_PREFIX))
                .findFirst().map(JsonNode::deepCopy).map(ObjectNode.class::cast).orElseThrow();
        ours.putObject("Principal").put("AWS", roles().get(0));
        List<JsonNode> statements = new ArrayList<>(foreign);
        statements.add(Math.min(position, statements.size()), ours);
        ObjectNode doc = JSON.createObjectNode().put("Version", "2012-10-17");
        statements.forEach(doc.putArray("Statement")::add);
        sm().setResourcePolicy(EAST, secretName(), JSON.writeValueAsString(doc));
        return policyNow();
    }

    /**
     * Puts this foreign statement before a stale one of ours, asks for a reconcile and waits until the operator
     * refuses the document (ForeignStatementInvalid); returns the document as AWS showed it before.
     */
    private JsonNode refusedWith(String foreignStatement) throws Exception {
        JsonNode before = withStaleOurs(List.of(JSON.readTree(foreignStatement)), 1);
        k8s.requestReconcile("ci-token");
        k8s.await("ci-token", t -> hasReason(t, "ResourcePolicyApplied", "ForeignStatementInvalid"));
        return before;
    }

    /** Waits until our statement grants every role again; returns the statements then. */
    private List<JsonNode> awaitOursGrantingEveryRole() {
        List<String> roles = roles();
        k8s.await("ci-token", t -> statementsNow().stream()
                .filter(s -> s.path("Sid").asText().startsWith(OUR_SID_PREFIX))
                .anyMatch(s -> principals(s).equals(roles)));
        return statementsNow();
    }

    private List<JsonNode> statementsNow() {
        return statements(policyNow());
    }

    /** The resource policy as AWS shows it now, as JSON values (compared whatever their key order). */
    private JsonNode policyNow() {
        try {
            return JSON.readTree(sm().resourcePolicy(EAST, secretName()).orElseThrow());
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<JsonNode> foreign(List<JsonNode> statements) {
        return statements.stream().filter(s -> !s.path("Sid").asText().startsWith(OUR_SID_PREFIX)).toList();
    }

    private static List<JsonNode> statements(JsonNode document) {
        JsonNode statement = document.path("Statement");
        return statement.isArray() ? StreamSupport.stream(statement.spliterator(), false).toList()
                : List.of(statement);
    }

    private static List<String> principals(JsonNode statement) {
        JsonNode aws = statement.path("Principal").path("AWS");
        List<String> arns = aws.isArray() ? StreamSupport.stream(aws.spliterator(), false).map(JsonNode::asText)
                .toList() : List.of(aws.asText());
        return arns.stream().sorted().toList();
    }

    private static boolean hasReason(BuildkiteAgentToken token, String type, String reason) {
        return token.getStatus() != null && token.getStatus().conditions.stream()
                .anyMatch(c -> type.equals(c.getType()) && reason.equals(c.getReason()));
    }

    private void assertStackReadsTokenIn(String region, CloudFormationState.StackInfo stack) {
        for (var role : stack.roles()) {
            assertThat(sm().policyGrants(region, secretName(), role.arn(), "secretsmanager:GetSecretValue"))
                    .as("policy grants %s", role.name()).isTrue();
        }
    }
}
