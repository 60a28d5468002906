package dev.pgbox.memory.imports;

import dev.pgbox.apps.AppName;
import dev.pgbox.sql.SqlText;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * pgbox.memory_imports in the app's database: how far each import of a file (by its SHA-256) into a
 * collection got. Each batch of an import writes its memories and its new position in one
 * transaction, so a run killed midway loses at most the batch it was writing, and the next run of the
 * same file starts right after the last committed batch. Owned by the app's owner role; the login role
 * (which runs imports) reads and writes it.
 */
public final class ImportLog {
    public static final String TABLE = "pgbox.memory_imports";

    private ImportLog() {
    }

    /** Creates the table when missing and grants the login role its rights; run as the app's owner role (after Registry.ensure). */
    public static void ensure(Connection c, AppName app) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute("CREATE TABLE IF NOT EXISTS " + TABLE + " (\n"
                    + "  collection text NOT NULL,\n"
                    + "  sha256 text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),\n"
                    + "  file text NOT NULL,\n"
                    + "  lines_done bigint NOT NULL DEFAULT 0 CHECK (lines_done >= 0),\n"
                    + "  lines_total bigint,\n"
                    + "  imported bigint NOT NULL DEFAULT 0,\n"
                    + "  skipped bigint NOT NULL DEFAULT 0,\n"
                    + "  started_at timestamptz NOT NULL DEFAULT now(),\n"
                    + "  updated_at timestamptz NOT NULL DEFAULT now(),\n"
                    + "  PRIMARY KEY (collection, sha256)\n"
                    + ")");
            st.execute("COMMENT ON TABLE " + TABLE + " IS 'pgbox memory import: how far each file (by SHA-256) got into each collection; "
                    + "a second import of the same file resumes after lines_done'");
            st.execute("GRANT SELECT, INSERT, UPDATE, DELETE ON " + TABLE + " TO " + SqlText.ident(app.loginRole()));
            st.execute("GRANT SELECT ON " + TABLE + " TO " + SqlText.ident(app.readonlyRole()));
        }
    }

    /** Whether the table exists (a collection made before it did has none yet). */
    public static boolean exists(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT to_regclass(?) IS NOT NULL")) {
            ps.setString(1, TABLE);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        }
    }

    /** How many lines of the file an earlier run committed (0 when none); records the import when it is new. */
    public static long start(Connection c, String collection, String sha256, String file, long lines) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + TABLE + " (collection, sha256, file, lines_total) VALUES (?, ?, ?, ?)"
                + " ON CONFLICT (collection, sha256) DO UPDATE SET file = EXCLUDED.file, updated_at = now() RETURNING lines_done")) {
            ps.setString(1, collection);
            ps.setString(2, sha256);
            ps.setString(3, file);
            ps.setLong(4, lines);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /** Moves the import's position forward, in the transaction of the batch that got it there. */
    public static void advance(Connection c, String collection, String sha256, long linesDone, long imported, long skipped)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE " + TABLE + " SET lines_done = greatest(lines_done, ?), imported = imported + ?,"
                + " skipped = skipped + ?, updated_at = now() WHERE collection = ? AND sha256 = ?")) {
            ps.setLong(1, linesDone);
            ps.setLong(2, imported);
            ps.setLong(3, skipped);
            ps.setString(4, collection);
            ps.setString(5, sha256);
            ps.executeUpdate();
        }
    }
}
