package dev.pgbox.monitor;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The catalogue of every metric the agent serves: name, Prometheus type and help, in the order
 * /metrics prints them. Names follow postgres_exporter for what both expose, so its dashboards and
 * alert rules work unchanged; pgbox's own metrics are {@code pgbox_*}.
 *
 * <p>postgres_exporter types some cumulative numbers (pg_stat_database_xact_commit, ...) as counters
 * without the {@code _total} suffix, which Prometheus' linter ({@code promtool check metrics}) rejects.
 * The linter also rejects a gauge named {@code *_count} (pg_stat_activity_count, pg_locks_count). pgbox keeps
 * postgres_exporter's names and types those as {@code untyped}, which the linter leaves alone and PromQL
 * treats like the others (rate(), sum() work the same).
 */
public record MetricFamily(String name, Type type, String help) {

    /** Prometheus text-format types. */
    public enum Type {
        COUNTER, GAUGE, UNTYPED;

        String text() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** The statistics of pg_stat_database the agent serves per database, and whether each is cumulative. */
    static final Map<String, Boolean> STAT_DATABASE = statDatabase();

    private static Map<String, Boolean> statDatabase() {
        Map<String, Boolean> m = new LinkedHashMap<>();
        m.put("numbackends", false);
        for (String c : List.of("xact_commit", "xact_rollback", "blks_read", "blks_hit", "tup_returned", "tup_fetched",
                "tup_inserted", "tup_updated", "tup_deleted", "conflicts", "temp_files", "temp_bytes", "deadlocks",
                "blk_read_time", "blk_write_time")) {
            m.put(c, true);
        }
        return m;
    }

    private static final Map<String, String> STAT_DATABASE_HELP = Map.ofEntries(
            Map.entry("numbackends", "Number of backends currently connected to this database"),
            Map.entry("xact_commit", "Number of transactions in this database that have been committed"),
            Map.entry("xact_rollback", "Number of transactions in this database that have been rolled back"),
            Map.entry("blks_read", "Number of disk blocks read in this database"),
            Map.entry("blks_hit", "Number of times disk blocks were found already in the buffer cache"),
            Map.entry("tup_returned", "Number of rows returned by queries in this database"),
            Map.entry("tup_fetched", "Number of rows fetched by queries in this database"),
            Map.entry("tup_inserted", "Number of rows inserted by queries in this database"),
            Map.entry("tup_updated", "Number of rows updated by queries in this database"),
            Map.entry("tup_deleted", "Number of rows deleted by queries in this database"),
            Map.entry("conflicts", "Number of queries canceled due to conflicts with recovery in this database"),
            Map.entry("temp_files", "Number of temporary files created by queries in this database"),
            Map.entry("temp_bytes", "Total amount of data written to temporary files by queries in this database"),
            Map.entry("deadlocks", "Number of deadlocks detected in this database"),
            Map.entry("blk_read_time", "Time spent reading data file blocks by backends in this database, in milliseconds"),
            Map.entry("blk_write_time", "Time spent writing data file blocks by backends in this database, in milliseconds"));

    /** The bgwriter's columns; each served as pg_stat_bgwriter_COLUMN_total, a counter. */
    static final Map<String, String> BGWRITER = bgwriter();

    /** Every family, by name, in print order. */
    public static final Map<String, MetricFamily> ALL = catalogue();

    private static Map<String, String> bgwriter() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("checkpoints_timed", "Number of scheduled checkpoints that have been performed");
        m.put("checkpoints_req", "Number of requested checkpoints that have been performed");
        m.put("checkpoint_write_time", "Time spent writing files to disk during checkpoints, in milliseconds");
        m.put("checkpoint_sync_time", "Time spent synchronizing files to disk during checkpoints, in milliseconds");
        m.put("buffers_checkpoint", "Number of buffers written during checkpoints");
        m.put("buffers_clean", "Number of buffers written by the background writer");
        m.put("maxwritten_clean", "Number of times the background writer stopped a cleaning scan because it had written too many buffers");
        m.put("buffers_backend", "Number of buffers written directly by a backend");
        m.put("buffers_backend_fsync", "Number of times a backend had to execute its own fsync call");
        m.put("buffers_alloc", "Number of buffers allocated");
        return m;
    }

