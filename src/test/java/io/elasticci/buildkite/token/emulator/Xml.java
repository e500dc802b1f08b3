package io.elasticci.buildkite.token.emulator;

import java.time.Instant;
import java.time.temporal.ChronoUnit;

/** A tiny XML writer for query-protocol answers. Element text is escaped. */
final class Xml {

    private final StringBuilder out = new StringBuilder();

    Xml open(String tag) {
        out.append('<').append(tag).append('>');
        return this;
    }

    Xml open(String tag, String xmlns) {
        out.append('<').append(tag).append(" xmlns=\"").append(escape(xmlns)).append("\">");
        return this;
    }

    Xml close(String tag) {
        out.append("</").append(tag).append('>');
        return this;
    }

    /** {@code <tag>value</tag>}, or nothing when value is null. */
    Xml element(String tag, Object value) {
        if (value != null) {
            open(tag);
            out.append(escape(value instanceof Instant i ? timestamp(i) : value.toString()));
            close(tag);
        }
        return this;
    }

    Xml raw(String xml) {
        out.append(xml);
        return this;
    }

    boolean isEmpty() {
        return out.length() == 0;
    }

    /** ISO-8601 with milliseconds, as query services write timestamps. */
    static String timestamp(Instant instant) {
        return instant.truncatedTo(ChronoUnit.MILLIS).toString();
    }

    static String escape(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '&' -> b.append("&amp;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&apos;");
                case '\r' -> b.append("&#xD;");
                default -> b.append(c);
            }
        }
        return b.toString();
    }

    @Override
    public String toString() {
        return out.toString();
    }
}
