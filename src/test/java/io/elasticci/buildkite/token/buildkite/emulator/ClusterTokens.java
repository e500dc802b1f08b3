package io.elasticci.buildkite.token.buildkite.emulator;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * Buildkite's side of cluster agent tokens: organizations, their clusters, and the clusters' tokens, on the emulator's
 * clock. A token's value exists only in the answer to its creation; Buildkite (and this state) keeps a digest, enough
 * to tell whether an agent presenting a value could register ({@link #acceptsAgentToken}). Revoked tokens are gone.
 */
public final class ClusterTokens {

    /** Buildkite refuses an expiry closer than this at creation. */
    static final Duration MIN_LIFETIME = Duration.ofMinutes(10);
    private static final String ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

    /** A token as kept: no value, its digest. {@code expiresAt} null: never expires. */
    public record StoredToken(String id, String graphqlId, String organization, String clusterId, String description,
            String allowedIpAddresses, Instant createdAt, Instant expiresAt, String createdBy, String valueDigest) {

        StoredToken withDescription(String newDescription) {
            return new StoredToken(id, graphqlId, organization, clusterId, newDescription, allowedIpAddresses,
                    createdAt, expiresAt, createdBy, valueDigest);
        }

        StoredToken withAllowedIpAddresses(String cidrs) {
            return new StoredToken(id, graphqlId, organization, clusterId, description, cidrs, createdAt, expiresAt,
                    createdBy, valueDigest);
        }
    }

    /** A token just created and its value; toString leaves the value out. */
    record Minted(StoredToken token, String value) {

        @Override
        public String toString() {
            return "Minted[" + token.id() + "]";
        }
    }

    private final Clock clock;
    private final SecureRandom random = new SecureRandom();
    /** organization → cluster ID → token ID → token, in creation order. */
    private final Map<String, Map<String, LinkedHashMap<String, StoredToken>>> organizations = new HashMap<>();
    /** Token ID → the message a revoke of it answers with 422. */
    private final Map<String, String> refusedRevocations = new HashMap<>();
    private long created;

    ClusterTokens(Clock clock) {
        this.clock = clock;
    }

    /** Creates the organization too, when it is new. */
    public synchronized void addCluster(String organization, String clusterId) {
        organizations.computeIfAbsent(organization, o -> new HashMap<>())
                .computeIfAbsent(clusterId, c -> new LinkedHashMap<>());
    }

    /** From now on a revoke of this token answers 422 with this message (Buildkite: "cannot revoke"). */
    public synchronized void refuseRevocation(String tokenId, String message) {
        refusedRevocations.put(tokenId, message);
    }

    /** Every token of the cluster, oldest first. */
    public synchronized List<StoredToken> tokens(String organization, String clusterId) {
        return new ArrayList<>(cluster(organization, clusterId).values());
    }

    /** Whether a new agent could register with this value: a token that is neither revoked nor expired has it. */
    public synchronized boolean acceptsAgentToken(String value) {
        String digest = digest(value);
        Instant now = clock.instant();
        return organizations.values().stream().flatMap(c -> c.values().stream()).flatMap(t -> t.values().stream())
                .anyMatch(t -> t.valueDigest().equals(digest) && (t.expiresAt() == null || now.isBefore(t.expiresAt())));
    }

    synchronized boolean hasOrganization(String organization) {
        return organizations.containsKey(organization);
    }

    synchronized Minted create(String organization, String clusterId, String description, Instant expiresAt,
            String allowedIpAddresses, String user) {
        Map<String, StoredToken> tokens = cluster(organization, clusterId);
        Instant now = clock.instant();
        checkDescription(description);
        if (expiresAt != null && expiresAt.isBefore(now.plus(MIN_LIFETIME))) {
            throw ApiError.invalid("Expires at must be at least 10 minutes in the future");
        }
        String cidrs = allowedIpAddresses == null ? "0.0.0.0/0" : checkCidrs(allowedIpAddresses);
        String id = UUID.nameUUIDFromBytes(("cluster-token-" + ++created).getBytes(StandardCharsets.UTF_8)).toString();
        String value = "bkct_" + randomText(40);
        StoredToken token = new StoredToken(id, graphqlId(id), organization, clusterId, description, cidrs, now,
                expiresAt, user, digest(value));
        tokens.put(id, token);
        return new Minted(token, value);
    }

    synchronized StoredToken get(String organization, String clusterId, String tokenId) {
        return Optional.ofNullable(cluster(organization, clusterId).get(tokenId))
                .orElseThrow(() -> ApiError.notFound("token"));
    }

    /** Null leaves a field as it is; the expiry never changes. */
    synchronized StoredToken update(String organization, String clusterId, String tokenId, String description,
            String allowedIpAddresses) {
        StoredToken token = get(organization, clusterId, tokenId);
        if (description != null) {
            checkDescription(description);
            token = token.withDescription(description);
        }
        if (allowedIpAddresses != null) {
            token = token.withAllowedIpAddresses(checkCidrs(allowedIpAddresses));
        }
        cluster(organization, clusterId).put(tokenId, token);
        return token;
    }

    synchronized void revoke(String organization, String clusterId, String tokenId) {
        get(organization, clusterId, tokenId);
        String refusal = refusedRevocations.get(tokenId);
        if (refusal != null) {
            throw new ApiError(422, refusal, List.of());
        }
        cluster(organization, clusterId).remove(tokenId);
    }

    synchronized void clear() {
        organizations.clear();
        refusedRevocations.clear();
        created = 0;
    }

    private Map<String, StoredToken> cluster(String organization, String clusterId) {
        Map<String, LinkedHashMap<String, StoredToken>> clusters = organizations.get(organization);
        if (clusters == null) {
            throw ApiError.notFound("organization");
        }
        Map<String, StoredToken> tokens = clusters.get(clusterId);
        if (tokens == null) {
            throw ApiError.notFound("cluster");
        }
        return tokens;
    }

    private static void checkDescription(String description) {
        if (description == null || description.isBlank()) {
            throw ApiError.invalid("Description can't be blank");
        }
    }

    private static String checkCidrs(String cidrs) {
        List<String> each = List.of(cidrs.trim().split("\\s+"));
        if (cidrs.isBlank() || !each.stream().allMatch(Cidr::isValid)) {
            throw ApiError.invalid("Allowed ip addresses must be a space-separated list of valid CIDRs");
        }
        return String.join(" ", each);
    }

    private String randomText(int length) {
        StringBuilder text = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            text.append(ALPHABET.charAt(random.nextInt(ALPHABET.length())));
        }
        return text.toString();
    }

    private static String graphqlId(String id) {
        return Base64.getEncoder().encodeToString(("ClusterToken---" + id).getBytes(StandardCharsets.UTF_8));
    }

    static String digest(String value) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(value.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }

    @Override
    public synchronized String toString() {
        return "ClusterTokens" + organizations.keySet();
    }
}
