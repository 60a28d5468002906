package dev.pgbox.schema.migrate;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pgbox.ErrorKind;
import dev.pgbox.PgboxException;
import dev.pgbox.schema.ParsedSql;
import dev.pgbox.schema.SqlStatement;
import dev.pgbox.sql.Jdbc;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs one parsed migration file on the migration connection: in one transaction together with its
 * history change, or statement by statement (autocommit) with the history change at the end. A
 * failure names the file, line and statement with the server's message.
 */
final class Runner {
    /** A migration file ready to run: parsed, its execution decided. */
    record Script(String version, String name, String shownPath, ParsedSql sql, Execution execution) {
    }

    /** The history table change that belongs to the script (insert for up, delete for down). */
    interface HistoryChange {
        void apply(Connection c, long durationMs) throws SQLException;
    }

    private Runner() {
    }

    /** Runs {@code s} with the session's timeouts set; returns how long it took in ms. */
    static long run(Connection c, Script s, HistoryChange history, long lockTimeoutMs, long statementTimeoutMs, String app) {
        long started = System.nanoTime();
        try {
            timeouts(c, lockTimeoutMs, statementTimeoutMs);
        } catch (SQLException e) {
            throw new PgboxException(ErrorKind.SQL, "cannot set the timeouts for " + s.shownPath(), Jdbc.sqlCause(e), "check 'pgbox status'");
        }
        return s.execution() == Execution.TRANSACTION ? inTransaction(c, s, history, started, app)
                : statementByStatement(c, s, history, started, app);
    }

