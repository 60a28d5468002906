package dev.pgbox.cli;

import dev.pgbox.ErrorKind;
import dev.pgbox.Json;
import dev.pgbox.cluster.LiveFacts;
import dev.pgbox.component.Health;
import dev.pgbox.config.Size;
import dev.pgbox.service.StatusReport;
import dev.pgbox.service.StatusService;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "status", mixinStandardHelpOptions = true,
        description = {"One screen: running or not, version, uptime, port, connections used/max, database size, extensions,",
                "backups, agent, apps and each component's health. Exits 4 when the server is not running."})
final class StatusCommand extends BaseCommand implements Callable<Integer> {
    @Option(names = "--json", description = "Print the status as JSON.")
    boolean json;

    @Override
    public Integer call() {
        StatusReport r = StatusService.status(settings());
        if (json) {
            out().println(Json.render(r));
        } else {
            print(r, out());
        }
        return r.running() ? 0 : ErrorKind.NOT_RUNNING.exitCode();
    }

    private static void print(StatusReport r, PrintWriter o) {
        o.println("project      " + r.project() + " (env " + r.env() + ")");
        boolean ha = r.supervision() != null && "patroni".equals(r.supervision().supervisor());
        o.println("role         " + r.role() + (ha ? " (HA member under Patroni: pgbox ha status)"
                : r.role().equals("replica") ? " (hot standby, read-only: pgbox db replica --status)" : ""));
        if (!r.running()) {
            o.println("server       stopped" + (r.initialized() ? "" : " (no cluster yet: run 'pgbox start')"));
            o.println("data         " + r.dataDir());
            printComponents(r, o);
            printSupervision(r.supervision(), o);
            return;
        }
        LiveFacts live = r.live();
        o.println("server       running · PostgreSQL " + live.version() + " · pid " + r.pid() + " · up " + uptime(live.uptimeSeconds()));
        o.println("listen       " + live.listenAddresses() + ":" + r.port() + " · TLS " + live.ssl() + " · socket " + r.socketDir());
        o.println("connections  " + live.connections() + " / " + live.maxConnections());
        o.println("database     " + live.database() + " · " + Size.human(live.databaseBytes()));
        o.println("extensions   " + String.join(", ", live.extensions().stream().map(e -> e.name() + " " + e.version()).toList()));
        printBackups(r.backups(), o);
        o.println("agent        " + (r.agentRunning() ? "running · pid " + r.agentPid() + " · schedules: pgbox agent --jobs"
                : "not running (PGBOX_AGENT=off, or start it with 'pgbox start')"));
        if (r.metricsUrl() != null) {
            o.println("metrics      " + r.metricsUrl() + " (Prometheus text)");
        }
        if (r.apiUrl() != null) {
            o.println("api          " + r.apiUrl() + " (bearer token PGBOX_API_TOKEN in .env.secrets; " + r.apiUrl() + "/openapi.json)");
        }
        if (r.alertsFiring() != null) {
            o.println("alerts       " + (r.alertsFiring() == 0 ? "none firing" : r.alertsFiring() + " firing: pgbox alerts list")
                    + " · checks: pgbox doctor");
        }
        if (r.pooler() != null) {
            dev.pgbox.pool.PoolReport p = r.pooler();
            o.println("pooler       PgBouncer 127.0.0.1:" + p.port() + " · " + p.pools().size() + " pools · " + p.clientsActive()
                    + " clients active · " + p.clientsWaiting() + " waiting (cl_waiting) · " + p.serverConnections()
                    + " server connections · pgbox pool status");
        }
        List<String> apps = r.apps().stream().map(a -> a.name() + " (" + Size.human(a.sizeBytes()) + ", " + a.connections() + " conn)").toList();
        o.println("apps         " + (apps.isEmpty() ? "none (pgbox app create NAME)" : String.join(", ", apps)));
        printComponents(r, o);
        printSupervision(r.supervision(), o);
        o.println("data         " + r.dataDir());
        o.println("url          " + r.url());
    }

    private static void printBackups(StatusReport.BackupFacts b, PrintWriter o) {
        if (!b.archiving()) {
            o.println("backups      WAL archiving off (BACKUP_ARCHIVE=off): no point-in-time recovery");
            return;
        }
        String archiver = b.archiverOk()
                ? "archiver ok · " + b.archivedCount() + " WAL files archived" + (b.lastArchivedEpoch() > 0 ? ", last " + ago(b.lastArchivedEpoch()) : "")
                : "archiver FAILING since " + ago(b.lastFailedEpoch()) + " (" + b.failedCount() + " failures, " + b.lastFailedWal() + ")";
        o.println("backups      " + archiver + " · " + b.physicalBackups() + " physical"
                + (b.lastBackup() != null ? ", last " + b.lastBackupType() + " " + ago(Instant.parse(b.lastBackupAt()).getEpochSecond()) : ""));
        o.println("             " + (b.lastVerifiedAt() != null
                ? "last good restore drill " + ago(Instant.parse(b.lastVerifiedAt()).getEpochSecond())
                + " (restore took " + b.lastVerifiedRtoSeconds() + "s)"
                : "never verified by a restore drill: run 'pgbox db verify'"));
        if (b.fix() != null) {
            o.println("             fix: " + b.fix());
        }
    }

    /** One line: each component and its state; a second line per component that is not fine, with its fix. */
    private static void printComponents(StatusReport r, PrintWriter o) {
        o.println("components   " + String.join(" · ", r.components().stream()
                .map(h -> h.component() + " " + h.state().name().toLowerCase(java.util.Locale.ROOT)).toList()));
        for (Health h : r.components()) {
            if (!h.ok() && h.fix() != null && r.running()) {
                o.println("             " + h.component() + ": " + h.detail() + "; fix: " + h.fix());
            }
        }
    }

    private static void printSupervision(StatusReport.Supervision s, PrintWriter o) {
        o.println("at boot      " + (s.startsAtBoot() ? "starts by itself · " : "does NOT start by itself · ") + s.how());
        o.println("crashes      " + (s.crashRestarts() == 0 ? "none"
                : s.crashRestarts() + " restart(s) after a crash, last " + ago(Instant.parse(s.lastCrashAt()).getEpochSecond())
                + " by " + s.lastCrashRestartedBy())
                + " · log " + s.crashLog());
        o.println("logs         server " + s.serverLogDir() + " · agent " + s.agentLog());
    }

    static String ago(long epochSeconds) {
        return uptime(Math.max(0, Instant.now().getEpochSecond() - epochSeconds)) + " ago";
    }

    static String uptime(long seconds) {
        long d = seconds / 86400;
        long h = seconds % 86400 / 3600;
        long m = seconds % 3600 / 60;
        if (d > 0) {
            return d + "d " + h + "h";
        }
        if (h > 0) {
            return h + "h " + m + "m";
        }
        return m > 0 ? m + "m " + seconds % 60 + "s" : seconds + "s";
    }
}
