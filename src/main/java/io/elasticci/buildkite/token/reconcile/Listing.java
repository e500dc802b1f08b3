package io.elasticci.buildkite.token.reconcile;

import java.util.List;

/** A list in a condition message: the first few, and how many more, so a message stays readable and bounded. */
public final class Listing {

    static final int MAX_LISTED = 5;

    private Listing() {
    }

    /** "a, b, c, d, e and 2 more". */
    public static String firstFew(List<String> items) {
        String listed = String.join(", ", items.subList(0, Math.min(MAX_LISTED, items.size())));
        return items.size() > MAX_LISTED ? listed + " and " + (items.size() - MAX_LISTED) + " more" : listed;
    }
}
