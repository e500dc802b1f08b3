package io.elasticci.buildkite.token.buildkite;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import io.elasticci.buildkite.token.aws.SecretValue;
import io.elasticci.buildkite.token.config.OperatorConfig;

/**
 * Buildkite's two budgets (design fact 9), one limiter each, shared by every caller in the operator: per organization
 * (200 calls a minute) and per user, i.e. per API access token (50 a minute, the tighter one).
 */
@ApplicationScoped
public class BuildkiteRateLimits {

    private final int organizationPerMinute;
    private final int userPerMinute;
    private final Map<String, BudgetLimiter> organizations = new ConcurrentHashMap<>();
    /** By a digest of the API token: the map never holds the token itself. */
    private final Map<String, BudgetLimiter> users = new ConcurrentHashMap<>();

    @Inject
    public BuildkiteRateLimits(OperatorConfig config) {
        this(config.buildkite().organizationRequestsPerMinute(), config.buildkite().userRequestsPerMinute());
    }

    public BuildkiteRateLimits(int organizationPerMinute, int userPerMinute) {
        this.organizationPerMinute = organizationPerMinute;
        this.userPerMinute = userPerMinute;
    }

    BudgetLimiter organization(String organization) {
        return organizations.computeIfAbsent(organization, o -> new BudgetLimiter(organizationPerMinute));
    }

    BudgetLimiter user(SecretValue apiToken) {
        return users.computeIfAbsent(digest(apiToken), u -> new BudgetLimiter(userPerMinute));
    }

    private static String digest(SecretValue apiToken) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(apiToken.bytes()));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }

    @Override
    public String toString() {
        return "BuildkiteRateLimits[organization " + organizationPerMinute + "/min, user " + userPerMinute + "/min]";
    }
}
