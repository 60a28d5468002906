package dev.pgbox.schema.migrate;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * The history table in an app's database, pgbox.schema_migrations: one row per applied migration.
 * It is created by the app's owner role (so the owner owns it, like everything else in the app) on
 * the first 'migrate up', and written in the same transaction as a transactional migration.
 */
final class History {
    static final String TABLE = "pgbox.schema_migrations";

    private History() {
    }

    /** Creates the schema and table when missing (run while holding the migration lock). */
    static void ensure(Connection c) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute("CREATE SCHEMA IF NOT EXISTS pgbox");
            st.execute("CREATE TABLE IF NOT EXISTS " + TABLE + " (\n"
                    + "  version text PRIMARY KEY,\n"
                    + "  name text NOT NULL,\n"
                    + "  checksum text NOT NULL,\n"
                    + "  down_checksum text,\n"
                    + "  applied_at timestamptz NOT NULL DEFAULT now(),\n"
                    + "  applied_by text NOT NULL,\n"
                    + "  duration_ms bigint NOT NULL,\n"
                    + "  execution text NOT NULL CHECK (execution IN ('transaction', 'statement-by-statement'))\n"
                    + ")");
            st.execute("COMMENT ON TABLE " + TABLE + " IS 'pgbox migrate: one row per applied migration of migrations/"
                    + "<app> in the project folder; do not edit by hand'");
        }
    }

    static boolean exists(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT to_regclass(?) IS NOT NULL")) {
            ps.setString(1, TABLE);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        }
    }

    /** Every row, oldest version first (none when the table does not exist yet). */
    static List<Applied> read(Connection c) throws SQLException {
        List<Applied> out = new ArrayList<>();
        if (!exists(c)) {
            return out;
        }
        try (Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT version, name, checksum, down_checksum,"
                        + " to_char(applied_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), applied_by, duration_ms, execution"
                        + " FROM " + TABLE + " ORDER BY length(version), version")) {
            while (rs.next()) {
                out.add(new Applied(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5), rs.getString(6),
                        rs.getLong(7), rs.getString(8)));
            }
        }
        return out;
    }

    static void insert(Connection c, Applied a) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + TABLE
                + " (version, name, checksum, down_checksum, applied_by, duration_ms, execution) VALUES (?, ?, ?, ?, ?, ?, ?)")) {
            ps.setString(1, a.version());
            ps.setString(2, a.name());
            ps.setString(3, a.checksum());
            ps.setString(4, a.downChecksum());
            ps.setString(5, a.appliedBy());
            ps.setLong(6, a.durationMs());
            ps.setString(7, a.execution());
            ps.executeUpdate();
        }
    }

    static void delete(Connection c, String version) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM " + TABLE + " WHERE version = ?")) {
            ps.setString(1, version);
            ps.executeUpdate();
        }
    }
}
