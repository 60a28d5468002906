package dev.pgbox.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pgbox.ErrorKind;
import dev.pgbox.cluster.PgCtl;
import dev.pgbox.cluster.Server;
import dev.pgbox.config.Setting;
import dev.pgbox.config.Size;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "status", mixinStandardHelpOptions = true,
        description = {"One screen: running or not, version, uptime, port, connections used/max, database size, extensions.",
                "Exits 4 when the server is not running."})
final class StatusCommand extends BaseCommand implements Callable<Integer> {
    @Option(names = "--json", description = "Print the status as JSON.")
    boolean json;

    @Override
    public Integer call() {
        var settings = settings();
        Server server = Server.open(settings);
        ObjectNode report = Tables.JSON.createObjectNode();
        report.put("project", settings.projectDir().toString());
        report.put("env", settings.envName());
        report.put("data_dir", server.layout().dataDir().toString());
        report.put("socket_dir", server.layout().runDir().toString());
        report.put("host", settings.get(Setting.POSTGRES_HOST));
        report.put("port", server.port());
        boolean running = server.running();
        report.put("running", running);
        var agentPid = dev.pgbox.agent.AgentProcess.running(server.layout());
        report.put("agent_running", agentPid.isPresent());
        if (agentPid.isPresent()) {
            report.put("agent_pid", agentPid.getAsLong());
        }
        report.put("initialized", server.layout().initialized());
        report.set("supervision", supervision(server));
        if (running) {
            report.put("pid", PgCtl.pid(server.layout().dataDir()).orElse(-1));
            report.setAll((ObjectNode) server.liveStatus());
            report.put("url", dev.pgbox.apps.AppUrls.main(settings, server.layout()).libpq());
            report.set("backups", backups(server));
            var apps = report.putArray("apps");
            new dev.pgbox.apps.Apps(server).list().forEach(a -> apps.addObject().put("name", a.name()).put("size_bytes", a.bytes())
                    .put("connections", a.connections()).put("connection_limit", a.connectionLimit()));
        }
        if (json) {
            out().println(Tables.json(report));
        } else {
            print(report);
        }
        return running ? 0 : ErrorKind.NOT_RUNNING.exitCode();
    }

    /** What keeps the server up: at boot, after a crash, and the crashes so far. */
    private static ObjectNode supervision(Server server) {
        ObjectNode n = Tables.JSON.createObjectNode();
        dev.pgbox.cluster.Supervisor sup = server.supervisor();
        n.put("supervisor", sup.kind());
        n.put("starts_at_boot", sup.startsAtBoot());
        n.put("how", sup.describe());
        dev.pgbox.cluster.CrashLog.Summary crashes = dev.pgbox.cluster.CrashLog.read(server.layout());
        n.put("crash_restarts", crashes.count());
        crashes.last().ifPresent(t -> n.put("last_crash_at", t.toString()).put("last_crash_restarted_by", crashes.lastBy()));
        n.put("crash_log", server.layout().crashLog().toString());
        n.put("server_log_dir", server.layout().logDir().toString());
        n.put("agent_log", dev.pgbox.agent.AgentProcess.logFile(server.layout()).toString());
        return n;
    }

    private void printSupervision(JsonNode r) {
        var o = out();
        JsonNode s = r.path("supervision");
        o.println("at boot      " + (s.path("starts_at_boot").asBoolean() ? "starts by itself · " : "does NOT start by itself · ")
                + s.path("how").asText());
        o.println("crashes      " + (s.path("crash_restarts").asInt() == 0 ? "none"
                : s.path("crash_restarts").asInt() + " restart(s) after a crash, last " + ago(java.time.Instant.parse(
                s.path("last_crash_at").asText()).getEpochSecond()) + " by " + s.path("last_crash_restarted_by").asText())
                + " · log " + s.path("crash_log").asText());
        o.println("logs         server " + s.path("server_log_dir").asText() + " · agent " + s.path("agent_log").asText());
    }

