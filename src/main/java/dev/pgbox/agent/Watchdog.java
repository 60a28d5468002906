package dev.pgbox.agent;

import dev.pgbox.PgboxException;
import dev.pgbox.cluster.CrashLog;
import dev.pgbox.cluster.Layout;
import dev.pgbox.cluster.PatroniSupervisor;
import dev.pgbox.cluster.PgCtl;
import dev.pgbox.cluster.ProjectLock;
import dev.pgbox.cluster.Server;
import dev.pgbox.config.Setting;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Restarts a crashed server where systemd does not (it is not PID 1): when the server should run
 * (the wanted file of the last start is there) and its postmaster died without removing its PID file
 * (SIGKILL, the OOM killer), it waits for orphaned backends, starts it and waits until it accepts
 * writes. It leaves alone a server pgbox stopped, and steps back while a pgbox command holds the
 * project lock (a restore, a restart, a 'pgbox start' doing the same recovery).
 */
final class Watchdog {
    /** How often the postmaster is looked at: a few /proc reads, no process started. */
    static final Duration INTERVAL = Duration.ofMillis(250);
    /** After a failed restart, wait this long before the next try (a broken config would otherwise spin). */
    private static final Duration BACKOFF = Duration.ofSeconds(5);

    private final Server server;
    private final Consumer<String> log;
    private long nextTry;
    /** True after a failed restart: the PID file is gone by then, and the server still has to come back. */
    private boolean retrying;

    private final PgBouncerWatch pgbouncer;

    Watchdog(Server server, Consumer<String> log) {
        this.server = server;
        this.log = log;
        this.pgbouncer = new PgBouncerWatch(server, log);
    }

    /** One look; restarts the server when it crashed, and PgBouncer when its process is gone. Never throws. */
    void check() {
        checkServer();
        pgbouncer.check();
    }

    private void checkServer() {
        Layout l = server.layout();
        if (PatroniSupervisor.isMember(l)) {
            checkMember(l);
            return;
        }
        if (System.nanoTime() < nextTry || !crashed(l)) {
            return;
        }
        Optional<ProjectLock> lock = ProjectLock.tryAcquire(l, "watchdog: restarting the crashed server");
        if (lock.isEmpty() && !heldByThisAgent(l)) {
            return; // a pgbox command (a restore, a restart) is at work on this project; look again later
        }
        try {
            if (!crashed(l)) {
                return; // recovered (or stopped) while we waited for the lock
            }
            long t0 = System.nanoTime();
            log.accept("watchdog: the postmaster of " + l.dataDir() + " is gone without a clean stop; restarting it");
            if (PgCtl.clearCrashed(l, l.dataDir())) {
                // a dead postmaster's leftovers (its PID file) were there: one crash. Recorded before the restart, not
                // once it is writable: the server may die again while it recovers, and this crash must still count
                // (a retry after a failed restart finds no leftovers and records nothing)
                CrashLog.record(l, "watchdog", "postmaster gone; restarted by the agent");
            }
            server.launch(Duration.ofMillis(server.settings().millis(Setting.PGBOX_START_TIMEOUT)), true);
            retrying = false;
            log.accept("watchdog: the server is back and writable after " + Duration.ofNanos(System.nanoTime() - t0).toMillis() + "ms");
        } catch (PgboxException e) {
            retrying = true;
            nextTry = System.nanoTime() + BACKOFF.toNanos();
            log.accept("watchdog: restart FAILED: " + e.getMessage() + (e.reason() == null ? "" : " (" + e.reason().replace('\n', ' ') + ")")
                    + "; trying again in " + BACKOFF.toSeconds() + "s");
        } catch (RuntimeException e) {
            retrying = true;
            nextTry = System.nanoTime() + BACKOFF.toNanos();
            log.accept("watchdog: restart FAILED: " + e);
        } finally {
            lock.ifPresent(ProjectLock::close);
        }
    }

    /**
     * An HA member: Patroni restarts PostgreSQL itself, so the watchdog looks after Patroni (and this host's
     * etcd member): when the member should run and Patroni is gone (killed, crashed, or the machine rebooted
     * and only the agent's unit came back), it starts etcd and Patroni again as 'pgbox start' does.
     */
    private void checkMember(Layout l) {
        if (System.nanoTime() < nextTry || !patroniGone(l)) {
            return;
        }
        Optional<ProjectLock> lock = ProjectLock.tryAcquire(l, "watchdog: restarting Patroni");
        if (lock.isEmpty() && !heldByThisAgent(l)) {
            return; // a pgbox command (a stop, a restore) is at work on this project
        }
        try {
            if (!patroniGone(l)) {
                return;
            }
            long t0 = System.nanoTime();
            log.accept("watchdog: this HA member's Patroni is gone while the member should run; starting "
                    + (PatroniSupervisor.localEtcd(l) ? "etcd and " : "") + "Patroni again");
            CrashLog.record(l, "watchdog", "Patroni gone; restarted by the agent");
            server.launch(Duration.ofMillis(server.settings().millis(Setting.PGBOX_START_TIMEOUT)), true);
            log.accept("watchdog: Patroni is back and runs PostgreSQL after " + Duration.ofNanos(System.nanoTime() - t0).toMillis() + "ms");
        } catch (PgboxException e) {
            nextTry = System.nanoTime() + BACKOFF.toNanos();
            log.accept("watchdog: starting Patroni FAILED: " + e.getMessage() + (e.reason() == null ? "" : " (" + e.reason().replace('\n', ' ') + ")")
                    + "; trying again in " + BACKOFF.toSeconds() + "s");
        } catch (RuntimeException e) {
            nextTry = System.nanoTime() + BACKOFF.toNanos();
            log.accept("watchdog: starting Patroni FAILED: " + e);
        } finally {
            lock.ifPresent(ProjectLock::close);
        }
    }

    private static boolean patroniGone(Layout l) {
        return Files.exists(l.wantedFile()) && PatroniSupervisor.running(l, PatroniSupervisor.PATRONI).isEmpty();
    }

    /**
     * One of this agent's own jobs holds the lock. Those never stop the server on purpose (backups,
     * dumps, drills in scratch clusters), and a drill may run for many minutes: do not wait for it.
     */
    static boolean heldByThisAgent(Layout l) {
        return ProjectLock.holder(l).map(h -> h.pid() == ProcessHandle.current().pid()).orElse(false);
    }

    /** Should run, and its postmaster died leaving its PID file (or an earlier restart failed). */
    private boolean crashed(Layout l) {
        return Files.exists(l.wantedFile()) && (retrying || Files.exists(l.pidFile())) && !PgCtl.running(l, l.dataDir());
    }
}
