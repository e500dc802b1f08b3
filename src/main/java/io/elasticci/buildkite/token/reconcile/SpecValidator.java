package io.elasticci.buildkite.token.reconcile;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

import io.elasticci.buildkite.token.api.v1alpha1.BuildkiteAgentToken;
import io.elasticci.buildkite.token.api.v1alpha1.BuildkiteAgentTokenSpec;
import io.elasticci.buildkite.token.api.v1alpha1.DeletionPolicy;
import io.elasticci.buildkite.token.api.v1alpha1.AutomaticRotation;
import io.elasticci.buildkite.token.api.v1alpha1.AwsAccessSpec;
import io.elasticci.buildkite.token.api.v1alpha1.RegionSpec;
import io.elasticci.buildkite.token.api.v1alpha1.RotationSpec;
import io.elasticci.buildkite.token.aws.Partitions;

/**
 * The operator's own check of a spec: the same rules as the CRD schema and its CEL rules (a cluster or the mock
 * server may not enforce them), plus the allow-lists of the operator's configuration. Pure; every message names the
 * field.
 */
public final class SpecValidator {

    static final int MAX_REGIONS = 30;
    static final int MAX_STACKS = 50;
    static final int MAX_TAGS = 40;
    private static final Pattern SECRET_NAME = Pattern.compile(BuildkiteAgentTokenSpec.SECRET_NAME_PATTERN);
    private static final Pattern REGION = Pattern.compile(RegionSpec.REGION_PATTERN);
    private static final Pattern KMS_KEY = Pattern.compile(RegionSpec.KMS_KEY_PATTERN);
    private static final Pattern STACK = Pattern.compile(RegionSpec.STACK_NAME_PATTERN);
    private static final Pattern ACCOUNT = Pattern.compile("^[0-9]{12}$");
    private static final Pattern K8S_NAME = Pattern.compile("^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$");
    private static final Pattern LAMBDA_ARN = Pattern.compile(
            "^arn:aws[a-z-]*:lambda:[a-z0-9-]+:[0-9]{12}:function:[A-Za-z0-9_-]{1,64}(:[A-Za-z0-9$_-]+)?$");
    // Printable ASCII inside cron(...): the CRD's ".+" also admits control characters, which AWS would refuse.
    private static final Pattern SCHEDULE = Pattern.compile("^(rate\\([0-9]+ (hours?|days?)\\)|cron\\([ -~]+\\))$");
    private static final Pattern KEY_ID = Pattern.compile(
            "^([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}|mrk-[0-9a-f]{32})$");
    private static final Pattern KMS_ARN = Pattern.compile("^arn:([a-z-]+):kms:([a-z0-9-]+):[0-9]{12}:(key|alias)/(.+)$");
    /** What Secrets Manager allows in tag keys and values: letters, digits, spaces and + - = . _ : / @. */
    private static final Pattern TAG_TEXT = Pattern.compile("^[\\p{L}\\p{Zs}\\p{N}+\\-=._:/@]*$");
    /** Problems listed in one message; the rest are counted, so a huge spec gives a bounded message. */
    static final int MAX_ERRORS = 10;
    private static final Pattern K8S_KEY = Pattern.compile("^[-._a-zA-Z0-9]{1,253}$");

    private final List<String> allowedSecretPrefixes;
    private final List<String> allowedNamespaces;

    public SpecValidator(Optional<List<String>> allowedSecretPrefixes, Optional<List<String>> allowedNamespaces) {
        this.allowedSecretPrefixes = allowedSecretPrefixes.orElse(List.of());
        this.allowedNamespaces = allowedNamespaces.orElse(List.of());
    }

