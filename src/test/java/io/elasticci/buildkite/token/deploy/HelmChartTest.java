package io.elasticci.buildkite.token.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import com.marcnuri.helm.LintResult;

import io.elasticci.buildkite.token.config.OperatorConfig;
import io.elasticci.buildkite.token.crd.Crd;
import io.elasticci.buildkite.token.crd.Yaml;
import io.elasticci.buildkite.token.reconcile.BuildkiteAgentTokenReconciler;
import io.smallrye.config.EnvConfigSource;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;

/**
 * The Helm chart installs the operator deploy/base installs: its default rendering equals the kustomize base object
 * by object, the README's IRSA command equals the example overlay, and each value renders what it says. Every command
 * in the chart's README is run here (helm ones through helm-java) or checked against the rendering.
 */
class HelmChartTest {

    private static final Path BASE = Path.of("deploy", "base");
    private static final Path OVERLAY = Path.of("deploy", "overlays", "example");
    private static final Path README = HelmChart.DIR.resolve("README.md");
    private static final Path APPLICATION_PROPERTIES = Path.of("src", "main", "resources", "application.properties");
    private static final String ROLE_ARN = "eks.amazonaws.com/role-arn";
    private static final String PART_OF = "app.kubernetes.io/part-of";

    // --- the chart as a whole -------------------------------------------------------------------------------------

    @Test
    void lintsCleanWithStrictChecks() {
        LintResult lint = HelmChart.lint();
        assertThat(lint.isFailed()).as("helm lint --strict: %s", lint.getMessages()).isFalse();
        assertThat(lint.getMessages()).noneMatch(m -> m.contains("[WARNING]") || m.contains("[ERROR]"));
    }

    @Test
    void chartCrdIsTheGeneratedOne() throws IOException {
        assertThat(Files.mismatch(HelmChart.CRD, Crd.FILE))
                .as("%s differs from %s: after `mvn package` regenerated it, run `cp %s %s` and commit both",
                        HelmChart.CRD, Crd.FILE, Crd.FILE, HelmChart.CRD.getParent())
                .isEqualTo(-1L);
        try (Stream<Path> files = Files.list(HelmChart.CRD.getParent())) {
            assertThat(files).containsExactly(HelmChart.CRD);
        }
    }

    @Test
    void defaultsInstallWhatTheKustomizeBaseInstalls() {
        Manifests base = kustomizeSide(Kustomize.render(BASE));
        Manifests chart = helmSide(HelmChart.template(""));
        // The base's role ARN is a placeholder for its overlays (ACCOUNT); the chart sets none unless told to.
        Map<String, Object> annotations = Yaml.map(base.only("ServiceAccount"), "metadata", "annotations");
        assertThat((String) annotations.remove(ROLE_ARN)).contains(":ACCOUNT:");

        chart.assertSameAs(base, "helm template (defaults), expected: kubectl kustomize deploy/base");
    }

    @Test
    void readmeIrsaInstallIsTheExampleOverlay() {
        assertIrsaInstallIsTheExampleOverlay(README);
    }

    /** The one helm install of {@code readme} that sets a role ARN renders what deploy/overlays/example installs. */
    static void assertIrsaInstallIsTheExampleOverlay(Path readme) {
        List<HelmInstall> withRole = readmeHelmInstalls(readme).stream()
                .filter(i -> i.sets().keySet().stream().anyMatch(k -> k.contains("role-arn"))).toList();
        assertThat(withRole).as("helm installs with a role ARN in %s", readme).hasSize(1);

        Manifests chart = helmSide(withRole.get(0).template());

        chart.assertSameAs(kustomizeSide(Kustomize.render(OVERLAY)),
                "the IRSA install of " + readme + ", expected: kubectl kustomize deploy/overlays/example");
    }

