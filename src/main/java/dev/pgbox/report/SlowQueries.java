package dev.pgbox.report;

import dev.pgbox.sql.AdminSql;
import java.util.List;

/**
 * {@code pgbox report slow-queries}: statements from pg_stat_statements, most total execution time first.
 *
 * @param database the database the statistics were read in
 * @param filter the database whose statements are shown, or null for every database
 * @param available whether pg_stat_statements is installed in {@code database}
 * @param statsReset when pg_stat_statements was last reset (ISO-8601), or null
 * @param superuser whether the superuser's statements (pgbox's own administration, the agent's checks) are included
 * @param note why the list is empty (extension missing, nothing recorded), or null
 * @param queries the statements, most total time first
 */
public record SlowQueries(String database, String filter, boolean available, boolean superuser, String statsReset, String note,
                          List<Query> queries) {

    /**
     * One normalized statement.
     *
     * @param totalMs total execution time in milliseconds
     * @param meanMs mean execution time
     * @param stddevMs standard deviation of the execution time
     */
    public record Query(String database, String user, long calls, double totalMs, double meanMs, double stddevMs, long rows,
                        String queryid, String query) {
    }

    static SlowQueries read(AdminSql sql, String database, String filter, int limit, boolean superuser) {
        boolean installed = "t".equals(sql.value(database,
                "SELECT EXISTS (SELECT FROM pg_extension WHERE extname = 'pg_stat_statements')"));
        if (!installed) {
            return new SlowQueries(database, filter, false, superuser, null, "pg_stat_statements is not installed in database " + database
                    + "; pgbox creates it in every database it makes (fix: CREATE EXTENSION pg_stat_statements;)", List.of());
        }
        String reset = Cells.text(sql.value(database, "SELECT " + Cells.iso("stats_reset") + " FROM pg_stat_statements_info"));
        List<Query> rows = sql.rows(database, "SELECT d.datname, r.rolname, s.calls, round(s.total_exec_time::numeric, 3),"
                + " round(s.mean_exec_time::numeric, 3), round(s.stddev_exec_time::numeric, 3), s.rows, s.queryid, "
                + Cells.oneLine("s.query")
                + " FROM pg_stat_statements s LEFT JOIN pg_database d ON d.oid = s.dbid LEFT JOIN pg_roles r ON r.oid = s.userid"
                + " WHERE ($1::text IS NULL OR d.datname = $1) AND ($3 OR r.rolname IS DISTINCT FROM $4)"
                + " ORDER BY s.total_exec_time DESC, s.calls DESC LIMIT $2", filter, limit, superuser, AdminSql.SUPERUSER).stream()
                .map(r -> new Query(r.get(0), r.get(1), Cells.count(r.get(2)), Double.parseDouble(r.get(3)), Double.parseDouble(r.get(4)),
                        Double.parseDouble(r.get(5)), Cells.count(r.get(6)), r.get(7), r.get(8)))
                .toList();
        String note = rows.isEmpty() ? "pg_stat_statements has recorded no statement" + (filter == null ? "" : " in " + filter)
                + " yet" + (reset == null ? "" : " (since " + reset + ")") : null;
        return new SlowQueries(database, filter, true, superuser, reset, note, rows);
    }
}
