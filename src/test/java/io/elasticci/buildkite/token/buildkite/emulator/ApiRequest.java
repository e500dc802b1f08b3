package io.elasticci.buildkite.token.buildkite.emulator;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/** A request as received. toString leaves out the Authorization header and the body. */
record ApiRequest(String method, String path, Map<String, String> query, String authorization, String body) {

    static ApiRequest of(String method, String path, String rawQuery, String authorization, String body) {
        Map<String, String> query = new LinkedHashMap<>();
        if (rawQuery != null) {
            for (String pair : rawQuery.split("&")) {
                int eq = pair.indexOf('=');
                if (eq > 0) {
                    query.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                            URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
                }
            }
        }
        return new ApiRequest(method, path, Map.copyOf(query), authorization, body);
    }

    @Override
    public String toString() {
        return "ApiRequest[" + method + " " + path + "]";
    }
}