    private static Map<String, MetricFamily> catalogue() {
        Map<String, MetricFamily> m = new LinkedHashMap<>();
        add(m, "pg_up", Type.GAUGE, "Whether the last collection reached the server (1) or not (0)");
        STAT_DATABASE.forEach((col, cumulative) -> add(m, "pg_stat_database_" + col, cumulative ? Type.UNTYPED : Type.GAUGE,
                STAT_DATABASE_HELP.get(col) + (cumulative ? " (cumulative)" : "")));
        add(m, "pg_database_size_bytes", Type.GAUGE, "Disk space used by the database");
        add(m, "pg_database_wraparound_age_datfrozenxid_seconds", Type.GAUGE,
                "Age of the oldest transaction ID that has not been frozen, in transactions (postgres_exporter's name)");
        add(m, "pg_database_wraparound_age_datminmxid_seconds", Type.GAUGE,
                "Age of the oldest multixact ID that has not been frozen, in multixacts (postgres_exporter's name)");
        add(m, "pg_stat_activity_count", Type.UNTYPED, "Number of connections in this state");
        add(m, "pg_stat_activity_max_tx_duration", Type.GAUGE, "Age of the oldest transaction in this state, in seconds");
        add(m, "pg_locks_count", Type.UNTYPED, "Number of locks held or awaited, by mode");
        BGWRITER.forEach((col, help) -> add(m, "pg_stat_bgwriter_" + col + "_total", Type.COUNTER, help));
        add(m, "pg_stat_archiver_archived_count", Type.UNTYPED, "Number of WAL files that have been successfully archived (cumulative)");
        add(m, "pg_stat_archiver_failed_count", Type.UNTYPED, "Number of failed attempts for archiving WAL files (cumulative)");
        add(m, "pg_stat_archiver_last_archive_age", Type.GAUGE, "Time in seconds since the last WAL segment was successfully archived");
        add(m, "pg_replication_is_replica", Type.GAUGE, "Whether the server is a replica (1) or a primary (0)");
        add(m, "pg_replication_lag", Type.GAUGE, "Replication lag behind the primary in seconds (0 on a primary)");
        add(m, "pg_stat_replication_pg_wal_lsn_diff", Type.GAUGE, "WAL bytes a standby has not replayed yet (on the primary, per standby)");
        add(m, "pg_settings_max_connections", Type.GAUGE, "Server parameter max_connections");
        add(m, "pg_postmaster_start_time_seconds", Type.GAUGE, "Time at which the postmaster started, in seconds since the epoch");
        add(m, "pgbox_doctor_findings", Type.GAUGE, "Findings of the agent's last pgbox doctor run, by severity");
        add(m, "pgbox_doctor_duration_seconds", Type.GAUGE, "How long the agent's last pgbox doctor run took");
        add(m, "pgbox_last_backup_age_seconds", Type.GAUGE, "Seconds since the newest physical backup ended");
        add(m, "pgbox_last_drill_age_seconds", Type.GAUGE, "Seconds since the last good restore drill (pgbox db verify)");
        add(m, "pgbox_metrics_collect_duration_seconds", Type.GAUGE, "How long the agent's last metrics collection took");
        add(m, "pgbox_metrics_collected_timestamp_seconds", Type.GAUGE, "When the agent last collected metrics, in seconds since the epoch");
        add(m, "pgbox_metrics_collections_total", Type.COUNTER, "Metric collections the agent ran since it started");
        add(m, "pgbox_metrics_collection_errors_total", Type.COUNTER, "Metric collections that could not read the server");
        return java.util.Collections.unmodifiableMap(m);
    }

    private static void add(Map<String, MetricFamily> m, String name, Type type, String help) {
        m.put(name, new MetricFamily(name, type, help));
    }
}
