package io.elasticci.buildkite.token.emulator;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/** An HTTP response to send. toString leaves the body out (it may hold a secret value). */
record RawResponse(int status, String contentType, byte[] body, Map<String, String> headers) {

    RawResponse {
        headers = Map.copyOf(headers);
    }

    static RawResponse of(int status, String contentType, String body, String requestId) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("x-amzn-RequestId", requestId);
        return new RawResponse(status, contentType, body.getBytes(StandardCharsets.UTF_8), headers);
    }

    RawResponse withHeader(String name, String value) {
        Map<String, String> h = new LinkedHashMap<>(headers);
        h.put(name, value);
        return new RawResponse(status, contentType, body, h);
    }

    @Override
    public String toString() {
        return "RawResponse[" + status + ", " + body.length + " bytes]";
    }
}
