package dev.specd.trainer.pretrain;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Plain text from a man page written with the man(7) macros: headings and paragraphs kept as lines,
 * font and size changes, comments, macro definitions, conditionals and other typesetter requests
 * dropped, character escapes turned into the characters they print. Not a roff interpreter; enough
 * to train a language model on what man pages say.
 */
final class RoffText {

    /** Macros whose arguments are printed, joined by spaces. */
    private static final Set<String> TEXT_MACROS = Set.of("SH", "SS", "B", "I", "SM", "SB", "SY");
    /** Font-alternating macros: arguments printed without the spaces between them. */
    private static final Set<String> ALTERNATING_MACROS = Set.of("BI", "BR", "IB", "IR", "RB", "RI");
    /** Macros that start a paragraph: a blank line in the text. */
    private static final Set<String> PARAGRAPHS = Set.of("SH", "SS", "PP", "LP", "P", "sp");
    /** Blocks whose content is not prose: macro definitions, ignored text, equations. */
    private static final Map<String, String> SKIPPED_BLOCKS =
            Map.of("de", "..", "de1", "..", "am", "..", "ig", "..", "EQ", ".EN");

    private static final Map<String, String> GLYPHS = Map.ofEntries(
            Map.entry("em", "—"), Map.entry("en", "–"), Map.entry("hy", "-"), Map.entry("mi", "-"),
            Map.entry("bu", "•"), Map.entry("aq", "'"), Map.entry("dq", "\""), Map.entry("lq", "“"),
            Map.entry("rq", "”"), Map.entry("oq", "‘"), Map.entry("cq", "’"), Map.entry("co", "©"),
            Map.entry("rg", "®"), Map.entry("tm", "™"), Map.entry("mu", "×"), Map.entry("di", "÷"),
            Map.entry("de", "°"), Map.entry("pl", "+"), Map.entry("eq", "="), Map.entry(">=", "≥"),
            Map.entry("<=", "≤"), Map.entry("!=", "≠"), Map.entry("->", "→"), Map.entry("<-", "←"),
            Map.entry("ti", "~"), Map.entry("ha", "^"), Map.entry("rs", "\\"), Map.entry("sl", "/"),
            Map.entry("ba", "|"), Map.entry("or", "|"), Map.entry("ul", "_"), Map.entry("ru", "_"),
            Map.entry("ga", "`"), Map.entry("aa", "´"), Map.entry("at", "@"), Map.entry("sh", "#"),
            Map.entry("Do", "$"), Map.entry("Eu", "€"), Map.entry("Po", "£"), Map.entry("ct", "¢"),
            Map.entry("sc", "§"), Map.entry("ps", "¶"), Map.entry("dg", "†"), Map.entry("+-", "±"),
            Map.entry("lB", "["), Map.entry("rB", "]"), Map.entry("lC", "{"), Map.entry("rC", "}"),
            Map.entry("la", "⟨"), Map.entry("ra", "⟩"), Map.entry("Fo", "«"), Map.entry("Fc", "»"),
            Map.entry("12", "½"), Map.entry("14", "¼"), Map.entry("34", "¾"), Map.entry("if", "∞"),
            Map.entry("mc", "µ"), Map.entry("ss", "ß"), Map.entry("pc", "·"), Map.entry("**", "∗"),
            Map.entry(":a", "ä"), Map.entry(":o", "ö"), Map.entry(":u", "ü"), Map.entry(":A", "Ä"),
            Map.entry(":O", "Ö"), Map.entry(":U", "Ü"), Map.entry("'e", "é"), Map.entry("`e", "è"),
            Map.entry("^e", "ê"), Map.entry("~n", "ñ"), Map.entry(",c", "ç"), Map.entry("'a", "á"));

    /** Predefined strings of the man macros and of pod2man's preamble. */
    private static final Map<String, String> STRINGS = Map.ofEntries(
            Map.entry("lq", "“"), Map.entry("rq", "”"), Map.entry("R", "®"), Map.entry("Tm", "™"),
            Map.entry("Aq", "'"), Map.entry("C+", "C++"), Map.entry("L\"", "“"), Map.entry("R\"", "”"),
            Map.entry("PI", "π"));

    private RoffText() {}

