package io.elasticci.buildkite.token.buildkite.emulator;

import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The API access tokens the emulator accepts. Each belongs to a user, reaches some organizations and has some
 * scopes. Unknown or missing tokens get 401; a token without the operation's scope 403; an organization it does not
 * reach 404, as on Buildkite.
 */
public final class ApiAccess {

    public static final String READ_CLUSTERS = "read_clusters";
    public static final String WRITE_CLUSTERS = "write_clusters";

    /** Who an API token is: its user, the organizations it reaches, its scopes. */
    public record Caller(String user, Set<String> organizations, Set<String> scopes) {

        public Caller {
            organizations = Set.copyOf(organizations);
            scopes = Set.copyOf(scopes);
        }
    }

    private final Map<String, Caller> byToken = new ConcurrentHashMap<>();

    public void grant(String apiToken, Caller caller) {
        byToken.put(Objects.requireNonNull(apiToken, "apiToken"), Objects.requireNonNull(caller, "caller"));
    }

    /** The token stops working (Buildkite: revoked or expired API token). */
    public void revoke(String apiToken) {
        byToken.remove(apiToken);
    }

    /** The caller of an {@code Authorization: Bearer …} header; empty for anything else. */
    Optional<Caller> authenticate(String authorization) {
        if (authorization == null || !authorization.startsWith("Bearer ")) {
            return Optional.empty();
        }
        return Optional.ofNullable(byToken.get(authorization.substring("Bearer ".length()).trim()));
    }

    /**
     * Whether the caller may call an operation needing {@code scope} in {@code organization}: 403 without the scope,
     * 404 for an organization the token does not reach (Buildkite does not confirm that it exists).
     */
    static void authorize(Caller caller, String organization, String scope) {
        if (!caller.organizations().contains(organization)) {
            throw ApiError.notFound("organization");
        }
        if (!caller.scopes().contains(scope)) {
            throw new ApiError(403, "Your access token does not have the required scope: " + scope,
                    java.util.List.of());
        }
    }

    void clear() {
        byToken.clear();
    }

    @Override
    public String toString() {
        return "ApiAccess[" + byToken.size() + " tokens]";
    }
}