    /** Every problem found, in field order; empty when the spec can be acted on. */
    public List<String> validate(String namespace, BuildkiteAgentTokenSpec spec) {
        List<String> errors = new ArrayList<>();
        if (spec == null) {
            errors.add("spec: required");
            return errors;
        }
        if (!allowedNamespaces.isEmpty() && !allowedNamespaces.contains(namespace)) {
            errors.add("metadata.namespace: " + namespace + " is not allowed by operator configuration");
        }
        validateSecretName(spec.getSecretName(), errors);
        validateRegions(spec, errors);
        if (spec.getExpectedAccountId() != null && !ACCOUNT.matcher(spec.getExpectedAccountId()).matches()) {
            errors.add("spec.expectedAccountId: must be 12 digits, got " + Printable.quoted(spec.getExpectedAccountId()));
        }
        if (spec.getTokenSecretRef() != null) {
            String name = spec.getTokenSecretRef().getName();
            String key = spec.getTokenSecretRef().getKey();
            if (name == null || !K8S_NAME.matcher(name).matches()) {
                errors.add("spec.tokenSecretRef.name: must be a Secret name in this namespace");
            }
            if (key != null && !K8S_KEY.matcher(key).matches()) {
                errors.add("spec.tokenSecretRef.key: must be a Secret data key");
            }
        }
        validateTags(spec.getTags(), errors);
        validateRotation(spec, errors);
        validateDeletion(spec, errors);
        validateAws(spec.getAws(), errors);
        BuildkiteSpecValidator.validate(spec, errors);
        if (errors.size() > MAX_ERRORS) {
            int more = errors.size() - MAX_ERRORS;
            errors.subList(MAX_ERRORS, errors.size()).clear();
            errors.add("and " + more + " more problems");
        }
        return errors;
    }

    private static final Pattern ROLE_ARN = Pattern.compile(AwsAccessSpec.ROLE_ARN_PATTERN);
    private static final Pattern EXTERNAL_ID = Pattern.compile(AwsAccessSpec.EXTERNAL_ID_PATTERN);
    private static final Pattern SESSION_NAME = Pattern.compile(AwsAccessSpec.SESSION_NAME_PATTERN);

    private static void validateAws(AwsAccessSpec aws, List<String> errors) {
        if (aws == null) {
            return;
        }
        if (aws.getRoleArn() == null || !ROLE_ARN.matcher(aws.getRoleArn()).matches()) {
            errors.add("spec.aws.roleArn: must be an IAM role ARN (arn:aws:iam::<account>:role/<name>)");
        }
        if (aws.getExternalId() != null && !EXTERNAL_ID.matcher(aws.getExternalId()).matches()) {
            errors.add("spec.aws.externalId: 2-1224 characters of letters, digits and +=,.@:/-_");
        }
        if (aws.getSessionName() != null && !SESSION_NAME.matcher(aws.getSessionName()).matches()) {
            errors.add("spec.aws.sessionName: 2-64 characters of letters, digits and +=,.@-_");
        }
    }

    private static void validateDeletion(BuildkiteAgentTokenSpec spec, List<String> errors) {
        boolean delete = spec.getDeletionPolicy() == DeletionPolicy.Delete;
        Integer window = spec.getRecoveryWindowInDays();
        if (window != null && (window < 7 || window > 30)) {
            errors.add("spec.recoveryWindowInDays: must be 7 to 30 days (what Secrets Manager allows), got " + window);
        } else if (window != null && !delete) {
            errors.add("spec.recoveryWindowInDays: applies to deletionPolicy Delete only");
        }
        if (Boolean.TRUE.equals(spec.getRetainGrants()) && delete) {
            errors.add("spec.retainGrants: applies to deletionPolicy Retain only");
        }
    }

    private void validateSecretName(String name, List<String> errors) {
        if (name == null || name.isEmpty()) {
            errors.add("spec.secretName: required");
        } else if (!SECRET_NAME.matcher(name).matches()) {
            errors.add("spec.secretName: " + Printable.quoted(name) + " must match " + BuildkiteAgentTokenSpec.SECRET_NAME_PATTERN
                    + " (the characters a stack's parameter path allows)");
        } else if (!allowedSecretPrefixes.isEmpty() && allowedSecretPrefixes.stream().noneMatch(name::startsWith)) {
            errors.add("spec.secretName: " + Printable.quoted(name) + " is not allowed by operator configuration (allowed prefixes: "
                    + String.join(", ", allowedSecretPrefixes) + ")");
        }
    }

