package dev.pgbox.service;

import com.fasterxml.jackson.annotation.JsonUnwrapped;
import dev.pgbox.cluster.LiveFacts;
import dev.pgbox.component.Health;
import dev.pgbox.pool.PoolReport;
import java.util.List;

/**
 * Everything {@code pgbox status} shows, as {@code --json} prints it (snake_case through
 * {@link dev.pgbox.Json}). The server's own facts ({@code live}, flattened into the top level),
 * {@code pid}, {@code url}, {@code backups} and {@code apps} are there only while the server runs.
 *
 * @param role "primary", or "replica" for a hot standby made by 'pgbox db replica --init'
 * @param components each component's health, in start order
 * @param metricsUrl the agent's Prometheus endpoint while the agent runs and collects metrics; null otherwise
 * @param alertsFiring how many of the doctor's findings are alerts now (pgbox alerts list); null when the agent is not running
 * @param apiUrl the base URL of the agent's HTTP API (http://127.0.0.1:PORT/v1) while the agent runs with a PGBOX_API_TOKEN; null otherwise
 * @param pooler PgBouncer's pools and totals while it is enabled and its console answers; null otherwise
 */
public record StatusReport(String project, String env, String role, String dataDir, String socketDir, String host, int port, boolean running,
                           boolean agentRunning, Long agentPid, boolean initialized, Supervision supervision, Long pid,
                           @JsonUnwrapped LiveFacts live, String url, BackupFacts backups, List<App> apps,
                           List<Health> components, String metricsUrl, Integer alertsFiring, String apiUrl, PoolReport pooler) {

    /** Without the pooler (PgBouncer off, or its console silent). */
    public StatusReport(String project, String env, String role, String dataDir, String socketDir, String host, int port, boolean running,
                        boolean agentRunning, Long agentPid, boolean initialized, Supervision supervision, Long pid, LiveFacts live,
                        String url, BackupFacts backups, List<App> apps, List<Health> components, String metricsUrl, Integer alertsFiring,
                        String apiUrl) {
        this(project, env, role, dataDir, socketDir, host, port, running, agentRunning, agentPid, initialized, supervision, pid, live, url,
                backups, apps, components, metricsUrl, alertsFiring, apiUrl, null);
    }

    /** Without the API's URL (no agent, or no API). */
    public StatusReport(String project, String env, String role, String dataDir, String socketDir, String host, int port, boolean running,
                        boolean agentRunning, Long agentPid, boolean initialized, Supervision supervision, Long pid, LiveFacts live,
                        String url, BackupFacts backups, List<App> apps, List<Health> components, String metricsUrl, Integer alertsFiring) {
        this(project, env, role, dataDir, socketDir, host, port, running, agentRunning, agentPid, initialized, supervision, pid, live, url,
                backups, apps, components, metricsUrl, alertsFiring, null, null);
    }

    /**
     * What keeps the server up: at boot, after a crash, and the crashes so far.
     *
     * @param lastCrashAt ISO-8601, null when it never crashed
     */
    public record Supervision(String supervisor, boolean startsAtBoot, String how, int crashRestarts, String lastCrashAt,
                              String lastCrashRestartedBy, String crashLog, String serverLogDir, String agentLog) {
    }

    /**
     * WAL archiving (pg_stat_archiver), the last good restore drill and the newest physical backup.
     *
     * @param lastArchivedEpoch epoch seconds, 0 when nothing was archived yet
     * @param fix what to do while the archiver fails; null otherwise
     * @param lastVerifiedAt ISO-8601 of the last good restore drill, null when never verified
     * @param lastBackupAt ISO-8601 of the newest physical backup's end, null when there is none
     */
    public record BackupFacts(boolean archiving, long archivedCount, String lastArchivedWal, long lastArchivedEpoch, long failedCount,
                              String lastFailedWal, long lastFailedEpoch, boolean archiverOk, String fix, String lastVerifiedAt,
                              Double lastVerifiedRtoSeconds, int physicalBackups, String lastBackup, String lastBackupType,
                              String lastBackupAt) {
    }

    /** One app database: its size and connections. */
    public record App(String name, long sizeBytes, int connections, int connectionLimit) {
    }
}
