package io.elasticci.buildkite.token.hostile;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.IntStream;

/**
 * The hostile input corpus: BuildkiteAgentTokens (and the Kubernetes Secrets they point at) that a careless or
 * malicious author could write. Each case bends one valid spec one way and records what the API server does with it
 * (the CRD's schema and CEL rules, evaluated by {@code HostileSpecSchemaTest}) and what the operator must answer
 * (checked end to end by {@code HostileInputE2ETest}, where nothing enforces the schema: the fabric8 mock server, like
 * a cluster with an older or looser CRD, hands every object to the operator).
 *
 * <p>The valid spec behind every case would create a secret in AWS, replicate it and grant stacks: so a case the
 * operator wrongly accepts shows up as an AWS write.
 */
public final class HostileSpecs {

    /** What the API server does with the object. */
    public enum ApiServer {
        REJECTS, ADMITS
    }

    /** The Kubernetes Secret a case's tokenSecretRef names (created before the batch, one per kind). */
    public enum TokenSecret {
        VALID("token-valid"),
        ABSENT("token-absent"),
        NO_KEY("token-no-key"),
        EMPTY("token-empty"),
        BLANK("token-blank"),
        BINARY("token-binary"),
        CONTROL_CHARACTERS("token-control"),
        TOO_LARGE("token-too-large");

        public final String secretName;

        TokenSecret(String secretName) {
            this.secretName = secretName;
        }

        /** The Secret's data (key → raw bytes); null: no Secret at all. */
        public Map<String, byte[]> data() {
            return switch (this) {
                case VALID -> Map.of("token", utf8("bkct_hostile_corpus_valid_token_0001"));
                case ABSENT -> null;
                case NO_KEY -> Map.of("other", utf8("bkct_under_another_key"));
                case EMPTY -> Map.of("token", new byte[0]);
                case BLANK -> Map.of("token", utf8(" \n\t \n"));
                // Not UTF-8: what a binary file copied into the Secret (or a wrong base64 layer) gives.
                case BINARY -> Map.of("token", new byte[] {(byte) 0xff, (byte) 0xfe, 0x00, (byte) 0x80, 0x41});
                case CONTROL_CHARACTERS -> Map.of("token", utf8("bkct_abc\u0000\u001b[2Jdef"));
                // Secrets Manager keeps at most 65,536 bytes of SecretString.
                case TOO_LARGE -> Map.of("token", utf8("b".repeat(65_537)));
            };
        }
    }

    /**
     * One hostile case.
     *
     * @param name      the resource's name (and, made unique per run, its secret's)
     * @param injected  what the case injects, for people
     * @param apiServer what the API server does with it
     * @param reason    the Ready reason the operator must answer with
     * @param field     what the Ready message must name (escaped as the operator prints it); empty: no check
     * @param secret    the Kubernetes Secret its tokenSecretRef names
     * @param change    how the case bends the valid spec
     */
    public record Case(String name, String injected, ApiServer apiServer, String reason, String field,
            TokenSecret secret, Consumer<Spec> change) {

        /** The spec of this case for a test run whose unique suffix is {@code id} (alias, stacks, secret names). */
        public Object spec(String id) {
            Spec spec = Spec.valid(id, name, secret);
            change.accept(spec);
            return spec.root;
        }

        @Override
        public String toString() {
            return name;
        }
    }

    /** A spec as plain JSON values, with the handful of edits the cases need. */
    public static final class Spec {
        Object root;

        private Spec(Object root) {
            this.root = root;
        }

        static Spec valid(String id, String name, TokenSecret secret) {
            Map<String, Object> spec = new LinkedHashMap<>();
            spec.put("secretName", "buildkite/" + id + "/" + name);
            spec.put("primaryRegion", "us-east-1");
            spec.put("regions", new ArrayList<>(List.of(
                    region("us-east-1", "alias/bk-" + id, "ci-" + id),
                    region("us-west-2", "alias/bk-" + id, "ci-west-" + id))));
            spec.put("tokenSecretRef", new LinkedHashMap<>(Map.of("name", secret.secretName, "key", "token")));
            spec.put("tags", new LinkedHashMap<>(Map.of("team", "ci")));
            return new Spec(spec);
        }

