package io.elasticci.buildkite.token.demo;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.elasticci.buildkite.token.api.v1alpha1.BuildkiteAgentToken;
import io.elasticci.buildkite.token.api.v1alpha1.Condition;
import io.elasticci.buildkite.token.api.v1alpha1.RegionSpec;
import io.elasticci.buildkite.token.e2e.EmulatorResource;
import io.elasticci.buildkite.token.emulator.AwsEmulator;
import io.elasticci.buildkite.token.emulator.KmsState;
import io.elasticci.buildkite.token.emulator.SecretsManagerState;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;

/**
 * The local demo ({@code mvn -Pdemo test}): the real operator against an embedded Kubernetes API and the AWS
 * emulator. It prepares what the examples expect to find in AWS (KMS aliases, a legacy secret to adopt), applies
 * every deploy/examples/*.yaml, waits until each token is Ready and prints what kubectl would show.
 */
@QuarkusTest
@WithKubernetesTestServer
@QuarkusTestResource(EmulatorResource.class)
class LocalDemo {

    private static final Path EXAMPLES = Path.of("deploy", "examples");
    private static final PrintStream OUT = System.out;

    @Inject
    KubernetesClient client;

    @Test
    void demo() throws IOException {
        AwsEmulator aws = EmulatorResource.emulator();
        List<HasMetadata> objects = loadExamples();
        prepareAws(aws, objects);
        for (HasMetadata object : objects) {
            String namespace = object.getMetadata().getNamespace();
            if (client.namespaces().withName(namespace).get() == null) {
                client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(namespace)
                        .endMetadata().build()).create();
            }
            client.resource(object).inNamespace(namespace).createOr(r -> r.update());
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

    private List<HasMetadata> loadExamples() throws IOException {
        List<HasMetadata> objects = new ArrayList<>();
        try (Stream<Path> files = Files.list(EXAMPLES)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList()) {
                for (String doc : Files.readString(file).split("(?m)^---\\s*$")) {
                    if (doc.isBlank() || !doc.contains("kind:")) {
                        continue;
                    }
                    HasMetadata object = doc.contains("kind: BuildkiteAgentToken")
                            ? Serialization.unmarshal(doc, BuildkiteAgentToken.class)
                            : Serialization.unmarshal(doc, HasMetadata.class);
                    if (object.getMetadata().getNamespace() == null) {
                        object.getMetadata().setNamespace("default");
                    }
                    objects.add(object);
                }
            }
        }
        // Secrets first, so a token finds its value on the first reconcile.
        objects.sort((a, b) -> Boolean.compare(!(a instanceof Secret), !(b instanceof Secret)));
        return objects;
    }

    /** What must already exist in AWS: the KMS aliases the examples name, and any secret an example adopts. */
    private static void prepareAws(AwsEmulator aws, List<HasMetadata> objects) {
        KmsState kms = aws.kms(AwsEmulator.DEFAULT_ACCOUNT);
        for (HasMetadata object : objects) {
            if (!(object instanceof BuildkiteAgentToken token)) {
                continue;
            }
            for (RegionSpec region : token.getSpec().getRegions()) {
                String ref = region.getKmsKeyId();
                if (ref != null && ref.startsWith("alias/") && !ref.startsWith("alias/aws/")
                        && kms.describe(region.getRegion(), ref).isEmpty()) {
                    kms.createAlias(region.getRegion(), ref, kms.createKey(region.getRegion()).keyId());
                    OUT.printf("emulator: created KMS key %s in %s%n", ref, region.getRegion());
                }
            }
            if (token.getSpec().getTokenSecretRef() == null) {
                aws.secretsManager(AwsEmulator.DEFAULT_ACCOUNT).createSecret(token.getSpec().getPrimaryRegion(),
                        token.getSpec().getSecretName(), "bkua_demo_existing_token", null, Map.of("team", "legacy"));
                OUT.printf("emulator: created existing secret %s in %s for %s to adopt%n",
                        token.getSpec().getSecretName(), token.getSpec().getPrimaryRegion(),
                        token.getMetadata().getName());
            }
        }
    }

    private List<BuildkiteAgentToken> tokens() {
        return client.resources(BuildkiteAgentToken.class).inAnyNamespace().list().getItems();
    }

    private static java.util.Optional<Condition> ready(BuildkiteAgentToken token) {
        return token.getStatus() == null ? java.util.Optional.empty()
                : token.getStatus().conditions.stream().filter(c -> "Ready".equals(c.getType())).findFirst();
    }

    private static void printTable(List<BuildkiteAgentToken> tokens) {
        String format = "%-10s %-14s %-6s %-10s %-8s %-28s %-10s %-66s %s%n";
        OUT.printf(format, "NAMESPACE", "NAME", "READY", "REASON", "REGIONS", "SECRET", "PRIMARY", "VERSION", "AGE");
        for (BuildkiteAgentToken t : tokens) {
            Condition ready = ready(t).orElse(new Condition());
            Duration age = Duration.between(Instant.parse(t.getMetadata().getCreationTimestamp()), Instant.now());
            OUT.printf(format, t.getMetadata().getNamespace(), t.getMetadata().getName(), ready.getStatus(),
                    ready.getReason(), t.getStatus().regionsReady, t.getSpec().getSecretName(),
                    t.getSpec().getPrimaryRegion(), t.getStatus().currentVersionId, age.toSeconds() + "s");
        }
    }
}
