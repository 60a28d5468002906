package dev.pgbox.service;

import dev.pgbox.ErrorKind;
import dev.pgbox.PgboxException;
import dev.pgbox.cluster.Server;
import dev.pgbox.sql.Jdbc;
import dev.pgbox.sql.RoleSql;
import java.util.List;

/** 'pgbox db query': SQL the user wrote, run as it is by the chosen role over TLS; its privileges are the limit. */
public final class Query {
    private Query() {
    }

    /**
     * What the SQL returned: column names and rows of text (null for SQL NULL), or, for a statement
     * without rows, how many rows it changed.
     *
     * @param columns null when the last statement returned no rows
     */
    public record Result(List<String> columns, List<List<String>> rows, long rowsAffected) {
        public boolean hasRows() {
            return columns != null;
        }
    }

    /** Runs {@code sql} as {@code as}; a SQL error is a PgboxException of kind SQL with the SQLSTATE. */
    public static Result run(Server server, Connections.As as, String sql) {
        requireText(sql);
        Jdbc.Result r = new RoleSql(Connections.login(server, as).target()).script(sql);
        return new Result(r.columns(), r.rows(), r.updateCount());
    }

    /** Fails with USAGE when there is no SQL to run (checked before anything connects). */
    public static void requireText(String sql) {
        if (sql == null || sql.isBlank()) {
            throw new PgboxException(ErrorKind.USAGE, "no SQL given", "the SQL argument is empty",
                    "pass the SQL as one argument: pgbox db query \"SELECT 1\"");
        }
    }
}