    /** The Namespace is Helm's (--create-namespace); kustomize's labels reach the CRD, a chart's crds/ go verbatim. */
    private static Manifests kustomizeSide(Manifests kustomize) {
        Manifests expected = kustomize.without(o -> "Namespace".equals(o.get("kind"))).comparable();
        Manifests.removeLabels(expected.only("CustomResourceDefinition"), Set.of(PART_OF));
        return expected;
    }

    private static Manifests helmSide(Manifests helm) {
        Manifests actual = helm.comparable();
        for (Map<String, Object> object : actual.byKey().values()) {
            if (!"CustomResourceDefinition".equals(object.get("kind"))) {
                assertThat(Yaml.map(object, "metadata", "labels"))
                        .containsEntry("app.kubernetes.io/managed-by", "Helm");
            }
            Manifests.removeLabels(object, HelmChart.BOOKKEEPING_LABELS);
        }
        return actual;
    }

    // --- values ---------------------------------------------------------------------------------------------------

    @Test
    void watchNamespacesConfineTheControllerAndMoveItsNamespacedPermissionsIntoRoles() {
        Manifests all = HelmChart.template("");
        Manifests watching = HelmChart.template("watchNamespaces: [team-a, team-b]");

        String property = "quarkus.operator-sdk.controllers." + BuildkiteAgentTokenReconciler.NAME + ".namespaces";
        assertThat(watching.env()).containsEntry(envName(property), "team-a,team-b");
        assertThat(all.env()).doesNotContainKey(envName(property));
        List<Object> everything = Yaml.list(all.only("ClusterRole").get("rules"));
        List<Object> clusterScoped = Yaml.list(watching.only("ClusterRole").get("rules"));
        assertThat(clusterScoped).as("only cluster-scoped reads stay cluster-wide").hasSize(2)
                .allMatch(r -> Set.of("namespaces", "customresourcedefinitions")
                        .containsAll(Yaml.strings(Yaml.map(r).get("resources"))));
        for (String namespace : List.of("team-a", "team-b")) {
            String name = HelmChart.RELEASE + "-watch";
            Map<String, Object> role = watching.get("Role " + namespace + "/" + name);
            List<Object> granted = new ArrayList<>(Yaml.list(role.get("rules")));
            granted.addAll(clusterScoped);
            assertThat(granted).as("the Role and the ClusterRole together grant what the default ClusterRole grants")
                    .isEqualTo(everything);
            Map<String, Object> binding = watching.get("RoleBinding " + namespace + "/" + name);
            assertThat(Yaml.map(binding, "roleRef")).containsEntry("kind", "Role").containsEntry("name", name);
            assertThat(Yaml.list(binding.get("subjects"))).containsExactly(Map.of("kind", "ServiceAccount",
                    "name", HelmChart.RELEASE, "namespace", HelmChart.NAMESPACE));
        }
        assertThat(all.all("Role")).hasSize(1);
    }

    @Test
    void valuesBecomeTheOperatorsEnvironment() {
        Manifests chart = HelmChart.template("""
                logFormat: json
                tokenSecretLabelSelector: buildkite.elasticci.io/token-source=true
                allowedSecretNamePrefixes: [ci/, buildkite/]
                allowedNamespaces: [team-a]
                aws:
                  rateLimits: {iam: 2.5, ec2: 3}
                extraEnv:
                  - {name: BKAT_CLUSTER_ID, value: prod-1}
                  - name: BKAT_HMAC_KEY
                    valueFrom: {secretKeyRef: {name: my-hmac-key, key: key}}
                """);

        assertThat(chart.env()).containsEntry(envName("quarkus.log.console.json.enabled"), "true")
                .containsEntry("BKAT_ALLOWED_SECRET_NAME_PREFIXES", "ci/,buildkite/")
                .containsEntry("BKAT_ALLOWED_NAMESPACES", "team-a")
                .containsEntry("BKAT_TOKEN_SECRET_LABEL_SELECTOR", "buildkite.elasticci.io/token-source=true")
                .containsEntry("BKAT_AWS_RATE_LIMITS_IAM", "2.5")
                .containsEntry("BKAT_AWS_RATE_LIMITS_EC2", "3")
                .containsEntry("BKAT_CLUSTER_ID", "prod-1")
                .containsEntry("BKAT_HMAC_KEY", Map.of("secretKeyRef", Map.of("name", "my-hmac-key", "key", "key")))
                .containsEntry("AWS_REGION", "us-east-1");
        assertThat(HelmChart.template("").env()).doesNotContainKeys(envName("quarkus.log.console.json.enabled"),
                "BKAT_ALLOWED_NAMESPACES", "BKAT_AWS_RATE_LIMITS_IAM", "BKAT_TOKEN_SECRET_LABEL_SELECTOR",
                "BKAT_SHARD_SELECTOR", "BKAT_SHARD_NAME");
    }

