package dev.pgbox.report;

import dev.pgbox.sql.AdminSql;
import dev.pgbox.sql.IndexRules;
import java.util.List;

/**
 * {@code pgbox report unused-indexes}: indexes never scanned since the statistics began, on the user's tables (not an
 * extension's), that back no primary key, unique or other constraint (dropping those would change what the table
 * accepts).
 *
 * @param statsSince when the database's statistics were last reset (ISO-8601), or null when never
 *                   (then: since the database was created)
 * @param totalBytes size of all unused indexes listed
 */
public record UnusedIndexes(String database, String statsSince, long totalBytes, List<Index> indexes) {

    /** One unused index, with the statement that drops it without blocking writes. */
    public record Index(String schema, String table, String index, long sizeBytes, long scans, String definition, String fix) {
    }

    static UnusedIndexes read(AdminSql sql, String database, int limit) {
        String since = Cells.text(sql.value(database,
                "SELECT " + Cells.iso("stats_reset") + " FROM pg_stat_database WHERE datname = current_database()"));
        List<Index> rows = sql.rows(database, "SELECT s.schemaname, s.relname, s.indexrelname, pg_relation_size(s.indexrelid), s.idx_scan,"
                + " pg_get_indexdef(s.indexrelid), format('DROP INDEX CONCURRENTLY %I.%I;', s.schemaname, s.indexrelname)"
                + " FROM pg_stat_user_indexes s JOIN pg_index i ON i.indexrelid = s.indexrelid"
                + " WHERE s.idx_scan = 0 AND " + IndexRules.backsNothing("i") + " AND " + IndexRules.notExtension("s.relid")
                + " ORDER BY pg_relation_size(s.indexrelid) DESC, 1, 2, 3 LIMIT $1", limit).stream()
                .map(r -> new Index(r.get(0), r.get(1), r.get(2), Cells.count(r.get(3)), Cells.count(r.get(4)), r.get(5), r.get(6)))
                .toList();
        return new UnusedIndexes(database, since, rows.stream().mapToLong(Index::sizeBytes).sum(), rows);
    }
}
