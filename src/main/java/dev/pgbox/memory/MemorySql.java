package dev.pgbox.memory;

import dev.pgbox.ErrorKind;
import dev.pgbox.PgboxException;
import dev.pgbox.security.Rls;
import dev.pgbox.sql.Jdbc;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;

/** SQL helpers shared by the memory parts. */
public final class MemorySql {
    private MemorySql() {
    }

    /**
     * Starts a transaction scoped to {@code tenant}: SET LOCAL app.tenant_id (what the collection's
     * row-level security policy reads), so it ends with the transaction and never leaks into a pooled
     * connection's next use. A null tenant sets nothing.
     */
    public static void begin(Connection c, String tenant) throws SQLException {
        c.setAutoCommit(false);
        if (tenant != null) {
            try (PreparedStatement ps = c.prepareStatement("SELECT set_config('" + Rls.SETTING + "', ?, true)")) {
                ps.setString(1, tenant);
                ps.execute();
            }
        }
    }

    /** Commits and goes back to autocommit. */
    public static void commit(Connection c) throws SQLException {
        c.commit();
        c.setAutoCommit(true);
    }

    /** Rolls back quietly (after a failure) and goes back to autocommit. */
    public static void rollback(Connection c) {
        try {
            if (!c.getAutoCommit()) {
                c.rollback();
                c.setAutoCommit(true);
            }
        } catch (SQLException ignored) {
            // the connection is broken; the pool or the caller closes it
        }
    }

    /** A failed statement as pgbox's SQL error with the server's own words. */
    public static PgboxException failure(SQLException e, String what) {
        return new PgboxException(ErrorKind.SQL, what + " failed", Jdbc.sqlCause(e),
                "see the server's message; nothing of the failed statement was committed");
    }
}