        static Map<String, Object> region(String region, String key, String... stacks) {
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("region", region);
            r.put("kmsKeyId", key);
            r.put("stacks", new ArrayList<>(List.of(stacks)));
            return r;
        }

        @SuppressWarnings("unchecked")
        Map<String, Object> map() {
            return (Map<String, Object>) root;
        }

        Spec put(String field, Object value) {
            map().put(field, value);
            return this;
        }

        Spec remove(String field) {
            map().remove(field);
            return this;
        }

        @SuppressWarnings("unchecked")
        List<Object> regions() {
            return (List<Object>) map().get("regions");
        }

        @SuppressWarnings("unchecked")
        Map<String, Object> region(int index) {
            return (Map<String, Object>) regions().get(index);
        }

        @SuppressWarnings("unchecked")
        Map<String, Object> tags() {
            return (Map<String, Object>) map().get("tags");
        }

        Spec stacks(int region, List<String> stacks) {
            region(region).put("stacks", new ArrayList<>(stacks));
            return this;
        }

        /** Rotation by a Lambda instead of a Kubernetes Secret (the value then comes from AWS). */
        Spec automatic(String lambdaArn, String schedule) {
            remove("tokenSecretRef");
            return put("rotation", Map.of("automatic", Map.of("lambdaArn", lambdaArn, "scheduleExpression",
                    schedule)));
        }
    }

    private static final String KEY_ID = "1234abcd-12ab-34cd-56ef-1234567890ab";
    private static final String ACCOUNT = "123456789012";

    private HostileSpecs() {
    }

    /** Every case, in a stable order; names are unique. */
    public static List<Case> all() {
        List<Case> cases = new ArrayList<>();
        wrongTypes(cases);
        unknownFields(cases);
        regions(cases);
        keys(cases);
        limits(cases);
        tags(cases);
        injections(cases);
        rules(cases);
        tokenSecrets(cases);
        return cases;
    }

    private static void wrongTypes(List<Case> c) {
        rejected(c, "spec-is-a-list", "spec: a list instead of an object", "Unreadable", "spec",
                s -> s.root = new ArrayList<>(List.of("us-east-1")));
        rejected(c, "regions-not-a-list", "regions: a string", "Unreadable", "spec.regions",
                s -> s.put("regions", "us-east-1"));
        rejected(c, "region-entry-a-string", "regions[0]: a string", "Unreadable", "spec.regions[0]",
                s -> s.regions().set(0, "us-east-1"));
        rejected(c, "stacks-not-a-list", "regions[0].stacks: a string", "Unreadable", "spec.regions[0].stacks",
                s -> s.region(0).put("stacks", "ci"));
        rejected(c, "tags-a-list", "tags: a list of k=v strings", "Unreadable", "spec.tags",
                s -> s.put("tags", List.of("team=ci")));
        rejected(c, "min-healthy-a-word", "rotation.minHealthyPercentage: \"ninety\"", "Unreadable",
                "spec.rotation.minHealthyPercentage",
                s -> s.put("rotation", Map.of("minHealthyPercentage", "ninety")));
        rejected(c, "suspend-a-word", "suspend: \"no\"", "Unreadable", "spec.suspend", s -> s.put("suspend", "no"));
        // Coercions a lenient reader would make: the API server refuses the type, so must the operator.
        rejected(c, "secret-name-a-number", "secretName: 12345 (YAML without quotes)", "Unreadable",
                "spec.secretName", s -> s.put("secretName", 12345));
        rejected(c, "account-id-a-number", "expectedAccountId: 123456789012 (a number)", "Unreadable",
                "spec.expectedAccountId", s -> s.put("expectedAccountId", 123456789012L));
        rejected(c, "dry-run-a-string", "dryRun: \"false\" (a string)", "Unreadable", "spec.dryRun",
                s -> s.put("dryRun", "false"));
        rejected(c, "recovery-window-a-fraction", "recoveryWindowInDays: 7.5 with deletionPolicy Delete",
                "Unreadable", "spec.recoveryWindowInDays",
                s -> s.put("deletionPolicy", "Delete").put("recoveryWindowInDays", 7.5));
        rejected(c, "deletion-policy-unknown", "deletionPolicy: Destroy", "Unreadable", "spec.deletionPolicy",
                s -> s.put("deletionPolicy", "Destroy"));
        rejected(c, "permissions-lowercase", "permissions: manage", "Unreadable", "spec.permissions",
                s -> s.put("permissions", "manage"));
        rejected(c, "token-secret-ref-a-string", "tokenSecretRef: a bare name", "Unreadable",
                "spec.tokenSecretRef", s -> s.put("tokenSecretRef", "token-valid"));
    }

