package io.elasticci.buildkite.token.hostile;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Random;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Random valid resource-policy statements of someone else: Sid or none, Allow or Deny, AWS principals (one or a list)
 * or a service, actions in any case (one or a list, wildcards too), Resource as "*", a list or absent, conditions or
 * none, the fields in random order. Never a {@code *} principal: BlockPublicPolicy would refuse the document.
 */
public final class ForeignStatements {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> ACTIONS = List.of("secretsmanager:GetSecretValue",
            "secretsmanager:DescribeSecret", "secretsmanager:ListSecretVersionIds", "secretsmanager:PutSecretValue",
            "secretsmanager:*", "secretsmanager:Get*");
    private static final List<String> OPERATORS = List.of("StringEquals", "StringLike", "StringNotEquals",
            "ArnLike", "Bool", "StringEqualsIfExists");
    private static final List<String> KEYS = List.of("aws:PrincipalTag/team", "secretsmanager:VersionStage",
            "aws:SourceVpce", "aws:PrincipalArn", "aws:SecureTransport");

    private ForeignStatements() {
    }

    /** One statement naming some of {@code principals} (ARNs AWS accepts in a resource policy). */
    public static JsonNode statement(Random random, List<String> principals) {
        List<Runnable> fields = new ArrayList<>();
        ObjectNode statement = JSON.createObjectNode();
        if (random.nextInt(4) > 0) {
            fields.add(() -> statement.put("Sid", word(random, 1 + random.nextInt(24))));
        }
        fields.add(() -> statement.put("Effect", random.nextInt(4) > 0 ? "Allow" : "Deny"));
        fields.add(() -> {
            ObjectNode principal = statement.putObject("Principal");
            if (random.nextInt(6) == 0) {
                principal.put("Service", "lambda.amazonaws.com");
            } else if (random.nextBoolean()) {
                principal.put("AWS", pick(random, principals));
            } else {
                ArrayNode list = principal.putArray("AWS");
                new java.util.LinkedHashSet<>(List.of(pick(random, principals), pick(random, principals)))
                        .forEach(list::add);
            }
        });
        fields.add(() -> {
            if (random.nextBoolean()) {
                statement.put("Action", anyCase(random, pick(random, ACTIONS)));
            } else {
                ArrayNode list = statement.putArray("Action");
                new java.util.LinkedHashSet<>(List.of(pick(random, ACTIONS), pick(random, ACTIONS)))
                        .forEach(a -> list.add(anyCase(random, a)));
            }
        });
        switch (random.nextInt(3)) {
            case 0 -> fields.add(() -> statement.put("Resource", "*"));
            case 1 -> fields.add(() -> statement.putArray("Resource").add("*"));
            default -> { } // a resource policy may leave it out
        }
        if (random.nextBoolean()) {
            fields.add(() -> {
                ObjectNode keys = statement.putObject("Condition").putObject(pick(random, OPERATORS));
                String key = pick(random, KEYS);
                if (random.nextBoolean()) {
                    keys.put(key, word(random, 6));
                } else {
                    keys.putArray(key).add(word(random, 4)).add(word(random, 5));
                }
            });
        }
        Collections.shuffle(fields, random);
        fields.forEach(Runnable::run);
        return statement;
    }

    private static String pick(Random random, List<String> values) {
        return values.get(random.nextInt(values.size()));
    }

    /** IAM compares action names case-insensitively; a document may spell them any way. */
    private static String anyCase(Random random, String action) {
        return switch (random.nextInt(3)) {
            case 0 -> action.toLowerCase(Locale.ROOT);
            case 1 -> action.replace("secretsmanager", "SecretsManager");
            default -> action;
        };
    }

    private static String word(Random random, int length) {
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < length; i++) {
            out.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return out.toString();
    }
}
