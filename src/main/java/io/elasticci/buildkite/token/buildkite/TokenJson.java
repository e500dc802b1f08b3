package io.elasticci.buildkite.token.buildkite;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.elasticci.buildkite.token.aws.SecretValue;

/**
 * Buildkite's JSON for cluster tokens, both ways. Reading is tolerant (unknown fields ignored); a token without an ID
 * or with an unreadable date is not a token: {@link IllegalArgumentException}, for the adapter to report.
 */
final class TokenJson {

    private static final ObjectMapper JSON = new ObjectMapper();

    private TokenJson() {
    }

    /** The parsed body; null when it is empty or not JSON. */
    static JsonNode tree(String body) {
        if (body == null || body.isBlank()) {
            return null;
        }
        try {
            return JSON.readTree(body);
        } catch (JsonProcessingException e) {
            return null;
        }
    }

    static String creation(TokenRequest request) {
        ObjectNode body = JSON.createObjectNode().put("description", request.description());
        if (request.expiresAt() != null) {
            body.put("expires_at", request.expiresAt().toString());
        }
        if (!request.allowedIpAddresses().isEmpty()) {
            body.put("allowed_ip_addresses", Cidrs.join(request.allowedIpAddresses()));
        }
        return body.toString();
    }

    static String description(String description) {
        return JSON.createObjectNode().put("description", description).toString();
    }

    /** Empty means every address, which Buildkite spells 0.0.0.0/0. */
    static String allowedIpAddresses(List<String> cidrs) {
        return JSON.createObjectNode()
                .put("allowed_ip_addresses", cidrs.isEmpty() ? "0.0.0.0/0" : Cidrs.join(cidrs)).toString();
    }

    static ClusterToken token(JsonNode node) {
        String id = node == null ? "" : node.path("id").asText("");
        if (id.isEmpty()) {
            throw new IllegalArgumentException("a token without an id");
        }
        return new ClusterToken(id, text(node, "graphql_id"), text(node, "description"),
                Cidrs.split(text(node, "allowed_ip_addresses")), instant(node, "created_at"),
                instant(node, "expires_at"), text(node, "url"));
    }

    static List<ClusterToken> tokens(JsonNode array) {
        if (array == null || !array.isArray()) {
            throw new IllegalArgumentException("not a list of tokens");
        }
        List<ClusterToken> tokens = new ArrayList<>();
        array.forEach(node -> tokens.add(token(node)));
        return tokens;
    }

    /** The value of a token just created: Buildkite's {@code token} field, present in that answer only. */
    static SecretValue value(JsonNode node) {
        String value = node.path("token").asText("");
        if (value.isEmpty()) {
            throw new IllegalArgumentException("a created token without its value");
        }
        return SecretValue.of(value);
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.path(field);
        return value.isNull() || value.isMissingNode() ? null : value.asText();
    }

    private static Instant instant(JsonNode node, String field) {
        String value = text(node, field);
        try {
            return value == null ? null : OffsetDateTime.parse(value).toInstant();
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException(field + " is not an ISO 8601 time");
        }
    }
}
