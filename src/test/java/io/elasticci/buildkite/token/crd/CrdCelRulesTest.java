package io.elasticci.buildkite.token.crd;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import io.elasticci.buildkite.token.api.crd.CelRules;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The CEL rules of the committed CRD, read from the YAML exactly as the API server will get them and evaluated with
 * cel-java against valid and invalid values: a rule that changes meaning (or a new rule without cases) fails here.
 */
class CrdCelRulesTest {

    // Rules are identified by where they sit and their message.
    private static final String PRIMARY_ONCE = "regions must list primaryRegion exactly once";
    private static final String SECRET_IMMUTABLE = "secretName is immutable";
    private static final String PRIMARY_IMMUTABLE = "primaryRegion is immutable";
    private static final String STACK_NAMES = "stack names must be CloudFormation stack names: a letter, then "
            + "letters, digits or hyphens, at most 128";
    private static final String TAG_PREFIXES = "tag keys must not start with aws: or buildkite.elasticci.io/";
    private static final String TAG_LENGTHS = "tag keys are at most 128 characters and values at most 256";

    /** Rules in the CRD today; a new rule needs cases below and this number raised. */
    private static final int RULE_COUNT = 12;
    private static final String RETAIN_GRANTS = "retainGrants applies to deletionPolicy Retain only";
    private static final String RECOVERY_WINDOW = "recoveryWindowInDays applies to deletionPolicy Delete only";
    private static final String BUILDKITE_SECRET = "buildkite and tokenSecretRef are mutually exclusive: the value "
            + "comes from one or the other";
    private static final String BUILDKITE_AUTOMATIC = "buildkite and rotation.automatic are mutually exclusive: the "
            + "value comes from one or the other";
    private static final String EXPIRY_OUTLIVES = "tokenExpiresAfter must be longer than rotateEvery: a token must "
            + "outlive its successor's rollout";
    private static final String AUTOMATIC_EXCLUSIVE = "rotation.automatic and tokenSecretRef are mutually exclusive: "
            + "the value comes from one or the other";

    record Case(String path, String message, String description, Object self, Object oldSelf, boolean expected) {
        @Override
        public String toString() {
            return path + " " + (expected ? "accepts " : "rejects ") + description;
        }
    }

