package io.elasticci.buildkite.token.buildkite;

import java.net.URI;
import java.net.http.HttpHeaders;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The {@code rel="next"} target of an RFC 8288 {@code Link} header, as Buildkite pages its lists. */
final class LinkHeader {

    private static final Pattern LINK = Pattern.compile("<([^>]*)>([^<]*)");
    private static final Pattern REL = Pattern.compile("rel\\s*=\\s*\"?([^\";,]*)\"?");

    private LinkHeader() {
    }

    /** The next page, resolved against the page just read; empty on the last page. */
    static Optional<URI> next(HttpHeaders headers, URI current) {
        for (String header : headers.allValues("Link")) {
            Matcher link = LINK.matcher(header);
            while (link.find()) {
                Matcher rel = REL.matcher(link.group(2));
                if (rel.find() && java.util.List.of(rel.group(1).trim().split("\\s+")).contains("next")) {
                    return Optional.of(current.resolve(link.group(1).trim()));
                }
            }
        }
        return Optional.empty();
    }
}
