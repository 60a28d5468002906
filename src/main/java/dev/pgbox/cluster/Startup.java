package dev.pgbox.cluster;

import dev.pgbox.PgboxException;
import dev.pgbox.Progress;
import dev.pgbox.config.Secrets;
import dev.pgbox.config.Setting;
import dev.pgbox.config.Settings;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Brings the project's PostgreSQL up, doing only what is missing: a running server gets its changed
 * configuration reloaded (and its role and database made when they are new); a stopped one gets its
 * folders, a new cluster when there is none, its configuration, a start through its supervisor and the
 * bootstrap. A hot standby gets its configuration and a start only. Every check that can refuse runs
 * before anything is changed.
 */
public final class Startup {
    private Startup() {
    }

    /**
     * What start did, in words, and the settings the server now runs with (a first start generates the
     * password into them).
     */
    public record Result(Settings settings, List<String> actions) {
    }

    /** The packages are installed; {@code layout} was resolved for them. */
    public static Result run(Settings requested, Layout layout, Progress progress) {
        Preflight.beforeStart(layout, progress);
        Instance instance = Instance.primary(requested, layout);
        if (Standby.is(layout)) {
            return standby(requested, layout, instance, progress);
        }
        return instance.running() ? alreadyRunning(requested, layout) : start(requested, layout, instance.supervisor(), progress);
    }

    /**
     * A hot standby (made by 'pgbox db replica --init'): its configuration and a start, nothing else. It
     * is read-only and its roles, databases and extensions are the primary's, streamed to it, so there is
     * no password to generate and no bootstrap; it serves once it accepts connections.
     */
    private static Result standby(Settings s, Layout layout, Instance instance, Progress progress) {
        List<String> actions = new ArrayList<>();
        Postmaster postmaster = new Postmaster(s, layout);
        Duration timeout = Duration.ofMillis(s.millis(Setting.PGBOX_START_TIMEOUT));
        if (instance.running()) {
            postmaster.awaitAccepting(timeout);
            StateFolders.prepare(s, layout);
            if (!Files.exists(layout.wantedFile())) {
                postmaster.markWanted();
            }
            List<String> changed = new ConfigWriter(s, layout).write(layout.dataDir());
            if (!changed.isEmpty()) {
                PgCtl.reload(layout, layout.dataDir());
                actions.add("reloaded changed configuration (" + String.join(", ", changed) + ")");
            }
            return new Result(s, actions);
        }
        Supervisor supervisor = instance.supervisor();
        boolean crashed = PgCtl.clearCrashed(layout, layout.dataDir());
        if (!(supervisor instanceof SystemdSupervisor sd && Systemctl.enabled(sd.unit()))) {
            DebianClusters.clearPort(s, progress);
            Preflight.portFree(s);
        }
        StateFolders.prepare(s, layout);
        new ConfigWriter(s, layout).write(layout.dataDir());
        if (crashed && !"systemd".equals(supervisor.kind())) {
            CrashLog.record(layout, "start", "postmaster gone, found by 'pgbox start'");
        }
        int major = layout.pg().major();
        progress.step("starting PostgreSQL " + major + " as a hot standby on " + s.get(Setting.POSTGRES_HOST) + ":"
                + s.integer(Setting.POSTGRES_PORT) + " (" + supervisor.kind() + ")");
        postmaster.launch(timeout, true); // until it accepts connections: a standby is never writable
        actions.add("started PostgreSQL " + major + " as a hot standby (read-only)");
        return new Result(s, actions);
    }

    /**
     * An HA member (its configuration files rendered by the Patroni and etcd components): etcd and Patroni
     * started when down, Patroni then starts PostgreSQL as the leader or a replica; pgbox's role and
     * database are checked only where this member leads (a replica's are the leader's, streamed).
     */
    public static Result member(Settings requested, Layout layout, Progress progress) {
        Preflight.beforeStart(layout, progress);
        List<String> actions = new ArrayList<>();
        Duration timeout = Duration.ofMillis(requested.millis(Setting.PGBOX_START_TIMEOUT));
        StateFolders.prepare(requested, layout);
        Instance instance = Instance.primary(requested, layout);
        boolean patroni = PatroniSupervisor.running(layout, PatroniSupervisor.PATRONI).isPresent();
        if (!patroni || !instance.running()) {
            progress.step("starting " + (PatroniSupervisor.localEtcd(layout) ? "etcd and " : "") + "Patroni (HA member); Patroni starts PostgreSQL");
            new Postmaster(requested, layout).launch(timeout, true);
            actions.add("started PostgreSQL " + layout.pg().major() + " through Patroni");
        } else {
            new Postmaster(requested, layout).awaitAccepting(timeout);
        }
        ConfigWriter.publishCertificate(layout, layout.dataDir()); // a joined member's came with the leader's data
        if (inRecovery(instance, timeout)) {
            return new Result(requested, actions); // a replica: its roles and databases are the leader's
        }
        Settings s = Secrets.ensurePassword(requested);
        if (!requested.isSet(Setting.POSTGRES_PASSWORD) || !roleAndDatabaseExist(s, layout)) {
            progress.step("checking roles, database and extensions");
            Bootstrap.apply(Instance.primary(s, layout).admin(), s.get(Setting.POSTGRES_USER), s.get(Setting.POSTGRES_DB),
                    s.get(Setting.POSTGRES_PASSWORD));
            actions.add("set up role '" + s.get(Setting.POSTGRES_USER) + "' and database '" + s.get(Setting.POSTGRES_DB) + "'");
        }
        return new Result(s, actions);
    }

