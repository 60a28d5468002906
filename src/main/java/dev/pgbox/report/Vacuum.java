package dev.pgbox.report;

import dev.pgbox.sql.AdminSql;
import java.util.List;

/**
 * {@code pgbox report vacuum}: per table, dead tuples and their share, the last (auto)vacuum and
 * (auto)analyze, whether autovacuum may run on it (the autovacuum_enabled storage parameter) and the age
 * of its oldest unfrozen transaction id (at 2^31 the server stops taking writes), most dead tuples first.
 *
 * @param autovacuum the server-wide autovacuum setting
 * @param databaseXidAge age(datfrozenxid) of the database
 */
public record Vacuum(String database, boolean autovacuum, long databaseXidAge, List<Table> tables) {

    public record Table(String schema, String table, long liveTuples, long deadTuples, Double deadPercent, String lastVacuum,
                        String lastAutovacuum, String lastAnalyze, String lastAutoanalyze, long vacuumCount, long autovacuumCount,
                        boolean autovacuumEnabled, long xidAge) {
    }

    static Vacuum read(AdminSql sql, String database, int limit) {
        List<String> head = sql.rows(database, "SELECT current_setting('autovacuum') = 'on', age(datfrozenxid)"
                + " FROM pg_database WHERE datname = current_database()").get(0);
        List<Table> rows = sql.rows(database, """
                SELECT s.schemaname, s.relname, s.n_live_tup, s.n_dead_tup,
                       round(100.0 * s.n_dead_tup / nullif(s.n_live_tup + s.n_dead_tup, 0), 2),
                       to_json(s.last_vacuum)#>>'{}', to_json(s.last_autovacuum)#>>'{}',
                       to_json(s.last_analyze)#>>'{}', to_json(s.last_autoanalyze)#>>'{}',
                       s.vacuum_count, s.autovacuum_count,
                       coalesce((SELECT lower(split_part(o, '=', 2)) NOT IN ('false', 'off', 'no', '0')
                                 FROM unnest(c.reloptions) o WHERE o LIKE 'autovacuum_enabled=%'), true),
                       CASE WHEN c.relkind = 'p' THEN 0 ELSE age(c.relfrozenxid) END
                FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid
                ORDER BY s.n_dead_tup DESC, age(c.relfrozenxid) DESC, 1, 2 LIMIT $1""", limit).stream()
                .map(r -> new Table(r.get(0), r.get(1), Cells.count(r.get(2)), Cells.count(r.get(3)), Cells.decimal(r.get(4)),
                        Cells.text(r.get(5)), Cells.text(r.get(6)), Cells.text(r.get(7)), Cells.text(r.get(8)), Cells.count(r.get(9)),
                        Cells.count(r.get(10)), "t".equals(r.get(11)), Cells.count(r.get(12))))
                .toList();
        return new Vacuum(database, "t".equals(head.get(0)), Cells.count(head.get(1)), rows);
    }
}
