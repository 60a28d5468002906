package dev.pgbox.top;

import dev.pgbox.cluster.Server;
import dev.pgbox.config.Setting;
import dev.pgbox.report.Activity;
import dev.pgbox.sql.AdminSql;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;

/**
 * Takes the samples {@code pgbox top} shows: one query for the header counters (summed over every
 * database of pg_stat_database) and one for the sessions. Keeps the previous counters so each sample has
 * the rates since the one before.
 */
public final class TopSource {
    /** Most sessions read per refresh: more never fit a screen. */
    private static final int MAX_SESSIONS = 500;

    private final AdminSql sql;
    private final String database;
    private Counters previous;

    /** The cumulative counters of one sample, and the server's clock when they were read. */
    record Counters(double epoch, long xacts, long commits, long hit, long read) {
    }

    public TopSource(Server server) {
        server.requireRunning("show the sessions");
        this.sql = server.admin();
        this.database = server.settings().get(Setting.POSTGRES_DB);
    }

    public TopSnapshot sample() {
        List<String> h = sql.rows(database, """
                SELECT split_part(current_setting('server_version'), ' ', 1), extract(epoch FROM now() - pg_postmaster_start_time())::bigint,
                       (SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend'),
                       current_setting('max_connections')::int, sum(xact_commit + xact_rollback), sum(xact_commit),
                       sum(blks_hit), sum(blks_read), extract(epoch FROM clock_timestamp())
                FROM pg_stat_database""").get(0);
        Counters now = new Counters(Double.parseDouble(h.get(8)), Long.parseLong(h.get(4)), Long.parseLong(h.get(5)),
                Long.parseLong(h.get(6)), Long.parseLong(h.get(7)));
        Activity activity = Activity.read(sql, database, null, MAX_SESSIONS, false);
        List<Activity.Session> sessions = activity.sessions().stream()
                .sorted(Comparator.comparing(TopSource::duration, Comparator.nullsLast(Comparator.reverseOrder()))).toList();
        TopSnapshot s = snapshot(previous, now, h.get(0), Long.parseLong(h.get(1)), Integer.parseInt(h.get(2)),
                Integer.parseInt(h.get(3)), sessions);
        previous = now;
        return s;
    }

    /** How long a session has been in its current statement (active) or state (idle in transaction, ...). */
    static Long duration(Activity.Session s) {
        return "active".equals(s.state()) ? s.queryAgeSeconds() : s.stateAgeSeconds();
    }

    /** The snapshot with the rates between two samples (none without a previous one). */
    static TopSnapshot snapshot(Counters before, Counters now, String version, long uptime, int connections, int max,
                                List<Activity.Session> sessions) {
        Double tps = null;
        Double commits = null;
        long hit = now.hit();
        long read = now.read();
        if (before != null && now.epoch() > before.epoch()) {
            double seconds = now.epoch() - before.epoch();
            tps = Math.max(0, now.xacts() - before.xacts()) / seconds;
            commits = Math.max(0, now.commits() - before.commits()) / seconds;
            hit = now.hit() - before.hit();
            read = now.read() - before.read();
        }
        Double cache = hit + read > 0 ? 100.0 * hit / (hit + read) : null;
        return new TopSnapshot(Instant.now().toString(), version, uptime, connections, max, round(tps), round(commits), round(cache),
                sessions.size(), sessions);
    }

    private static Double round(Double v) {
        return v == null ? null : Math.round(v * 100) / 100.0;
    }
}
