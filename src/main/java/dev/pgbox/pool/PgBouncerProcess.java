package dev.pgbox.pool;

import dev.pgbox.ErrorKind;
import dev.pgbox.PgboxException;
import dev.pgbox.cluster.Layout;
import dev.pgbox.cluster.OwnedFiles;
import dev.pgbox.cluster.PgCtl;
import dev.pgbox.cluster.Supervisor;
import dev.pgbox.cluster.Systemctl;
import dev.pgbox.cluster.SystemdUnits;
import dev.pgbox.config.Settings;
import dev.pgbox.exec.Command;
import dev.pgbox.exec.ProcessResult;
import dev.pgbox.exec.ProcessRunner;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.OptionalLong;

/**
 * One project's PgBouncer process: started in the foreground as the server's OS user (never root) with
 * the file descriptor limit its max_client_conn needs, under its own systemd unit where the server runs
 * under systemd (restarted by systemd, started at boot), else as a detached process the agent's watchdog
 * restarts. Found by its PID file and /proc (the PID must be a pgbouncer running this project's ini).
 */
public final class PgBouncerProcess {
    public static final String PGBOUNCER = "/usr/sbin/pgbouncer";
    private static final String PRLIMIT = "/usr/bin/prlimit";
    private static final String KILL = "/bin/kill";
    private static final Duration START_WAIT = Duration.ofSeconds(15);

    private PgBouncerProcess() {
    }

    /** Whether its process is a systemd unit: the server's own choice (PGBOX_SUPERVISOR, systemd as PID 1 and root). */
    public static boolean underSystemd(Settings s) {
        return Supervisor.systemdWanted(s);
    }

    /** The PID of this project's PgBouncer when it runs. */
    public static OptionalLong running(Layout l) {
        PgBouncerFiles f = PgBouncerFiles.of(l);
        try {
            if (!Files.exists(f.pidFile())) {
                return OptionalLong.empty();
            }
            long pid = Long.parseLong(Files.readString(f.pidFile()).strip());
            return PgCtl.alive(pid) && runs(pid, f.ini()) ? OptionalLong.of(pid) : OptionalLong.empty();
        } catch (IOException | NumberFormatException e) {
            return OptionalLong.empty();
        }
    }

