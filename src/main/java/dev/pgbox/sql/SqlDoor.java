package dev.pgbox.sql;

import java.util.List;

/**
 * The one way pgbox sends SQL to a server. Two doors: {@link AdminSql} (the superuser over the Unix
 * socket, by peer authentication) and {@link RoleSql} (an application role over verified TLS). Values
 * go in as parameters {@code $1, $2, ...}; the door binds them (JDBC) or quotes them as literals
 * (psql), never the caller. Identifiers are validated and quoted by the SQL builders
 * ({@link SqlText#ident}).
 */
public interface SqlDoor {

    /** Rows of a query, each a list of column texts (SQL NULL as null for roles, empty text for the admin door). */
    List<List<String>> rows(String database, String sql, Object... params);

    /** Runs statements that return no rows (or whose rows do not matter). */
    void execute(String database, String sql, Object... params);

    /** The single value of a one-row, one-column query, or "" when there is no row. */
    default String value(String database, String sql, Object... params) {
        List<List<String>> rows = rows(database, sql, params);
        if (rows.isEmpty()) {
            return "";
        }
        String v = rows.get(0).get(0);
        return v == null ? "" : v;
    }
}
