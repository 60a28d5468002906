package dev.pgbox.monitor;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pgbox.sql.SqlDoor;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The agent's one SQL statement per collection, sent to the {@code postgres} database: the server's
 * statistics are cluster-wide (pg_stat_database, pg_stat_activity, pg_locks, pg_database), so one
 * statement reads every database at once. On a writable server the same statement also appends the
 * samples (plus pgbox's own, passed in as JSON) to {@code pgbox.metric_samples} and deletes rows older
 * than the history setting: one psql per collection, one round trip, one transaction.
 */
public final class MetricsSql {
    /** pgbox's own schema, in the postgres database where no app connects. */
    public static final String SCHEMA = "pgbox";
    public static final String TABLE = SCHEMA + ".metric_samples";
    /** The database the agent reads from and keeps its history in. */
    public static final String DATABASE = "postgres";

    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * Creates the history's schema and table when missing (idempotent): owned by the superuser, closed to
     * PUBLIC. Unlogged: a short history of samples is not worth WAL, archive space and backup time (a
     * crash empties it; replicas never have one).
     */
    static final String ENSURE_SCHEMA = """
            CREATE SCHEMA IF NOT EXISTS pgbox AUTHORIZATION postgres;
            COMMENT ON SCHEMA pgbox IS 'pgbox''s own state: the agent''s metric history (pgbox.metric_samples)';
            REVOKE ALL ON SCHEMA pgbox FROM PUBLIC;
            CREATE UNLOGGED TABLE IF NOT EXISTS pgbox.metric_samples (
                at timestamptz NOT NULL,
                name text NOT NULL,
                labels jsonb NOT NULL DEFAULT '{}',
                value double precision NOT NULL);
            CREATE INDEX IF NOT EXISTS metric_samples_at ON pgbox.metric_samples (at);
            REVOKE ALL ON pgbox.metric_samples FROM PUBLIC;
            COMMENT ON TABLE pgbox.metric_samples IS 'The pgbox agent''s metric samples (Prometheus names and labels) for PGBOX_METRICS_HISTORY; a sample missing at a time was 0';
            """;

    private static final String STATES = "('active'), ('idle'), ('idle in transaction'), ('idle in transaction (aborted)'), "
            + "('fastpath function call'), ('disabled')";
    private static final String LOCK_MODES = "('accesssharelock'), ('rowsharelock'), ('rowexclusivelock'), ('shareupdateexclusivelock'), "
            + "('sharelock'), ('sharerowexclusivelock'), ('exclusivelock'), ('accessexclusivelock'), ('sireadlock')";

    /**
     * The samples: $1 pg_stat_database columns, $2 pg_stat_bgwriter columns (comma-separated), $3 pgbox's
     * own samples as a JSON array of {name, labels, value}, $4 whether to measure the databases' sizes
     * (the costliest part: a stat() of every file, so not at every collection). The agent's own session
     * is left out of the activity and lock counts.
     */
    private static final String SAMPLES = """
            WITH db AS (SELECT oid, datname FROM pg_database WHERE NOT datistemplate),
            act AS (SELECT datname, state, count(*) AS n, max(extract(epoch FROM now() - xact_start)) AS oldest
                      FROM pg_stat_activity WHERE pid <> pg_backend_pid() AND datname IS NOT NULL AND state IS NOT NULL GROUP BY 1, 2),
            lk AS (SELECT database, lower(mode) AS mode, count(*) AS n FROM pg_locks
                     WHERE pid IS DISTINCT FROM pg_backend_pid() AND database IS NOT NULL GROUP BY 1, 2),
            s (name, labels, value) AS (
              SELECT 'pg_up', '{}'::jsonb, 1::float8
              UNION ALL SELECT 'pg_stat_database_' || c.key, jsonb_build_object('datname', db.datname), c.value::float8
                FROM db JOIN pg_stat_database sd ON sd.datid = db.oid CROSS JOIN LATERAL jsonb_each_text(to_jsonb(sd)) c
               WHERE c.key = ANY (string_to_array($1, ',')) AND c.value IS NOT NULL
              UNION ALL SELECT 'pg_database_size_bytes', jsonb_build_object('datname', datname), pg_database_size(oid)::float8 FROM db WHERE $4
              UNION ALL SELECT 'pg_database_wraparound_age_datfrozenxid_seconds', jsonb_build_object('datname', datname),
                age(datfrozenxid)::float8 FROM pg_database WHERE datallowconn
              UNION ALL SELECT 'pg_database_wraparound_age_datminmxid_seconds', jsonb_build_object('datname', datname),
                mxid_age(datminmxid)::float8 FROM pg_database WHERE datallowconn
              UNION ALL SELECT 'pg_stat_activity_count', jsonb_build_object('datname', db.datname, 'state', st.state), coalesce(a.n, 0)::float8
                FROM db CROSS JOIN (VALUES %s) st (state) LEFT JOIN act a ON a.datname = db.datname AND a.state = st.state
              UNION ALL SELECT 'pg_stat_activity_max_tx_duration', jsonb_build_object('datname', db.datname, 'state', st.state),
                greatest(coalesce(a.oldest, 0), 0)::float8
                FROM db CROSS JOIN (VALUES %s) st (state) LEFT JOIN act a ON a.datname = db.datname AND a.state = st.state
              UNION ALL SELECT 'pg_locks_count', jsonb_build_object('datname', db.datname, 'mode', m.mode), coalesce(lk.n, 0)::float8
                FROM db CROSS JOIN (VALUES %s) m (mode) LEFT JOIN lk ON lk.database = db.oid AND lk.mode = m.mode
              UNION ALL SELECT 'pg_stat_bgwriter_' || c.key || '_total', '{}'::jsonb, c.value::float8
                FROM pg_stat_bgwriter b CROSS JOIN LATERAL jsonb_each_text(to_jsonb(b)) c WHERE c.key = ANY (string_to_array($2, ','))
              UNION ALL SELECT 'pg_stat_archiver_archived_count', '{}'::jsonb, archived_count::float8 FROM pg_stat_archiver
              UNION ALL SELECT 'pg_stat_archiver_failed_count', '{}'::jsonb, failed_count::float8 FROM pg_stat_archiver
              UNION ALL SELECT 'pg_stat_archiver_last_archive_age', '{}'::jsonb, extract(epoch FROM now() - last_archived_time)::float8
                FROM pg_stat_archiver WHERE last_archived_time IS NOT NULL
              UNION ALL SELECT 'pg_replication_is_replica', '{}'::jsonb, CASE WHEN pg_is_in_recovery() THEN 1 ELSE 0 END::float8
              UNION ALL SELECT 'pg_replication_lag', '{}'::jsonb,
                CASE WHEN NOT pg_is_in_recovery() OR pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0
                     ELSE greatest(0, coalesce(extract(epoch FROM now() - pg_last_xact_replay_timestamp()), 0)) END::float8
              UNION ALL SELECT 'pg_stat_replication_pg_wal_lsn_diff',
                jsonb_build_object('application_name', application_name, 'client_addr', coalesce(host(client_addr), ''), 'state', state),
                coalesce(CASE WHEN pg_is_in_recovery() THEN pg_wal_lsn_diff(pg_last_wal_replay_lsn(), replay_lsn)
                              ELSE pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn) END, 0)::float8
                FROM pg_stat_replication
              UNION ALL SELECT 'pg_settings_max_connections', '{}'::jsonb, current_setting('max_connections')::float8
              UNION ALL SELECT 'pg_postmaster_start_time_seconds', '{}'::jsonb, extract(epoch FROM pg_postmaster_start_time())::float8
              UNION ALL SELECT x.name, coalesce(x.labels, '{}'), x.value FROM jsonb_to_recordset($3::jsonb) x (name text, labels jsonb, value float8)
            )%s
            SELECT coalesce(jsonb_agg(jsonb_build_array(name, labels, value)), '[]') FROM s
            """.formatted(STATES, STATES, LOCK_MODES, "%s");

    /**
     * The history part: $5 = how many seconds of history to keep. Zeros are not stored (most lock-mode and
     * session-state series are 0 most of the time; a missing row reads as 0), which keeps the table
     * about a third of the size.
     */
    private static final String HISTORY = """
            ,
            ins AS (INSERT INTO pgbox.metric_samples (at, name, labels, value) SELECT now(), name, labels, value FROM s WHERE value <> 0),
            old AS (DELETE FROM pgbox.metric_samples WHERE at < now() - make_interval(secs => $5))""";

    /** The statement without history (a replica, or history off). */
    static final String READ = SAMPLES.formatted("");
    /** The statement that also writes the history. */
    static final String READ_AND_KEEP = SAMPLES.formatted(HISTORY);

    private MetricsSql() {
    }

    /** Creates pgbox.metric_samples if missing. */
    public static void ensureSchema(SqlDoor admin) {
        admin.execute(DATABASE, ENSURE_SCHEMA);
    }

    /**
     * One collection: the server's samples followed by {@code own} (pgbox's, also kept in the history);
     * pg_database_size_bytes only with {@code sizes}. With {@code keepSeconds > 0} the samples are
     * appended to the history and older rows deleted.
     */
    public static List<MetricSample> collect(SqlDoor admin, List<MetricSample> own, boolean sizes, long keepSeconds) {
        String statDatabase = String.join(",", MetricFamily.STAT_DATABASE.keySet());
        String bgwriter = String.join(",", MetricFamily.BGWRITER.keySet());
        String json = keepSeconds > 0
                ? admin.value(DATABASE, READ_AND_KEEP, statDatabase, bgwriter, toJson(own), sizes, keepSeconds)
                : admin.value(DATABASE, READ, statDatabase, bgwriter, toJson(own), sizes);
        return parse(json);
    }

    /** pgbox's samples as the JSON array the statement reads with jsonb_to_recordset. */
    static String toJson(List<MetricSample> samples) {
        ArrayNode a = JSON.createArrayNode();
        for (MetricSample s : samples) {
            ObjectNode o = a.addObject();
            o.put("name", s.name());
            ObjectNode l = o.putObject("labels");
            s.labels().forEach(l::put);
            o.put("value", s.value());
        }
        return a.toString();
    }

    /** The statement's answer: a JSON array of [name, labels, value]. */
    static List<MetricSample> parse(String json) {
        try {
            List<MetricSample> out = new ArrayList<>();
            for (JsonNode row : JSON.readTree(json)) {
                Map<String, String> labels = new LinkedHashMap<>();
                JsonNode l = row.get(1);
                for (Iterator<String> it = l.fieldNames(); it.hasNext(); ) {
                    String k = it.next();
                    labels.put(k, l.get(k).isNull() ? "" : l.get(k).asText());
                }
                JsonNode v = row.get(2);
                double value = v.isNumber() ? v.asDouble() : parseSpecial(v.asText());
                out.add(new MetricSample(row.get(0).asText(), labels, value));
            }
            return out;
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("the metrics statement answered no JSON: " + e.getOriginalMessage(), e);
        }
    }

    /** PostgreSQL writes float8's NaN and infinities as JSON strings. */
    private static double parseSpecial(String s) {
        return switch (s) {
            case "Infinity" -> Double.POSITIVE_INFINITY;
            case "-Infinity" -> Double.NEGATIVE_INFINITY;
            default -> Double.NaN;
        };
    }
}