    static List<Case> cases() {
        List<Case> cases = new ArrayList<>();
        // spec: regions must list primaryRegion exactly once
        cases.add(new Case("spec", PRIMARY_ONCE, "primary listed once",
                spec("us-east-1", "us-east-1", "us-west-2"), null, true));
        cases.add(new Case("spec", PRIMARY_ONCE, "primary as the only region",
                spec("eu-west-1", "eu-west-1"), null, true));
        cases.add(new Case("spec", PRIMARY_ONCE, "primary listed last",
                spec("us-west-2", "us-east-1", "eu-west-1", "us-west-2"), null, true));
        cases.add(new Case("spec", PRIMARY_ONCE, "primary not listed (0 times)",
                spec("us-east-1", "us-west-2", "eu-west-1"), null, false));
        cases.add(new Case("spec", PRIMARY_ONCE, "primary listed twice",
                spec("us-east-1", "us-east-1", "us-east-1"), null, false));
        cases.add(new Case("spec", PRIMARY_ONCE, "no regions at all", spec("us-east-1"), null, false));

        // immutable fields: transition rules, evaluated on update with the stored value as oldSelf
        cases.add(new Case("spec.secretName", SECRET_IMMUTABLE, "an unchanged name",
                "buildkite/agent-token", "buildkite/agent-token", true));
        cases.add(new Case("spec.secretName", SECRET_IMMUTABLE, "a changed name",
                "buildkite/other-token", "buildkite/agent-token", false));
        cases.add(new Case("spec.secretName", SECRET_IMMUTABLE, "a change of case only",
                "buildkite/Agent-Token", "buildkite/agent-token", false));
        cases.add(new Case("spec.primaryRegion", PRIMARY_IMMUTABLE, "an unchanged region",
                "us-east-1", "us-east-1", true));
        cases.add(new Case("spec.primaryRegion", PRIMARY_IMMUTABLE, "a changed region",
                "us-west-2", "us-east-1", false));

        // stack names
        String stacks = "spec.regions[].stacks";
        cases.add(new Case(stacks, STACK_NAMES, "typical names",
                List.of("buildkite-ci", "buildkite-ci-west-arm", "B2", "x"), null, true));
        cases.add(new Case(stacks, STACK_NAMES, "an empty list", List.of(), null, true));
        cases.add(new Case(stacks, STACK_NAMES, "a 128-character name", List.of("a".repeat(128)), null, true));
        cases.add(new Case(stacks, STACK_NAMES, "1bad (starts with a digit)", List.of("ok", "1bad"), null, false));
        cases.add(new Case(stacks, STACK_NAMES, "has_underscore", List.of("has_underscore"), null, false));
        cases.add(new Case(stacks, STACK_NAMES, "a 129-character name", List.of("a".repeat(129)), null, false));
        cases.add(new Case(stacks, STACK_NAMES, "a leading hyphen", List.of("-ci"), null, false));
        cases.add(new Case(stacks, STACK_NAMES, "an empty name", List.of(""), null, false));
        cases.add(new Case(stacks, STACK_NAMES, "a space", List.of("buildkite ci"), null, false));

        // tag keys: reserved prefixes
        cases.add(new Case("spec.tags", TAG_PREFIXES, "ordinary tags",
                Map.of("team", "ci", "cost-center", "1234", "buildkite.elasticci.io-team", "x"), null, true));
        cases.add(new Case("spec.tags", TAG_PREFIXES, "no tags", Map.of(), null, true));
        cases.add(new Case("spec.tags", TAG_PREFIXES, "a key with the aws: prefix",
                Map.of("team", "ci", "aws:cloudformation:stack-name", "x"), null, false));
        cases.add(new Case("spec.tags", TAG_PREFIXES, "the operator's own ownership key",
                Map.of("buildkite.elasticci.io/owner", "someone-else/ns/name"), null, false));
        cases.add(new Case("spec.tags", TAG_PREFIXES, "any key under buildkite.elasticci.io/",
                Map.of("buildkite.elasticci.io/anything", "x"), null, false));

        // tag lengths
        cases.add(new Case("spec.tags", TAG_LENGTHS, "a 128-character key and a 256-character value",
                Map.of("k".repeat(128), "v".repeat(256)), null, true));
        cases.add(new Case("spec.tags", TAG_LENGTHS, "an empty value", Map.of("team", ""), null, true));
        cases.add(new Case("spec.tags", TAG_LENGTHS, "a 129-character key",
                Map.of("k".repeat(129), "v"), null, false));
        cases.add(new Case("spec.tags", TAG_LENGTHS, "a 257-character value",
                Map.of("team", "ci", "long", "v".repeat(257)), null, false));

        // automatic rotation and tokenSecretRef
        Map<String, Object> automatic = Map.of("lambdaArn", "arn:aws:lambda:us-east-1:123456789012:function:r",
                "scheduleExpression", "rate(30 days)");
        Map<String, Object> ref = Map.of("name", "agent-token", "key", "token");
        cases.add(new Case("spec", AUTOMATIC_EXCLUSIVE, "tokenSecretRef alone",
                with(spec("us-east-1", "us-east-1"), "tokenSecretRef", ref), null, true));
        cases.add(new Case("spec", AUTOMATIC_EXCLUSIVE, "automatic rotation alone",
                with(spec("us-east-1", "us-east-1"), "rotation", Map.of("automatic", automatic)), null, true));
        cases.add(new Case("spec", AUTOMATIC_EXCLUSIVE, "rotation settings with tokenSecretRef",
                with(with(spec("us-east-1", "us-east-1"), "tokenSecretRef", ref), "rotation",
                        Map.of("refreshInstances", true)), null, true));
        cases.add(new Case("spec", AUTOMATIC_EXCLUSIVE, "both",
                with(with(spec("us-east-1", "us-east-1"), "tokenSecretRef", ref), "rotation",
                        Map.of("automatic", automatic)), null, false));

        // spec.buildkite: the value comes from Buildkite, so no other source
        Map<String, Object> buildkite = Map.of("organization", "acme", "clusterId",
                "4d2ac7c4-65a5-4a3e-9f7e-0c3b1e1f2a10", "apiTokenSecretRef", Map.of("name", "buildkite-api"));
        cases.add(new Case("spec", BUILDKITE_SECRET, "buildkite alone",
                with(spec("us-east-1", "us-east-1"), "buildkite", buildkite), null, true));
        cases.add(new Case("spec", BUILDKITE_SECRET, "buildkite with tokenSecretRef",
                with(with(spec("us-east-1", "us-east-1"), "buildkite", buildkite), "tokenSecretRef", ref), null,
                false));
        cases.add(new Case("spec", BUILDKITE_AUTOMATIC, "buildkite with rotation settings",
                with(with(spec("us-east-1", "us-east-1"), "buildkite", buildkite), "rotation",
                        Map.of("refreshInstances", true)), null, true));
        cases.add(new Case("spec", BUILDKITE_AUTOMATIC, "buildkite with automatic rotation",
                with(with(spec("us-east-1", "us-east-1"), "buildkite", buildkite), "rotation",
                        Map.of("automatic", automatic)), null, false));
        cases.add(new Case("spec.buildkite", EXPIRY_OUTLIVES, "no expiry", Map.of("rotateEvery", "720h"), null,
                true));
        cases.add(new Case("spec.buildkite", EXPIRY_OUTLIVES, "expiry after the next rotation",
                Map.of("rotateEvery", "720h", "tokenExpiresAfter", "1000h"), null, true));
        cases.add(new Case("spec.buildkite", EXPIRY_OUTLIVES, "expiry in mixed units, later",
                Map.of("rotateEvery", "24h", "tokenExpiresAfter", "24h30m"), null, true));
        cases.add(new Case("spec.buildkite", EXPIRY_OUTLIVES, "expiry before the next rotation",
                Map.of("rotateEvery", "720h", "tokenExpiresAfter", "100h"), null, false));
        cases.add(new Case("spec.buildkite", EXPIRY_OUTLIVES, "expiry equal to the rotation",
                Map.of("rotateEvery", "90m", "tokenExpiresAfter", "1h30m"), null, false));

        // deletion settings
        Map<String, Object> plain = spec("us-east-1", "us-east-1");
        cases.add(new Case("spec", RETAIN_GRANTS, "retainGrants without a policy (Retain)",
                with(plain, "retainGrants", true), null, true));
        cases.add(new Case("spec", RETAIN_GRANTS, "retainGrants with Retain",
                with(with(plain, "retainGrants", true), "deletionPolicy", "Retain"), null, true));
        cases.add(new Case("spec", RETAIN_GRANTS, "retainGrants false with Delete",
                with(with(plain, "retainGrants", false), "deletionPolicy", "Delete"), null, true));
        cases.add(new Case("spec", RETAIN_GRANTS, "retainGrants with Delete",
                with(with(plain, "retainGrants", true), "deletionPolicy", "Delete"), null, false));
        cases.add(new Case("spec", RECOVERY_WINDOW, "a recovery window with Delete",
                with(with(plain, "recoveryWindowInDays", 7), "deletionPolicy", "Delete"), null, true));
        cases.add(new Case("spec", RECOVERY_WINDOW, "no recovery window", plain, null, true));
        cases.add(new Case("spec", RECOVERY_WINDOW, "a recovery window without a policy (Retain)",
                with(plain, "recoveryWindowInDays", 7), null, false));
        cases.add(new Case("spec", RECOVERY_WINDOW, "a recovery window with Retain",
                with(with(plain, "recoveryWindowInDays", 7), "deletionPolicy", "Retain"), null, false));
        return cases;
    }