    private static void validateRegions(BuildkiteAgentTokenSpec spec, List<String> errors) {
        String primary = spec.getPrimaryRegion();
        if (primary == null || primary.isEmpty()) {
            errors.add("spec.primaryRegion: required");
        } else {
            validateRegionName("spec.primaryRegion", primary, errors);
        }
        List<RegionSpec> regions = spec.getRegions() == null ? List.of() : spec.getRegions();
        if (regions.isEmpty()) {
            errors.add("spec.regions: at least one region is required");
            return;
        }
        if (regions.size() > MAX_REGIONS) {
            errors.add("spec.regions: at most " + MAX_REGIONS + " regions, got " + regions.size());
        }
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < regions.size(); i++) {
            RegionSpec region = regions.get(i);
            String field = "spec.regions[" + i + "]";
            if (region == null) {
                errors.add(field + ": required");
                continue;
            }
            if (validateRegionName(field + ".region", region.getRegion(), errors)
                    && !seen.add(region.getRegion())) {
                errors.add(field + ".region: " + region.getRegion() + " is listed more than once");
            }
            validateKey(field + ".kmsKeyId", region.getKmsKeyId(), region.getRegion(), errors);
            validateStacks(field, region.getStacks(), errors);
        }
        if (primary != null && seen.size() > 0 && !seen.contains(primary)) {
            errors.add("spec.regions: must list primaryRegion " + (REGION.matcher(primary).matches() ? primary
                    : Printable.quoted(primary)) + " exactly once");
        }
    }

    /** A region of an AWS partition: the CRD's pattern also admits invented names such as xx-fake-1. */
    private static boolean validateRegionName(String field, String region, List<String> errors) {
        if (region == null || !REGION.matcher(region).matches()) {
            errors.add(field + ": " + Printable.quoted(region) + " is not an AWS region name");
            return false;
        }
        if (Partitions.of(region).isEmpty()) {
            errors.add(field + ": " + Printable.quoted(region) + " is not a region of any AWS partition");
            return false;
        }
        return true;
    }

    /**
     * A key of this region, in a form KMS resolves: an alias or ARN names the region's own key (in the region's
     * partition), a key ID has the shape KMS gives them, and the only AWS managed key Secrets Manager can use is its
     * own.
     */
    private static void validateKey(String field, String key, String region, List<String> errors) {
        if (key == null) {
            return;
        }
        if (!KMS_KEY.matcher(key).matches()) {
            errors.add(field + ": " + Printable.quoted(key) + " is not a KMS key ID, key ARN or alias");
            return;
        }
        java.util.regex.Matcher arn = KMS_ARN.matcher(key);
        String target = !arn.matches() ? key : arn.group(3).equals("key") ? arn.group(4) : "alias/" + arn.group(4);
        if (arn.matches() && region != null && !arn.group(2).equals(region)) {
            errors.add(field + ": the key ARN must be of a key in " + region);
        } else if (arn.matches() && region != null && Partitions.of(region).filter(arn.group(1)::equals).isEmpty()) {
            errors.add(field + ": the key ARN is in partition " + Printable.quoted(arn.group(1)) + ", not in "
                    + Partitions.of(region).orElse("the partition") + " of " + region);
        } else if (target.startsWith("alias/aws/") && !target.equals(RegionSpec.DEFAULT_KMS_KEY)) {
            errors.add(field + ": " + Printable.quoted(key) + " is the AWS managed key of another service; Secrets "
                    + "Manager can use only " + RegionSpec.DEFAULT_KMS_KEY + " or a customer managed key");
        } else if (!target.startsWith("alias/") && !KEY_ID.matcher(target).matches()) {
            errors.add(field + ": " + Printable.quoted(key) + " is not a KMS key ID (a UUID or mrk-...)");
        }
    }

    private static void validateStacks(String field, List<String> stacks, List<String> errors) {
        if (stacks == null) {
            return;
        }
        if (stacks.size() > MAX_STACKS) {
            errors.add(field + ".stacks: at most " + MAX_STACKS + " stacks, got " + stacks.size());
        }
        Set<String> seen = new HashSet<>();
        List<String> invalid = new ArrayList<>();
        List<String> repeated = new ArrayList<>();
        for (String stack : stacks) {
            if (stack == null || !STACK.matcher(stack).matches()) {
                invalid.add(Printable.quoted(stack));
            } else if (!seen.add(stack)) {
                repeated.add(stack);
            }
        }
        if (!invalid.isEmpty()) {
            errors.add(field + ".stacks: " + Listing.firstFew(invalid) + (invalid.size() == 1 ? " is not a"
                    : " are not") + " CloudFormation stack name" + (invalid.size() == 1 ? "" : "s"));
        }
        if (!repeated.isEmpty()) {
            errors.add(field + ".stacks: " + Listing.firstFew(repeated) + (repeated.size() == 1 ? " is" : " are")
                    + " listed more than once");
        }
    }

    private static void validateRotation(BuildkiteAgentTokenSpec spec, List<String> errors) {
        RotationSpec rotation = spec.getRotation();
        if (rotation == null) {
            return;
        }
        if (rotation.getMinHealthyPercentage() < 0 || rotation.getMinHealthyPercentage() > 100) {
            errors.add("spec.rotation.minHealthyPercentage: must be 0-100, got " + rotation.getMinHealthyPercentage());
        }
        AutomaticRotation automatic = rotation.getAutomatic();
        if (automatic == null) {
            return;
        }
        if (spec.getTokenSecretRef() != null) {
            errors.add("spec.rotation.automatic: mutually exclusive with spec.tokenSecretRef (the value comes from "
                    + "one or the other)");
        }
        if (automatic.getLambdaArn() == null || !LAMBDA_ARN.matcher(automatic.getLambdaArn()).matches()) {
            errors.add("spec.rotation.automatic.lambdaArn: must be a Lambda function ARN");
        }
        if (automatic.getScheduleExpression() == null
                || !SCHEDULE.matcher(automatic.getScheduleExpression()).matches()) {
            errors.add("spec.rotation.automatic.scheduleExpression: must be rate(N days), rate(N hours) or cron(...)");
        }
    }

    private static void validateTags(Map<String, String> tags, List<String> errors) {
        if (tags == null) {
            return;
        }
        if (tags.size() > MAX_TAGS) {
            errors.add("spec.tags: at most " + MAX_TAGS + " tags, got " + tags.size());
        }
        List<String> reserved = new ArrayList<>();
        List<String> tooLong = new ArrayList<>();
        List<String> characters = new ArrayList<>();
        tags.forEach((key, value) -> {
            if (key.startsWith("aws:") || key.startsWith(BuildkiteAgentToken.GROUP + "/")) {
                reserved.add(Printable.quoted(key));
            } else if (key.isEmpty() || key.length() > 128 || value == null || value.length() > 256) {
                tooLong.add(Printable.quoted(key));
            } else if (!TAG_TEXT.matcher(key).matches() || !TAG_TEXT.matcher(value).matches()) {
                // AWS refuses other characters, and a quote or a newline here has no business in a tag
                characters.add(Printable.quoted(key));
            }
        });
        if (!reserved.isEmpty()) {
            errors.add("spec.tags: " + keys(reserved) + " reserved (aws: and "
                    + BuildkiteAgentToken.GROUP + "/ prefixes)");
        }
        if (!tooLong.isEmpty()) {
            errors.add("spec.tags: " + keys(tooLong) + " too long: keys are 1-128 characters, values at most "
                    + "256");
        }
        if (!characters.isEmpty()) {
            errors.add("spec.tags: " + keys(characters) + " not allowed: keys and values may hold only letters, "
                    + "digits, spaces and + - = . _ : / @");
        }
    }

    private static String keys(List<String> quoted) {
        return quoted.size() == 1 ? "key " + quoted.get(0) + " is" : "keys " + Listing.firstFew(quoted) + " are";
    }
}
