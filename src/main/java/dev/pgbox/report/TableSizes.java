package dev.pgbox.report;

import dev.pgbox.sql.AdminSql;
import java.util.List;

/**
 * {@code pgbox report table-sizes}: tables and materialized views, largest first, split into the heap
 * (with its free-space and visibility maps), its indexes and its TOAST table (large values stored out of
 * line, with the TOAST index).
 *
 * @param totalBytes the database's size on disk
 */
public record TableSizes(String database, long totalBytes, List<Table> tables) {

    /** @param rowsEstimate pg_class.reltuples (null before the first VACUUM or ANALYZE) */
    public record Table(String schema, String table, long dataBytes, long indexBytes, long toastBytes, long totalBytes,
                        Long rowsEstimate) {
    }

    static TableSizes read(AdminSql sql, String database, int limit) {
        long total = Cells.count(sql.value(database, "SELECT pg_database_size(current_database())"));
        List<Table> rows = sql.rows(database, """
                SELECT n.nspname, c.relname,
                       pg_table_size(c.oid) - coalesce(pg_total_relation_size(NULLIF(c.reltoastrelid, 0)), 0),
                       pg_indexes_size(c.oid), coalesce(pg_total_relation_size(NULLIF(c.reltoastrelid, 0)), 0),
                       pg_total_relation_size(c.oid), CASE WHEN c.reltuples >= 0 THEN c.reltuples::bigint END
                FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                WHERE c.relkind IN ('r', 'm') AND n.nspname NOT IN ('pg_catalog', 'information_schema')
                  AND n.nspname NOT LIKE 'pg_toast%'
                ORDER BY pg_total_relation_size(c.oid) DESC, 1, 2 LIMIT $1""", limit).stream()
                .map(r -> new Table(r.get(0), r.get(1), Cells.count(r.get(2)), Cells.count(r.get(3)), Cells.count(r.get(4)),
                        Cells.count(r.get(5)), Cells.whole(r.get(6))))
                .toList();
        return new TableSizes(database, total, rows);
    }
}