    /** Empty for pages that only point at another ({@code .so}) and for mdoc(7) pages, a macro set of their own. */
    static Optional<String> toText(String roff) {
        List<String> out = new ArrayList<>();
        String skipUntil = null;
        boolean inTable = false;
        boolean inTableFormat = false;
        for (String line : joinContinuations(roff)) {
            if (skipUntil != null) {
                if (line.strip().startsWith(skipUntil)) {
                    skipUntil = null;
                }
                continue;
            }
            boolean control = line.startsWith(".") || line.startsWith("'");
            if (!control) {
                if (inTableFormat) {
                    inTableFormat = !line.strip().endsWith(".");
                    continue;
                }
                if (inTable) {
                    // Cells are separated by tabs; T{ and T} fence a cell spanning lines.
                    line = (line.startsWith("T{") || line.startsWith("T}") ? line.substring(2) : line).replace('\t', ' ').strip();
                    if (line.isEmpty()) {
                        continue;
                    }
                }
                out.add(unescape(line));
                continue;
            }
            String request = line.substring(1).stripLeading();
            if (request.startsWith("\\\"") || request.startsWith("\\#") || request.isEmpty()) {
                continue;
            }
            int space = indexOfWhitespace(request);
            String name = space < 0 ? request : request.substring(0, space);
            String arguments = space < 0 ? "" : request.substring(space + 1);
            switch (name) {
                case "so", "Dd" -> {
                    return Optional.empty();
                }
                case "TS" -> {
                    inTable = true;
                    inTableFormat = true;
                    continue;
                }
                case "TE" -> {
                    inTable = false;
                    inTableFormat = false;
                    continue;
                }
                default -> {}
            }
            if (SKIPPED_BLOCKS.containsKey(name)) {
                skipUntil = SKIPPED_BLOCKS.get(name);
                continue;
            }
            if (PARAGRAPHS.contains(name)) {
                out.add("");
            }
            List<String> words = arguments(arguments);
            if (words.isEmpty()) {
                continue;
            }
            if (TEXT_MACROS.contains(name)) {
                out.add(unescape(String.join(" ", words)));
            } else if (ALTERNATING_MACROS.contains(name)) {
                out.add(unescape(String.join("", words)));
            } else if (name.equals("IP")) {
                // The tag; a second argument is an indent.
                out.add(unescape(words.getFirst()));
            } else if (name.equals("OP")) {
                out.add("[" + unescape(String.join(" ", words)) + "]");
            }
        }
        return Optional.of(tidy(out));
    }

    /** A backslash at the end of a line joins it to the next. */
    private static List<String> joinContinuations(String roff) {
        List<String> lines = new ArrayList<>();
        StringBuilder pending = new StringBuilder();
        for (String line : roff.split("\r?\n", -1)) {
            int trailingBackslashes = 0;
            while (trailingBackslashes < line.length() && line.charAt(line.length() - 1 - trailingBackslashes) == '\\') {
                trailingBackslashes++;
            }
            if (trailingBackslashes % 2 == 1) {
                pending.append(line, 0, line.length() - 1);
            } else {
                lines.add(pending.append(line).toString());
                pending.setLength(0);
            }
        }
        return lines;
    }

