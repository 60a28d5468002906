package dev.pgbox.cluster;

import dev.pgbox.ErrorKind;
import dev.pgbox.PgboxException;
import dev.pgbox.config.Setting;
import dev.pgbox.config.Settings;
import dev.pgbox.sql.AdminSql;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;

/**
 * The project's postmaster as a process: started and stopped through its supervisor, waited for until
 * it serves (a primary accepts writes, a hot standby connections), and marked as wanted (the file the agent's watchdog reads) while it should run.
 */
public final class Postmaster {
    private final Settings settings;
    private final Layout layout;

    public Postmaster(Settings settings, Layout layout) {
        this.settings = settings;
        this.layout = layout;
    }

    private Instance instance() {
        return Instance.primary(settings, layout);
    }

    /**
     * Starts the postmaster of an initialized data dir through its supervisor, then waits until it
     * accepts writes, or with {@code untilWritable} false (a recovery to run first) only until it answers.
     */
    public void launch(Duration timeout, boolean untilWritable) {
        markWanted();
        instance().supervisor().start(timeout);
        if (untilWritable) {
            awaitServing(timeout);
        }
    }

    /**
     * Waits until the server does its job: a primary until it accepts writes; a hot standby (read-only
     * by design) until it accepts connections.
     */
    public void awaitServing(Duration timeout) {
        if (Standby.is(layout) || PatroniSupervisor.isMember(layout)) {
            // a standby is never writable; Patroni's start waited for its leader to be promoted already
            awaitAccepting(timeout);
        } else {
            awaitWritable(timeout);
        }
    }

    /** Waits until a real query answers (a standby never becomes writable, so that is all there is to wait for). */
    public void awaitAccepting(Duration timeout) {
        Instance instance = instance();
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = "no answer";
        while (System.nanoTime() < deadline) {
            try {
                instance.admin().value("postgres", "SELECT 1");
                return;
            } catch (PgboxException e) {
                last = e.reason();
                if (!instance.running()) {
                    break;
                }
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        throw new PgboxException(ErrorKind.TIMEOUT, "the standby did not accept connections within " + timeout.toSeconds() + "s",
                last, "read the log in " + layout.logDir() + "; the primary must be reachable and keep the WAL the standby needs");
    }

    /**
     * Stops the server: fast, then immediate after PGBOX_STOP_TIMEOUT; it stays stopped (also across a
     * reboot, and the watchdog leaves it alone) until the next start. Returns the mode used.
     */
    public String stop() {
        deleteWanted();
        return instance().supervisor().stop(Duration.ofMillis(settings.millis(Setting.PGBOX_STOP_TIMEOUT)));
    }

    /** Waits until a real query answers and the server accepts writes (pg_ctl -w returns during recovery). */
    public void awaitWritable(Duration timeout) {
        Instance instance = instance();
        AdminSql.NotWritable why = instance.admin().awaitWritable(timeout, instance::running);
        if (why != null) {
            throw new PgboxException(ErrorKind.TIMEOUT, "the server started but did not accept writes within " + timeout.toSeconds() + "s",
                    why.lastState(), "read the log in " + layout.logDir() + "; raise PGBOX_START_TIMEOUT for long recoveries");
        }
    }

    /** Records that the server should run, so the watchdog brings it back after a crash. */
    void markWanted() {
        CrashLog.ensure(layout);
        OwnedFiles.write(layout.wantedFile(), "started by pgbox at " + Instant.now() + "\n", layout.osUser(), "rw-r--r--");
    }

    private void deleteWanted() {
        try {
            Files.deleteIfExists(layout.wantedFile());
        } catch (IOException e) {
            throw new PgboxException(ErrorKind.PERMISSION, "cannot remove " + layout.wantedFile(), e.toString(),
                    "check the owner of " + layout.runDir());
        }
    }
}
