package dev.specd.trainer.pretrain;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Recognises source files that are data written as code: charset mapping tables, locale data,
 * translated message bundles, entity tables. Their text is mostly character escapes (backslash, u
 * and four hex digits, or backslash, x and two), which would fill the vocabulary with escape
 * fragments and the model with tables instead of code.
 */
final class DataTables {

    /** Escapes take up over 2% of such files and well under 1% of hand-written code. */
    static final double MAX_ESCAPE_SHARE = 0.02;

    private static final Pattern ESCAPE = Pattern.compile("\\\\u[0-9A-Fa-f]{4}|\\\\x[0-9A-Fa-f]{2}");

    private DataTables() {}

    static boolean isEscapedTable(String source) {
        long escaped = 0;
        Matcher escapes = ESCAPE.matcher(source);
        while (escapes.find()) {
            escaped += escapes.end() - escapes.start();
        }
        return escaped > MAX_ESCAPE_SHARE * source.length();
    }
}
