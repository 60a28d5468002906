package dev.pgbox.report;

import dev.pgbox.sql.AdminSql;
import java.util.List;

/**
 * {@code pgbox report locks}: the locks other sessions hold or wait for (pg_locks), waiting ones first,
 * each with the sessions blocking it (pg_blocking_pids). Every transaction's lock on its own virtual
 * transaction id is left out: it says nothing.
 *
 * @param waiting how many locks are waited for
 */
public record Locks(String database, String filter, int waiting, List<Lock> locks) {

    /**
     * One lock.
     *
     * @param target what is locked: a table (as regclass), a transaction id, an advisory key, ...
     * @param blockedBy the sessions this one waits for (empty when granted)
     * @param ageSeconds how long the session's current statement (or transaction) has run
     */
    public record Lock(int pid, String database, String user, String locktype, String mode, boolean granted, String target,
                       List<Integer> blockedBy, String state, Long ageSeconds, String query) {
    }

    static Locks read(AdminSql sql, String database, String filter, int limit) {
        List<Lock> rows = sql.rows(database, """
                SELECT l.pid, coalesce(a.datname, d.datname), a.usename, l.locktype, l.mode, l.granted,
                       CASE
                         WHEN l.relation IS NOT NULL AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
                           THEN l.relation::regclass::text
                             || CASE WHEN l.locktype = 'tuple' THEN format(' (page %s, tuple %s)', l.page, l.tuple) ELSE '' END
                         WHEN l.relation IS NOT NULL THEN format('relation %s in %s', l.relation, d.datname)
                         WHEN l.locktype = 'transactionid' THEN 'transaction ' || l.transactionid
                         WHEN l.locktype = 'advisory' THEN format('advisory %s/%s', l.classid, l.objid)
                         ELSE l.locktype END,
                       CASE WHEN l.granted THEN '' ELSE array_to_string(pg_blocking_pids(l.pid), ',') END,
                       a.state, {AGE}, {QUERY}
                FROM pg_locks l
                LEFT JOIN pg_stat_activity a ON a.pid = l.pid
                LEFT JOIN pg_database d ON d.oid = l.database
                WHERE l.pid IS DISTINCT FROM pg_backend_pid() AND l.locktype <> 'virtualxid'
                  AND ($1::text IS NULL OR coalesce(a.datname, d.datname) = $1)
                ORDER BY l.granted, coalesce(a.query_start, a.xact_start) NULLS LAST, l.pid, l.mode LIMIT $2"""
                .replace("{AGE}", Cells.ageSeconds("coalesce(a.query_start, a.xact_start)")).replace("{QUERY}", Cells.oneLine("a.query")),
                filter, limit)
                .stream()
                .map(r -> new Lock(Integer.parseInt(r.get(0)), Cells.text(r.get(1)), Cells.text(r.get(2)), r.get(3), r.get(4),
                        "t".equals(r.get(5)), r.get(6), Cells.pids(r.get(7)), Cells.text(r.get(8)), Cells.whole(r.get(9)),
                        Cells.text(r.get(10))))
                .toList();
        return new Locks(database, filter, (int) rows.stream().filter(l -> !l.granted()).count(), rows);
    }
}
