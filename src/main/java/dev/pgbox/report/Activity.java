package dev.pgbox.report;

import dev.pgbox.sql.AdminSql;
import java.util.List;

/**
 * {@code pgbox report activity}: client sessions from pg_stat_activity (not this report's own), the
 * oldest transaction first: the ones that hold back VACUUM and hold locks the longest.
 */
public record Activity(String database, String filter, int sessionsTotal, List<Session> sessions) {

    /**
     * One client session.
     *
     * @param xactAgeSeconds age of its open transaction (null when none)
     * @param queryAgeSeconds time since its current or last statement started
     * @param stateAgeSeconds time since its state last changed
     * @param query the current (or, when idle, the last) statement on one line
     */
    public record Session(int pid, String database, String user, String application, String client, String state,
                          String waitEventType, String waitEvent, Long xactAgeSeconds, Long queryAgeSeconds,
                          Long stateAgeSeconds, String query) {
    }

    /** Sessions of {@code filter} (null: every database), read in {@code database}; idle ones only when asked. */
    public static Activity read(AdminSql sql, String database, String filter, int limit, boolean idleToo) {
        List<List<String>> rows = sql.rows(database, "SELECT pid, datname, usename, application_name, client_addr, state,"
                + " wait_event_type, wait_event, " + Cells.ageSeconds("xact_start") + ", " + Cells.ageSeconds("query_start")
                + ", " + Cells.ageSeconds("state_change") + ", " + Cells.oneLine("query") + ", count(*) OVER ()"
                + " FROM pg_stat_activity"
                + " WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()"
                + " AND ($1::text IS NULL OR datname = $1) AND ($3 OR state IS DISTINCT FROM 'idle')"
                + " ORDER BY coalesce(xact_start, query_start) NULLS LAST, pid LIMIT $2", filter, limit, idleToo);
        List<Session> sessions = rows.stream()
                .map(r -> new Session(Integer.parseInt(r.get(0)), Cells.text(r.get(1)), Cells.text(r.get(2)), Cells.text(r.get(3)),
                        Cells.text(r.get(4)), Cells.text(r.get(5)), Cells.text(r.get(6)), Cells.text(r.get(7)), Cells.whole(r.get(8)),
                        Cells.whole(r.get(9)), Cells.whole(r.get(10)), Cells.text(r.get(11))))
                .toList();
        return new Activity(database, filter, rows.isEmpty() ? 0 : Integer.parseInt(rows.get(0).get(12)), sessions);
    }
}