    private static Map<String, Object> with(Map<String, Object> spec, String key, Object value) {
        Map<String, Object> copy = new LinkedHashMap<>(spec);
        copy.put(key, value);
        return copy;
    }

    /** A spec with its primary region and the regions listed, in that order. */
    private static Map<String, Object> spec(String primaryRegion, String... regions) {
        Map<String, Object> spec = new LinkedHashMap<>();
        spec.put("secretName", "buildkite/agent-token");
        spec.put("primaryRegion", primaryRegion);
        spec.put("regions", Stream.of(regions)
                .map(r -> Map.<String, Object>of("region", r, "kmsKeyId", "alias/aws/secretsmanager",
                        "stacks", List.of()))
                .toList());
        return spec;
    }

    private static Crd.Rule rule(String path, String message) {
        List<Crd.Rule> matching = Crd.rules().stream()
                .filter(r -> r.path().equals(path) && r.message().equals(message)).toList();
        assertThat(matching).as("rules at %s with message '%s'", path, message).hasSize(1);
        return matching.get(0);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void ruleGivesTheExpectedVerdict(Case c) {
        Crd.Rule rule = rule(c.path(), c.message());
        assertThat(rule.transition()).as("%s is a transition rule", rule).isEqualTo(c.oldSelf() != null);
        assertThat(CelRules.evaluate(rule.rule(), c.self(), c.oldSelf())).as("%s on %s", rule, c)
                .isEqualTo(c.expected() ? CelRules.Verdict.PASS : CelRules.Verdict.FAIL);
    }

    @Test
    void everyRuleOfTheCrdIsCoveredBothWays() {
        List<Crd.Rule> rules = Crd.rules();
        assertThat(rules).as("CEL rules in %s", Crd.FILE).hasSize(RULE_COUNT);
        List<Case> cases = cases();
        for (Crd.Rule rule : rules) {
            List<Case> mine = cases.stream()
                    .filter(c -> c.path().equals(rule.path()) && c.message().equals(rule.message())).toList();
            assertThat(mine).as("cases accepting %s", rule).anyMatch(Case::expected);
            assertThat(mine).as("cases rejected by %s", rule).anyMatch(c -> !c.expected());
        }
    }

    @Test
    void everyRuleCompilesToABooleanAndHasAMessage() {
        for (Crd.Rule rule : Crd.rules()) {
            CelRules.compile(rule.rule());
            assertThat(rule.message()).as("message of %s", rule).isNotBlank();
        }
    }
}
