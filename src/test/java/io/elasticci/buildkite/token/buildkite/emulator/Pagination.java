package io.elasticci.buildkite.token.buildkite.emulator;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Buildkite's list paging: {@code page} (from 1) and {@code per_page} (default 30, at most 100), and an RFC 8288
 * {@code Link} header with first, prev, next and last where they apply.
 */
final class Pagination {

    static final int DEFAULT_PER_PAGE = 30;
    static final int MAX_PER_PAGE = 100;

    /** One page, and its Link header (null when everything fits on one page). */
    record Page<T>(List<T> items, String link) {
    }

    private Pagination() {
    }

    static <T> Page<T> page(List<T> all, Map<String, String> query, String url) {
        int perPage = Math.min(MAX_PER_PAGE, Math.max(1, number(query.get("per_page"), DEFAULT_PER_PAGE)));
        int last = Math.max(1, (all.size() + perPage - 1) / perPage);
        int page = Math.max(1, number(query.get("page"), 1));
        List<T> items = page > last ? List.of()
                : all.subList((page - 1) * perPage, Math.min(all.size(), page * perPage));
        List<String> links = new ArrayList<>();
        if (page > 1) {
            links.add(link(url, 1, perPage, "first"));
            links.add(link(url, Math.min(page - 1, last), perPage, "prev"));
        }
        if (page < last) {
            links.add(link(url, page + 1, perPage, "next"));
            links.add(link(url, last, perPage, "last"));
        }
        return new Page<>(items, links.isEmpty() ? null : String.join(", ", links));
    }

    private static String link(String url, int page, int perPage, String rel) {
        return "<" + url + "?page=" + page + "&per_page=" + perPage + ">; rel=\"" + rel + "\"";
    }

    private static int number(String value, int otherwise) {
        try {
            return value == null ? otherwise : Integer.parseInt(value);
        } catch (NumberFormatException e) {
            return otherwise;
        }
    }
}
