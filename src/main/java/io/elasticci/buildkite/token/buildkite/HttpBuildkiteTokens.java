package io.elasticci.buildkite.token.buildkite;

import java.net.URI;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import com.fasterxml.jackson.databind.JsonNode;

import io.elasticci.buildkite.token.aws.SecretValue;
import io.elasticci.buildkite.token.config.OperatorConfig;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.config.Secret;

/**
 * {@link BuildkiteTokens} over Buildkite's REST API ({@code /v2/organizations/{org}/clusters/{cluster}/tokens}), with
 * the JDK's HTTP client. A CDI bean configured by {@code bkat.buildkite.*}; the public constructor serves tests and
 * tools without CDI.
 */
@ApplicationScoped
public class HttpBuildkiteTokens implements BuildkiteTokens {

    /** Buildkite's largest page: the fewest calls against the rate limit. */
    static final int PER_PAGE = 100;
    /** 10,000 tokens: a list whose next link never ends cannot hold a thread forever. */
    static final int MAX_PAGES = 100;

    private final BuildkiteApi api;
    private final URI baseUrl;

    @Inject
    public HttpBuildkiteTokens(OperatorConfig config, BuildkiteRateLimits limits, MeterRegistry registry, Clock clock,
            Sleeper sleeper) {
        this(BuildkiteSettings.from(config.buildkite()), apiToken(config.buildkite()), limits, registry, clock,
                sleeper);
    }

    /**
     * The configured API token. SmallRye answers an unset {@code Optional<Secret<String>>} with a Secret holding
     * null, not with an empty Optional.
     */
    static Optional<SecretValue> apiToken(OperatorConfig.Buildkite config) {
        return config.apiToken().map(Secret::get).filter(token -> !token.isBlank()).map(SecretValue::of);
    }

    /** {@code apiToken} empty: every call fails as unauthorized without reaching Buildkite. */
    public HttpBuildkiteTokens(BuildkiteSettings settings, Optional<SecretValue> apiToken, BuildkiteRateLimits limits,
            MeterRegistry registry, Clock clock, Sleeper sleeper) {
        this.baseUrl = settings.baseUrl();
        this.api = new BuildkiteApi(settings, apiToken.orElse(null), limits, new BuildkiteMetrics(registry), clock,
                sleeper);
    }

    @Override
    public MintedToken create(ClusterTokenRef cluster, TokenRequest request) {
        BuildkiteApi.Answer answer = api.send(new BuildkiteApi.Request("createToken", cluster, "POST",
                uri(cluster.tokensPath()), TokenJson.creation(request), false));
        return read(answer, "createToken", cluster, body -> new MintedToken(TokenJson.token(body),
                TokenJson.value(body)));
    }

    @Override
    public List<ClusterToken> list(ClusterTokenRef cluster) {
        List<ClusterToken> tokens = new ArrayList<>();
        Optional<URI> page = Optional.of(uri(cluster.tokensPath() + "?per_page=" + PER_PAGE));
        for (int pages = 0; page.isPresent(); pages++) {
            if (pages == MAX_PAGES) {
                throw BuildkiteErrors.unreadable("listTokens", cluster, 200, "more than " + MAX_PAGES + " pages");
            }
            BuildkiteApi.Answer answer = api.send(new BuildkiteApi.Request("listTokens", cluster, "GET", page.get(),
                    null, true));
            tokens.addAll(read(answer, "listTokens", cluster, TokenJson::tokens));
            page = LinkHeader.next(answer.headers(), answer.uri());
            if (page.isPresent() && !sameOrigin(page.get())) {
                // the bearer token goes only where it was configured to go
                throw BuildkiteErrors.unreadable("listTokens", cluster, 200, "the next page is not on " + baseUrl);
            }
        }
        return tokens;
    }

    @Override
    public Optional<ClusterToken> get(ClusterTokenRef cluster, String tokenId) {
        try {
            BuildkiteApi.Answer answer = api.send(new BuildkiteApi.Request("getToken", cluster, "GET",
                    tokenUri(cluster, tokenId), null, true));
            return Optional.of(read(answer, "getToken", cluster, TokenJson::token));
        } catch (BuildkiteFailure e) {
            if (e.kind() == BuildkiteFailure.Kind.NOT_FOUND) {
                return Optional.empty();
            }
            throw e;
        }
    }

    @Override
    public ClusterToken updateDescription(ClusterTokenRef cluster, String tokenId, String description) {
        if (description == null || description.isBlank()) {
            throw new IllegalArgumentException("a token needs a description");
        }
        return update(cluster, tokenId, TokenJson.description(description));
    }

    @Override
    public ClusterToken updateAllowedIpAddresses(ClusterTokenRef cluster, String tokenId, List<String> cidrs) {
        Cidrs.checkSendable(cidrs);
        return update(cluster, tokenId, TokenJson.allowedIpAddresses(cidrs));
    }

    @Override
    public Revocation revoke(ClusterTokenRef cluster, String tokenId) {
        try {
            api.send(new BuildkiteApi.Request("revokeToken", cluster, "DELETE", tokenUri(cluster, tokenId), null,
                    true));
            return Revocation.REVOKED;
        } catch (BuildkiteFailure e) {
            if (e.kind() == BuildkiteFailure.Kind.NOT_FOUND) {
                return Revocation.ALREADY_GONE;
            }
            throw e;
        }
    }

    private ClusterToken update(ClusterTokenRef cluster, String tokenId, String json) {
        BuildkiteApi.Answer answer = api.send(new BuildkiteApi.Request("updateToken", cluster, "PUT",
                tokenUri(cluster, tokenId), json, true));
        return read(answer, "updateToken", cluster, TokenJson::token);
    }

    /** The answer's JSON as {@code reader} reads it; an answer that is not what the API documents is a failure. */
    private static <T> T read(BuildkiteApi.Answer answer, String operation, ClusterTokenRef cluster,
            Function<JsonNode, T> reader) {
        JsonNode body = TokenJson.tree(answer.body());
        try {
            if (body != null) {
                return reader.apply(body);
            }
        } catch (IllegalArgumentException e) {
            // reported below, without the body: a create's holds the new value
        }
        throw BuildkiteErrors.unreadable(operation, cluster, answer.status(),
                "the answer is not the JSON the API documents");
    }

    private URI tokenUri(ClusterTokenRef cluster, String tokenId) {
        return uri(cluster.tokensPath() + "/" + ClusterTokenRef.segment("tokenId", tokenId));
    }

    private URI uri(String pathAndQuery) {
        String base = baseUrl.toString();
        return URI.create((base.endsWith("/") ? base.substring(0, base.length() - 1) : base) + pathAndQuery);
    }

    private boolean sameOrigin(URI uri) {
        return Objects.equals(uri.getScheme(), baseUrl.getScheme()) && Objects.equals(uri.getHost(), baseUrl.getHost())
                && uri.getPort() == baseUrl.getPort();
    }

    @Override
    public String toString() {
        return "HttpBuildkiteTokens[" + api + "]";
    }
}
