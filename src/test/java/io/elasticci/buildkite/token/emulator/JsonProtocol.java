package io.elasticci.buildkite.token.emulator;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * The awsJson1.1 wire protocol: POST / with {@code X-Amz-Target: Prefix.Operation} and a JSON body; answers are
 * JSON with timestamps as epoch seconds and blobs as base64; errors are HTTP 4xx/5xx with header
 * {@code x-amzn-ErrorType} and body {@code {"__type": code, "message": ...}}.
 */
final class JsonProtocol {

    static final String CONTENT_TYPE = "application/x-amz-json-1.1";
    static final ObjectMapper MAPPER = new ObjectMapper();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private JsonProtocol() {
    }

    static ObjectNode object() {
        return NODES.objectNode();
    }

    static ArrayNode array() {
        return NODES.arrayNode();
    }

    static ObjectNode parse(byte[] body) {
        if (body.length == 0) {
            return object();
        }
        try {
            JsonNode node = MAPPER.readTree(body);
            if (node == null || node.isMissingNode() || node.isNull()) {
                return object();
            }
            if (!node.isObject()) {
                throw AwsError.of("SerializationException", "Start of structure or map found where not expected.");
            }
            return (ObjectNode) node;
        } catch (IOException e) {
            // the parser's message may quote the body: do not pass it on
            throw AwsError.of("SerializationException", "The request body is not valid JSON.");
        }
    }

    /** Epoch seconds with millisecond precision, as AWS JSON services write timestamps. */
    static BigDecimal timestamp(Instant instant) {
        return BigDecimal.valueOf(instant.toEpochMilli(), 3);
    }

    static void putTimestamp(ObjectNode node, String field, Instant instant) {
        if (instant != null) {
            node.put(field, timestamp(instant));
        }
    }

    static void putIfNotNull(ObjectNode node, String field, String value) {
        if (value != null) {
            node.put(field, value);
        }
    }

    static ArrayNode strings(Collection<String> values) {
        ArrayNode array = array();
        values.forEach(array::add);
        return array;
    }

    /** Tags as [{Key, Value}]. */
    static ArrayNode tags(Map<String, String> tags) {
        ArrayNode array = array();
        tags.forEach((k, v) -> array.addObject().put("Key", k).put("Value", v));
        return array;
    }

    static RawResponse ok(ObjectNode output, String requestId) {
        try {
            return RawResponse.of(200, CONTENT_TYPE, MAPPER.writeValueAsString(output), requestId);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write JSON", e);
        }
    }

    static RawResponse error(AwsError error, String requestId) {
        ObjectNode body = object();
        body.put("__type", error.code());
        body.put("message", error.getMessage() == null ? "" : error.getMessage());
        try {
            return RawResponse.of(error.status(), CONTENT_TYPE, MAPPER.writeValueAsString(body), requestId)
                    .withHeader("x-amzn-ErrorType", error.code());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write JSON", e);
        }
    }

    /** A JSON request's input with typed getters; toString never shows values. */
    static final class Input {
        private final ObjectNode node;

        Input(ObjectNode node) {
            this.node = node;
        }

        boolean has(String field) {
            JsonNode n = node.get(field);
            return n != null && !n.isNull();
        }

        String string(String field) {
            JsonNode n = node.get(field);
            if (n == null || n.isNull()) {
                return null;
            }
            if (!n.isTextual()) {
                throw AwsError.of("SerializationException", "Expected a string for " + field + ".");
            }
            return n.asText();
        }

        String requiredString(String field) {
            String value = string(field);
            if (value == null) {
                throw missing(field);
            }
            return value;
        }

        Boolean bool(String field) {
            JsonNode n = node.get(field);
            if (n == null || n.isNull()) {
                return null;
            }
            if (!n.isBoolean()) {
                throw AwsError.of("SerializationException", "Expected a boolean for " + field + ".");
            }
            return n.asBoolean();
        }

        boolean bool(String field, boolean defaultValue) {
            Boolean b = bool(field);
            return b == null ? defaultValue : b;
        }

        Long number(String field) {
            JsonNode n = node.get(field);
            if (n == null || n.isNull()) {
                return null;
            }
            if (!n.isNumber()) {
                throw AwsError.of("SerializationException", "Expected a number for " + field + ".");
            }
            return n.asLong();
        }

        byte[] blob(String field) {
            String b64 = string(field);
            if (b64 == null) {
                return null;
            }
            try {
                return Base64.getDecoder().decode(b64);
            } catch (IllegalArgumentException e) {
                throw AwsError.of("SerializationException", "Invalid base64 for " + field + ".");
            }
        }

        /** A list of strings, or null when absent. */
        List<String> strings(String field) {
            JsonNode n = node.get(field);
            if (n == null || n.isNull()) {
                return null;
            }
            if (!n.isArray()) {
                throw AwsError.of("SerializationException", "Expected a list for " + field + ".");
            }
            List<String> out = new ArrayList<>();
            n.forEach(e -> out.add(e.asText()));
            return out;
        }

        /** A structure, or null when absent. */
        Input object(String field) {
            JsonNode n = node.get(field);
            if (n == null || n.isNull()) {
                return null;
            }
            if (!n.isObject()) {
                throw AwsError.of("SerializationException", "Expected a structure for " + field + ".");
            }
            return new Input((ObjectNode) n);
        }

        /** A list of structures, or an empty list when absent. */
        List<Input> objects(String field) {
            JsonNode n = node.get(field);
            if (n == null || n.isNull()) {
                return List.of();
            }
            if (!n.isArray()) {
                throw AwsError.of("SerializationException", "Expected a list for " + field + ".");
            }
            List<Input> out = new ArrayList<>();
            n.forEach(e -> {
                if (!e.isObject()) {
                    throw AwsError.of("SerializationException", "Expected a structure in " + field + ".");
                }
                out.add(new Input((ObjectNode) e));
            });
            return out;
        }

        static AwsError missing(String field) {
            String member = Character.toLowerCase(field.charAt(0)) + field.substring(1);
            return AwsError.of("ValidationException", "1 validation error detected: Value null at '" + member
                    + "' failed to satisfy constraint: Member must not be null");
        }

        @Override
        public String toString() {
            List<String> names = new ArrayList<>();
            node.fieldNames().forEachRemaining(names::add);
            return "Input" + names;
        }
    }
}
