package io.elasticci.buildkite.token.buildkite.emulator;

import java.net.URI;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.elasticci.buildkite.token.buildkite.emulator.ClusterTokens.StoredToken;

/**
 * The cluster token endpoints of Buildkite's REST API: which operation a request calls, and the answer in Buildkite's
 * JSON. The value of a token is in the answer to its creation only.
 */
final class TokenRoutes {

    private static final Pattern PATH =
            Pattern.compile("/v2/organizations/([^/]+)/clusters/([^/]+)/tokens(?:/([^/]+))?/?");

    /** A request matched to an operation, with what the path names and the scope the operation needs. */
    record Route(String operation, String organization, String clusterId, String tokenId) {

        String scope() {
            return operation.equals("listTokens") || operation.equals("getToken") ? ApiAccess.READ_CLUSTERS
                    : ApiAccess.WRITE_CLUSTERS;
        }
    }

    /** Buildkite's timestamps: UTC with milliseconds. */
    private static final DateTimeFormatter TIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

    private final ClusterTokens tokens;

    TokenRoutes(ClusterTokens tokens) {
        this.tokens = tokens;
    }

    static Optional<Route> route(String method, String path) {
        Matcher m = PATH.matcher(path);
        if (!m.matches()) {
            return Optional.empty();
        }
        String operation = m.group(3) == null
                ? switch (method) {
                    case "GET" -> "listTokens";
                    case "POST" -> "createToken";
                    default -> null;
                }
                : switch (method) {
                    case "GET" -> "getToken";
                    case "PUT", "PATCH" -> "updateToken";
                    case "DELETE" -> "revokeToken";
                    default -> null;
                };
        return Optional.ofNullable(operation).map(op -> new Route(op, m.group(1), m.group(2), m.group(3)));
    }

    /** The answer to an authorized call; ApiError for an error answer. */
    Reply answer(Route route, ApiRequest request, String user, URI endpoint) {
        String org = route.organization();
        String cluster = route.clusterId();
        return switch (route.operation()) {
            case "createToken" -> {
                JsonNode body = body(request);
                ClusterTokens.Minted minted = tokens.create(org, cluster, text(body, "description"),
                        instant(body, "expires_at"), cidrs(body), user);
                yield Reply.json(201, json(minted.token(), endpoint).put("token", minted.value()));
            }
            case "listTokens" -> {
                String url = endpoint + request.path();
                Pagination.Page<StoredToken> page = Pagination.page(tokens.tokens(org, cluster), request.query(), url);
                ArrayNode items = Reply.JSON.createArrayNode();
                page.items().forEach(t -> items.add(json(t, endpoint)));
                Reply reply = Reply.json(200, items);
                yield page.link() == null ? reply : reply.withHeaders(Map.of("Link", page.link()));
            }
            case "getToken" -> Reply.json(200, json(tokens.get(org, cluster, route.tokenId()), endpoint));
            case "updateToken" -> {
                JsonNode body = body(request);
                yield Reply.json(200, json(tokens.update(org, cluster, route.tokenId(), text(body, "description"),
                        cidrs(body)), endpoint));
            }
            case "revokeToken" -> {
                tokens.revoke(org, cluster, route.tokenId());
                yield Reply.empty(204);
            }
            default -> throw new IllegalStateException("no handler for " + route.operation());
        };
    }

    private static ObjectNode json(StoredToken token, URI endpoint) {
        ObjectNode node = Reply.JSON.createObjectNode()
                .put("id", token.id())
                .put("graphql_id", token.graphqlId())
                .put("description", token.description())
                .put("allowed_ip_addresses", token.allowedIpAddresses())
                .put("url", endpoint + "/v2/organizations/" + token.organization() + "/clusters/"
                        + token.clusterId() + "/tokens/" + token.id())
                .put("created_at", TIME.format(token.createdAt()))
                .put("expires_at", token.expiresAt() == null ? null : TIME.format(token.expiresAt()));
        node.putObject("created_by").put("name", token.createdBy());
        return node;
    }

    private static JsonNode body(ApiRequest request) {
        try {
            JsonNode body = Reply.JSON.readTree(request.body() == null ? "" : request.body());
            if (body == null || !body.isObject()) {
                throw new ApiError(400, "Problems parsing JSON", List.of());
            }
            return body;
        } catch (JsonProcessingException e) {
            throw new ApiError(400, "Problems parsing JSON", List.of());
        }
    }

    private static String text(JsonNode body, String field) {
        JsonNode value = body.get(field);
        return value == null || value.isNull() ? null : value.asText();
    }

    private static Instant instant(JsonNode body, String field) {
        String value = text(body, field);
        try {
            return value == null ? null : OffsetDateTime.parse(value).toInstant();
        } catch (DateTimeParseException e) {
            throw ApiError.invalid("Expires at is not a valid ISO 8601 time");
        }
    }

    /** One string of space-separated CIDRs (design fact 9): a JSON list is refused, as Buildkite does. */
    private static String cidrs(JsonNode body) {
        JsonNode value = body.get("allowed_ip_addresses");
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isTextual()) {
            throw ApiError.invalid("Allowed ip addresses must be a string of space-separated CIDRs");
        }
        return value.asText();
    }
}
