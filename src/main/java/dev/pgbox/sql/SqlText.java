package dev.pgbox.sql;

import dev.pgbox.ErrorKind;
import dev.pgbox.PgboxException;
import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

/**
 * Quoting for SQL text pgbox builds itself. Names from the user are validated first (letters,
 * digits, _) and quoted anyway; every other value is a literal. Literals use the SQL standard's ''
 * doubling and never E'' syntax, so with standard_conforming_strings on (which the admin session
 * forces) a backslash inside one is a plain character to the server and to psql's lexer alike.
 */
public final class SqlText {
    /** PostgreSQL's NAMEDATALEN - 1: longer names are silently truncated, so they are refused instead. */
    public static final int MAX_NAME_BYTES = 63;
    private static final Pattern NAME = Pattern.compile("[a-z_][a-z0-9_]*");
    /**
     * PostgreSQL 15's reserved keywords and those reserved except as function or type names: neither
     * may name a table, column or role without quotes.
     */
    public static final java.util.Set<String> RESERVED_KEYWORDS = java.util.Set.of("all", "analyse", "analyze", "and", "any", "array", "as", "asc", "asymmetric",
            "both", "case", "cast", "check", "collate", "column", "constraint", "create", "current_catalog", "current_date",
            "current_role", "current_time", "current_timestamp", "current_user", "default", "deferrable", "desc", "distinct",
            "do", "else", "end", "except", "false", "fetch", "for", "foreign", "from", "grant", "group", "having", "in",
            "initially", "intersect", "into", "lateral", "leading", "limit", "localtime", "localtimestamp", "not", "null",
            "offset", "on", "only", "or", "order", "placing", "primary", "references", "returning", "select", "session_user",
            "some", "symmetric", "table", "then", "to", "trailing", "true", "union", "unique", "user", "using", "variadic",
            "when", "where", "window", "with", "authorization", "binary", "collation", "concurrently", "cross",
            "current_schema", "freeze", "full", "ilike", "inner", "is", "isnull", "join", "left", "like", "natural",
            "notnull", "outer", "overlaps", "right", "similar", "tablesample", "verbose");

    private SqlText() {
    }

    /** A double-quoted identifier. */
    public static String ident(String name) {
        return "\"" + name.replace("\"", "\"\"") + "\"";
    }

    /** A single-quoted string literal (standard '' doubling). */
    public static String literal(String value) {
        return "'" + value.replace("'", "''") + "'";
    }

    /** Why {@code name} is not a plain lowercase SQL name, or null when it is. */
    public static String nameProblem(String name) {
        if (name == null || name.isEmpty()) {
            return "the name is empty";
        }
        if (name.indexOf('\0') >= 0) {
            return "it holds a NUL byte";
        }
        int bytes = name.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > MAX_NAME_BYTES) {
            return "it is " + bytes + " bytes long; PostgreSQL names hold at most " + MAX_NAME_BYTES;
        }
        if (!NAME.matcher(name).matches()) {
            return "it may hold only lowercase a-z, 0-9 and _, and must not start with a digit";
        }
        return null;
    }

    /**
     * Returns {@code name} when it is a plain lowercase SQL name, else throws a usage error naming the
     * option; {@code example} is a valid value to show in the fix.
     */
    public static String requireName(String option, String name, String example) {
        String why = nameProblem(name);
        if (why != null) {
            throw new PgboxException(ErrorKind.USAGE, "invalid " + option + " " + shown(name), why,
                    "use lowercase letters, digits and _, e.g. " + option + " " + example);
        }
        return name;
    }

    /** A user value for an error message: quoted, control characters made visible, long values cut. */
    public static String shown(String v) {
        if (v == null) {
            return "(none)";
        }
        String cut = v.length() > 70 ? v.substring(0, 70) + "..." : v;
        StringBuilder sb = new StringBuilder("'");
        for (char c : cut.toCharArray()) {
            if (c == '\n') {
                sb.append("\\n");
            } else if (c == '\r') {
                sb.append("\\r");
            } else if (c == '\t') {
                sb.append("\\t");
            } else if (c < 0x20 || c == 0x7f) {
                sb.append(String.format("\\x%02x", (int) c));
            } else {
                sb.append(c);
            }
        }
        return sb.append('\'').toString();
    }
}
