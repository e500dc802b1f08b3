package io.elasticci.buildkite.token.reconcile;

/**
 * Text from a resource (or from AWS) as a condition message, an Event or a log line may show it: control, format and
 * line-separator characters written as escapes, so a value can neither break a line, hide text (a right-to-left
 * override) nor drive a terminal; values cut to a readable length, so a huge field cannot make a huge status.
 */
public final class Printable {

    /** Characters of a value shown; the rest is counted. */
    static final int MAX_VALUE = 64;
    /** Characters of a whole message (a Kubernetes condition message may hold 32768). */
    public static final int MAX_MESSAGE = 4096;

    private Printable() {
    }

    /** A value in quotes, escaped (backslashes too, so the escape is unambiguous), at most {@value #MAX_VALUE} long. */
    public static String quoted(Object value) {
        if (value == null) {
            return "null";
        }
        String text = String.valueOf(value);
        String shown = cut(text, MAX_VALUE);
        return "\"" + escape(shown, true) + "\"" + (shown.length() < text.length()
                ? "… (" + text.length() + " characters)" : "");
    }

    /** Text with its control, format and separator characters escaped; backslashes kept as they are. */
    public static String escaped(String text) {
        return text == null ? null : escape(text, false);
    }

    /** A whole message: escaped, at most {@value #MAX_MESSAGE} characters. */
    public static String message(String text) {
        if (text == null) {
            return null;
        }
        String escaped = escape(text, false);
        return escaped.length() <= MAX_MESSAGE ? escaped : cut(escaped, MAX_MESSAGE - 1) + "…";
    }

    /** Whether the text holds a character {@link #escaped} would rewrite. */
    public static boolean hasUnprintable(String text) {
        return text.codePoints().anyMatch(Printable::unprintable);
    }

    private static String escape(String text, boolean backslash) {
        StringBuilder out = new StringBuilder(text.length());
        text.codePoints().forEach(cp -> {
            switch (cp) {
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\\' -> out.append(backslash ? "\\\\" : "\\");
                default -> {
                    if (unprintable(cp)) {
                        out.append(String.format("\\u%04X", cp));
                    } else {
                        out.appendCodePoint(cp);
                    }
                }
            }
        });
        return out.toString();
    }

    private static boolean unprintable(int cp) {
        return switch (Character.getType(cp)) {
            case Character.CONTROL, Character.FORMAT, Character.LINE_SEPARATOR, Character.PARAGRAPH_SEPARATOR,
                    Character.SURROGATE, Character.UNASSIGNED -> true;
            default -> false;
        };
    }

    /** At most {@code max} characters, never splitting a surrogate pair. */
    private static String cut(String text, int max) {
        if (text.length() <= max) {
            return text;
        }
        int end = Character.isHighSurrogate(text.charAt(max - 1)) ? max - 1 : max;
        return text.substring(0, end);
    }
}
