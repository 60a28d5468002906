package dev.pgbox.report;

import dev.pgbox.sql.AdminSql;
import java.util.List;

/**
 * {@code pgbox report cache}: the share of block reads served from shared buffers, per database
 * (pg_stat_database) and per table of one database (pg_statio_user_tables, heap and index separately),
 * tables with the most reads from outside the buffers first. Below about 99 % a busy database usually
 * needs more shared_buffers (POSTGRES_MEMORY) or an index.
 */
public record Cache(String database, List<DatabaseHits> databases, List<TableHits> tables) {

    /** @param hitPercent null before the first block is read */
    public record DatabaseHits(String database, long blocksHit, long blocksRead, Double hitPercent) {
    }

    public record TableHits(String schema, String table, long heapHit, long heapRead, Double heapHitPercent, long indexHit,
                            long indexRead, Double indexHitPercent) {
    }

    static Cache read(AdminSql sql, String database, String filter, int limit) {
        List<DatabaseHits> dbs = sql.rows(database, """
                SELECT datname, blks_hit, blks_read, round(100.0 * blks_hit / nullif(blks_hit + blks_read, 0), 2)
                FROM pg_stat_database
                WHERE datname IS NOT NULL AND datname NOT IN ('template0', 'template1') AND ($1::text IS NULL OR datname = $1)
                ORDER BY blks_read DESC, datname""", filter).stream()
                .map(r -> new DatabaseHits(r.get(0), Cells.count(r.get(1)), Cells.count(r.get(2)), Cells.decimal(r.get(3))))
                .toList();
        List<TableHits> tables = sql.rows(database, """
                SELECT schemaname, relname, heap_blks_hit, heap_blks_read,
                       round(100.0 * heap_blks_hit / nullif(heap_blks_hit + heap_blks_read, 0), 2),
                       coalesce(idx_blks_hit, 0), coalesce(idx_blks_read, 0),
                       round(100.0 * idx_blks_hit / nullif(idx_blks_hit + idx_blks_read, 0), 2)
                FROM pg_statio_user_tables
                ORDER BY heap_blks_read + coalesce(idx_blks_read, 0) DESC, heap_blks_hit + coalesce(idx_blks_hit, 0) DESC, 1, 2
                LIMIT $1""", limit).stream()
                .map(r -> new TableHits(r.get(0), r.get(1), Cells.count(r.get(2)), Cells.count(r.get(3)), Cells.decimal(r.get(4)),
                        Cells.count(r.get(5)), Cells.count(r.get(6)), Cells.decimal(r.get(7))))
                .toList();
        return new Cache(database, dbs, tables);
    }
}
