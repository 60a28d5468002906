package dev.pgbox.agent;

import dev.pgbox.PgboxException;
import dev.pgbox.cluster.Layout;
import dev.pgbox.cluster.ProjectLock;
import dev.pgbox.cluster.Server;
import dev.pgbox.config.Setting;
import dev.pgbox.pool.PgBouncerProcess;
import dev.pgbox.pool.Pooler;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The watchdog's look at PgBouncer where systemd does not keep it up: while it is wanted (the last start
 * ran it, the server should run, nothing stopped it since) and its process is gone (SIGKILL, a crash), it
 * is started again with the configuration on disk. Steps back while a pgbox command holds the project lock.
 */
final class PgBouncerWatch {
    private static final Duration BACKOFF = Duration.ofSeconds(5);
    private final Server server;
    private final Consumer<String> log;
    private long nextTry;

    PgBouncerWatch(Server server, Consumer<String> log) {
        this.server = server;
        this.log = log;
    }

    /** One look; never throws. */
    void check() {
        Layout l = server.layout();
        if (PgBouncerProcess.underSystemd(server.settings()) || System.nanoTime() < nextTry || !gone(l)) {
            return;
        }
        Optional<ProjectLock> lock = ProjectLock.tryAcquire(l, "watchdog: restarting PgBouncer");
        if (lock.isEmpty() && !Watchdog.heldByThisAgent(l)) {
            return; // a pgbox command (a stop, a start) is at work on this project
        }
        try {
            if (!gone(l)) {
                return;
            }
            long t0 = System.nanoTime();
            log.accept("watchdog: PgBouncer is gone while it should run; starting it again");
            long pid = PgBouncerProcess.start(server.settings(), l, server.settings().integer(Setting.PGBOUNCER_PORT));
            log.accept("watchdog: PgBouncer is back (pid " + pid + ") after " + Duration.ofNanos(System.nanoTime() - t0).toMillis() + "ms");
        } catch (PgboxException e) {
            nextTry = System.nanoTime() + BACKOFF.toNanos();
            log.accept("watchdog: starting PgBouncer FAILED: " + e.getMessage() + (e.reason() == null ? "" : " (" + e.reason().replace('\n', ' ') + ")")
                    + "; trying again in " + BACKOFF.toSeconds() + "s");
        } catch (RuntimeException e) {
            nextTry = System.nanoTime() + BACKOFF.toNanos();
            log.accept("watchdog: starting PgBouncer FAILED: " + e);
        } finally {
            lock.ifPresent(ProjectLock::close);
        }
    }

    private static boolean gone(Layout l) {
        return Pooler.wanted(l) && PgBouncerProcess.running(l).isEmpty();
    }
}