    private static void unknownFields(List<Case> c) {
        rejected(c, "unknown-field-grant-to", "spec.grantTo: \"*\" (a field that sounds like a grant)",
                "UnknownFields", "spec.grantTo", s -> s.put("grantTo", "*"));
        rejected(c, "unknown-field-control-name", "a field named \"evil\\nfield\"", "UnknownFields",
                "spec.evil\\nfield", s -> s.put("evil\nfield", true));
    }

    private static void regions(List<Case> c) {
        admitted(c, "region-unknown", "regions[1].region: xx-fake-1 (matches the schema's pattern)", "InvalidSpec",
                "spec.regions[1].region", s -> s.region(1).put("region", "xx-fake-1"));
        admitted(c, "primary-region-unknown", "primaryRegion and regions[0]: zz-nowhere-9", "InvalidSpec",
                "spec.primaryRegion", s -> {
                    s.put("primaryRegion", "zz-nowhere-9");
                    s.region(0).put("region", "zz-nowhere-9");
                });
        rejected(c, "region-uppercase", "regions[1].region: US-WEST-2", "InvalidSpec", "spec.regions[1].region",
                s -> s.region(1).put("region", "US-WEST-2"));
        rejected(c, "region-trailing-newline", "regions[1].region: \"us-west-2\\n\"", "InvalidSpec",
                "spec.regions[1].region", s -> s.region(1).put("region", "us-west-2\n"));
        rejected(c, "primary-region-twice", "us-east-1 listed twice", "InvalidSpec", "listed more than once",
                s -> s.regions().add(Spec.region("us-east-1", "alias/aws/secretsmanager")));
        rejected(c, "primary-region-not-listed", "primaryRegion us-east-1, regions only us-west-2", "InvalidSpec",
                "must list primaryRegion", s -> s.regions().remove(0));
        rejected(c, "primary-region-missing", "no primaryRegion", "InvalidSpec", "spec.primaryRegion: required",
                s -> s.remove("primaryRegion"));
        rejected(c, "primary-region-empty", "primaryRegion: \"\"", "InvalidSpec", "spec.primaryRegion: required",
                s -> s.put("primaryRegion", ""));
        rejected(c, "regions-empty", "regions: []", "InvalidSpec", "spec.regions",
                s -> s.put("regions", new ArrayList<>()));
        rejected(c, "regions-31", "31 regions (at most 30)", "InvalidSpec", "spec.regions: at most 30",
                s -> IntStream.rangeClosed(1, 29).forEach(i -> s.regions().add(
                        Spec.region("us-test-" + i, "alias/aws/secretsmanager"))));
    }

