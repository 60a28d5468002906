package dev.pgbox.sql;

/** Quoting for SQL text pgbox builds itself (names are validated first; quoting is the second guard). */
public final class SqlText {
    private SqlText() {
    }

    /** A double-quoted identifier. */
    public static String ident(String name) {
        return "\"" + name.replace("\"", "\"\"") + "\"";
    }

    /** A single-quoted string literal. */
    public static String literal(String value) {
        return "'" + value.replace("'", "''") + "'";
    }
}
