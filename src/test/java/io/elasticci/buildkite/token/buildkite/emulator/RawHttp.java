package io.elasticci.buildkite.token.buildkite.emulator;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;

/** Plain HTTP calls to the emulator, for tests of its wire contract (not through the operator's client). */
final class RawHttp {

    static final String TOKENS = "/v2/organizations/" + BuildkiteEmulator.ORGANIZATION + "/clusters/"
            + BuildkiteEmulator.CLUSTER + "/tokens";

    private final HttpClient http = HttpClient.newHttpClient();
    private final URI endpoint;

    RawHttp(URI endpoint) {
        this.endpoint = endpoint;
    }

    /** {@code apiToken} null: no Authorization header; {@code json} null: no body. */
    HttpResponse<String> send(String method, String pathAndQuery, String apiToken, String json) throws IOException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(endpoint + pathAndQuery))
                .method(method, json == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(json));
        if (apiToken != null) {
            request.header("Authorization", "Bearer " + apiToken);
        }
        if (json != null) {
            request.header("Content-Type", "application/json");
        }
        try {
            return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    /** The same, as the seeded API token. */
    HttpResponse<String> call(String method, String pathAndQuery, String json) throws IOException {
        return send(method, pathAndQuery, BuildkiteEmulator.API_TOKEN, json);
    }

    static JsonNode json(HttpResponse<String> response) {
        try {
            return Reply.JSON.readTree(response.body());
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Creates a token with this description and returns its JSON (with the value). */
    JsonNode create(String description) throws IOException {
        HttpResponse<String> response = call("POST", TOKENS, "{\"description\":\"" + description + "\"}");
        if (response.statusCode() != 201) {
            throw new IllegalStateException("create answered " + response.statusCode());
        }
        return json(response);
    }
}