    private static void keys(List<Case> c) {
        String kms = "spec.regions[0].kmsKeyId";
        admitted(c, "kms-key-arn-other-region", "a key ARN in us-west-2 for us-east-1", "InvalidSpec", kms,
                s -> s.region(0).put("kmsKeyId", "arn:aws:kms:us-west-2:" + ACCOUNT + ":key/" + KEY_ID));
        admitted(c, "kms-alias-arn-other-region", "an alias ARN in eu-west-1 for us-east-1", "InvalidSpec", kms,
                s -> s.region(0).put("kmsKeyId", "arn:aws:kms:eu-west-1:" + ACCOUNT + ":alias/bk"));
        admitted(c, "kms-arn-other-partition", "an aws-cn key ARN for us-east-1", "InvalidSpec", kms,
                s -> s.region(0).put("kmsKeyId", "arn:aws-cn:kms:us-east-1:" + ACCOUNT + ":key/" + KEY_ID));
        admitted(c, "kms-key-id-all-hyphens", "36 hyphens (the schema's key ID pattern allows it)", "InvalidSpec",
                kms, s -> s.region(0).put("kmsKeyId", "-".repeat(36)));
        admitted(c, "kms-other-service-managed-key", "alias/aws/ebs (AWS managed key of another service)",
                "InvalidSpec", kms, s -> s.region(0).put("kmsKeyId", "alias/aws/ebs"));
        rejected(c, "kms-template-key-form", "key/<id> (what the stack template builds)", "InvalidSpec", kms,
                s -> s.region(0).put("kmsKeyId", "key/" + KEY_ID));
        rejected(c, "kms-alias-without-prefix", "buildkite-token (alias name without alias/)", "InvalidSpec", kms,
                s -> s.region(0).put("kmsKeyId", "buildkite-token"));
        rejected(c, "kms-alias-wildcard", "alias/*", "InvalidSpec", kms, s -> s.region(0).put("kmsKeyId", "alias/*"));
        rejected(c, "kms-arn-wildcards", "arn:aws:kms:us-east-1:*:key/*", "InvalidSpec", kms,
                s -> s.region(0).put("kmsKeyId", "arn:aws:kms:us-east-1:*:key/*"));
        rejected(c, "kms-role-arn", "an IAM role ARN as the key", "InvalidSpec", kms,
                s -> s.region(0).put("kmsKeyId", "arn:aws:iam::" + ACCOUNT + ":role/admin"));
    }

    private static void limits(List<Case> c) {
        // At the limits: admitted and accepted; dryRun keeps AWS unchanged and shows the plan.
        admitted(c, "secret-name-at-512", "a 512-character secret name (no stacks), dryRun", "DryRun", "", s -> s
                .put("secretName", pad((String) s.map().get("secretName"), 512)).put("dryRun", true)
                .stacks(0, List.of()).stacks(1, List.of()));
        rejected(c, "secret-name-513", "a 513-character secret name", "InvalidSpec", "spec.secretName",
                s -> s.put("secretName", pad((String) s.map().get("secretName"), 513)));
        admitted(c, "stack-name-at-128", "a 128-character stack name (no such stack), dryRun", "StackNotFound",
                "", s -> s.stacks(0, List.of("S" + "a".repeat(127))).put("dryRun", true));
        rejected(c, "stack-name-129", "a 129-character stack name", "InvalidSpec", "spec.regions[0].stacks",
                s -> s.stacks(0, List.of("S" + "a".repeat(128))));
        rejected(c, "stacks-51", "51 stacks in one region (at most 50)", "InvalidSpec",
                "spec.regions[0].stacks: at most 50", s -> s.stacks(0, names("ci-", 51)));
        rejected(c, "stacks-10000", "10,000 stacks in one region", "InvalidSpec",
                "spec.regions[0].stacks: at most 50", s -> s.stacks(0, names("ci-", 10_000)));
        rejected(c, "stacks-10000-invalid", "10,000 stack names, each \"*\"-suffixed", "InvalidSpec",
                "spec.regions[0].stacks", s -> s.stacks(0, names("ci*", 10_000)));
        rejected(c, "tags-41", "41 tags (at most 40)", "InvalidSpec", "spec.tags: at most 40",
                s -> IntStream.range(0, 41).forEach(i -> s.tags().put("k" + i, "v")));
    }

