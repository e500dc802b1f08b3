package io.elasticci.buildkite.token.api.v1alpha1;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;

import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/** One region the secret must live in. */
public class RegionSpec {

    public static final String REGION_PATTERN = "^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-[0-9]{1,2}$";
    public static final String STACK_NAME_PATTERN = "^[A-Za-z][A-Za-z0-9-]{0,127}$";
    public static final String KMS_KEY_PATTERN =
            "^(alias/[A-Za-z0-9/_-]{1,250}|[0-9a-fA-F-]{36}|mrk-[0-9a-f]{32}|arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:(key|alias)/[A-Za-z0-9/_-]+)$";
    public static final String DEFAULT_KMS_KEY = "alias/aws/secretsmanager";

    @Required
    @Pattern(REGION_PATTERN)
    @Size(max = 32)
    @JsonPropertyDescription("AWS region name, for example us-east-1.")
    private String region;

    @Default(DEFAULT_KMS_KEY)
    @Pattern(KMS_KEY_PATTERN)
    @Size(max = 2048)
    @JsonPropertyDescription("KMS key that encrypts the secret (or its replica) in this region: key ID, key ARN or alias "
            + "(alias/NAME or alias ARN) of a key in this region. Default alias/aws/secretsmanager, the AWS managed key.")
    private String kmsKeyId = DEFAULT_KMS_KEY;

    @Size(max = 50)
    @ValidationRule(value = "self.all(s, s.matches('" + STACK_NAME_PATTERN + "'))",
            message = "stack names must be CloudFormation stack names: a letter, then letters, digits or hyphens, at most 128")
    @JsonPropertyDescription("Names of the Elastic CI Stacks for AWS in this region that read the token (CloudFormation "
            + "stack names). May be empty.")
    private List<String> stacks = new ArrayList<>();

    public RegionSpec() {
    }

    public RegionSpec(String region, String kmsKeyId, List<String> stacks) {
        this.region = region;
        this.kmsKeyId = kmsKeyId;
        this.stacks = stacks == null ? new ArrayList<>() : new ArrayList<>(stacks);
    }

    public String getRegion() {
        return region;
    }

    public void setRegion(String region) {
        this.region = region;
    }

    public String getKmsKeyId() {
        return kmsKeyId;
    }

    public void setKmsKeyId(String kmsKeyId) {
        this.kmsKeyId = kmsKeyId;
    }

    public List<String> getStacks() {
        return stacks;
    }

    public void setStacks(List<String> stacks) {
        this.stacks = stacks;
    }
}