    /** The BKAT_* names the chart writes are the ones the operator's configuration reads (SmallRye's env mapping). */
    @Test
    void renderedEnvironmentReachesTheOperatorsConfiguration() {
        SmallRyeConfig config = operatorConfiguration(HelmChart.template("""
                allowedSecretNamePrefixes: [ci/, buildkite/]
                allowedNamespaces: [team-a, team-b]
                tokenSecretLabelSelector: buildkite.elasticci.io/token-source=true
                leaderElection: {enabled: false}
                aws:
                  rateLimits: {iam: 2.5, ec2: 3, secretsmanager-write: 30}
                extraEnv: [{name: BKAT_CLUSTER_ID, value: prod-1}]
                """).only("Deployment"));

        OperatorConfig operator = config.getConfigMapping(OperatorConfig.class);

        assertThat(operator.allowedSecretNamePrefixes()).hasValue(List.of("ci/", "buildkite/"));
        assertThat(operator.allowedNamespaces()).hasValue(List.of("team-a", "team-b"));
        assertThat(operator.tokenSecretLabelSelector()).hasValue("buildkite.elasticci.io/token-source=true");
        assertThat(operator.leaderElection().enabled()).isFalse();
        assertThat(operator.aws().rateLimits()).containsEntry("iam", 2.5).containsEntry("ec2", 3.0)
                .containsEntry("secretsmanager-write", 30.0).containsEntry("secretsmanager-read", 9000.0);
        assertThat(operator.clusterId()).hasValue("prod-1");
        assertThat(operator.shard().selector()).isEmpty();
    }

