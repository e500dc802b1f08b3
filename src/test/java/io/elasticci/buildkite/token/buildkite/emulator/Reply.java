package io.elasticci.buildkite.token.buildkite.emulator;

import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** An answer to send: status, headers, JSON body (null for none). toString leaves the body out (it may hold a value). */
record Reply(int status, Map<String, String> headers, JsonNode body) {

    static final ObjectMapper JSON = new ObjectMapper();

    Reply {
        headers = Map.copyOf(headers);
    }

    static Reply json(int status, JsonNode body) {
        return new Reply(status, Map.of(), body);
    }

    static Reply empty(int status) {
        return new Reply(status, Map.of(), null);
    }

    /** Buildkite's error shape: {@code {"message": …}}. */
    static Reply error(int status, String message) {
        return json(status, JSON.createObjectNode().put("message", message));
    }

    static Reply error(ApiError error) {
        ObjectNode body = JSON.createObjectNode().put("message", error.getMessage());
        if (!error.errors().isEmpty()) {
            error.errors().forEach(body.putArray("errors")::add);
        }
        return json(error.status(), body);
    }

    Reply withHeaders(Map<String, String> more) {
        Map<String, String> all = new LinkedHashMap<>(headers);
        all.putAll(more);
        return new Reply(status, all, body);
    }

    @Override
    public String toString() {
        return "Reply[" + status + "]";
    }
}
