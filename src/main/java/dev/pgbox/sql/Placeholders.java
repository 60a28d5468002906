package dev.pgbox.sql;

import java.util.ArrayList;
import java.util.List;

/**
 * Finds the parameters {@code $1, $2, ...} in a SQL text the way the server's lexer does: not inside
 * '...' literals, "..." identifiers, $tag$ dollar quotes or comments. {@link #inline} replaces each
 * with its value as a literal (for psql, which cannot bind); {@link #positional} turns them into
 * JDBC's {@code ?} with the values in order of appearance.
 */
public final class Placeholders {
    private Placeholders() {
    }

    /** A text with its parameters in order of appearance: the SQL with ? marks, and each mark's value. */
    public record Bound(String sql, List<Object> values) {
    }

    /** The SQL with every {@code $n} replaced by {@link #literal} of {@code params[n-1]}. */
    public static String inline(String sql, Object... params) {
        StringBuilder out = new StringBuilder(sql.length() + 16 * params.length);
        scan(sql, params, (n, value) -> out.append(literal(value)), out);
        return out.toString();
    }

    /** The SQL with every {@code $n} replaced by {@code ?}, and the values in the order the marks appear. */
    public static Bound positional(String sql, Object... params) {
        StringBuilder out = new StringBuilder(sql.length());
        List<Object> values = new ArrayList<>();
        scan(sql, params, (n, value) -> {
            out.append('?');
            values.add(value);
        }, out);
        return new Bound(out.toString(), values);
    }

    /** A value as SQL text: strings quoted, whole numbers and booleans as they are, null as NULL. */
    public static String literal(Object value) {
        if (value == null) {
            return "NULL";
        }
        if (value instanceof Integer || value instanceof Long || value instanceof Short) {
            return value.toString();
        }
        if (value instanceof Boolean b) {
            return b ? "true" : "false";
        }
        if (value instanceof String || value instanceof Character || value instanceof java.time.temporal.Temporal
                || value instanceof java.nio.file.Path) {
            return SqlText.literal(value.toString());
        }
        throw new IllegalArgumentException("no SQL literal for a " + value.getClass().getName());
    }

    private interface Sink {
        void param(int n, Object value);
    }

    private static void scan(String sql, Object[] params, Sink sink, StringBuilder out) {
        boolean[] used = new boolean[params.length];
        int i = 0;
        int len = sql.length();
        while (i < len) {
            char c = sql.charAt(i);
            int end;
            if (c == '\'' || c == '"') {
                end = orEnd(ScriptGuard.skipQuoted(sql, i, c), len);
            } else if (c == '-' && i + 1 < len && sql.charAt(i + 1) == '-') {
                end = sql.indexOf('\n', i);
                end = end < 0 ? len : end;
            } else if (c == '/' && i + 1 < len && sql.charAt(i + 1) == '*') {
                end = orEnd(ScriptGuard.skipBlockComment(sql, i), len);
            } else if (c == '$' && i + 1 < len && Character.isDigit(sql.charAt(i + 1)) && !identChar(sql, i - 1)) {
                int j = i + 1;
                while (j < len && Character.isDigit(sql.charAt(j))) {
                    j++;
                }
                int n = Integer.parseInt(sql.substring(i + 1, j));
                if (n < 1 || n > params.length) {
                    throw new IllegalArgumentException("$" + n + " has no value (" + params.length + " given)");
                }
                used[n - 1] = true;
                sink.param(n, params[n - 1]);
                i = j;
                continue;
            } else if (c == '$' && !identChar(sql, i - 1)) {
                String tag = ScriptGuard.dollarTag(sql, i);
                if (tag == null) {
                    out.append(c);
                    i++;
                    continue;
                }
                int close = sql.indexOf(tag, i + tag.length());
                end = close < 0 ? len : close + tag.length();
            } else {
                out.append(c);
                i++;
                continue;
            }
            out.append(sql, i, end);
            i = end;
        }
        for (int k = 0; k < used.length; k++) {
            if (!used[k]) {
                throw new IllegalArgumentException("the value for $" + (k + 1) + " is not used in the SQL");
            }
        }
    }

    /** An unclosed quote or comment runs to the end of the text, as the server would read it. */
    private static int orEnd(int index, int len) {
        return index < 0 ? len : index;
    }

    private static boolean identChar(String sql, int i) {
        if (i < 0) {
            return false;
        }
        char c = sql.charAt(i);
        return Character.isLetterOrDigit(c) || c == '_' || c == '$';
    }
}
