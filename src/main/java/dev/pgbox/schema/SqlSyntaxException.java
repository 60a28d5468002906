package dev.pgbox.schema;

import dev.pgbox.ErrorKind;
import dev.pgbox.PgboxException;

/** SQL that PostgreSQL's grammar rejects, with the place it gave up (line and column, 1-based; 0 when unknown). */
public final class SqlSyntaxException extends PgboxException {
    private final String source;
    private final String reason;
    private final int line;
    private final int column;

    /** {@code codePoint}: 0-based, in characters (PostgreSQL counts an error's cursor in characters, not bytes). */
    SqlSyntaxException(String source, String reason, String sql, int codePoint) {
        this(source, reason, place(sql, codePoint));
    }

    private SqlSyntaxException(String source, String reason, int[] place) {
        super(ErrorKind.SQL, "cannot parse " + source + ": " + reason + (place[0] > 0 ? " (line " + place[0] + ", column " + place[1] + ")" : ""),
                "PostgreSQL's parser rejects this SQL", "fix the statement at that place; 'pgbox schema lint FILE' checks a file");
        this.source = source;
        this.reason = reason;
        this.line = place[0];
        this.column = place[1];
    }

    private static int[] place(String sql, int codePoint) {
        if (codePoint < 0) {
            return new int[] {0, 0};
        }
        TextPositions p = new TextPositions(sql);
        int c = sql.offsetByCodePoints(0, Math.min(codePoint, sql.codePointCount(0, sql.length())));
        return new int[] {p.line(c), p.column(c)};
    }

    public String source() {
        return source;
    }

    /** PostgreSQL's own message, e.g. {@code syntax error at or near "TABL"}. */
    public String reason() {
        return reason;
    }

    public int line() {
        return line;
    }

    public int column() {
        return column;
    }
}