    /**
     * The operator's configuration in a Deployment of the chart: its BKAT_* variables over the packaged
     * application.properties (where bkat.shard.selector becomes the controller's selector).
     */
    private static SmallRyeConfig operatorConfiguration(Map<String, Object> deployment) {
        Map<String, String> env = new LinkedHashMap<>();
        Manifests.env(deployment).forEach((name, value) -> {
            if (name.startsWith("BKAT_") && value instanceof String s) {
                env.put(name, s);
            }
        });
        try {
            return new SmallRyeConfigBuilder().addDefaultInterceptors().withSources(new EnvConfigSource(env, 300),
                    new PropertiesConfigSource(APPLICATION_PROPERTIES.toUri().toURL(), 250))
                    .withMapping(OperatorConfig.class).build();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // --- shards ---------------------------------------------------------------------------------------------------

    private static final String SHARDS = """
            shards:
              - {name: a, selector: buildkite.elasticci.io/shard=a}
              - {name: b, selector: buildkite.elasticci.io/shard=b}
              - {name: rest, selector: '!buildkite.elasticci.io/shard'}
            """;
    private static final Map<String, String> SHARD_SELECTORS = Map.of("a", "buildkite.elasticci.io/shard=a",
            "b", "buildkite.elasticci.io/shard=b", "rest", "!buildkite.elasticci.io/shard");
    private static final String SHARD_LABEL = "buildkite.elasticci.io/operator-shard";

    @Test
    void eachShardIsADeploymentOfItsOwnThatSelectsOnlyItsPods() {
        Manifests sharded = HelmChart.template(SHARDS);
        List<Map<String, Object>> deployments = sharded.all("Deployment");
        Map<String, Object> podMonitor = Yaml.load(Path.of("deploy", "monitoring", "podmonitor.yaml"));

        assertThat(deployments).extracting(d -> Yaml.map(d, "metadata").get("name")).containsExactlyInAnyOrder(
                HelmChart.RELEASE + "-a", HelmChart.RELEASE + "-b", HelmChart.RELEASE + "-rest");
        for (Map<String, Object> deployment : deployments) {
            String shard = (String) Manifests.env(deployment).get("BKAT_SHARD_NAME");
            assertThat(Yaml.map(deployment, "metadata").get("name")).isEqualTo(HelmChart.RELEASE + "-" + shard);
            assertThat(Manifests.env(deployment)).containsEntry("BKAT_SHARD_SELECTOR", SHARD_SELECTORS.get(shard));
            Map<String, Object> selector = Yaml.map(deployment, "spec", "selector", "matchLabels");
            for (Map<String, Object> other : deployments) {
                boolean selects = podLabels(other).entrySet().containsAll(selector.entrySet());
                assertThat(selects).as("%s selects the pods of %s", Manifests.key(deployment), Manifests.key(other))
                        .isEqualTo(other == deployment);
            }
            assertThat(podLabels(deployment)).as("the PodMonitor scrapes every shard")
                    .containsAllEntriesOf(Yaml.map(podMonitor, "spec", "selector", "matchLabels"));
        }
    }

    /** Sharding changes each Deployment's name, pod selector and shard variables, nothing else, and no other object. */
    @Test
    void shardsShareEverythingElseWithTheUnshardedInstall() {
        Manifests unsharded = HelmChart.template("");
        Manifests sharded = HelmChart.template(SHARDS);
        Map<String, Object> one = unsharded.only("Deployment");

        for (Map<String, Object> deployment : sharded.all("Deployment")) {
            Map<String, Object> unshard = Yaml.map(Manifests.deepCopy(deployment));
            Yaml.map(unshard, "metadata").put("name", Yaml.map(one, "metadata").get("name"));
            Yaml.map(unshard, "spec", "selector", "matchLabels").remove(SHARD_LABEL);
            podLabels(unshard).remove(SHARD_LABEL);
            Manifests.container(unshard).put("env", Yaml.list(Manifests.container(unshard).get("env")).stream()
                    .filter(e -> !String.valueOf(Yaml.map(e).get("name")).startsWith("BKAT_SHARD_")).toList());
            assertThat(Manifests.difference(unshard, one, "")).as("%s less its shard", Manifests.key(deployment))
                    .isEmpty();
        }
        sharded.without(o -> "Deployment".equals(o.get("kind")))
                .assertSameAs(unsharded.without(o -> "Deployment".equals(o.get("kind"))), "the sharded install");
    }

    /** Each shard's variables become its controller's label selector and its Lease's name (LeaderElection). */
    @Test
    void eachShardsEnvironmentReachesTheOperatorsConfiguration() {
        for (Map<String, Object> deployment : HelmChart.template(SHARDS).all("Deployment")) {
            SmallRyeConfig config = operatorConfiguration(deployment);
            OperatorConfig.Shard shard = config.getConfigMapping(OperatorConfig.class).shard();
            String name = shard.name().orElseThrow();

            assertThat(shard.selector()).hasValue(SHARD_SELECTORS.get(name));
            assertThat(config.getValue("quarkus.operator-sdk.controllers." + BuildkiteAgentTokenReconciler.NAME
                    + ".selector", String.class)).isEqualTo(SHARD_SELECTORS.get(name));
        }
    }

    private static Map<String, Object> podLabels(Map<String, Object> deployment) {
        return Yaml.map(deployment, "spec", "template", "metadata", "labels");
    }

    @Test
    void withoutLeaderElectionThereIsNoLeaseAndNeverTwoPods() {
        Manifests chart = HelmChart.template("leaderElection: {enabled: false}");

        assertThat(chart.env()).containsEntry("BKAT_LEADER_ELECTION_ENABLED", "false");
        assertThat(Yaml.map(chart.only("Deployment"), "spec", "strategy")).isEqualTo(Map.of("type", "Recreate"));
        assertThat(Yaml.list(chart.only("Role").get("rules"))).noneMatch(r -> Yaml.strings(Yaml.map(r).get(
                "resources")).contains("leases"));
        assertThat(Yaml.list(HelmChart.template("").only("Role").get("rules")))
                .anyMatch(r -> Yaml.strings(Yaml.map(r).get("resources")).contains("leases"));
        assertThat(HelmChart.template("").env()).doesNotContainKey("BKAT_LEADER_ELECTION_ENABLED");
    }

    @Test
    void podSettingsReachThePod() {
        Manifests chart = HelmChart.template("""
                replicaCount: 2
                image: {repository: registry.example.com/bkat, tag: "0.2.0", pullPolicy: Always}
                imagePullSecrets: [{name: pull}]
                resources: {requests: {cpu: 50m, memory: 300Mi}, limits: {memory: 600Mi}}
                nodeSelector: {kubernetes.io/os: linux}
                tolerations: [{key: dedicated, operator: Equal, value: ops, effect: NoSchedule}]
                affinity: {nodeAffinity: {}}
                podAnnotations: {example.com/team: ci}
                podLabels: {example.com/cost-centre: ci}
                metrics: {scrapeAnnotations: true}
                """);
        Map<String, Object> pod = chart.podSpec();
        Map<String, Object> template = Yaml.map(chart.only("Deployment"), "spec", "template", "metadata");

        assertThat(Yaml.map(chart.only("Deployment"), "spec").get("replicas")).isEqualTo(2);
        assertThat(chart.container()).containsEntry("image", "registry.example.com/bkat:0.2.0")
                .containsEntry("imagePullPolicy", "Always")
                .containsEntry("resources", Map.of("requests", Map.of("cpu", "50m", "memory", "300Mi"),
                        "limits", Map.of("memory", "600Mi")));
        assertThat(pod).containsEntry("imagePullSecrets", List.of(Map.of("name", "pull")))
                .containsEntry("nodeSelector", Map.of("kubernetes.io/os", "linux"))
                .containsEntry("affinity", Map.of("nodeAffinity", Map.of()));
        assertThat(Yaml.list(pod.get("tolerations"))).hasSize(1);
        assertThat(Yaml.map(template, "labels")).containsEntry("example.com/cost-centre", "ci");
        assertThat(Yaml.map(template, "annotations")).containsEntry("example.com/team", "ci")
                .containsEntry("prometheus.io/scrape", "true")
                .containsEntry("prometheus.io/port", String.valueOf(httpPort(chart)))
                .containsEntry("prometheus.io/path", "/q/metrics");
        assertThat(Yaml.map(HelmChart.template("").only("Deployment"), "spec", "template", "metadata"))
                .doesNotContainKey("annotations");
    }

    @Test
    void anExistingServiceAccountIsUsedInsteadOfOne() {
        Manifests chart = HelmChart.template("serviceAccount: {create: false, name: bkat-irsa}");

        assertThat(chart.all("ServiceAccount")).isEmpty();
        assertThat(chart.podSpec()).containsEntry("serviceAccountName", "bkat-irsa");
        for (String kind : List.of("ClusterRoleBinding", "RoleBinding")) {
            assertThat(Yaml.list(chart.only(kind).get("subjects"))).containsExactly(
                    Map.of("kind", "ServiceAccount", "name", "bkat-irsa", "namespace", HelmChart.NAMESPACE));
        }
        assertThat(HelmChart.failure("serviceAccount: {create: false}")).contains("serviceAccount.name");
    }

    @Test
    void anotherReleaseNameNamesEveryObjectButKeepsTheOperatorsOwn() {
        Manifests chart = HelmChart.template("bkat", "ci-system", Map.of(), "");

        assertThat(chart.byKey().keySet()).contains("Deployment ci-system/bkat-buildkite-token-operator",
                "ClusterRole bkat-buildkite-token-operator", "ServiceAccount ci-system/bkat-buildkite-token-operator");
        assertThat(Yaml.list(chart.only("Role").get("rules"))).anyMatch(r -> Yaml.strings(Yaml.map(r).get(
                "resourceNames")).contains("buildkite-token-operator-hmac"));
    }

    /** Values, then what the failure names: the schema's path, or the chart's own message. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
            logFormat: xml                                              | /logFormat
            aws: {rateLimits: {iam: -1}}                                | /aws/rateLimits/iam
            aws: {rateLimits: {iam: 0}}                                 | /aws/rateLimits/iam
            aws: {rateLimits: {s3: 5}}                                  | /aws/rateLimits
            aws: {region: Ireland}                                      | /aws/region
            watchNamespace: [team-a]                                    | 'watchNamespace' not allowed
            watchNamespaces: [Team_A]                                   | /watchNamespaces/0
            allowedSecretNamePrefixes: ['ci/,buildkite/']               | /allowedSecretNamePrefixes/0
            image: {pullPolicy: Sometimes}                              | /image/pullPolicy
            {leaderElection: {enabled: false}, replicaCount: 2}         | /replicaCount
            extraEnv: [{value: x}]                                      | /extraEnv/0
            extraEnv: [{name: AWS_REGION, value: eu-west-1}]            | AWS_REGION is set by the chart
            extraEnv: [{name: BKAT_AWS_RATE_LIMITS_IAM, value: '1'}]    | BKAT_AWS_RATE_LIMITS_IAM is set by the chart
            extraEnv: [{name: BKAT_SHARD_SELECTOR, value: x=y}]         | BKAT_SHARD_SELECTOR is set by the chart
            tokenSecretLabelSelector: [a=b]                             | /tokenSecretLabelSelector
            shards: [{name: Shard_A, selector: x=a}]                    | /shards/0/name
            shards: [{name: a}]                                         | /shards/0
            shards: [{name: a, selector: ''}]                           | /shards/0/selector
            shards: [{name: a, selector: x=a}, {name: a, selector: x=b}] | two shards are named a
            shards: [{name: a, selector: x=a}, {name: b, selector: x=a}] | two shards select x=a
            """)
    void invalidValuesFailBeforeAnythingRenders(String values, String named) {
        assertThat(HelmChart.failure(values)).contains(named);
    }

    // --- the README -----------------------------------------------------------------------------------------------

    /** A {@code helm install} or {@code helm upgrade --install} command of the README, with its values. */
    record HelmInstall(Map<String, String> sets, String valuesYaml) {
        Manifests template() {
            return HelmChart.template(HelmChart.RELEASE, HelmChart.NAMESPACE, sets, valuesYaml);
        }
    }

    private static final Pattern BLOCK = Pattern.compile("```(sh|bash|yaml)\\n(.*?)```", Pattern.DOTALL);
    private static final Pattern TOKEN = Pattern.compile("'([^']*)'|\"([^\"]*)\"|(\\S+)");
    /** helm-java escapes these in --set values (as --set-string does) and Helm's CLI does not: README values avoid them. */
    private static final Pattern SET_STRING_ONLY = Pattern.compile("[\"'\\\\={}\\[\\],.]");

    private static List<String> blocks(String language) {
        return blocks(README, language);
    }

    private static List<String> blocks(Path file, String language) {
        List<String> blocks = new ArrayList<>();
        try {
            Matcher block = BLOCK.matcher(Files.readString(file));
            while (block.find()) {
                if (block.group(1).equals(language) || language.equals("sh") && block.group(1).equals("bash")) {
                    blocks.add(block.group(2));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return blocks;
    }

    /** Each shell command of the README, split into words as the shell would (quotes, line continuations). */
    private static List<List<String>> readmeCommands() {
        return readmeCommands(README);
    }

    private static List<List<String>> readmeCommands(Path file) {
        List<List<String>> commands = new ArrayList<>();
        for (String block : blocks(file, "sh")) {
            for (String line : block.replace("\\\n", " ").split("\n")) {
                List<String> words = new ArrayList<>();
                Matcher token = TOKEN.matcher(line);
                while (token.find()) {
                    words.add(token.group(1) != null ? token.group(1)
                            : token.group(2) != null ? token.group(2) : token.group(3));
                }
                if (!words.isEmpty()) {
                    commands.add(words);
                }
            }
        }
        return commands;
    }

    private static List<HelmInstall> readmeHelmInstalls() {
        return readmeHelmInstalls(README);
    }

    /** The helm install commands of a Markdown file, parsed as Helm would read them. */
    static List<HelmInstall> readmeHelmInstalls(Path file) {
        List<HelmInstall> installs = new ArrayList<>();
        for (List<String> command : readmeCommands(file).stream().filter(c -> c.get(0).equals("helm")).toList()) {
            List<String> args = new ArrayList<>(command.subList(1, command.size()));
            assertThat(args.remove(0)).as("%s", command).isIn("install", "upgrade");
            Map<String, String> sets = new LinkedHashMap<>();
            String values = "";
            List<String> positional = new ArrayList<>();
            for (int i = 0; i < args.size(); i++) {
                switch (args.get(i)) {
                    case "--namespace" -> assertThat(args.get(++i)).isEqualTo(HelmChart.NAMESPACE);
                    case "--create-namespace", "--install" -> {
                    }
                    case "--set" -> {
                        String[] set = args.get(++i).split("=", 2);
                        assertThat(SET_STRING_ONLY.matcher(set[1]).find()).as("--set %s: use a values file", set[1])
                                .isFalse();
                        sets.put(set[0], set[1]);
                    }
                    case "-f" -> values = valuesFile(args.get(++i));
                    default -> {
                        assertThat(args.get(i)).as("a flag this test knows, in %s", command).doesNotStartWith("-");
                        positional.add(args.get(i));
                    }
                }
            }
            assertThat(positional).as("%s", command).containsExactly(HelmChart.RELEASE, HelmChart.DIR.toString());
            installs.add(new HelmInstall(sets, values));
        }
        return installs;
    }

    /** The README's YAML block that starts with {@code # name}. */
    private static String valuesFile(String name) {
        List<String> found = blocks("yaml").stream().filter(b -> b.startsWith("# " + name + "\n")).toList();
        assertThat(found).as("a yaml block of the README starting with # %s", name).hasSize(1);
        return found.get(0);
    }

    @Test
    void everyReadmeCommandIsOneThisTestRuns() {
        List<List<String>> commands = readmeCommands();
        Map<String, Object> serviceAccount = Yaml.map(HelmChart.template("").only("ServiceAccount"), "metadata");
        assertThat(commands).extracting(c -> c.get(0)).containsOnly("helm", "aws", "kubectl");
        for (List<String> command : commands) {
            if (command.get(0).equals("aws")) {
                // The Pod Identity association names the chart's service account.
                assertThat(command.subList(0, 3)).containsExactly("aws", "eks", "create-pod-identity-association");
                assertThat(command.get(command.indexOf("--namespace") + 1)).isEqualTo(serviceAccount.get("namespace"));
                assertThat(command.get(command.indexOf("--service-account") + 1))
                        .isEqualTo(serviceAccount.get("name"));
            } else if (command.get(0).equals("kubectl")) {
                // The namespace labels deploy/base's Namespace carries and --create-namespace does not.
                assertThat(command.subList(0, 4)).containsExactly("kubectl", "label", "namespace", HelmChart.NAMESPACE);
                Map<String, Object> labels = new LinkedHashMap<>();
                command.subList(4, command.size()).forEach(l -> labels.put(l.split("=")[0], l.split("=")[1]));
                Map<String, Object> base = new LinkedHashMap<>(Yaml.map(Kustomize.render(BASE).only("Namespace"),
                        "metadata", "labels"));
                base.keySet().removeIf(k -> !k.startsWith("pod-security.kubernetes.io/"));
                assertThat(labels).isEqualTo(base);
            }
        }
        List<HelmInstall> installs = readmeHelmInstalls();
        assertThat(installs).as("IRSA, Pod Identity, a values file, shards").hasSize(4);
        for (HelmInstall install : installs) {
            Manifests chart = install.template();
            for (Map<String, Object> deployment : chart.all("Deployment")) {
                assertThat(Manifests.env(deployment)).containsEntry("AWS_REGION", "eu-west-1");
            }
            if (install.sets().keySet().stream().noneMatch(k -> k.contains("role-arn"))) {
                assertThat(Yaml.map(chart.only("ServiceAccount"), "metadata", "annotations"))
                        .doesNotContainKey(ROLE_ARN);
            }
            if (install.valuesYaml().startsWith("# values-team.yaml")) {
                assertThat(chart.all("Role")).as("the release's and one per watched namespace").hasSize(3);
                assertThat(chart.env()).containsEntry("BKAT_AWS_RATE_LIMITS_IAM", "5")
                        .containsEntry("QUARKUS_LOG_CONSOLE_JSON_ENABLED", "true");
            }
            if (install.valuesYaml().startsWith("# values-shards.yaml")) {
                assertThat(chart.all("Deployment")).extracting(d -> Manifests.env(d).get("BKAT_SHARD_SELECTOR"))
                        .as("one Deployment per shard").containsExactlyInAnyOrderElementsOf(SHARD_SELECTORS.values());
            }
        }
    }

    @Test
    void deployReadmePointsAtTheChart() throws IOException {
        assertThat(Files.readString(Path.of("deploy", "README.md"))).contains(HelmChart.DIR.toString());
    }

    // --- the kustomize fallback -----------------------------------------------------------------------------------

    @Test
    void kustomizeFallbackRefusesWhatItDoesNotImplement(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("kustomization.yaml"), """
                resources: []
                commonLabels: {team: ci}
                """);
        assertThatThrownBy(() -> Kustomize.build(dir)).hasMessageContaining("commonLabels");
    }

    @Test
    void kustomizeFallbackMergesPatchesLikeKustomize() {
        Object merged = Kustomize.mergePatch(
                Yaml.parse("""
                        metadata: {annotations: {a: "1", b: "2"}}
                        containers: [{name: c, env: [{name: X, value: "1"}, {name: Y, value: "2"}]}]
                        args: [one, two]
                        """),
                Yaml.parse("""
                        metadata: {annotations: {a: null}}
                        containers: [{name: c, env: [{name: Y, value: "3"}, {name: Z, value: "4"}]}]
                        args: [three]
                        """));
        assertThat(merged).isEqualTo(Yaml.parse("""
                metadata: {annotations: {b: "2"}}
                containers: [{name: c, env: [{name: X, value: "1"}, {name: Y, value: "3"}, {name: Z, value: "4"}]}]
                args: [three]
                """));
    }

    // --- helpers --------------------------------------------------------------------------------------------------

    /** The environment variable a property is read from (MicroProfile Config: other characters become _). */
    private static String envName(String property) {
        return property.replaceAll("[^A-Za-z0-9]", "_").toUpperCase();
    }

    private static int httpPort(Manifests chart) {
        return Yaml.list(chart.container().get("ports")).stream().map(Yaml::map)
                .filter(p -> "http".equals(p.get("name"))).map(p -> (Integer) p.get("containerPort")).findFirst()
                .orElseThrow();
    }
}
