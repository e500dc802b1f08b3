package io.elasticci.buildkite.token.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import io.elasticci.buildkite.token.api.v1alpha1.BuildkiteAgentTokenSpec;
import io.elasticci.buildkite.token.api.v1alpha1.RegionSpec;
import io.elasticci.buildkite.token.api.v1alpha1.AwsAccessSpec;
import io.elasticci.buildkite.token.api.v1alpha1.DeletionPolicy;
import io.elasticci.buildkite.token.api.v1alpha1.SecretKeyRef;

class SpecValidatorTest {

    private final SpecValidator open = new SpecValidator(Optional.empty(), Optional.empty());

    static AwsAccessSpec aws(String roleArn, String externalId) {
        AwsAccessSpec aws = new AwsAccessSpec();
        aws.setRoleArn(roleArn);
        aws.setExternalId(externalId);
        return aws;
    }

    static BuildkiteAgentTokenSpec valid() {
        BuildkiteAgentTokenSpec spec = new BuildkiteAgentTokenSpec();
        spec.setSecretName("buildkite/agent-token");
        spec.setPrimaryRegion("us-east-1");
        spec.setRegions(new ArrayList<>(List.of(
                new RegionSpec("us-east-1", "alias/buildkite-token", List.of("buildkite-ci")),
                new RegionSpec("us-west-2", "arn:aws:kms:us-west-2:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
                        List.of("buildkite-ci-west")))));
        spec.setTokenSecretRef(new SecretKeyRef("buildkite-agent-token", "token"));
        spec.setExpectedAccountId("123456789012");
        spec.setTags(Map.of("team", "ci"));
        return spec;
    }

    /** A valid spec minting its token in Buildkite. */
    static BuildkiteAgentTokenSpec minted(Consumer<io.elasticci.buildkite.token.api.v1alpha1.BuildkiteSpec> change) {
        BuildkiteAgentTokenSpec spec = valid();
        spec.setTokenSecretRef(null);
        var buildkite = new io.elasticci.buildkite.token.api.v1alpha1.BuildkiteSpec();
        buildkite.setOrganization("acme");
        buildkite.setClusterId("4d2ac7c4-65a5-4a3e-9f7e-0c3b1e1f2a10");
        buildkite.setApiTokenSecretRef(new io.elasticci.buildkite.token.api.v1alpha1.ApiTokenSecretRef("bk-api", null));
        buildkite.setRotateEvery("720h");
        buildkite.setTokenExpiresAfter("1000h");
        buildkite.setAllowedIpAddresses("10.0.0.0/8 192.168.0.0/16");
        change.accept(buildkite);
        spec.setBuildkite(buildkite);
        return spec;
    }

    static Stream<Arguments> invalidBuildkite() {
        return Stream.of(
                Arguments.of("organization not a slug", minted(b -> b.setOrganization("Acme Inc")),
                        "spec.buildkite.organization"),
                Arguments.of("cluster not a UUID", minted(b -> b.setClusterId("cluster-1")), "spec.buildkite.clusterId"),
                Arguments.of("no API token Secret", minted(b -> b.setApiTokenSecretRef(null)),
                        "spec.buildkite.apiTokenSecretRef.name"),
                Arguments.of("rotateEvery in days", minted(b -> b.setRotateEvery("30d")), "spec.buildkite.rotateEvery"),
                Arguments.of("rotateEvery under an hour", minted(b -> b.setRotateEvery("30m")),
                        "spec.buildkite.rotateEvery: at least 1h"),
                Arguments.of("expiry before the next rotation", minted(b -> b.setTokenExpiresAfter("100h")),
                        "spec.buildkite.tokenExpiresAfter: must be longer than rotateEvery"),
                Arguments.of("CIDRs as a list", minted(b -> b.setAllowedIpAddresses("10.0.0.0/8,192.168.0.0/16")),
                        "spec.buildkite.allowedIpAddresses"),
                Arguments.of("with tokenSecretRef", withSecretRef(minted(b -> { })),
                        "spec.buildkite: mutually exclusive with spec.tokenSecretRef"));
    }

    private static BuildkiteAgentTokenSpec withSecretRef(BuildkiteAgentTokenSpec spec) {
        spec.setTokenSecretRef(new SecretKeyRef("buildkite-agent-token", "token"));
        return spec;
    }

