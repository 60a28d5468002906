package dev.pgbox.memory;

import dev.pgbox.ErrorKind;
import dev.pgbox.PgboxException;
import dev.pgbox.apps.AppName;
import dev.pgbox.sql.SqlText;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * pgbox's list of an app's memory collections, kept in the app's own database
 * (pgbox.memory_collections, owned by the app's owner role, readable by its login and read-only
 * roles): the dimension, metric, model and tenancy each table was made with, and the search
 * settings 'memory tune' chose. A backup or restore of the app's database carries it along.
 */
public final class Registry {
    public static final String TABLE = "pgbox.memory_collections";

    private Registry() {
    }

    /** Creates the schema and table when missing; run as the app's owner role. */
    public static void ensure(Connection c, AppName app) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute("CREATE SCHEMA IF NOT EXISTS pgbox");
            st.execute("CREATE TABLE IF NOT EXISTS " + TABLE + " (\n"
                    + "  name text PRIMARY KEY,\n"
                    + "  dim integer NOT NULL CHECK (dim > 0),\n"
                    + "  metric text NOT NULL CHECK (metric IN ('cosine', 'l2', 'ip')),\n"
                    + "  tenant boolean NOT NULL,\n"
                    + "  model text NOT NULL,\n"
                    + "  text_config text NOT NULL,\n"
                    + "  index_type text NOT NULL DEFAULT 'hnsw' CHECK (index_type IN ('hnsw', 'ivfflat')),\n"
                    + "  ef_search integer,\n"
                    + "  probes integer,\n"
                    + "  tuned_recall double precision,\n"
                    + "  tuned_at timestamptz,\n"
                    + "  created_at timestamptz NOT NULL DEFAULT now()\n"
                    + ")");
            st.execute("COMMENT ON TABLE " + TABLE + " IS 'pgbox memory: one row per collection (table public.np_<name>); "
                    + "written by pgbox memory create, index and tune'");
            String roles = SqlText.ident(app.loginRole()) + ", " + SqlText.ident(app.readonlyRole());
            st.execute("GRANT USAGE ON SCHEMA pgbox TO " + roles);
            st.execute("GRANT SELECT ON " + TABLE + " TO " + roles);
        }
    }

    /** Every collection, by name (none when the registry does not exist yet). */
    public static List<Collection> list(Connection c, AppName app) throws SQLException {
        return read(c, app, null);
    }

    /** The collection, or a USAGE error naming the ones there are. */
    public static Collection require(Connection c, AppName app, CollectionName name) throws SQLException {
        List<Collection> found = read(c, app, name.value());
        if (!found.isEmpty()) {
            return found.get(0);
        }
        List<String> names = read(c, app, null).stream().map(Collection::name).toList();
        throw new PgboxException(ErrorKind.NOT_FOUND, "no memory collection '" + name + "' in app '" + app + "'",
                names.isEmpty() ? "the app has no collections yet" : "its collections: " + String.join(", ", names),
                "create it: pgbox memory create " + app + " " + name);
    }

    /** Records the search setting 'memory tune' chose (null leaves pgvector's default). */
    public static void saveTuning(Connection c, CollectionName name, Integer efSearch, Integer probes, Double recall) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE " + TABLE
                + " SET ef_search = ?, probes = ?, tuned_recall = ?, tuned_at = now() WHERE name = ?")) {
            ps.setObject(1, efSearch);
            ps.setObject(2, probes);
            ps.setObject(3, recall);
            ps.setString(4, name.value());
            ps.executeUpdate();
        }
    }

    /** Records which kind of vector index the collection now has (after 'memory index'). */
    public static void saveIndexType(Connection c, CollectionName name, String indexType) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE " + TABLE + " SET index_type = ? WHERE name = ?")) {
            ps.setString(1, indexType);
            ps.setString(2, name.value());
            ps.executeUpdate();
        }
    }

    private static List<Collection> read(Connection c, AppName app, String only) throws SQLException {
        List<Collection> out = new ArrayList<>();
        // from the catalog, not to_regclass: an app whose pgbox schema was made by 'migrate' (for its history) but has no
        // collections yet grants the login role no USAGE on it, and to_regclass would fail with "permission denied"
        try (PreparedStatement exists = c.prepareStatement("SELECT EXISTS (SELECT FROM pg_class t JOIN pg_namespace n ON n.oid = t.relnamespace"
                + " WHERE n.nspname = 'pgbox' AND t.relname = ?)")) {
            exists.setString(1, TABLE.substring(TABLE.indexOf('.') + 1));
            try (ResultSet rs = exists.executeQuery()) {
                rs.next();
                if (!rs.getBoolean(1)) {
                    return out;
                }
            }
        }
        try (PreparedStatement ps = c.prepareStatement("SELECT name, dim, metric, tenant, model, text_config, index_type, ef_search,"
                + " probes, tuned_recall, to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"
                + " FROM " + TABLE + " WHERE ?::text IS NULL OR name = ? ORDER BY name")) {
            ps.setString(1, only);
            ps.setString(2, only);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String name = rs.getString(1);
                    out.add(new Collection(app.value(), name, new CollectionName(name).sql(), rs.getInt(2), rs.getString(3),
                            rs.getBoolean(4), rs.getString(5), rs.getString(6), rs.getString(7), (Integer) rs.getObject(8),
                            (Integer) rs.getObject(9), (Double) rs.getObject(10), rs.getString(11)));
                }
            }
        }
        return out;
    }
}