    /**
     * Whether the member runs as a replica. Asked again while PostgreSQL is briefly away: Patroni may stop
     * and start a rejoining old primary right after it first came up (pg_rewind, crash recovery).
     */
    private static boolean inRecovery(Instance instance, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            try {
                return "t".equals(instance.admin().value("postgres", "SELECT pg_is_in_recovery()"));
            } catch (PgboxException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                try {
                    Thread.sleep(500);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }

    private static Result alreadyRunning(Settings requested, Layout layout) {
        List<String> actions = new ArrayList<>();
        // a postmaster just (re)started by its supervisor may still be starting up or recovering
        new Postmaster(requested, layout).awaitWritable(Duration.ofMillis(requested.millis(Setting.PGBOX_START_TIMEOUT)));
        StateFolders.prepare(requested, layout); // creates only what is missing; an upgraded project gets its folders shared with the agent
        if (!Files.exists(layout.wantedFile())) {
            new Postmaster(requested, layout).markWanted(); // started before pgbox had a watchdog: guard it from now on
        }
        // judged and written before anything else changes (a new password), so a refused value changes nothing
        List<String> changed = new ConfigWriter(requested, layout).write(layout.dataDir());
        Settings s = Secrets.ensurePassword(requested);
        if (!requested.isSet(Setting.POSTGRES_PASSWORD) || !roleAndDatabaseExist(s, layout)) {
            // a new password (the secrets file was gone) or a renamed role/database: apply it now
            Bootstrap.apply(Instance.primary(s, layout).admin(), s.get(Setting.POSTGRES_USER), s.get(Setting.POSTGRES_DB),
                    s.get(Setting.POSTGRES_PASSWORD));
            actions.add("set up role '" + s.get(Setting.POSTGRES_USER) + "' and database '" + s.get(Setting.POSTGRES_DB) + "'");
        }
        if (!changed.isEmpty()) {
            PgCtl.reload(layout, layout.dataDir());
            actions.add("reloaded changed configuration (" + String.join(", ", changed) + ")");
            List<String> pending = new ConfigWriter(s, layout).pendingRestart();
            if (!pending.isEmpty()) {
                actions.add("restart needed for: " + String.join(", ", pending) + " (run 'pgbox restart')");
            }
        }
        return new Result(s, actions);
    }

    private static Result start(Settings requested, Layout layout, Supervisor supervisor, Progress progress) {
        List<String> actions = new ArrayList<>();
        boolean crashed = layout.initialized() && PgCtl.clearCrashed(layout, layout.dataDir());
        if (!(supervisor instanceof SystemdSupervisor sd && Systemctl.enabled(sd.unit()))) {
            // an enabled unit may be bringing the server back right now: it owns the port, systemd reports a clash
            DebianClusters.clearPort(requested, progress);
            Preflight.portFree(requested);
        }
        Settings s = Secrets.ensurePassword(requested);
        StateFolders.prepare(s, layout);
        if (!layout.initialized()) {
            Initdb.run(s, layout, progress);
            actions.add("initialized a new cluster in " + layout.dataDir());
        } else {
            new ConfigWriter(s, layout).write(layout.dataDir());
        }
        if (crashed) {
            progress.step("the server had crashed (its postmaster died without a clean stop): crash recovery runs now");
            if (!"systemd".equals(supervisor.kind())) { // systemd's ExecStopPost recorded it already
                CrashLog.record(layout, "start", "postmaster gone, found by 'pgbox start'");
            }
        }
        int major = layout.pg().major();
        progress.step("starting PostgreSQL " + major + " on " + s.get(Setting.POSTGRES_HOST) + ":" + s.integer(Setting.POSTGRES_PORT)
                + " (" + supervisor.kind() + ")");
        new Postmaster(s, layout).launch(Duration.ofMillis(s.millis(Setting.PGBOX_START_TIMEOUT)), true);
        actions.add((crashed ? "recovered from a crash and started PostgreSQL " : "started PostgreSQL ") + major);
        progress.step("checking roles, database and extensions");
        Bootstrap.apply(Instance.primary(s, layout).admin(), s.get(Setting.POSTGRES_USER), s.get(Setting.POSTGRES_DB),
                s.get(Setting.POSTGRES_PASSWORD));
        return new Result(s, actions);
    }

    private static boolean roleAndDatabaseExist(Settings s, Layout layout) {
        return "t".equals(Instance.primary(s, layout).admin().value("postgres",
                "SELECT EXISTS (SELECT FROM pg_roles WHERE rolname = $1) AND EXISTS (SELECT FROM pg_database WHERE datname = $2)",
                s.get(Setting.POSTGRES_USER), s.get(Setting.POSTGRES_DB)));
    }
}
