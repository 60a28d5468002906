package dev.pgbox.report;

import dev.pgbox.sql.AdminSql;
import java.util.List;

/**
 * {@code pgbox report bloat}: an estimate of wasted space per table. The expected size is the live row
 * count (pg_class.reltuples) times the row width the planner statistics give (sum of pg_stats.avg_width,
 * plus the 24-byte tuple header rounded to 8 bytes and the 4-byte line pointer), packed into 8 kB pages
 * at the table's fillfactor. Bloat is the size on disk beyond that. It needs ANALYZE statistics; tables
 * without them have no estimate. Dead tuples (pg_stat_user_tables) are shown beside it: they are space
 * VACUUM can reuse, while bloat is space only VACUUM FULL or pg_repack gives back.
 */
public record Bloat(String database, String method, List<Table> tables) {

    public static final String METHOD = "estimate: size on disk minus live rows x average row width "
            + "(pg_stats.avg_width + tuple header) at the table's fillfactor; needs ANALYZE";

    /** @param bloatBytes estimated wasted bytes (null without statistics) */
    public record Table(String schema, String table, long sizeBytes, Long expectedBytes, Long bloatBytes, Double bloatPercent,
                        long liveTuples, long deadTuples, String lastAnalyze) {
    }

    static Bloat read(AdminSql sql, String database, int limit) {
        List<Table> rows = sql.rows(database, """
                WITH t AS (
                  SELECT n.nspname, c.relname, pg_relation_size(c.oid) AS bytes,
                         current_setting('block_size')::bigint AS bs, greatest(c.reltuples, 0) AS tuples,
                         coalesce((SELECT substring(o FROM 'fillfactor=([0-9]+)')::int FROM unnest(c.reloptions) o
                                   WHERE o LIKE 'fillfactor=%'), 100) AS ff,
                         (SELECT sum(s.avg_width) FROM pg_stats s
                          WHERE s.schemaname = n.nspname AND s.tablename = c.relname AND NOT s.inherited) AS width,
                         coalesce(u.n_live_tup, 0) AS live, coalesce(u.n_dead_tup, 0) AS dead,
                         greatest(u.last_analyze, u.last_autoanalyze) AS analyzed
                  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                  LEFT JOIN pg_stat_user_tables u ON u.relid = c.oid
                  WHERE c.relkind IN ('r', 'm') AND n.nspname NOT IN ('pg_catalog', 'information_schema')
                    AND n.nspname NOT LIKE 'pg_toast%'),
                e AS (
                  SELECT *, CASE WHEN width IS NOT NULL THEN
                              ceil(tuples * (ceil((24 + width) / 8.0) * 8 + 4) / ((bs - 24) * ff / 100.0))::bigint * bs END AS expected
                  FROM t)
                SELECT nspname, relname, bytes, expected, CASE WHEN expected IS NOT NULL THEN greatest(bytes - expected, 0) END,
                       CASE WHEN expected IS NOT NULL AND bytes > 0 THEN round(100.0 * greatest(bytes - expected, 0) / bytes, 1) END,
                       live, dead, to_json(analyzed)#>>'{}'
                FROM e
                ORDER BY CASE WHEN expected IS NOT NULL THEN greatest(bytes - expected, 0) END DESC NULLS LAST, bytes DESC, 1, 2 LIMIT $1""", limit).stream()
                .map(r -> new Table(r.get(0), r.get(1), Cells.count(r.get(2)), Cells.whole(r.get(3)), Cells.whole(r.get(4)),
                        Cells.decimal(r.get(5)), Cells.count(r.get(6)), Cells.count(r.get(7)), Cells.text(r.get(8))))
                .toList();
        return new Bloat(database, METHOD, rows);
    }
}
