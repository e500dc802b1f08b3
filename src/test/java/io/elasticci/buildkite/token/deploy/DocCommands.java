package io.elasticci.buildkite.token.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The shell commands a Markdown document gives: every line of its ```sh / ```bash blocks (comments and prompts
 * stripped, backslash continuations joined) and every inline `code` span that starts with a command this project's
 * docs use. Tests check each one, so a document cannot show a command nothing verifies.
 */
final class DocCommands {

    private static final Pattern BLOCK = Pattern.compile("```(sh|bash)\\n(.*?)```", Pattern.DOTALL);
    private static final Pattern INLINE = Pattern.compile("`((?:kubectl|mvn|java -jar|helm|aws|docker) [^`]+)`");

    private DocCommands() {
    }

    static List<String> of(Path document) {
        String text;
        try {
            text = Files.readString(document);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<String> commands = new ArrayList<>();
        Matcher blocks = BLOCK.matcher(text);
        while (blocks.find()) {
            String joined = blocks.group(2).replaceAll("\\\\\\n\\s*", " ");
            joined.lines().map(DocCommands::withoutComment).filter(l -> !l.isEmpty()).forEach(commands::add);
        }
        Matcher inline = INLINE.matcher(BLOCK.matcher(text).replaceAll(""));
        while (inline.find()) {
            commands.add(inline.group(1).strip());
        }
        return commands;
    }

    /** The command without a trailing comment (a '#' after whitespace, outside quotes) or a leading "$ ". */
    static String withoutComment(String line) {
        String l = line.strip();
        if (l.startsWith("#")) {
            return "";
        }
        if (l.startsWith("$ ")) {
            l = l.substring(2);
        }
        boolean quoted = false;
        for (int i = 0; i < l.length(); i++) {
            char c = l.charAt(i);
            if (c == '"' || c == '\'') {
                quoted = !quoted;
            } else if (c == '#' && !quoted && i > 0 && Character.isWhitespace(l.charAt(i - 1))) {
                return l.substring(0, i).strip();
            }
        }
        return l;
    }

    /** The command's words: split at whitespace outside quotes (quotes and $(...) kept as written). */
    static List<String> words(String command) {
        List<String> words = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        char quote = 0;
        for (char c : command.strip().toCharArray()) {
            if (quote == 0 && (c == '"' || c == '\'')) {
                quote = c;
            } else if (c == quote) {
                quote = 0;
            }
            if (quote == 0 && Character.isWhitespace(c)) {
                if (!word.isEmpty()) {
                    words.add(word.toString());
                    word.setLength(0);
                }
            } else {
                word.append(c);
            }
        }
        if (!word.isEmpty()) {
            words.add(word.toString());
        }
        return words;
    }
}
