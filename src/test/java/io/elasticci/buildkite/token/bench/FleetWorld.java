package io.elasticci.buildkite.token.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.elasticci.buildkite.token.api.v1alpha1.BuildkiteAgentToken;
import io.elasticci.buildkite.token.api.v1alpha1.BuildkiteAgentTokenSpec;
import io.elasticci.buildkite.token.api.v1alpha1.RegionSpec;
import io.elasticci.buildkite.token.api.v1alpha1.SecretKeyRef;
import io.elasticci.buildkite.token.emulator.AwsEmulator;
import io.elasticci.buildkite.token.emulator.CloudFormationState;
import io.elasticci.buildkite.token.emulator.KmsState;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;

/**
 * The fleet in AWS and in Kubernetes: a customer managed key per region (shared by every token, as one team's keys
 * are), and for each token its Elastic CI Stacks with the right token parameters, the Kubernetes Secret holding its
 * value and the BuildkiteAgentToken naming them. What this writes into the emulator is not in its call log: the
 * benchmark counts only the operator's calls.
 */
final class FleetWorld {

    static final String NAMESPACE = "fleet";
    static final String ALIAS = "alias/buildkite-token";

    private final FleetSettings settings;
    private final AwsEmulator aws;
    private final Map<String, String> keyIds = new LinkedHashMap<>();

    FleetWorld(FleetSettings settings, AwsEmulator aws) {
        this.settings = settings;
        this.aws = aws;
    }

    static String tokenName(int i) {
        return "token-" + i;
    }

    static String secretName(int i) {
        return "buildkite/fleet/" + tokenName(i);
    }

    /** The value its Kubernetes Secret holds first. */
    static String initialValue(int i) {
        return "bkua_fleet_benchmark_value_" + i;
    }

    /** Region → the bare ID of the key its stacks' token parameter names (after {@link #prepareAws()}). */
    Map<String, String> keyIds() {
        return Map.copyOf(keyIds);
    }

    /** Region → token {@code i}'s stacks there, the primary region first. */
    Map<String, List<String>> stacks(int i) {
        Map<String, List<String>> stacks = new LinkedHashMap<>();
        for (int r = 0; r < settings.regions(); r++) {
            List<String> names = new ArrayList<>();
            for (int j = 0; j < settings.stacks(); j++) {
                names.add(stackName(i, r, j));
            }
            stacks.put(settings.regionNames().get(r), names);
        }
        return stacks;
    }

    /** Keys and stacks; returns how many stacks (nested ones not counted). */
    int prepareAws() {
        KmsState kms = aws.kms(AwsEmulator.DEFAULT_ACCOUNT);
        CloudFormationState cfn = aws.cloudFormation(AwsEmulator.DEFAULT_ACCOUNT);
        int stacks = 0;
        for (int r = 0; r < settings.regions(); r++) {
            String region = settings.regionNames().get(r);
            String keyId = kms.createKey(region, "fleet benchmark").keyId();
            kms.createAlias(region, ALIAS, keyId);
            keyIds.put(region, keyId);
            for (int i = 0; i < settings.fleetSize(); i++) {
                for (int j = 0; j < settings.stacks(); j++) {
                    cfn.elasticCiStack(region, stackName(i, r, j))
                            .shape(j % 2 == 0 ? CloudFormationState.StackShape.CURRENT
                                    : CloudFormationState.StackShape.FIXED_SIZE)
                            .tokenParameters("/aws/reference/secretsmanager/" + secretName(i), keyId).create();
                    stacks++;
                }
            }
        }
        return stacks;
    }

    /** The Kubernetes Secrets holding the tokens' values. */
    void createTokenSecrets(KubernetesClient client) {
        for (int i = 0; i < settings.fleetSize(); i++) {
            client.secrets().inNamespace(NAMESPACE).resource(new SecretBuilder().withNewMetadata()
                    .withName(tokenName(i)).endMetadata()
                    .withStringData(Map.of("token", initialValue(i))).build()).create();
        }
    }

    BuildkiteAgentToken token(int i) {
        BuildkiteAgentToken token = new BuildkiteAgentToken();
        token.getMetadata().setName(tokenName(i));
        token.getMetadata().setNamespace(NAMESPACE);
        BuildkiteAgentTokenSpec spec = new BuildkiteAgentTokenSpec();
        spec.setSecretName(secretName(i));
        spec.setPrimaryRegion(settings.regionNames().get(0));
        spec.setTokenSecretRef(new SecretKeyRef(tokenName(i), "token"));
        List<RegionSpec> regions = new ArrayList<>();
        stacks(i).forEach((region, stacks) -> regions.add(new RegionSpec(region,
                settings.aliases() ? ALIAS : keyIds.get(region), stacks)));
        spec.setRegions(regions);
        token.setSpec(spec);
        return token;
    }

    /** Unique across regions too: a stack's roles are named after it, and IAM is global. */
    private static String stackName(int token, int region, int stack) {
        return "fleet-" + token + "-" + region + "-" + stack;
    }
}