    /** The process is a pgbouncer started with {@code ini}: a PID reused by another program after a crash is not ours. */
    private static boolean runs(long pid, Path ini) {
        try {
            String[] argv = new String(Files.readAllBytes(Path.of("/proc/" + pid + "/cmdline")), StandardCharsets.UTF_8).split("\0");
            return argv.length > 0 && argv[0].endsWith("pgbouncer") && List.of(argv).contains(ini.toString());
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Starts PgBouncer and waits until it listens on {@code port}; returns its PID. A stale PID file (a killed
     * PgBouncer) is removed first: PgBouncer refuses to start while the PID in it lives, and after a crash that
     * PID may belong to another process.
     */
    public static long start(Settings s, Layout l, int port) {
        PgBouncerFiles f = PgBouncerFiles.of(l);
        int files = fileLimit(f);
        if (running(l).isEmpty()) {
            removeStalePidFile(f);
        }
        if (underSystemd(s)) {
            String unit = SystemdUnits.pgbouncerUnitName(l);
            OwnedFiles.appendable(f.log(), l.osUser(), "rw-------");
            Systemctl.install(unit, SystemdUnits.renderPgBouncer(l, PGBOUNCER, f.ini(), files, f.log()));
            ProcessResult r = Systemctl.enableAndStart(unit, Duration.ofSeconds(60));
            if (!r.ok()) {
                throw new PgboxException(ErrorKind.TOOL_FAILED, "cannot start PgBouncer's unit " + unit, r.tail(3),
                        "read 'journalctl -u " + unit + "' and " + f.log() + "; fix the cause and run 'pgbox start' again");
            }
        } else {
            OwnedFiles.appendable(f.log(), l.osUser(), "rw-------");
            long limit = Math.min(files, hardFileLimit());
            Command c = Command.of(PRLIMIT, "--nofile=" + limit + ":" + limit, "--", PGBOUNCER, f.ini().toString())
                    .runAs(l.osUser()).build();
            ProcessRunner.spawnDetached(c, f.log());
        }
        return awaitListening(l, f, port);
    }

    private static long awaitListening(Layout l, PgBouncerFiles f, int port) {
        long deadline = System.nanoTime() + START_WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            OptionalLong pid = running(l);
            if (pid.isPresent() && answers(port)) {
                return pid.getAsLong();
            }
            sleep(50);
        }
        throw new PgboxException(ErrorKind.TOOL_FAILED, "PgBouncer did not start listening on 127.0.0.1:" + port + " within "
                + START_WAIT.toSeconds() + "s", lastLines(f.log(), 3),
                "read " + f.log() + " for the whole log; fix the cause and run 'pgbox start' again");
    }

    /** Whether something accepts TCP connections on 127.0.0.1:{@code port}. */
    public static boolean answers(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Makes PgBouncer re-read its configuration and hba file (SIGHUP): clients stay connected. */
    public static void reload(Layout l, long pid) {
        ProcessRunner.runChecked(Command.of(KILL, "-HUP", Long.toString(pid)).runAs(l.osUser()).timeout(Duration.ofSeconds(20)).build(),
                "cannot make PgBouncer reload its configuration", "see " + PgBouncerFiles.of(l).log());
    }

    /**
     * Stops PgBouncer (and disables its unit, so it stays down across a reboot); true when one ran. SIGTERM is
     * PgBouncer's immediate shutdown: its clients are cut, as the server's fast stop cuts its own.
     */
    public static boolean stop(Layout l) {
        String unit = SystemdUnits.pgbouncerUnitName(l);
        OptionalLong ran = running(l);
        if (Supervisor.systemdIsInit() && Files.exists(SystemdUnits.UNIT_DIR.resolve(unit))) {
            Systemctl.disableAndStop(unit, Duration.ofSeconds(60));
        }
        OptionalLong pid = running(l);
        if (pid.isEmpty()) {
            return ran.isPresent(); // systemd stopped it
        }
        ProcessHandle.of(pid.getAsLong()).ifPresent(h -> {
            h.destroy();
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (PgCtl.alive(h.pid()) && System.nanoTime() < deadline) {
                sleep(20);
            }
            if (PgCtl.alive(h.pid())) {
                h.destroyForcibly();
            }
        });
        return true;
    }

    private static void removeStalePidFile(PgBouncerFiles f) {
        try {
            if (Files.exists(f.pidFile())) {
                Files.delete(f.pidFile());
            }
        } catch (IOException e) {
            throw new PgboxException(ErrorKind.PERMISSION, "cannot remove PgBouncer's stale PID file " + f.pidFile(), e.toString(),
                    "remove it by hand and run 'pgbox start' again");
        }
    }

    /** RLIMIT_NOFILE the rendered configuration needs. */
    static int fileLimit(PgBouncerFiles f) {
        return PgBouncerConfig.fileLimit(OwnedFiles.read(f.ini()));
    }

    /** This process's hard limit on open files: without root, a child may raise its soft limit only that far. */
    static long hardFileLimit() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/limits"))) {
                if (line.startsWith("Max open files")) {
                    String hard = line.substring("Max open files".length()).trim().split("\\s+")[1];
                    return hard.equals("unlimited") ? Long.MAX_VALUE : Long.parseLong(hard);
                }
            }
        } catch (IOException | RuntimeException e) {
            // fall through
        }
        return 4096;
    }

    static String lastLines(Path log, int n) {
        List<String> lines = OwnedFiles.read(log).lines().toList();
        return lines.isEmpty() ? "no output in " + log : String.join("\n", lines.subList(Math.max(0, lines.size() - n), lines.size()));
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
