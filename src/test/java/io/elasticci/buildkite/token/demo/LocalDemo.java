package io.elasticci.buildkite.token.demo;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.elasticci.buildkite.token.api.v1alpha1.BuildkiteAgentToken;
import io.elasticci.buildkite.token.api.v1alpha1.Condition;
import io.elasticci.buildkite.token.api.v1alpha1.RegionSpec;
import io.elasticci.buildkite.token.emulator.AwsEmulator;
import io.elasticci.buildkite.token.emulator.SecretsManagerState;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.elasticci.buildkite.token.it.PackagedOperatorEnvironment;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusIntegrationTest;

/**
 * The local demo ({@code mvn -Pdemo verify}): the packaged operator ({@code target/quarkus-app/quarkus-run.jar}, in
 * its own process, configured by environment variables as the image is) against an embedded Kubernetes API and the
 * AWS emulator. It prepares what the examples expect to find in AWS (KMS aliases, stacks, a legacy secret to adopt),
 * applies every deploy/examples/*.yaml, waits until each token is Ready and prints what kubectl would show.
 */
@QuarkusIntegrationTest
@QuarkusTestResource(value = PackagedOperatorEnvironment.class, restrictToAnnotatedClass = true)
class LocalDemo {

    private static final Path EXAMPLES = Path.of("deploy", "examples");
    private static final PrintStream OUT = System.out;

    private static KubernetesClient client() {
        return PackagedOperatorEnvironment.api().client();
    }