    private static void tags(List<Case> c) {
        rejected(c, "tag-key-129", "a 129-character tag key", "InvalidSpec", "spec.tags",
                s -> s.tags().put("k".repeat(129), "v"));
        rejected(c, "tag-value-257", "a 257-character tag value", "InvalidSpec", "spec.tags",
                s -> s.tags().put("team", "v".repeat(257)));
        rejected(c, "tag-key-aws-prefix", "tag key aws:createdBy", "InvalidSpec", "spec.tags",
                s -> s.tags().put("aws:createdBy", "me"));
        rejected(c, "tag-key-owner-hijack", "tag buildkite.elasticci.io/owner=other/ns/name (claims the secret)",
                "InvalidSpec", "spec.tags", s -> s.tags().put("buildkite.elasticci.io/owner", "other/ns/name"));
        admitted(c, "tag-key-empty", "an empty tag key", "InvalidSpec", "spec.tags", s -> s.tags().put("", "v"));
        admitted(c, "tag-value-policy-injection", "tag value \"}],\"Statement\":[{\"Principal\":\"*\"",
                "InvalidSpec", "spec.tags", s -> s.tags().put("team", "\"}],\"Statement\":[{\"Principal\":\"*\""));
        admitted(c, "tag-value-newline", "tag value \"ci\\nadmin\"", "InvalidSpec", "spec.tags",
                s -> s.tags().put("team", "ci\nadmin"));
        admitted(c, "tag-key-bidi-override", "tag key with U+202E (right-to-left override)", "InvalidSpec",
                "spec.tags", s -> s.tags().put("team\u202E", "ci"));
    }

    private static void injections(List<Case> c) {
        rejected(c, "secret-name-newline", "secretName with a newline", "InvalidSpec", "spec.secretName",
                s -> s.put("secretName", "buildkite/x\nother"));
        rejected(c, "secret-name-policy-injection", "secretName buildkite/x\"}],\"Principal\":\"*", "InvalidSpec",
                "spec.secretName", s -> s.put("secretName", "buildkite/x\"}],\"Principal\":\"*"));
        rejected(c, "secret-name-wildcard", "secretName buildkite/*", "InvalidSpec", "spec.secretName",
                s -> s.put("secretName", "buildkite/*"));
        rejected(c, "secret-name-arn", "secretName as a secret ARN", "InvalidSpec", "spec.secretName",
                s -> s.put("secretName", "arn:aws:secretsmanager:us-east-1:" + ACCOUNT + ":secret:buildkite/x"));
        rejected(c, "secret-name-escape-sequence", "secretName with an ANSI escape sequence", "InvalidSpec",
                "spec.secretName", s -> s.put("secretName", "buildkite/\u001b[31mred"));
        rejected(c, "stack-name-wildcard", "stack ci-*", "InvalidSpec", "spec.regions[0].stacks",
                s -> s.stacks(0, List.of("ci-*")));
        rejected(c, "stack-name-newline", "stack \"ci\\nprod\"", "InvalidSpec", "spec.regions[0].stacks",
                s -> s.stacks(0, List.of("ci\nprod")));
        rejected(c, "stack-name-trailing-newline", "stack \"ci-prod\\n\"", "InvalidSpec", "spec.regions[0].stacks",
                s -> s.stacks(0, List.of("ci-prod\n")));
        rejected(c, "stack-name-arn", "a stack ARN as the stack name", "InvalidSpec", "spec.regions[0].stacks",
                s -> s.stacks(0, List.of("arn:aws:cloudformation:us-east-1:" + ACCOUNT + ":stack/ci/" + KEY_ID)));
        rejected(c, "token-secret-ref-other-namespace", "tokenSecretRef.name kube-system/token", "InvalidSpec",
                "spec.tokenSecretRef.name", s -> s.put("tokenSecretRef", Map.of("name", "kube-system/token")));
        rejected(c, "token-secret-ref-key-traversal", "tokenSecretRef.key ../token", "InvalidSpec",
                "spec.tokenSecretRef.key", s -> s.put("tokenSecretRef", Map.of("name", "token-valid",
                        "key", "../token")));
        rejected(c, "account-id-wildcard", "expectedAccountId \"*\"", "InvalidSpec", "spec.expectedAccountId",
                s -> s.put("expectedAccountId", "*"));
        rejected(c, "role-arn-wildcard", "aws.roleArn arn:aws:iam::<account>:role/*", "InvalidSpec",
                "spec.aws.roleArn", s -> s.put("aws", Map.of("roleArn", "arn:aws:iam::" + ACCOUNT + ":role/*")));
        rejected(c, "role-arn-a-user", "aws.roleArn naming an IAM user", "InvalidSpec", "spec.aws.roleArn",
                s -> s.put("aws", Map.of("roleArn", "arn:aws:iam::" + ACCOUNT + ":user/admin")));
        rejected(c, "external-id-injection", "aws.externalId x\"}", "InvalidSpec", "spec.aws.externalId",
                s -> s.put("aws", Map.of("roleArn", "arn:aws:iam::" + ACCOUNT + ":role/bkat", "externalId",
                        "x\"}")));
        rejected(c, "lambda-arn-wildcard", "rotation.automatic.lambdaArn ending in function:*", "InvalidSpec",
                "spec.rotation.automatic.lambdaArn", s -> s.automatic("arn:aws:lambda:us-east-1:" + ACCOUNT
                        + ":function:*", "rate(30 days)"));
        admitted(c, "schedule-control-character", "scheduleExpression cron(0 0 * * ? *) with a BEL inside",
                "InvalidSpec", "spec.rotation.automatic.scheduleExpression", s -> s.automatic("arn:aws:lambda:"
                        + "us-east-1:" + ACCOUNT + ":function:rotate", "cron(0 0 \u0007* * ? *)"));
    }

