package io.elasticci.buildkite.token.demo;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import io.elasticci.buildkite.token.api.v1alpha1.BuildkiteAgentToken;
import io.elasticci.buildkite.token.api.v1alpha1.RegionSpec;
import io.elasticci.buildkite.token.buildkite.emulator.ApiAccess;
import io.elasticci.buildkite.token.buildkite.emulator.BuildkiteEmulator;
import io.elasticci.buildkite.token.emulator.AwsEmulator;
import io.elasticci.buildkite.token.emulator.CloudFormationState;
import io.elasticci.buildkite.token.emulator.KmsState;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.utils.Serialization;

/** The examples of deploy/examples and the AWS they expect: shared by the demo and the plan command's tests. */
public final class ExampleWorld {

    private ExampleWorld() {
    }

    /** Every object of the YAML files in {@code directory}, Secrets first (a token finds its value at once). */
    public static List<HasMetadata> load(Path directory) throws IOException {
        List<HasMetadata> objects = new ArrayList<>();
        try (Stream<Path> files = Files.list(directory)) {
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
    public static void prepareAws(AwsEmulator aws, List<HasMetadata> objects, PrintStream out) {
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
                    out.printf("emulator: created KMS key %s in %s%n", ref, region.getRegion());
                }
            }
            for (RegionSpec region : token.getSpec().getRegions()) {
                for (String stack : region.getStacks()) {
                    createStack(aws, token, region, stack, out);
                }
            }
            if (token.getSpec().getTokenSecretRef() == null && token.getSpec().getBuildkite() == null) {
                aws.secretsManager(AwsEmulator.DEFAULT_ACCOUNT).createSecret(token.getSpec().getPrimaryRegion(),
                        token.getSpec().getSecretName(), "bkua_demo_existing_token", null, Map.of("team", "legacy"));
                out.printf("emulator: created existing secret %s in %s for %s to adopt%n",
                        token.getSpec().getSecretName(), token.getSpec().getPrimaryRegion(),
                        token.getMetadata().getName());
            }
        }
    }

    /**
     * An Elastic CI Stack for the example to find, configured for it. Its shape comes from its name, to show them all:
     * "legacy" (2019-2020 scaler role), "custom" (InstanceRoleARN), "west" without "arm" (fixed size), else current.
     */
    private static void createStack(AwsEmulator aws, BuildkiteAgentToken token, RegionSpec region, String name,
            PrintStream out) {
        var cfn = aws.cloudFormation(AwsEmulator.DEFAULT_ACCOUNT);
        String keyId = aws.kms(AwsEmulator.DEFAULT_ACCOUNT).describe(region.getRegion(), region.getKmsKeyId())
                .orElseThrow().keyId();
        var stack = cfn.elasticCiStack(region.getRegion(), name)
                .tokenParameters("/aws/reference/secretsmanager/" + token.getSpec().getSecretName(), keyId);
        if (name.contains("legacy")) {
            stack.shape(CloudFormationState.StackShape.LEGACY);
        } else if (name.contains("custom")) {
            stack.shape(CloudFormationState.StackShape.CUSTOM_INSTANCE_ROLE).instanceRoleArn(
                    aws.iam(AwsEmulator.DEFAULT_ACCOUNT).createRole(name + "-agents").arn());
        } else if (name.contains("west") && !name.contains("arm")) {
            stack.shape(CloudFormationState.StackShape.FIXED_SIZE);
        } else {
            stack.shape(CloudFormationState.StackShape.CURRENT).lambdaArchitecture(name.contains("arm") ? "arm64"
                    : "x86_64");
        }
        var created = stack.create();
        out.printf("emulator: created %s stack %s in %s%n", created.shape(), name, region.getRegion());
    }

    /** What the examples expect of Buildkite: their clusters, and their API access tokens granted on them. */
    public static void prepareBuildkite(BuildkiteEmulator buildkite, List<HasMetadata> objects, PrintStream out) {
        for (HasMetadata object : objects) {
            if (!(object instanceof BuildkiteAgentToken token) || token.getSpec().getBuildkite() == null) {
                continue;
            }
            var spec = token.getSpec().getBuildkite();
            String apiToken = objects.stream().filter(o -> o instanceof Secret)
                    .map(o -> (Secret) o)
                    .filter(s -> s.getMetadata().getName().equals(spec.getApiTokenSecretRef().getName())
                            && s.getMetadata().getNamespace().equals(token.getMetadata().getNamespace()))
                    .map(s -> s.getStringData().get("token")).findFirst().orElseThrow();
            buildkite.tokens().addCluster(spec.getOrganization(), spec.getClusterId());
            buildkite.access().grant(apiToken, new ApiAccess.Caller("demo", Set.of(spec.getOrganization()),
                    Set.of(ApiAccess.READ_CLUSTERS, ApiAccess.WRITE_CLUSTERS)));
            out.printf("buildkite emulator: cluster %s of %s, API token of Secret %s/%s granted%n",
                    spec.getClusterId(), spec.getOrganization(), token.getMetadata().getNamespace(),
                    spec.getApiTokenSecretRef().getName());
        }
    }
}
