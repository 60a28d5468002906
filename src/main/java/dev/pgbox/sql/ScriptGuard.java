package dev.pgbox.sql;

import dev.pgbox.ErrorKind;
import dev.pgbox.PgboxException;

/**
 * The last check before an administration script goes to psql: psql runs any line that starts with
 * a backslash as a meta-command ({@code \!} starts a shell, {@code \o} writes files, {@code \copy}
 * reads them), so a value that slipped into the script unquoted could run as root's postgres user.
 * This scans the script the way psql's lexer does (with standard-conforming strings, which
 * {@link AdminSql} forces) and refuses a backslash anywhere but inside a quoted literal, a quoted
 * identifier, a dollar-quoted string or a comment, except pgbox's own {@code \gexec} alone at the
 * end of a line. It also refuses NUL bytes, E'' strings (whose backslash escapes could end a literal
 * early) and unterminated quotes or comments.
 */
public final class ScriptGuard {
    /** The only meta-command pgbox's own scripts use: runs each row of the previous query as SQL. */
    static final String GEXEC = "\\gexec";

    private ScriptGuard() {
    }

    /** Throws an internal error when {@code script} is not safe to hand to psql. */
    public static void check(String script) {
        String why = problem(script);
        if (why != null) {
            throw new PgboxException(ErrorKind.FAILURE, "pgbox refused to run one of its own administration scripts", why,
                    "nothing was run; this is a pgbox bug (a value reached SQL unquoted): report the command you ran");
        }
    }

    /** Why {@code s} is not safe for psql, or null when it is. */
    static String problem(String s) {
        int nul = s.indexOf('\0');
        if (nul >= 0) {
            return "a NUL byte at line " + line(s, nul);
        }
        int i = 0;
        int n = s.length();
        while (i < n) {
            char c = s.charAt(i);
            if (c == '\'') {
                if (i > 0 && (s.charAt(i - 1) == 'e' || s.charAt(i - 1) == 'E') && (i < 2 || !identChar(s.charAt(i - 2)))) {
                    return "an E'' string at line " + line(s, i) + " (pgbox quotes with '' doubling only)";
                }
                i = skipQuoted(s, i, '\'');
                if (i < 0) {
                    return "an unterminated quoted literal";
                }
            } else if (c == '"') {
                i = skipQuoted(s, i, '"');
                if (i < 0) {
                    return "an unterminated quoted identifier";
                }
            } else if (c == '-' && i + 1 < n && s.charAt(i + 1) == '-') {
                i = lineEnd(s, i);
            } else if (c == '/' && i + 1 < n && s.charAt(i + 1) == '*') {
                i = skipBlockComment(s, i);
                if (i < 0) {
                    return "an unterminated /* comment";
                }
            } else if (c == '$' && (i == 0 || !identChar(s.charAt(i - 1))) && dollarTag(s, i) != null) {
                String tag = dollarTag(s, i);
                int end = s.indexOf(tag, i + tag.length());
                if (end < 0) {
                    return "an unterminated dollar-quoted string " + tag;
                }
                i = end + tag.length();
            } else if (c == '\\') {
                if (!allowedMetaCommand(s, i)) {
                    return "a psql meta-command outside any quoted text at line " + line(s, i) + ": " + snippet(s, i);
                }
                i += GEXEC.length();
            } else {
                i++;
            }
        }
        return null;
    }

    /** psql's lexer ends a -- comment at \r as well as \n, so a backslash after a lone \r is live again. */
    private static int lineEnd(String s, int i) {
        int j = i;
        while (j < s.length() && s.charAt(j) != '\n' && s.charAt(j) != '\r') {
            j++;
        }
        return j;
    }

    /** Index after the closing quote (a doubled quote stays inside), or -1 when it never closes. */
    static int skipQuoted(String s, int open, char quote) {
        int i = open + 1;
        while (i < s.length()) {
            if (s.charAt(i) == quote) {
                if (i + 1 < s.length() && s.charAt(i + 1) == quote) {
                    i += 2;
                    continue;
                }
                return i + 1;
            }
            i++;
        }
        return -1;
    }

    /** Block comments nest in PostgreSQL (and in psql's lexer). */
    static int skipBlockComment(String s, int open) {
        int depth = 0;
        int i = open;
        while (i + 1 < s.length()) {
            if (s.charAt(i) == '/' && s.charAt(i + 1) == '*') {
                depth++;
                i += 2;
            } else if (s.charAt(i) == '*' && s.charAt(i + 1) == '/') {
                depth--;
                i += 2;
                if (depth == 0) {
                    return i;
                }
            } else {
                i++;
            }
        }
        return -1;
    }

    /** The opening delimiter ($$ or $tag$) starting at {@code i}, or null when this $ opens none ($1 is a parameter). */
    static String dollarTag(String s, int i) {
        int j = i + 1;
        if (j < s.length() && s.charAt(j) == '$') {
            return "$$";
        }
        if (j >= s.length() || !identStart(s.charAt(j))) {
            return null;
        }
        j++;
        while (j < s.length() && identChar(s.charAt(j)) && s.charAt(j) != '$') {
            j++;
        }
        return j < s.length() && s.charAt(j) == '$' ? s.substring(i, j + 1) : null;
    }

    /** \gexec followed by nothing but spaces up to the end of its line: no arguments for psql to read. */
    private static boolean allowedMetaCommand(String s, int i) {
        if (!s.startsWith(GEXEC, i)) {
            return false;
        }
        int j = i + GEXEC.length();
        while (j < s.length() && (s.charAt(j) == ' ' || s.charAt(j) == '\t' || s.charAt(j) == '\r')) {
            j++;
        }
        return j == s.length() || s.charAt(j) == '\n';
    }

    private static boolean identStart(char c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' || c >= 0x80;
    }

    /** Characters that continue an identifier in psql's lexer: a quote or $ after one belongs to it. */
    private static boolean identChar(char c) {
        return identStart(c) || c >= '0' && c <= '9' || c == '$';
    }

    private static int line(String s, int i) {
        int n = 1;
        for (int k = 0; k < i; k++) {
            if (s.charAt(k) == '\n') {
                n++;
            }
        }
        return n;
    }

    private static String snippet(String s, int i) {
        int end = Math.min(s.length(), i + 24);
        int nl = s.indexOf('\n', i);
        if (nl >= 0 && nl < end) {
            end = nl;
        }
        return s.substring(i, end) + (end < s.length() && s.charAt(end) != '\n' ? "..." : "");
    }
}
