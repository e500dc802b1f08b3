package io.elasticci.buildkite.token.buildkite;

import java.util.regex.Pattern;

/** Where cluster agent tokens live: an organization (its slug) and one of its clusters (its UUID). */
public record ClusterTokenRef(String organization, String clusterId) {

    // Both end up as URL path segments: anything that could leave its segment is refused, not encoded.
    private static final Pattern SEGMENT = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,99}");

    public ClusterTokenRef {
        segment("organization", organization);
        segment("clusterId", clusterId);
    }

    /** The value, when it is safe as one URL path segment; otherwise IllegalArgumentException. */
    static String segment(String what, String value) {
        if (value == null || !SEGMENT.matcher(value).matches()) {
            throw new IllegalArgumentException(what + " must match " + SEGMENT + ": " + value);
        }
        return value;
    }

    /** The collection's path below the API's base URL. */
    String tokensPath() {
        return "/v2/organizations/" + organization + "/clusters/" + clusterId + "/tokens";
    }

    @Override
    public String toString() {
        return organization + "/" + clusterId;
    }
}