    @Test
    void acceptsAMintedTokenSpec() {
        assertThat(new SpecValidator(Optional.empty(), Optional.empty()).validate("ns", minted(b -> { }))).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidBuildkite")
    void rejectsABuildkiteSpecNamingTheField(String name, BuildkiteAgentTokenSpec spec, String expected) {
        assertThat(new SpecValidator(Optional.empty(), Optional.empty()).validate("ns", spec))
                .anyMatch(e -> e.contains(expected));
    }

    @Test
    void rotateAtMustBeATime() {
        String key = io.elasticci.buildkite.token.api.v1alpha1.BuildkiteAgentToken.ROTATE_AT_ANNOTATION;
        assertThat(BuildkiteSpecValidator.rotateAt(Map.of(key, "2026-12-03T17:00:00Z"))).isEmpty();
        assertThat(BuildkiteSpecValidator.rotateAt(Map.of(key, "2026-12-03T17:00:00+01:00"))).isEmpty();
        assertThat(BuildkiteSpecValidator.rotateAt(null)).isEmpty();
        assertThat(BuildkiteSpecValidator.rotateAt(Map.of(key, "now"))).singleElement().asString()
                .contains("RFC 3339");
    }

    static Stream<Arguments> invalid() {
        return Stream.of(
                bad("secretName missing", s -> s.setSecretName(null), "spec.secretName: required"),
                bad("secretName with a space", s -> s.setSecretName("bad name"), "spec.secretName"),
                bad("secretName too long", s -> s.setSecretName("a".repeat(513)), "spec.secretName"),
                bad("primaryRegion missing", s -> s.setPrimaryRegion(null), "spec.primaryRegion: required"),
                bad("primaryRegion not a region", s -> s.setPrimaryRegion("useast1"), "spec.primaryRegion"),
                bad("primaryRegion not listed", s -> s.setPrimaryRegion("eu-west-1"),
                        "must list primaryRegion eu-west-1"),
                bad("no regions", s -> s.setRegions(List.of()), "spec.regions: at least one"),
                bad("region listed twice", s -> s.getRegions().add(new RegionSpec("us-west-2", null, List.of())),
                        "spec.regions[2].region: us-west-2 is listed more than once"),
                bad("too many regions", s -> IntStream.range(0, 30)
                        .forEach(i -> s.getRegions().add(new RegionSpec("xx-test-" + i, null, List.of()))),
                        "at most 30 regions"),
                bad("kms key garbage", s -> s.getRegions().get(0).setKmsKeyId("not a key"),
                        "spec.regions[0].kmsKeyId"),
                bad("kms key ARN of another region", s -> s.getRegions().get(0).setKmsKeyId(
                        "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"),
                        "spec.regions[0].kmsKeyId: the key ARN must be of a key in us-east-1"),
                bad("stack name invalid", s -> s.getRegions().get(0).setStacks(List.of("1bad")),
                        "spec.regions[0].stacks: \"1bad\""),
                bad("stack listed twice", s -> s.getRegions().get(0).setStacks(List.of("a", "a")),
                        "spec.regions[0].stacks: a is listed more than once"),
                bad("too many stacks", s -> s.getRegions().get(0)
                        .setStacks(IntStream.range(0, 51).mapToObj(i -> "s" + i).toList()), "at most 50 stacks"),
                bad("account id not 12 digits", s -> s.setExpectedAccountId("1234"), "spec.expectedAccountId"),
                bad("tokenSecretRef without a name", s -> s.setTokenSecretRef(new SecretKeyRef(null, "token")),
                        "spec.tokenSecretRef.name"),
                bad("reserved tag prefix aws:", s -> s.setTags(Map.of("aws:x", "y")),
                        "spec.tags: key \"aws:x\" is reserved"),
                bad("reserved tag prefix of the operator", s -> s.setTags(Map.of("buildkite.elasticci.io/owner", "y")),
                        "is reserved"),
                bad("recovery window below 7 days", s -> {
                    s.setDeletionPolicy(DeletionPolicy.Delete);
                    s.setRecoveryWindowInDays(6);
                }, "spec.recoveryWindowInDays: must be 7 to 30 days"),
                bad("recovery window above 30 days", s -> {
                    s.setDeletionPolicy(DeletionPolicy.Delete);
                    s.setRecoveryWindowInDays(31);
                }, "spec.recoveryWindowInDays: must be 7 to 30 days"),
                bad("recovery window with Retain", s -> s.setRecoveryWindowInDays(7),
                        "spec.recoveryWindowInDays: applies to deletionPolicy Delete only"),
                bad("aws without a role ARN", s -> s.setAws(new AwsAccessSpec()), "spec.aws.roleArn"),
                bad("aws with a user ARN", s -> s.setAws(aws("arn:aws:iam::123456789012:user/someone", null)),
                        "spec.aws.roleArn: must be an IAM role ARN"),
                bad("aws with an external ID of one character", s -> s.setAws(aws(
                        "arn:aws:iam::123456789012:role/buildkite-token-operator", "x")), "spec.aws.externalId"),
                bad("retainGrants with Delete", s -> {
                    s.setDeletionPolicy(DeletionPolicy.Delete);
                    s.setRetainGrants(true);
                }, "spec.retainGrants: applies to deletionPolicy Retain only"),
                bad("automatic rotation with tokenSecretRef", s -> s.getRotation().setAutomatic(automatic(
                        "arn:aws:lambda:us-east-1:123456789012:function:rotate", "rate(30 days)")),
                        "spec.rotation.automatic: mutually exclusive with spec.tokenSecretRef"),
                bad("automatic rotation with a bad Lambda ARN", s -> {
                    s.setTokenSecretRef(null);
                    s.getRotation().setAutomatic(automatic("lambda", "rate(30 days)"));
                }, "spec.rotation.automatic.lambdaArn"),
                bad("automatic rotation with a bad schedule", s -> {
                    s.setTokenSecretRef(null);
                    s.getRotation().setAutomatic(automatic("arn:aws:lambda:us-east-1:123456789012:function:r",
                            "every day"));
                }, "spec.rotation.automatic.scheduleExpression"),
                bad("minHealthyPercentage over 100", s -> s.getRotation().setMinHealthyPercentage(101),
                        "spec.rotation.minHealthyPercentage"),
                bad("tag value too long", s -> s.setTags(Map.of("k", "v".repeat(257))), "values at most 256"));
    }

    private static io.elasticci.buildkite.token.api.v1alpha1.AutomaticRotation automatic(String arn, String cron) {
        var automatic = new io.elasticci.buildkite.token.api.v1alpha1.AutomaticRotation();
        automatic.setLambdaArn(arn);
        automatic.setScheduleExpression(cron);
        return automatic;
    }

    private static Arguments bad(String name, Consumer<BuildkiteAgentTokenSpec> change, String expected) {
        return Arguments.of(name, change, expected);
    }

    @Test
    void acceptsAValidSpec() {
        assertThat(open.validate("buildkite", valid())).isEmpty();
    }

    @Test
    void acceptsEveryKeyForm() {
        for (String key : List.of("alias/aws/secretsmanager", "1234abcd-12ab-34cd-56ef-1234567890ab",
                "mrk-1234abcd12ab34cd56ef1234567890ab", "arn:aws:kms:us-east-1:123456789012:alias/x")) {
            BuildkiteAgentTokenSpec spec = valid();
            spec.getRegions().get(0).setKmsKeyId(key);
            assertThat(open.validate("buildkite", spec)).as(key).isEmpty();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalid")
    void rejectsNamingTheField(String name, Consumer<BuildkiteAgentTokenSpec> change, String expected) {
        BuildkiteAgentTokenSpec spec = valid();
        change.accept(spec);
        assertThat(open.validate("buildkite", spec)).anySatisfy(e -> assertThat(e).contains(expected));
    }

    @Test
    void acceptsAutomaticRotationWithoutTokenSecretRef() {
        BuildkiteAgentTokenSpec spec = valid();
        spec.setTokenSecretRef(null);
        spec.getRotation().setAutomatic(automatic("arn:aws:lambda:us-east-1:123456789012:function:rotate-token",
                "rate(30 days)"));
        assertThat(open.validate("buildkite", spec)).isEmpty();
    }

    @Test
    void secretNameOutsideTheAllowedPrefixesIsRefused() {
        SpecValidator validator = new SpecValidator(Optional.of(List.of("ci/", "buildkite/")), Optional.empty());
        assertThat(validator.validate("buildkite", valid())).isEmpty();
        BuildkiteAgentTokenSpec spec = valid();
        spec.setSecretName("prod/db-password");
        assertThat(validator.validate("buildkite", spec)).singleElement().asString()
                .contains("not allowed by operator configuration");
    }

    @Test
    void namespaceOutsideTheAllowListIsRefused() {
        SpecValidator validator = new SpecValidator(Optional.empty(), Optional.of(List.of("buildkite")));
        assertThat(validator.validate("buildkite", valid())).isEmpty();
        assertThat(validator.validate("team-x", valid())).singleElement().asString()
                .contains("metadata.namespace: team-x is not allowed by operator configuration");
    }

    @Test
    void missingSpecIsReported() {
        assertThat(open.validate("buildkite", null)).containsExactly("spec: required");
    }
}
