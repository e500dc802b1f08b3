package io.elasticci.buildkite.token.plan;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The durable link between a Buildkite token and the secret version that holds its value, kept in the token's
 * description: {@code bkat <namespace>/<name> [<owner hash>] rotation <id>}, then, once the value's version ID is
 * known and before it is written, {@code ... version <version ID>}. Buildkite keeps it however often the operator or
 * its status is lost, so a restarted operator or a re-created resource still knows which token is which.
 */
public final class TokenDescriptions {

    private static final Pattern FORMAT = Pattern.compile(
            "^bkat \\S+ \\[([0-9a-f]{12})] rotation ([0-9a-z-]{1,40})(?: version ([0-9a-f]{32,64}))?$");

    /** What a description of ours says. */
    public record Parsed(String rotationId, Optional<String> versionId) {
    }

    private TokenDescriptions() {
    }

    /** Twelve hex characters of SHA-256 of the owner (cluster/namespace/name): two clusters never share tokens. */
    public static String ownerHash(String owner) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(owner.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest).substring(0, 12);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The description a token gets at creation, before its value's version is known. */
    public static String pending(String namespacedName, String owner, String rotationId) {
        return "bkat " + namespacedName + " [" + ownerHash(owner) + "] rotation " + rotationId;
    }

    /** The description once the version that will hold the value is known. */
    public static String written(String namespacedName, String owner, String rotationId, String versionId) {
        return pending(namespacedName, owner, rotationId) + " version " + versionId;
    }

    /** The parts of a description this owner wrote; empty for anyone else's token. */
    public static Optional<Parsed> parse(String description, String owner) {
        if (description == null) {
            return Optional.empty();
        }
        Matcher m = FORMAT.matcher(description);
        if (!m.matches() || !m.group(1).equals(ownerHash(owner))) {
            return Optional.empty();
        }
        return Optional.of(new Parsed(m.group(2), Optional.ofNullable(m.group(3))));
    }
}