    private static int indexOfWhitespace(String text) {
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) == ' ' || text.charAt(i) == '\t') {
                return i;
            }
        }
        return -1;
    }

    /** Macro arguments: space-separated, double quotes group ({@code ""} inside quotes is one quote). */
    private static List<String> arguments(String text) {
        List<String> words = new ArrayList<>();
        int i = 0;
        while (i < text.length()) {
            while (i < text.length() && (text.charAt(i) == ' ' || text.charAt(i) == '\t')) {
                i++;
            }
            if (i >= text.length()) {
                break;
            }
            StringBuilder word = new StringBuilder();
            if (text.charAt(i) == '"') {
                i++;
                while (i < text.length()) {
                    if (text.charAt(i) == '"') {
                        if (i + 1 < text.length() && text.charAt(i + 1) == '"') {
                            word.append('"');
                            i += 2;
                            continue;
                        }
                        i++;
                        break;
                    }
                    word.append(text.charAt(i++));
                }
            } else {
                while (i < text.length() && text.charAt(i) != ' ' && text.charAt(i) != '\t') {
                    if (text.charAt(i) == '\\' && i + 1 < text.length()) {
                        word.append(text.charAt(i++));
                    }
                    word.append(text.charAt(i++));
                }
            }
            words.add(word.toString());
        }
        return words;
    }

    /** Replaces roff escapes in a text line by what they print. */
    static String unescape(String line) {
        StringBuilder text = new StringBuilder(line.length());
        int i = 0;
        while (i < line.length()) {
            char c = line.charAt(i);
            if (c != '\\' || i + 1 >= line.length()) {
                text.append(c);
                i++;
                continue;
            }
            char escape = line.charAt(i + 1);
            i += 2;
            switch (escape) {
                case '"', '#' -> i = line.length();
                case 'e', '\\' -> text.append('\\');
                case '-', '.', '`', '\'' -> text.append(escape);
                case ' ', '~', '0' -> text.append(' ');
                case 't' -> text.append('\t');
                case '(' -> {
                    text.append(GLYPHS.getOrDefault(line.substring(i, Math.min(i + 2, line.length())), ""));
                    i += 2;
                }
                case '[' -> {
                    int close = line.indexOf(']', i);
                    int end = close < 0 ? line.length() : close;
                    text.append(namedGlyph(line.substring(i, end)));
                    i = end + 1;
                }
                case '*' -> {
                    Name name = name(line, i);
                    text.append(STRINGS.getOrDefault(name.value(), ""));
                    i = name.end();
                }
                case 'f', 'n', 'g', 'k', 'm', 'M', 'F', 'Y', 'V', '$' -> {
                    // Font, register, colour and argument references print nothing here.
                    int from = escape == 'n' && i < line.length() && (line.charAt(i) == '+' || line.charAt(i) == '-') ? i + 1 : i;
                    i = name(line, from).end();
                }
                case 's' -> i = sizeEnd(line, i);
                case 'h', 'v', 'w', 'l', 'L', 'o', 'X', 'D', 'Z', 'b', 'x', 'N', 'R', 'A', 'B', 'C' -> {
                    // Motions, drawing and tests take a delimited argument (\h'1m'); skip it.
                    if (i < line.length()) {
                        int close = line.indexOf(line.charAt(i), i + 1);
                        i = close < 0 ? line.length() : close + 1;
                    }
                }
                case '&', ')', 'c', '%', ':', '/', ',', '|', '^', 'd', 'u', 'p', 'r', 'a', '{', '}', 'z' -> {
                    // Zero-width marks, hyphenation points, thin spaces and conditional braces.
                }
                default -> text.append(escape);
            }
        }
        return text.toString();
    }

    private record Name(String value, int end) {}

    /** An escape's name: {@code (xx}, {@code [long]} or one character. */
    private static Name name(String line, int at) {
        if (at >= line.length()) {
            return new Name("", at);
        }
        if (line.charAt(at) == '(') {
            int end = Math.min(at + 3, line.length());
            return new Name(line.substring(at + 1, end), end);
        }
        if (line.charAt(at) == '[') {
            int close = line.indexOf(']', at);
            int end = close < 0 ? line.length() : close;
            return new Name(line.substring(at + 1, end), Math.min(end + 1, line.length()));
        }
        return new Name(String.valueOf(line.charAt(at)), at + 1);
    }

    /** {@code \s+2}, {@code \s-1}, {@code \s0}, {@code \s12}, {@code \s(12}, {@code \s[12]}, {@code \s'12'}. */
    private static int sizeEnd(String line, int at) {
        int i = at;
        if (i < line.length() && (line.charAt(i) == '+' || line.charAt(i) == '-')) {
            i++;
        }
        if (i >= line.length()) {
            return i;
        }
        char c = line.charAt(i);
        if (c == '(' || c == '[') {
            return name(line, i).end();
        }
        if (c == '\'') {
            int close = line.indexOf('\'', i + 1);
            return close < 0 ? line.length() : close + 1;
        }
        // One digit, or two when the first is 1 to 3 (roff reads \s12 as size 12, \s5 as 5).
        if (Character.isDigit(c)) {
            i++;
            if (c >= '1' && c <= '3' && i < line.length() && Character.isDigit(line.charAt(i))) {
                i++;
            }
        }
        return i;
    }

    /** {@code \[em]}, or {@code \[u00E9]} / {@code \[u0065_0301]} by code point. */
    private static String namedGlyph(String name) {
        if (name.matches("u[0-9A-Fa-f]{4,6}(_[0-9A-Fa-f]{4,6})*")) {
            StringBuilder text = new StringBuilder();
            for (String hex : name.substring(1).split("_")) {
                text.appendCodePoint(Integer.parseInt(hex, 16));
            }
            return text.toString();
        }
        return GLYPHS.getOrDefault(name, "");
    }

    /** Trailing spaces off, at most one blank line in a row, none at the ends. */
    private static String tidy(List<String> lines) {
        StringBuilder text = new StringBuilder();
        boolean blank = true;
        for (String line : lines) {
            String stripped = line.stripTrailing();
            if (stripped.isEmpty()) {
                if (!blank) {
                    text.append('\n');
                }
                blank = true;
                continue;
            }
            text.append(stripped).append('\n');
            blank = false;
        }
        return text.toString().strip() + "\n";
    }
}
