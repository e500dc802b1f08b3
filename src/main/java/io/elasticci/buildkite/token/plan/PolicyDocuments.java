package io.elasticci.buildkite.token.plan;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** Reading and comparing IAM-style policy documents: the normalisation every policy comparison goes through. */
public final class PolicyDocuments {

    static final ObjectMapper JSON = new ObjectMapper();
    /** A bare unique ID: what AWS shows in place of a principal that was deleted (and maybe re-created). */
    private static final Pattern UNIQUE_ID = Pattern.compile("^A[A-Z0-9]{3}[A-Z0-9]{12,}$");

    private PolicyDocuments() {
    }

    /** The operator's name for things it owns on behalf of one resource: a stable alphanumeric hash. */
    public static String ownerHash(String owner) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(owner.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest).substring(0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static JsonNode parse(String document) {
        try {
            return JSON.readTree(document);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not a JSON policy document: " + e.getOriginalMessage());
        }
    }

    static String render(JsonNode document) {
        try {
            return JSON.writeValueAsString(document);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The statements of a document, whether AWS gave one object or a list. */
    static List<JsonNode> statements(JsonNode document) {
        List<JsonNode> list = new ArrayList<>();
        JsonNode statement = document.path("Statement");
        if (statement.isArray()) {
            statement.forEach(list::add);
        } else if (statement.isObject()) {
            list.add(statement);
        }
        return list;
    }

    static ObjectNode document(List<JsonNode> statements) {
        ObjectNode doc = JSON.createObjectNode();
        doc.put("Version", "2012-10-17");
        ArrayNode array = doc.putArray("Statement");
        statements.forEach(array::add);
        return doc;
    }

    /** Values of a field that may be a string or a list of strings. */
    static Set<String> strings(JsonNode node) {
        Set<String> values = new TreeSet<>();
        if (node.isTextual()) {
            values.add(node.asText());
        } else if (node.isArray()) {
            node.forEach(n -> values.add(n.asText()));
        }
        return values;
    }

    /** Actions, compared case-insensitively as IAM does. */
    static Set<String> actions(JsonNode statement) {
        Set<String> actions = new TreeSet<>();
        strings(statement.path("Action")).forEach(a -> actions.add(a.toLowerCase(Locale.ROOT)));
        return actions;
    }

    /** AWS principals of a statement ("Principal": {"AWS": ...}, or "*" as a string). */
    static Set<String> awsPrincipals(JsonNode statement) {
        JsonNode principal = statement.path("Principal");
        return principal.isTextual() ? strings(principal) : strings(principal.path("AWS"));
    }

    static boolean isUniqueId(String principal) {
        return UNIQUE_ID.matcher(principal).matches();
    }
}
