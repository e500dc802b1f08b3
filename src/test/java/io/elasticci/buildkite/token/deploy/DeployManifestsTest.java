package io.elasticci.buildkite.token.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.elasticci.buildkite.token.it.ContainerImage;
import io.elasticci.buildkite.token.crd.Crd;
import io.elasticci.buildkite.token.api.crd.SchemaValidator;
import io.elasticci.buildkite.token.crd.Yaml;

/**
 * Everything under deploy/ (plus the Dockerfile): parses, grants least privilege, runs locked down, and the examples
 * agree with the CRD. Plain files, no cluster and no kubectl. (The Argo CD health check: {@link ArgoCdHealthTest}.)
 */
class DeployManifestsTest {

    private static final Path DEPLOY = Path.of("deploy");
    private static final Path BASE = DEPLOY.resolve("base");
    private static final String NAMESPACE = "buildkite-token-operator";
    private static final String NAME = "buildkite-token-operator";
    private static final String IMAGE = "ghcr.io/elasticci/buildkite-token-operator:0.1.0";

    /** Every YAML document under deploy/, by file. */
    private static final Map<Path, List<Map<String, Object>>> MANIFESTS = new LinkedHashMap<>();

    private static synchronized Map<Path, List<Map<String, Object>>> manifests() {
        if (MANIFESTS.isEmpty()) {
            try (Stream<Path> files = Files.walk(DEPLOY)) {
                // The Helm chart's templates are Go templates, not YAML (HelmChartTest renders and checks them).
                for (Path file : files.filter(f -> f.toString().endsWith(".yaml") || f.toString().endsWith(".yml"))
                        .filter(f -> !f.startsWith(DEPLOY.resolve("helm")))
                        .filter(f -> !f.startsWith(ArgoCdHealthScript.DIR)) // Argo CD's test inputs, not manifests
                        .sorted().toList()) {
                    MANIFESTS.put(file, Yaml.loadAll(file));
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return MANIFESTS;
    }

    private static List<Map<String, Object>> documents(Path under, String kind) {
        return manifests().entrySet().stream().filter(e -> e.getKey().startsWith(under))
                .flatMap(e -> e.getValue().stream()).filter(d -> kind.equals(d.get("kind"))).toList();
    }

    private static Map<String, Object> only(Path under, String kind) {
        List<Map<String, Object>> found = documents(under, kind);
        assertThat(found).as("%s in %s", kind, under).hasSize(1);
        return found.get(0);
    }

    // --- files and kustomize --------------------------------------------------------------------------------------

    @Test
    void everyYamlFileParsesIntoKubernetesObjects() {
        assertThat(manifests().keySet()).contains(BASE.resolve("kustomization.yaml"), BASE.resolve("deployment.yaml"),
                DEPLOY.resolve("examples/ci-token.yaml"), DEPLOY.resolve("examples/adopt-existing.yaml"));
        manifests().forEach((file, docs) -> {
            assertThat(docs).as("documents in %s", file).isNotEmpty();
            for (Map<String, Object> doc : docs) {
                assertThat(doc).as("a document in %s", file).containsKeys("apiVersion", "kind");
            }
        });
    }

    @Test
    void kustomizationsReferenceOnlyWhatExists() {
        for (Path file : manifests().keySet()) {
            if (!file.getFileName().toString().equals("kustomization.yaml")) {
                continue;
            }
            Map<String, Object> kustomization = Yaml.load(file);
            List<String> references = new ArrayList<>(Yaml.strings(kustomization.get("resources")));
            Yaml.list(kustomization.get("patches")).stream().map(Yaml::map)
                    .filter(p -> p.get("path") != null).forEach(p -> references.add((String) p.get("path")));
            for (String reference : references) {
                Path target = file.getParent().resolve(reference).normalize();
                assertThat(target).as("%s in %s", reference, file).exists();
                if (Files.isDirectory(target)) {
                    // kustomize loads directories outside a kustomization only when they hold a kustomization
                    assertThat(target.resolve("kustomization.yaml")).as("kustomization in %s", target).exists();
                } else {
                    assertThat(target.normalize().startsWith(file.getParent().normalize()))
                            .as("%s is inside %s (the default load restrictor refuses files outside)", reference,
                                    file.getParent())
                            .isTrue();
                }
            }
        }
    }

    @Test
    void baseInstallsIntoItsNamespaceWithTheGeneratedCrd() {
        Map<String, Object> kustomization = Yaml.load(BASE.resolve("kustomization.yaml"));
        assertThat(kustomization.get("namespace")).isEqualTo(NAMESPACE);
        assertThat(Yaml.strings(kustomization.get("resources"))).contains("../../crds", "namespace.yaml",
                "serviceaccount.yaml", "deployment.yaml");
        Map<String, Object> crds = Yaml.load(Path.of("crds", "kustomization.yaml"));
        assertThat(Yaml.strings(crds.get("resources"))).containsExactly(Crd.FILE.getFileName().toString());
        assertThat(Yaml.map(only(BASE, "Namespace"), "metadata").get("name")).isEqualTo(NAMESPACE);
        for (Map.Entry<Path, List<Map<String, Object>>> file : manifests().entrySet()) {
            if (file.getKey().startsWith(BASE)) {
                for (Map<String, Object> doc : file.getValue()) {
                    Object namespace = doc.get("metadata") instanceof Map<?, ?> m ? m.get("namespace") : null;
                    assertThat(namespace == null || NAMESPACE.equals(namespace))
                            .as("namespace of %s in %s", doc.get("kind"), file.getKey()).isTrue();
                }
            }
        }
    }

    // --- RBAC -----------------------------------------------------------------------------------------------------

    /** One "apiGroup resource verb [resourceNames]" line per permission a rule grants. */
    private static Set<String> grants(Map<String, Object> role) {
        Set<String> grants = new TreeSet<>();
        for (Object r : Yaml.list(role.get("rules"))) {
            Map<String, Object> rule = Yaml.map(r);
            List<String> names = Yaml.strings(rule.get("resourceNames"));
            for (String group : Yaml.strings(rule.get("apiGroups"))) {
                for (String resource : Yaml.strings(rule.get("resources"))) {
                    for (String verb : Yaml.strings(rule.get("verbs"))) {
                        grants.add((group.isEmpty() ? "core" : group) + " " + resource + " " + verb
                                + (names.isEmpty() ? "" : " " + names));
                    }
                }
            }
            assertThat(rule).as("rule %s", rule).doesNotContainKey("nonResourceURLs");
        }
        return grants;
    }

    @Test
    void rbacGrantsNothingThroughWildcards() {
        List<Map<String, Object>> roles = new ArrayList<>(documents(DEPLOY, "ClusterRole"));
        roles.addAll(documents(DEPLOY, "Role"));
        assertThat(roles).hasSize(2);
        for (Map<String, Object> role : roles) {
            assertThat(role).as("aggregated roles can grow later").doesNotContainKey("aggregationRule");
            for (String grant : grants(role)) {
                assertThat(grant.split(" ")).as("grant %s", grant).doesNotContain("*");
                assertThat(grant).as("grant %s", grant).doesNotContain("/*");
            }
        }
    }

    @Test
    void clusterRoleGrantsExactlyWhatTheOperatorUses() {
        assertThat(grants(only(BASE, "ClusterRole"))).containsExactlyInAnyOrder(
                "buildkite.elasticci.io buildkiteagenttokens get",
                "buildkite.elasticci.io buildkiteagenttokens list",
                "buildkite.elasticci.io buildkiteagenttokens watch",
                "buildkite.elasticci.io buildkiteagenttokens patch",
                "buildkite.elasticci.io buildkiteagenttokens/status update",
                "core secrets list",
                "core secrets watch",
                "core events create",
                "core namespaces get [kube-system]",
                "apiextensions.k8s.io customresourcedefinitions get [buildkiteagenttokens.buildkite.elasticci.io]");
    }

    @Test
    void clusterRoleCannotWriteSecrets() {
        assertThat(grants(only(BASE, "ClusterRole")).stream().filter(g -> g.startsWith("core secrets ")))
                .allMatch(g -> Set.of("list", "watch").contains(g.split(" ")[2]));
    }

    @Test
    void namespacedRoleCoversLeaderElectionAndTheInstallationKeySecret() {
        Map<String, Object> role = only(BASE, "Role");
        assertThat(Yaml.map(role, "metadata").get("namespace")).isEqualTo(NAMESPACE);
        assertThat(grants(role)).containsExactlyInAnyOrder(
                "coordination.k8s.io leases get",
                "coordination.k8s.io leases create",
                "coordination.k8s.io leases update",
                "coordination.k8s.io leases patch",
                "core secrets create",
                "core secrets get [buildkite-token-operator-hmac]");
    }

    @Test
    void bindingsGiveTheRolesToTheOperatorsServiceAccount() {
        Map<String, Object> serviceAccount = only(BASE, "ServiceAccount");
        assertThat(Yaml.map(serviceAccount, "metadata")).containsEntry("name", NAME).containsEntry("namespace",
                NAMESPACE);
        for (String kind : List.of("ClusterRoleBinding", "RoleBinding")) {
            Map<String, Object> binding = only(BASE, kind);
            Map<String, Object> roleRef = Yaml.map(binding, "roleRef");
            String roleKind = kind.replace("Binding", "");
            assertThat(roleRef).containsEntry("kind", roleKind)
                    .containsEntry("name", Yaml.map(only(BASE, roleKind), "metadata").get("name"));
            assertThat(Yaml.list(binding.get("subjects"))).containsExactly(
                    Map.of("kind", "ServiceAccount", "name", NAME, "namespace", NAMESPACE));
        }
    }

    @Test
    void serviceAccountIsAnnotatedForIrsa() {
        Map<String, Object> annotations = Yaml.map(only(BASE, "ServiceAccount"), "metadata", "annotations");
        assertThat(annotations.get("eks.amazonaws.com/role-arn"))
                .isEqualTo("arn:aws:iam::ACCOUNT:role/buildkite-token-operator");
    }

    // --- Deployment -----------------------------------------------------------------------------------------------

    private static Map<String, Object> podSpec() {
        return Yaml.map(only(BASE, "Deployment"), "spec", "template", "spec");
    }

    private static Map<String, Object> container() {
        List<Object> containers = Yaml.list(podSpec().get("containers"));
        assertThat(containers).hasSize(1);
        return Yaml.map(containers.get(0));
    }

    @Test
    void deploymentRunsOneLeaderElectedReplicaOfTheImage() {
        Map<String, Object> deployment = only(BASE, "Deployment");
        assertThat(Yaml.map(deployment, "spec").get("replicas")).isEqualTo(1);
        assertThat(container().get("image")).isEqualTo(IMAGE);
        assertThat(podSpec()).containsEntry("serviceAccountName", NAME)
                .containsEntry("automountServiceAccountToken", true);
        assertThat(podSpec()).doesNotContainKeys("hostNetwork", "hostPID", "hostIPC");
        Map<String, Object> env = new LinkedHashMap<>();
        Yaml.list(container().get("env")).stream().map(Yaml::map).forEach(e -> env.put((String) e.get("name"),
                e.containsKey("value") ? e.get("value") : e.get("valueFrom")));
        assertThat(env).containsKey("AWS_REGION");
        assertThat(env.get("POD_NAMESPACE")).isEqualTo(Map.of("fieldRef", Map.of("fieldPath", "metadata.namespace")));
    }

    @Test
    void deploymentIsLockedDown() {
        Map<String, Object> pod = Yaml.map(podSpec(), "securityContext");
        Map<String, Object> container = Yaml.map(container(), "securityContext");
        assertThat(pod).containsEntry("runAsNonRoot", true);
        assertThat(container).containsEntry("runAsNonRoot", true)
                .containsEntry("readOnlyRootFilesystem", true)
                .containsEntry("allowPrivilegeEscalation", false);
        assertThat(container.get("privileged")).isNotEqualTo(true);
        assertThat(Yaml.strings(Yaml.map(container, "capabilities").get("drop"))).contains("ALL");
        assertThat(Yaml.map(container, "capabilities")).doesNotContainKey("add");
        assertThat(Yaml.map(pod, "seccompProfile")).containsEntry("type", "RuntimeDefault");
        assertThat(Yaml.map(container, "seccompProfile")).containsEntry("type", "RuntimeDefault");
        assertThat(pod.get("runAsUser")).isEqualTo(1001);
    }

    @Test
    void deploymentHasResourcesAndAWritableTmp() {
        Map<String, Object> resources = Yaml.map(container(), "resources");
        assertThat(Yaml.map(resources, "requests")).containsKeys("cpu", "memory");
        assertThat(Yaml.map(resources, "limits")).containsKey("memory");
        Map<String, Object> mount = Yaml.list(container().get("volumeMounts")).stream().map(Yaml::map)
                .filter(m -> "/tmp".equals(m.get("mountPath"))).findFirst().orElseThrow();
        Map<String, Object> volume = Yaml.list(podSpec().get("volumes")).stream().map(Yaml::map)
                .filter(v -> mount.get("name").equals(v.get("name"))).findFirst().orElseThrow();
        assertThat(volume).containsKey("emptyDir");
        assertThat(mount.get("readOnly")).isNotEqualTo(true);
    }

    @Test
    void deploymentProbesQuarkusHealthOnPort8080() {
        Map<String, Object> ports = new LinkedHashMap<>();
        Yaml.list(container().get("ports")).stream().map(Yaml::map)
                .forEach(p -> ports.put(String.valueOf(p.get("name")), p.get("containerPort")));
        for (Map.Entry<String, String> probe : Map.of("livenessProbe", "/q/health/live", "readinessProbe",
                "/q/health/ready").entrySet()) {
            Map<String, Object> httpGet = Yaml.map(container(), probe.getKey(), "httpGet");
            assertThat(httpGet.get("path")).as(probe.getKey()).isEqualTo(probe.getValue());
            Object port = httpGet.get("port");
            assertThat(port instanceof String name ? ports.get(name) : port).as("%s port", probe.getKey())
                    .isEqualTo(8080);
        }
    }

    // --- examples -------------------------------------------------------------------------------------------------

    static List<Map<String, Object>> exampleTokens() {
        return documents(DEPLOY.resolve("examples"), "BuildkiteAgentToken");
    }

    @ParameterizedTest(name = "{index}: example {0}")
    @MethodSource("exampleTokens")
    void exampleUsesOnlyFieldsOfTheCrdAndPassesItsRules(Map<String, Object> token) {
        assertThat(token.get("apiVersion")).isEqualTo("buildkite.elasticci.io/" + Crd.VERSION);
        assertThat(token.keySet()).containsOnly("apiVersion", "kind", "metadata", "spec");
        assertThat(Yaml.map(token, "metadata")).containsKeys("name", "namespace");
        assertThat(SchemaValidator.validate(token.get("spec"), Crd.specSchema(), "spec")).isEmpty();
    }

    @Test
    void examplesAreTheDocumentedOnes() {
        List<Map<String, Object>> tokens = exampleTokens();
        assertThat(tokens).extracting(t -> Yaml.map(t, "metadata").get("name"))
                .containsExactlyInAnyOrder("ci-token", "legacy-token", "minted-token");
        Map<String, Object> ci = tokens.stream().filter(t -> "ci-token".equals(Yaml.map(t, "metadata").get("name")))
                .findFirst().orElseThrow();
        assertThat(Yaml.map(ci, "spec", "tokenSecretRef")).containsEntry("name", "buildkite-agent-token");
        Map<String, Object> legacy = tokens.stream()
                .filter(t -> "legacy-token".equals(Yaml.map(t, "metadata").get("name"))).findFirst().orElseThrow();
        assertThat(Yaml.map(legacy, "spec")).doesNotContainKey("tokenSecretRef");
        Map<String, Object> minted = tokens.stream()
                .filter(t -> "minted-token".equals(Yaml.map(t, "metadata").get("name"))).findFirst().orElseThrow();
        assertThat(Yaml.map(minted, "spec")).doesNotContainKey("tokenSecretRef");
        assertThat(Yaml.map(minted, "spec", "buildkite", "apiTokenSecretRef")).containsEntry("name", "buildkite-api");
        // the validator itself catches what the examples must avoid
        Map<String, Object> bad = new LinkedHashMap<>(Yaml.map(legacy, "spec"));
        bad.put("notAField", "Manage");
        bad.put("primaryRegion", "us-east-1");
        assertThat(SchemaValidator.validate(bad, Crd.specSchema(), "spec")).anyMatch(p -> p.contains("unknown field"))
                .anyMatch(p -> p.contains("exactly once"));
    }

    @Test
    void tokenSecretRefsNameSecretsThatTheExampleShips() {
        for (Map.Entry<Path, List<Map<String, Object>>> file : manifests().entrySet()) {
            for (Map<String, Object> doc : file.getValue()) {
                if (!"BuildkiteAgentToken".equals(doc.get("kind"))
                        || !(Yaml.map(doc, "spec").get("tokenSecretRef") instanceof Map<?, ?> ref)) {
                    continue;
                }
                Map<String, Object> secret = file.getValue().stream().filter(d -> "Secret".equals(d.get("kind"))
                        && ref.get("name").equals(Yaml.map(d, "metadata").get("name"))).findFirst().orElseThrow(
                                () -> new AssertionError("no Secret " + ref.get("name") + " in " + file.getKey()));
                assertThat(Yaml.map(secret, "metadata").get("namespace"))
                        .isEqualTo(Yaml.map(doc, "metadata").get("namespace"));
                Object key = ref.get("key") == null ? "token" : ref.get("key");
                assertThat(Yaml.map(secret, "stringData")).containsKey((String) key);
            }
        }
    }

    // --- IAM ------------------------------------------------------------------------------------------------------

    private static final Path IAM_POLICY = DEPLOY.resolve("iam/operator-policy.json");
    private static final String SECRET_ARN_PREFIX = "arn:aws:secretsmanager:*:*:secret:";

    /**
     * Write actions that may stand on "Resource": "*": none today. (Read actions without resource-level
     * permissions, sts:GetCallerIdentity and autoscaling:Describe*, are on "*" because AWS allows nothing else.)
     */
    private static final Set<String> WRITE_ACTIONS_ON_ANY_RESOURCE = Set.of();

    private static JsonNode iamPolicy() {
        try {
            return new ObjectMapper().readTree(IAM_POLICY.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<String> values(JsonNode node) {
        if (node == null || node.isMissingNode()) {
            return List.of();
        }
        List<String> values = new ArrayList<>();
        if (node.isArray()) {
            node.forEach(n -> values.add(n.asText()));
        } else {
            values.add(node.asText());
        }
        return values;
    }

    private static boolean isRead(String action) {
        String name = action.substring(action.indexOf(':') + 1);
        return Stream.of("Describe", "Get", "List", "Simulate", "Validate").anyMatch(name::startsWith);
    }

    private static List<JsonNode> statements(String effect) {
        List<JsonNode> result = new ArrayList<>();
        iamPolicy().get("Statement").forEach(s -> {
            if (effect.equals(s.get("Effect").asText())) {
                result.add(s);
            }
        });
        return result;
    }

    @Test
    void iamPolicyIsAValidDocument() {
        JsonNode policy = iamPolicy();
        assertThat(policy.get("Version").asText()).isEqualTo("2012-10-17");
        Set<String> sids = new TreeSet<>();
        policy.get("Statement").forEach(s -> {
            assertThat(sids.add(s.get("Sid").asText())).as("unique Sid %s", s.get("Sid")).isTrue();
            assertThat(s.get("Sid").asText()).matches("[A-Za-z0-9]+");
            assertThat(s.get("Effect").asText()).isIn("Allow", "Deny");
            assertThat(s.has("NotAction") || s.has("NotResource")).as("%s uses NotAction/NotResource", sids).isFalse();
            for (String action : values(s.get("Action"))) {
                assertThat(action).as("action").matches("[a-z0-9-]+:[A-Za-z0-9]+");
            }
            assertThat(values(s.get("Resource"))).as("resources of %s", s.get("Sid")).isNotEmpty();
        });
    }

    /** The services each SDK adapter calls, by file: its call(...) helper names only the operation. */
    private static final Map<String, String> ADAPTER_SERVICES = Map.of("SdkSecretsManagerGateway.java",
            "secretsmanager", "SdkIamGateway.java", "iam", "SdkCloudFormationGateway.java", "cloudformation");
    private static final Pattern CALL = Pattern.compile("\\bcall\\(\"(\\w+)\"");
    private static final Pattern RUN = Pattern.compile(
            "AwsCall\\.run\\(\"(\\w+)\", \"(\\w+)\"");

    /** Every AWS action the code can call, read from the SDK adapters' sources (and the role assumption). */
    static Set<String> actionsTheCodeCalls() throws IOException {
        Set<String> actions = new TreeSet<>();
        try (Stream<Path> files = Files.list(Path.of("src/main/java/io/elasticci/buildkite/token/aws"))) {
            for (Path file : files.filter(f -> f.getFileName().toString().startsWith("Sdk")).toList()) {
                String source = Files.readString(file);
                Matcher run = RUN.matcher(source);
                while (run.find()) {
                    actions.add(run.group(1) + ":" + run.group(2));
                }
                String service = ADAPTER_SERVICES.get(file.getFileName().toString());
                Matcher call = CALL.matcher(source);
                while (call.find()) {
                    assertThat(service).as("the service of %s", file).isNotNull();
                    actions.add(service + ":" + call.group(1));
                }
            }
        }
        if (Files.readString(Path.of("src/main/java/io/elasticci/buildkite/token/aws/AwsClients.java"))
                .contains("StsAssumeRoleCredentialsProvider")) {
            actions.add("sts:AssumeRole"); // spec.aws: the SDK's credentials provider calls it
        }
        // Not called by the operator: Secrets Manager calls them with its credentials when it writes or replicates a
        // value under a customer managed key (kms:ViaService).
        actions.addAll(List.of("kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey"));
        return actions;
    }

    /** Opt-in: what {@code bkat.aws.iam-account-reads} needs on top of operator-policy.json. */
    private static final Path ACCOUNT_READS_POLICY = DEPLOY.resolve("iam/account-reads-policy.json");

    @Test
    void iamPolicyAllowsExactlyTheActionsTheOperatorCalls() throws IOException {
        Set<String> allowed = new TreeSet<>();
        statements("Allow").forEach(s -> allowed.addAll(values(s.get("Action"))));
        Set<String> optional = new TreeSet<>();
        new ObjectMapper().readTree(ACCOUNT_READS_POLICY.toFile()).get("Statement").forEach(s -> {
            assertThat(s.get("Effect").asText()).isEqualTo("Allow");
            optional.addAll(values(s.get("Action")));
        });
        assertThat(optional).as("the opt-in policy only reads").containsExactly("iam:GetAccountAuthorizationDetails");
        assertThat(allowed).as("not granted by default").doesNotContainAnyElementsOf(optional);
        allowed.addAll(optional);
        Set<String> called = actionsTheCodeCalls();

        assertThat(called).as("actions read from the adapters").contains("secretsmanager:CreateSecret",
                "secretsmanager:DeleteSecret", "iam:PutRolePolicy", "cloudformation:UpdateStack",
                "autoscaling:StartInstanceRefresh", "kms:DescribeKey", "sts:GetCallerIdentity", "ec2:DescribeInstances");
        assertThat(allowed).isEqualTo(called);
    }

    @Test
    void iamWriteActionsNeverApplyToEveryResource() {
        for (JsonNode statement : statements("Allow")) {
            List<String> resources = values(statement.get("Resource"));
            for (String action : values(statement.get("Action"))) {
                if (isRead(action) || WRITE_ACTIONS_ON_ANY_RESOURCE.contains(action)) {
                    continue;
                }
                assertThat(resources).as("resources of write action %s (%s)", action, statement.get("Sid"))
                        .doesNotContain("*");
            }
        }
    }

    @Test
    void iamSecretsManagerResourcesMatchTheOperatorsAllowedPrefix() {
        // The Deployment configures bkat.allowed-secret-name-prefixes; the IAM policy must allow the same names.
        String prefix = Yaml.list(container().get("env")).stream().map(Yaml::map)
                .filter(e -> "BKAT_ALLOWED_SECRET_NAME_PREFIXES".equals(e.get("name")))
                .map(e -> (String) e.get("value")).findFirst().orElseThrow();
        assertThat(prefix).isEqualTo("buildkite/");
        for (JsonNode statement : statements("Allow")) {
            if (values(statement.get("Action")).stream().anyMatch(a -> a.startsWith("secretsmanager:"))) {
                assertThat(values(statement.get("Resource"))).containsExactly(SECRET_ARN_PREFIX + prefix + "*");
            }
        }
        for (Map<String, Object> token : exampleTokens()) {
            assertThat((String) Yaml.map(token, "spec").get("secretName")).startsWith(prefix);
        }
    }

    @Test
    void iamCreateSecretRequiresTheOwnershipTag() {
        List<JsonNode> creating = statements("Allow").stream()
                .filter(s -> values(s.get("Action")).contains("secretsmanager:CreateSecret")).toList();
        assertThat(creating).hasSize(1);
        assertThat(values(creating.get(0).get("Action"))).containsExactly("secretsmanager:CreateSecret");
        assertThat(creating.get(0).at("/Condition/Null/aws:RequestTag~1buildkite.elasticci.io~1owner").asText())
                .isEqualTo("false");
    }

    @Test
    void iamKmsCryptoOnlyThroughSecretsManager() {
        for (JsonNode statement : statements("Allow")) {
            List<String> actions = values(statement.get("Action"));
            if (actions.stream().anyMatch(a -> Set.of("kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey").contains(a))) {
                assertThat(actions).allMatch(a -> a.startsWith("kms:") && !isRead(a));
                assertThat(statement.at("/Condition/StringLike/kms:ViaService").asText())
                        .isEqualTo("secretsmanager.*.amazonaws.com");
            }
        }
    }

    @Test
    void iamOperatorCannotEditItsOwnRole() {
        String roleArn = (String) Yaml.map(only(BASE, "ServiceAccount"), "metadata", "annotations")
                .get("eks.amazonaws.com/role-arn");
        String roleName = roleArn.substring(roleArn.lastIndexOf('/') + 1);
        assertThat(statements("Deny")).anySatisfy(s -> {
            assertThat(values(s.get("Action"))).contains("iam:PutRolePolicy", "iam:DeleteRolePolicy");
            assertThat(values(s.get("Resource"))).contains("arn:aws:iam::*:role/" + roleName);
        });
    }

    // --- image ----------------------------------------------------------------------------------------------------

    @Test
    void dockerfileBuildsFromSourceAndRunsAsNonRoot() throws IOException {
        List<String> lines = Files.readAllLines(Path.of("Dockerfile"));
        List<String> from = lines.stream().filter(l -> l.startsWith("FROM ")).toList();
        assertThat(from).hasSize(2);
        assertThat(from.get(0)).startsWith("FROM maven:3.9-eclipse-temurin-17 AS ");
        assertThat(lines).contains("COPY pom.xml .", "USER 1001", "EXPOSE 8080");
        assertThat(lines.indexOf("COPY pom.xml .")).isLessThan(lines.indexOf("COPY src src"));
        assertThat(lines).anyMatch(l -> l.contains("quarkus-run.jar"));
        assertThat(lines.stream().filter(l -> l.startsWith("USER ")).reduce((a, b) -> b)).hasValue("USER 1001");
        assertThat(Files.readAllLines(Path.of(".dockerignore"))).contains("target/", ".git/");
    }


    /**
     * The Deployment runs the image as the integration tests run the jar ({@link ContainerImage}): the image's own
     * entrypoint and JVM flags, its user, a read-only root filesystem with the one directory the JVM writes to mounted
     * writable.
     */
    @Test
    void deploymentRunsTheImageAsTheIntegrationTestsRunTheJar() {
        ContainerImage image = ContainerImage.read();
        assertThat(container()).as("the image's entrypoint runs unchanged").doesNotContainKeys("command", "args");
        assertThat(Yaml.list(container().get("env")).stream().map(Yaml::map).map(e -> e.get("name")))
                .as("the image's JVM flags and environment stay").doesNotContain("JAVA_TOOL_OPTIONS", "JAVA_OPTS")
                .doesNotContainAnyElementsOf(image.env().keySet());
        assertThat(image.jar()).isEqualTo(image.workdir() + "/quarkus-run.jar");
        assertThat(image.javaToolOptions()).contains("-XX:MaxRAMPercentage=").contains("-XX:+ExitOnOutOfMemoryError");
        assertThat(Yaml.map(podSpec(), "securityContext").get("runAsUser")).isEqualTo(Integer.valueOf(image.user()));
        assertThat(Yaml.map(container(), "securityContext")).containsEntry("readOnlyRootFilesystem", true);
        String tmp = image.tmpDir().orElseThrow();
        Map<String, Object> mount = Yaml.list(container().get("volumeMounts")).stream().map(Yaml::map)
                .filter(m -> tmp.equals(m.get("mountPath"))).findFirst()
                .orElseThrow(() -> new AssertionError("nothing mounted at the JVM's temp dir " + tmp));
        assertThat(mount.get("readOnly")).isNotEqualTo(true);
        assertThat(Yaml.list(podSpec().get("volumes")).stream().map(Yaml::map)
                .filter(v -> mount.get("name").equals(v.get("name"))).findFirst().orElseThrow())
                .containsKey("emptyDir");
    }
}
