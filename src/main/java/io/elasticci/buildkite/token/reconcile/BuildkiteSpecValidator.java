package io.elasticci.buildkite.token.reconcile;

import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;

import io.elasticci.buildkite.token.api.v1alpha1.BuildkiteAgentToken;
import io.elasticci.buildkite.token.api.v1alpha1.BuildkiteAgentTokenSpec;
import io.elasticci.buildkite.token.api.v1alpha1.BuildkiteSpec;
import io.elasticci.buildkite.token.plan.Durations;

/** spec.buildkite: the CRD's rules (patterns, exclusions, the expiry outliving the rotation) and a few of its own. */
final class BuildkiteSpecValidator {

    /** Buildkite refuses an expiry sooner than 10 minutes after creation; a rollout takes longer anyway. */
    static final Duration MIN_EXPIRY = Duration.ofHours(1);
    /** Rotating more often than this would mint tokens faster than instances can be refreshed. */
    static final Duration MIN_ROTATION = Duration.ofHours(1);
    private static final Pattern ORGANIZATION = Pattern.compile(BuildkiteSpec.ORGANIZATION_PATTERN);
    private static final Pattern CLUSTER = Pattern.compile(BuildkiteSpec.CLUSTER_ID_PATTERN);
    private static final Pattern CIDRS = Pattern.compile(BuildkiteSpec.CIDRS_PATTERN);
    private static final Pattern K8S_NAME = Pattern.compile("^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$");
    private static final Pattern K8S_KEY = Pattern.compile("^[-._a-zA-Z0-9]{1,253}$");

    private BuildkiteSpecValidator() {
    }

    static void validate(BuildkiteAgentTokenSpec spec, List<String> errors) {
        BuildkiteSpec buildkite = spec.getBuildkite();
        if (buildkite == null) {
            return;
        }
        if (spec.getTokenSecretRef() != null) {
            errors.add("spec.buildkite: mutually exclusive with spec.tokenSecretRef (the value comes from one or the "
                    + "other)");
        }
        if (spec.getRotation() != null && spec.getRotation().getAutomatic() != null) {
            errors.add("spec.buildkite: mutually exclusive with spec.rotation.automatic (the value comes from one or "
                    + "the other)");
        }
        if (buildkite.getOrganization() == null || !ORGANIZATION.matcher(buildkite.getOrganization()).matches()) {
            errors.add("spec.buildkite.organization: must be an organization slug (lower-case letters, digits, -)");
        }
        if (buildkite.getClusterId() == null || !CLUSTER.matcher(buildkite.getClusterId()).matches()) {
            errors.add("spec.buildkite.clusterId: must be the cluster's UUID");
        }
        var ref = buildkite.getApiTokenSecretRef();
        if (ref == null || ref.getName() == null || !K8S_NAME.matcher(ref.getName()).matches()) {
            errors.add("spec.buildkite.apiTokenSecretRef.name: must be a Secret name in this namespace");
        } else if (ref.getKey() != null && !K8S_KEY.matcher(ref.getKey()).matches()) {
            errors.add("spec.buildkite.apiTokenSecretRef.key: must be a Secret data key");
        }
        Duration every = duration("rotateEvery", buildkite.getRotateEvery(), MIN_ROTATION, errors);
        Duration expiry = duration("tokenExpiresAfter", buildkite.getTokenExpiresAfter(), MIN_EXPIRY, errors);
        if (every != null && expiry != null && expiry.compareTo(every) <= 0) {
            errors.add("spec.buildkite.tokenExpiresAfter: must be longer than rotateEvery (a token must outlive its "
                    + "successor's rollout)");
        }
        String cidrs = buildkite.getAllowedIpAddresses();
        if (cidrs != null && (cidrs.length() > 1000 || !CIDRS.matcher(cidrs).matches())) {
            errors.add("spec.buildkite.allowedIpAddresses: space-separated CIDRs, e.g. \"10.0.0.0/8 192.168.0.0/16\"");
        }
    }

    /** The rotate-at annotation, when set, must be an RFC 3339 time (what `date -Is` prints). */
    static List<String> rotateAt(java.util.Map<String, String> annotations) {
        String value = annotations == null ? null : annotations.get(BuildkiteAgentToken.ROTATE_AT_ANNOTATION);
        if (value == null) {
            return List.of();
        }
        try {
            java.time.OffsetDateTime.parse(value);
            return List.of();
        } catch (java.time.format.DateTimeParseException e) {
            return List.of("metadata.annotations[" + BuildkiteAgentToken.ROTATE_AT_ANNOTATION + "]: must be an RFC "
                    + "3339 time such as 2026-12-03T17:00:00Z");
        }
    }

    private static Duration duration(String field, String text, Duration minimum, List<String> errors) {
        if (text == null) {
            return null;
        }
        Duration parsed = Durations.parse(text);
        if (parsed == null) {
            errors.add("spec.buildkite." + field + ": a duration such as 720h or 1h30m");
        } else if (parsed.compareTo(minimum) < 0) {
            errors.add("spec.buildkite." + field + ": at least " + minimum.toHours() + "h");
        }
        return parsed;
    }
}
