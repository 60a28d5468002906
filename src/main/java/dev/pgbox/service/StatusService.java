package dev.pgbox.service;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pgbox.api.AgentApi;
import dev.pgbox.api.ApiServer;
import dev.pgbox.apps.AppUrls;
import dev.pgbox.apps.Apps;
import dev.pgbox.backup.BackupSet;
import dev.pgbox.backup.PhysicalBackups;
import dev.pgbox.backup.Drills;
import dev.pgbox.cluster.CrashLog;
import dev.pgbox.cluster.Layout;
import dev.pgbox.cluster.PgCtl;
import dev.pgbox.cluster.Server;
import dev.pgbox.cluster.Standby;
import dev.pgbox.cluster.Supervisor;
import dev.pgbox.component.AgentProcess;
import dev.pgbox.component.Component;
import dev.pgbox.component.Components;
import dev.pgbox.component.Health;
import dev.pgbox.component.PgBackRestComponent;
import dev.pgbox.component.PgBouncerComponent;
import dev.pgbox.component.Project;
import dev.pgbox.config.Setting;
import dev.pgbox.config.Settings;
import dev.pgbox.monitor.Metrics;
import dev.pgbox.monitor.MetricsServer;
import java.util.List;
import java.util.OptionalLong;

/**
 * {@code pgbox status}: the server's folders and address, what supervises it, and while it runs its
 * live facts, backups and apps; plus every component's health.
 */
public final class StatusService {
    private StatusService() {
    }

    public static StatusReport status(Settings settings) {
        Server server = Server.open(settings);
        Layout l = server.layout();
        Project project = Project.of(settings, l);
        boolean running = server.running();
        OptionalLong agentPid = AgentProcess.running(l);
        List<Health> health = Components.all().stream().map((Component c) -> c.health(project)).toList();
        return new StatusReport(settings.projectDir().toString(), settings.envName(), Standby.is(l) ? "replica" : "primary", l.dataDir().toString(), l.runDir().toString(),
                settings.get(Setting.POSTGRES_HOST), server.port(), running, agentPid.isPresent(),
                agentPid.isPresent() ? agentPid.getAsLong() : null, l.initialized(), supervision(server),
                running ? PgCtl.pid(l.dataDir()).orElse(-1) : null,
                running ? server.liveFacts() : null,
                running ? AppUrls.main(settings, project.instance()).libpq() : null,
                running ? backups(server, project) : null,
                running ? apps(server) : null,
                health,
                agentPid.isPresent() && Metrics.serves(settings) ? MetricsServer.url(settings.integer(Setting.PGBOX_METRICS_PORT)) : null,
                agentPid.isPresent() ? alertsFiring(l) : null,
                agentPid.isPresent() && AgentApi.serves(settings) ? ApiServer.url(settings.integer(Setting.PGBOX_API_PORT)) : null,
                running && PgBouncerComponent.enabled(settings) ? PoolService.report(project) : null);
    }

    /** The alerts in the agent's state now; null when that state cannot be read (status never fails on it). */
    private static Integer alertsFiring(Layout l) {
        try {
            return dev.pgbox.alerts.AlertsService.list(l).alerts().size();
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static StatusReport.Supervision supervision(Server server) {
        Supervisor sup = server.supervisor();
        Layout l = server.layout();
        CrashLog.Summary crashes = CrashLog.read(l);
        return new StatusReport.Supervision(sup.kind(), sup.startsAtBoot(), sup.describe(), crashes.count(),
                crashes.last().map(Object::toString).orElse(null), crashes.last().isPresent() ? crashes.lastBy() : null,
                l.crashLog().toString(), l.logDir().toString(), AgentProcess.logFile(l).toString());
    }

    private static StatusReport.BackupFacts backups(Server server, Project project) {
        PhysicalBackups backups = new PhysicalBackups(server);
        PgBackRestComponent.Archiver a = PgBackRestComponent.archiver(project);
        JsonNode drill = new Drills(server).lastGood();
        List<BackupSet> sets = backups.archiving() ? backups.list() : List.of();
        BackupSet last = sets.isEmpty() ? null : sets.get(sets.size() - 1);
        return new StatusReport.BackupFacts(a.archiving(), a.archivedCount(), a.lastArchivedWal(), a.lastArchivedEpoch(),
                a.failedCount(), a.lastFailedWal(), a.lastFailedEpoch(), a.ok(), a.fix(),
                drill == null ? null : drill.path("at").asText(),
                drill == null ? null : drill.path("restore_ms").asLong() / 1000.0,
                sets.size(), last == null ? null : last.label(), last == null ? null : last.type(),
                last == null ? null : last.stop().toString());
    }

    private static List<StatusReport.App> apps(Server server) {
        return new Apps(server).list().stream()
                .map(a -> new StatusReport.App(a.name(), a.bytes(), a.connections(), a.connectionLimit())).toList();
    }
}