    /** lock_timeout and statement_timeout for the whole session, set again before every migration (a file may SET them). */
    private static void timeouts(Connection c, long lockMs, long statementMs) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT set_config('lock_timeout', ?, false), set_config('statement_timeout', ?, false)")) {
            ps.setString(1, Math.max(lockMs, 0) + "ms");
            ps.setString(2, Math.max(statementMs, 0) + "ms");
            ps.executeQuery().close();
        }
    }

    private static long inTransaction(Connection c, Script s, HistoryChange history, long started, String app) {
        SqlStatement current = null;
        try {
            c.setAutoCommit(false);
            try (Statement st = c.createStatement()) {
                st.setEscapeProcessing(false);
                for (SqlStatement stmt : s.sql().statements()) {
                    current = stmt;
                    st.execute(stmt.text());
                }
            }
            current = null;
            long ms = (System.nanoTime() - started) / 1_000_000;
            history.apply(c, ms);
            c.commit();
            return ms;
        } catch (SQLException e) {
            rollback(c);
            String where = current == null ? "its history row" : s.shownPath() + ":" + current.line() + " (" + current.shortText(60) + ")";
            throw new PgboxException(ErrorKind.SQL, "migration " + s.version() + "_" + s.name() + " failed at " + where,
                    Jdbc.sqlCause(e) + "; it was rolled back: the schema and the history table are as before",
                    "fix the statement and run 'pgbox migrate up " + app + "' again" + lockHint(e));
        } finally {
            autocommit(c);
        }
    }

    private static long statementByStatement(Connection c, Script s, HistoryChange history, long started, String app) {
        int done = 0;
        for (SqlStatement stmt : s.sql().statements()) {
            try (Statement st = c.createStatement()) {
                st.setEscapeProcessing(false);
                st.execute(stmt.text());
            } catch (SQLException e) {
                List<String> invalid = stmt.kind().equals("IndexStmt") ? invalidIndexes(c, stmt) : List.of();
                String ran = done == 0 ? "it was the migration's first statement" : "the " + done + " statement(s) before it ran and stay";
                if (!invalid.isEmpty()) {
                    throw invalidIndex(s, stmt, invalid, Jdbc.sqlCause(e) + "; " + ran, app);
                }
                throw new PgboxException(ErrorKind.SQL, "migration " + s.version() + "_" + s.name() + " failed at " + s.shownPath() + ":"
                        + stmt.line() + " (" + stmt.shortText(60) + ")",
                        Jdbc.sqlCause(e) + "; it runs statement by statement (" + Execution.outsideTransaction(firstOutside(s)) + " cannot run in a "
                                + "transaction): " + ran + ", and it is not recorded as applied",
                        "fix the cause and run 'pgbox migrate up " + app + "' again; write such statements with IF NOT EXISTS / IF EXISTS so "
                                + "a second run skips what is done" + lockHint(e));
            }
            done++;
            if (stmt.kind().equals("IndexStmt")) {
                // CREATE INDEX CONCURRENTLY can end without an error yet leave an index PostgreSQL will not use
                List<String> invalid = invalidIndexes(c, stmt);
                if (!invalid.isEmpty()) {
                    throw invalidIndex(s, stmt, invalid, "pg_index.indisvalid is false after the statement", app);
                }
            }
        }
        long ms = (System.nanoTime() - started) / 1_000_000;
        try {
            history.apply(c, ms);
        } catch (SQLException e) {
            throw new PgboxException(ErrorKind.SQL, "migration " + s.version() + "_" + s.name() + " ran but its history row was not written",
                    Jdbc.sqlCause(e), "its statements ran; run 'pgbox migrate up " + app
                            + "' again to record it (its IF NOT EXISTS / IF EXISTS statements then do nothing)");
        }
        return ms;
    }

    private static SqlStatement firstOutside(Script s) {
        return s.sql().statements().stream().filter(x -> Execution.outsideTransaction(x) != null).findFirst().orElseThrow();
    }

    private static PgboxException invalidIndex(Script s, SqlStatement stmt, List<String> invalid, String cause, String app) {
        boolean unique = stmt.node().path("unique").asBoolean();
        String drops = String.join("; ", invalid.stream().map(i -> "DROP INDEX CONCURRENTLY " + i).toList());
        return new PgboxException(ErrorKind.SQL, "migration " + s.version() + "_" + s.name() + " left index " + String.join(", ", invalid)
                + " INVALID at " + s.shownPath() + ":" + stmt.line() + " (" + stmt.shortText(60) + ")",
                cause + "; an invalid index is not used by queries but is still updated on every write; the migration is not recorded as applied",
                drops + (unique ? "; then remove the duplicate values (" + duplicates(stmt) + ")" : "; then fix the cause above")
                        + "; then run 'pgbox migrate up " + app + "' again");
    }

    /** The query that lists the duplicates a unique index trips over, when its keys are plain columns. */
    static String duplicates(SqlStatement stmt) {
        JsonNode rel = stmt.node().path("relation");
        String table = (rel.hasNonNull("schemaname") ? rel.path("schemaname").asText() + "." : "") + rel.path("relname").asText();
        List<String> columns = new ArrayList<>();
        for (JsonNode p : stmt.node().path("indexParams")) {
            if (!p.path("IndexElem").hasNonNull("name")) {
                return "SELECT the indexed expressions, count(*) FROM " + table + " GROUP BY them HAVING count(*) > 1";
            }
            columns.add(p.path("IndexElem").path("name").asText());
        }
        String keys = String.join(", ", columns);
        return "SELECT " + keys + ", count(*) FROM " + table + " GROUP BY " + keys + " HAVING count(*) > 1";
    }

    /** Invalid indexes of the statement's table: the one it names, or any when it names none. */
    private static List<String> invalidIndexes(Connection c, SqlStatement stmt) {
        String schema = stmt.node().path("relation").path("schemaname").asText(null);
        String table = stmt.node().path("relation").path("relname").asText(null);
        String index = stmt.node().path("idxname").asText(null);
        if (table == null) {
            return List.of();
        }
        String sql = "SELECT i.indexrelid::regclass::text FROM pg_index i JOIN pg_class x ON x.oid = i.indexrelid"
                + " WHERE i.indrelid = to_regclass(CASE WHEN ?::text IS NULL THEN quote_ident(?) ELSE format('%I.%I', ?, ?) END)"
                + " AND NOT i.indisvalid AND (?::text IS NULL OR x.relname = ?) ORDER BY 1";
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, schema);
            ps.setString(2, table);
            ps.setString(3, schema);
            ps.setString(4, table);
            ps.setString(5, index);
            ps.setString(6, index);
            List<String> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
            return out;
        } catch (SQLException e) {
            return List.of();
        }
    }

    private static String lockHint(SQLException e) {
        return "55P03".equals(e.getSQLState()) ? " (it waited longer than PGBOX_MIGRATE_LOCK_TIMEOUT for a lock: "
                + "run it when fewer long transactions hold the table, see 'pgbox top')"
                : "57014".equals(e.getSQLState()) ? " (it ran longer than PGBOX_MIGRATE_STATEMENT_TIMEOUT)" : "";
    }

    private static void rollback(Connection c) {
        try {
            c.rollback();
        } catch (SQLException ignored) {
            // the connection is gone: the server rolled back itself
        }
    }

    private static void autocommit(Connection c) {
        try {
            c.setAutoCommit(true);
        } catch (SQLException ignored) {
            // the next use of the connection reports it
        }
    }
}