    private static void rules(List<Case> c) {
        rejected(c, "recovery-window-without-delete", "recoveryWindowInDays with deletionPolicy Retain",
                "InvalidSpec", "spec.recoveryWindowInDays", s -> s.put("recoveryWindowInDays", 7));
        rejected(c, "recovery-window-zero", "recoveryWindowInDays 0 with deletionPolicy Delete", "InvalidSpec",
                "spec.recoveryWindowInDays", s -> s.put("deletionPolicy", "Delete").put("recoveryWindowInDays", 0));
        rejected(c, "retain-grants-with-delete", "retainGrants with deletionPolicy Delete", "InvalidSpec",
                "spec.retainGrants", s -> s.put("deletionPolicy", "Delete").put("retainGrants", true));
        rejected(c, "automatic-and-token-secret-ref", "rotation.automatic and tokenSecretRef together",
                "InvalidSpec", "spec.rotation.automatic", s -> s.put("rotation", Map.of("automatic", Map.of(
                        "lambdaArn", "arn:aws:lambda:us-east-1:" + ACCOUNT + ":function:rotate",
                        "scheduleExpression", "rate(30 days)"))));
    }

    private static void tokenSecrets(List<Case> c) {
        secret(c, "token-secret-absent", "tokenSecretRef names no Secret", TokenSecret.ABSENT);
        secret(c, "token-secret-key-absent", "the Secret lacks the key", TokenSecret.NO_KEY);
        secret(c, "token-secret-empty", "the key's value is empty", TokenSecret.EMPTY);
        secret(c, "token-secret-blank", "the key's value is only whitespace and newlines", TokenSecret.BLANK);
        secret(c, "token-secret-binary", "the key's value is not UTF-8 (binary bytes)", TokenSecret.BINARY);
        secret(c, "token-secret-control-characters", "the value holds NUL and an escape sequence",
                TokenSecret.CONTROL_CHARACTERS);
        secret(c, "token-secret-too-large", "the value is 65,537 bytes (Secrets Manager keeps 65,536)",
                TokenSecret.TOO_LARGE);
    }

    private static void rejected(List<Case> c, String name, String injected, String reason, String field,
            Consumer<Spec> change) {
        c.add(new Case(name, injected, ApiServer.REJECTS, reason, field, TokenSecret.VALID, change));
    }

    private static void admitted(List<Case> c, String name, String injected, String reason, String field,
            Consumer<Spec> change) {
        c.add(new Case(name, injected, ApiServer.ADMITS, reason, field, TokenSecret.VALID, change));
    }

    private static void secret(List<Case> c, String name, String injected, TokenSecret secret) {
        c.add(new Case(name, injected, ApiServer.ADMITS, "TokenSecretNotFound", secret.secretName, secret,
                s -> { }));
    }

    private static String pad(String prefix, int length) {
        return prefix + "/" + "a".repeat(length - prefix.length() - 1);
    }

    private static List<String> names(String prefix, int count) {
        return IntStream.range(0, count).mapToObj(i -> prefix + i).toList();
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
