package dev.pgbox.memory;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;

/**
 * The search width 'memory tune' chose, applied to one search: SET LOCAL hnsw.ef_search (or
 * ivfflat.probes) from the registry, inside the search's transaction, so it never leaks into a pooled
 * connection's next use. Nothing is set when the collection was never tuned (pgvector's defaults: 40
 * and 1).
 */
public final class IndexSettings {
    private IndexSettings() {
    }

    /** Run inside the search's transaction (after {@link MemorySql#begin}). */
    public static void applyLocal(Connection c, Collection col) throws SQLException {
        String setting;
        Integer value;
        if (IndexChoice.IVFFLAT.equals(col.indexType())) {
            setting = "ivfflat.probes";
            value = col.probes();
        } else {
            setting = "hnsw.ef_search";
            value = col.efSearch();
        }
        if (value == null) {
            return;
        }
        try (PreparedStatement ps = c.prepareStatement("SELECT set_config(?, ?, true)")) {
            ps.setString(1, setting);
            ps.setString(2, Integer.toString(value));
            ps.execute();
        }
    }
}