    private void print(JsonNode r) {
        var o = out();
        o.println("project      " + r.path("project").asText() + " (env " + r.path("env").asText() + ")");
        if (!r.path("running").asBoolean()) {
            o.println("server       stopped" + (r.path("initialized").asBoolean() ? "" : " (no cluster yet: run 'pgbox start')"));
            o.println("data         " + r.path("data_dir").asText());
            printSupervision(r);
            return;
        }
        o.println("server       running · PostgreSQL " + r.path("version").asText() + " · pid " + r.path("pid").asLong()
                + " · up " + uptime(r.path("uptime_seconds").asLong()));
        o.println("listen       " + r.path("listen_addresses").asText() + ":" + r.path("port").asInt()
                + " · TLS " + r.path("ssl").asText() + " · socket " + r.path("socket_dir").asText());
        o.println("connections  " + r.path("connections").asInt() + " / " + r.path("max_connections").asInt());
        o.println("database     " + r.path("database").asText() + " · " + Size.human(r.path("database_bytes").asLong()));
        List<String> ext = new ArrayList<>();
        r.path("extensions").forEach(e -> ext.add(e.path("name").asText() + " " + e.path("version").asText()));
        o.println("extensions   " + String.join(", ", ext));
        List<String> apps = new ArrayList<>();
        r.path("apps").forEach(a -> apps.add(a.path("name").asText() + " (" + Size.human(a.path("size_bytes").asLong()) + ", "
                + a.path("connections").asInt() + " conn)"));
        JsonNode b = r.path("backups");
        if (!b.path("archiving").asBoolean()) {
            o.println("backups      WAL archiving off (BACKUP_ARCHIVE=off): no point-in-time recovery");
        } else {
            String archiver = b.path("archiver_ok").asBoolean()
                    ? "archiver ok · " + b.path("archived_count").asLong() + " WAL files archived" + (b.path("last_archived_epoch").asLong() > 0
                    ? ", last " + ago(b.path("last_archived_epoch").asLong()) : "")
                    : "archiver FAILING since " + ago(b.path("last_failed_epoch").asLong()) + " (" + b.path("failed_count").asLong()
                    + " failures, " + b.path("last_failed_wal").asText() + ")";
            o.println("backups      " + archiver + " · " + b.path("physical_backups").asInt() + " physical"
                    + (b.has("last_backup") ? ", last " + b.path("last_backup_type").asText() + " "
                    + ago(java.time.Instant.parse(b.path("last_backup_at").asText()).getEpochSecond()) : ""));
            o.println("             " + (b.has("last_verified_at")
                    ? "last good restore drill " + ago(java.time.Instant.parse(b.path("last_verified_at").asText()).getEpochSecond())
                    + " (restore took " + b.path("last_verified_rto_seconds").asDouble() + "s)"
                    : "never verified by a restore drill: run 'pgbox db verify'"));
            if (b.has("fix")) {
                o.println("             fix: " + b.path("fix").asText());
            }
        }
        o.println("agent        " + (r.path("agent_running").asBoolean() ? "running · pid " + r.path("agent_pid").asLong()
                + " · schedules: pgbox agent --jobs" : "not running (PGBOX_AGENT=off, or start it with 'pgbox start')"));
        o.println("apps         " + (apps.isEmpty() ? "none (pgbox app create NAME)" : String.join(", ", apps)));
        printSupervision(r);
        o.println("data         " + r.path("data_dir").asText());
        o.println("url          " + r.path("url").asText());
    }

    /** Archiver health (pg_stat_archiver) and the newest physical backup. */
    private static ObjectNode backups(Server server) {
        ObjectNode b = Tables.JSON.createObjectNode();
        dev.pgbox.backup.Backups backups = new dev.pgbox.backup.Backups(server);
        b.put("archiving", backups.archiving());
        List<String> a = backups.archiverRow();
        b.put("archived_count", Long.parseLong(a.get(0)));
        b.put("last_archived_wal", a.get(1));
        b.put("last_archived_epoch", a.get(2).isEmpty() ? 0 : Long.parseLong(a.get(2)));
        b.put("failed_count", Long.parseLong(a.get(3)));
        b.put("last_failed_wal", a.get(4));
        b.put("last_failed_epoch", a.get(5).isEmpty() ? 0 : Long.parseLong(a.get(5)));
        boolean failing = b.path("last_failed_epoch").asLong() > b.path("last_archived_epoch").asLong();
        b.put("archiver_ok", !backups.archiving() || !failing);
        if (failing) {
            b.put("fix", "pgBackRest cannot store WAL: check that " + dev.pgbox.backup.PgBackRestConf.describe(server.settings(), server.layout()) + " exists, is writable by "
                    + server.layout().osUser() + " and has free space; details in " + server.layout().logDir() + "/pgbackrest");
        }
        JsonNode drill = new dev.pgbox.backup.Drills(server).lastGood();
        if (drill != null) {
            b.put("last_verified_at", drill.path("at").asText());
            b.put("last_verified_rto_seconds", drill.path("restore_ms").asLong() / 1000.0);
        }
        var sets = backups.archiving() ? backups.physicalBackups() : List.<dev.pgbox.backup.BackupSet>of();
        b.put("physical_backups", sets.size());
        if (!sets.isEmpty()) {
            var last = sets.get(sets.size() - 1);
            b.put("last_backup", last.label());
            b.put("last_backup_type", last.type());
            b.put("last_backup_at", last.stop().toString());
        }
        return b;
    }

    static String ago(long epochSeconds) {
        return uptime(Math.max(0, java.time.Instant.now().getEpochSecond() - epochSeconds)) + " ago";
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