    @Test
    void demo() throws IOException {
        AwsEmulator aws = PackagedOperatorEnvironment.aws();
        OUT.println("operator: java -jar target/quarkus-app/quarkus-run.jar (its log: target/quarkus.log)");
        List<HasMetadata> objects = ExampleWorld.load(EXAMPLES);
        ExampleWorld.prepareAws(aws, objects, OUT);
        ExampleWorld.prepareBuildkite(PackagedOperatorEnvironment.buildkite(), objects, OUT);
        for (HasMetadata object : objects) {
            String namespace = object.getMetadata().getNamespace();
            if (client().namespaces().withName(namespace).get() == null) {
                client().namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(namespace)
                        .endMetadata().build()).create();
            }
            client().resource(object).inNamespace(namespace).createOr(r -> r.update());
            OUT.printf("applied %s %s/%s%n", object.getKind(), namespace, object.getMetadata().getName());
        }
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() -> tokens().stream()
                .allMatch(t -> ready(t).map(c -> "True".equals(c.getStatus())).orElse(false)));

        OUT.println();
        OUT.println("$ kubectl get buildkiteagenttokens -A -o wide");
        printTable(tokens());
        for (BuildkiteAgentToken token : tokens()) {
            OUT.println();
            OUT.printf("$ kubectl get bkat -n %s %s -o yaml   # status%n", token.getMetadata().getNamespace(),
                    token.getMetadata().getName());
            OUT.print(Serialization.asYaml(Map.of("status", token.getStatus())));
        }
        printStackAccess(aws);
        rotate(aws);
        rotateMinted(aws);
        OUT.println();
        OUT.println("AWS emulator, Secrets Manager:");
        SecretsManagerState sm = aws.secretsManager(AwsEmulator.DEFAULT_ACCOUNT);
        for (BuildkiteAgentToken token : tokens()) {
            for (RegionSpec region : token.getSpec().getRegions()) {
                sm.secret(region.getRegion(), token.getSpec().getSecretName()).ifPresent(s -> OUT.printf(
                        "  %-14s %-28s %-8s key=%s current=%s%n", region.getRegion(), s.name(),
                        s.isReplica() ? "replica" : "primary", s.kmsKeyArn() == null ? "aws/secretsmanager"
                                : s.kmsKeyArn(), s.currentVersionId().orElse("-")));
            }
        }
    }

    /** Every stack's roles, checked in the emulator's own terms: the policy grants them, IAM lets them read and decrypt. */
    private void printStackAccess(AwsEmulator aws) {
        OUT.println();
        OUT.println("Can every stack read its token? (checked in the emulated AWS)");
        OUT.printf("%-12s %-22s %-21s %-66s %-7s %-9s %-9s%n", "REGION", "STACK", "SHAPE", "ROLE", "POLICY",
                "SSM READ", "DECRYPT");
        for (BuildkiteAgentToken token : tokens()) {
            for (RegionSpec region : token.getSpec().getRegions()) {
                for (String stackName : region.getStacks()) {
                    var stack = aws.cloudFormation(AwsEmulator.DEFAULT_ACCOUNT).stackOrThrow(region.getRegion(),
                            stackName);
                    var key = aws.kms(AwsEmulator.DEFAULT_ACCOUNT).describe(region.getRegion(), region.getKmsKeyId())
                            .orElseThrow();
                    String parameter = "arn:aws:ssm:" + region.getRegion() + ":" + AwsEmulator.DEFAULT_ACCOUNT
                            + ":parameter/aws/reference/secretsmanager/" + token.getSpec().getSecretName();
                    for (var role : stack.roles()) {
                        var iam = aws.iam(AwsEmulator.DEFAULT_ACCOUNT);
                        OUT.printf("%-12s %-22s %-21s %-66s %-7s %-9s %-9s%n", region.getRegion(), stackName,
                                stack.shape(), role.name(), yes(aws.secretsManager(AwsEmulator.DEFAULT_ACCOUNT)
                                        .policyGrants(token.getSpec().getPrimaryRegion(),
                                                token.getSpec().getSecretName(), role.arn(),
                                                "secretsmanager:GetSecretValue")),
                                yes(iam.allows(role.name(), "ssm:GetParameter", parameter, Map.of())),
                                yes(iam.allows(role.name(), "kms:Decrypt", key.arn(), Map.of("kms:ViaService",
                                        "secretsmanager." + region.getRegion() + ".amazonaws.com"))));
                    }
                }
            }
        }
    }

    private static String yes(boolean value) {
        return value ? "yes" : "NO";
    }

    /**
     * A rotation, as a person would start it: edit the Kubernetes Secret. The emulator's clock stands in for the
     * minutes instance refreshes take; the demo moves it until the old version is revocable.
     */
    private void rotate(AwsEmulator aws) {
        BuildkiteAgentToken token = client().resources(BuildkiteAgentToken.class).inNamespace("buildkite")
                .withName("ci-token").get();
        if (token == null || token.getSpec().getTokenSecretRef() == null) {
            return;
        }
        String before = token.getStatus().currentVersionId;
        OUT.println();
        OUT.printf("$ kubectl -n buildkite edit secret %s   # a new token value%n",
                token.getSpec().getTokenSecretRef().getName());
        client().secrets().inNamespace("buildkite").withName(token.getSpec().getTokenSecretRef().getName())
                .edit(s -> {
                    s.setData(null);
                    s.setStringData(Map.of(token.getSpec().getTokenSecretRef().getKey(), "bkua_demo_rotated_token"));
                    return s;
                });
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(300)).until(() -> {
            BuildkiteAgentToken t = client().resources(BuildkiteAgentToken.class).inNamespace("buildkite")
                    .withName("ci-token").get();
            if (t.getStatus().rotation != null && t.getStatus().rotation.revocableVersionIds.contains(before)) {
                return true;
            }
            aws.clock().advance(Duration.ofSeconds(30)); // refreshes replace instances on AWS time
            return false;
        });
        BuildkiteAgentToken after = client().resources(BuildkiteAgentToken.class).inNamespace("buildkite")
                .withName("ci-token").get();
        OUT.printf("rotated: version %s -> %s; every instance of every stack was replaced:%n", before,
                after.getStatus().currentVersionId);
        OUT.print(Serialization.asYaml(Map.of("rotation", after.getStatus().rotation)));
    }


    /**
     * A rotation with no person in it (spec.buildkite): the annotation asks for a token now; the operator mints it in
     * the Buildkite emulator, rolls it out, and revokes the old token once every instance was replaced.
     */
    private void rotateMinted(AwsEmulator aws) {
        BuildkiteAgentToken token = client().resources(BuildkiteAgentToken.class).inNamespace("buildkite")
                .withName("minted-token").get();
        if (token == null || token.getSpec().getBuildkite() == null) {
            return;
        }
        var buildkite = PackagedOperatorEnvironment.buildkite();
        String firstValue = aws.secretsManager(AwsEmulator.DEFAULT_ACCOUNT).secret("us-east-1",
                token.getSpec().getSecretName()).orElseThrow().currentValue();
        aws.clock().advance(Duration.ofMinutes(1));
        String at = aws.clock().instant().toString();
        OUT.println();
        OUT.printf("$ kubectl -n buildkite annotate bkat minted-token %s=%s --overwrite   # a new token now%n",
                BuildkiteAgentToken.ROTATE_AT_ANNOTATION, at);
        client().resources(BuildkiteAgentToken.class).inNamespace("buildkite").withName("minted-token")
                .edit(t -> {
                    t.getMetadata().getAnnotations().put(BuildkiteAgentToken.ROTATE_AT_ANNOTATION, at);
                    return t;
                });
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(300)).until(() -> {
            if (!buildkite.tokens().acceptsAgentToken(firstValue)) {
                return true;
            }
            aws.clock().advance(Duration.ofSeconds(30)); // refreshes replace instances on AWS time
            return false;
        });
        BuildkiteAgentToken after = client().resources(BuildkiteAgentToken.class).inNamespace("buildkite")
                .withName("minted-token").get();
        String current = aws.secretsManager(AwsEmulator.DEFAULT_ACCOUNT).secret("us-east-1",
                token.getSpec().getSecretName()).orElseThrow().currentValue();
        if (!buildkite.tokens().acceptsAgentToken(current)) {
            throw new AssertionError("the token the secret holds is not live in Buildkite");
        }
        OUT.printf("minted and rolled out a new Buildkite token; the old one is revoked in Buildkite:%n");
        OUT.print(Serialization.asYaml(Map.of("buildkite", after.getStatus().buildkite)));
    }

    private List<BuildkiteAgentToken> tokens() {
        return client().resources(BuildkiteAgentToken.class).inAnyNamespace().list().getItems();
    }

    private static java.util.Optional<Condition> ready(BuildkiteAgentToken token) {
        return token.getStatus() == null ? java.util.Optional.empty()
                : token.getStatus().conditions.stream().filter(c -> "Ready".equals(c.getType())).findFirst();
    }

    private static void printTable(List<BuildkiteAgentToken> tokens) {
        String format = "%-10s %-14s %-6s %-10s %-8s %-7s %-24s %-10s %-66s %s%n";
        OUT.printf(format, "NAMESPACE", "NAME", "READY", "REASON", "REGIONS", "STACKS", "SECRET", "PRIMARY", "VERSION",
                "AGE");
        for (BuildkiteAgentToken t : tokens) {
            Condition ready = ready(t).orElse(new Condition());
            Duration age = Duration.between(Instant.parse(t.getMetadata().getCreationTimestamp()), Instant.now());
            OUT.printf(format, t.getMetadata().getNamespace(), t.getMetadata().getName(), ready.getStatus(),
                    ready.getReason(), t.getStatus().regionsReady, t.getStatus().stacksReady == null ? "<none>"
                            : t.getStatus().stacksReady, t.getSpec().getSecretName(),
                    t.getSpec().getPrimaryRegion(), t.getStatus().currentVersionId, age.toSeconds() + "s");
        }
    }
}
