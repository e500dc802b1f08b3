package io.elasticci.buildkite.token.emulator;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * An HTTP request as received. Header names are lower case. Its body may hold a secret value: it is handed to the
 * service handler and dropped, never logged, never stored (toString leaves it out).
 */
final class RawRequest {

    private final String method;
    private final String path;
    private final String rawQuery;
    private final Map<String, String> headers;
    private final byte[] body;
    private Map<String, String> formParams;

    RawRequest(String method, String path, String rawQuery, Map<String, String> headers, byte[] body) {
        this.method = method;
        this.path = path;
        this.rawQuery = rawQuery;
        Map<String, String> lower = new LinkedHashMap<>();
        headers.forEach((k, v) -> lower.put(k.toLowerCase(Locale.ROOT), v));
        this.headers = Collections.unmodifiableMap(lower);
        this.body = body;
    }

    String method() {
        return method;
    }

    String path() {
        return path;
    }

    String header(String name) {
        return headers.get(name.toLowerCase(Locale.ROOT));
    }

    byte[] body() {
        return body;
    }

    /** Query-protocol parameters: the form-encoded body of a POST plus the URL's query string. */
    synchronized Map<String, String> formParams() {
        if (formParams == null) {
            Map<String, String> params = new LinkedHashMap<>();
            decodeInto(rawQuery, params);
            String contentType = header("content-type");
            if (body.length > 0 && (contentType == null || contentType.startsWith("application/x-www-form-urlencoded"))) {
                decodeInto(new String(body, StandardCharsets.UTF_8), params);
            }
            formParams = Collections.unmodifiableMap(params);
        }
        return formParams;
    }

    private static void decodeInto(String encoded, Map<String, String> into) {
        if (encoded == null || encoded.isEmpty()) {
            return;
        }
        for (String pair : encoded.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String key = eq < 0 ? pair : pair.substring(0, eq);
            String value = eq < 0 ? "" : pair.substring(eq + 1);
            into.put(URLDecoder.decode(key, StandardCharsets.UTF_8), URLDecoder.decode(value, StandardCharsets.UTF_8));
        }
    }

    @Override
    public String toString() {
        return "RawRequest[" + method + " " + path + ", body " + body.length + " bytes]";
    }
}
