package io.elasticci.buildkite.token.buildkite;

import java.util.Arrays;
import java.util.List;

/**
 * Buildkite keeps a token's allowed IP addresses as one string of space-separated CIDRs. Whether each CIDR is valid is
 * Buildkite's to say (422); this only keeps a list from changing meaning when it is joined.
 */
final class Cidrs {

    private Cidrs() {
    }

    static void checkSendable(List<String> cidrs) {
        for (String cidr : cidrs) {
            if (cidr == null || cidr.isEmpty() || cidr.chars().anyMatch(Character::isWhitespace)) {
                throw new IllegalArgumentException("a CIDR must be one non-empty word: '" + cidr + "'");
            }
        }
    }

    static String join(List<String> cidrs) {
        return String.join(" ", cidrs);
    }

    static List<String> split(String cidrs) {
        return cidrs == null || cidrs.isBlank() ? List.of() : Arrays.asList(cidrs.trim().split("\\s+"));
    }
}
