package dev.pgbox.backup;

import dev.pgbox.ErrorKind;
import dev.pgbox.PgboxException;
import dev.pgbox.Progress;
import dev.pgbox.cluster.Layout;
import dev.pgbox.cluster.Server;
import dev.pgbox.cluster.ServerConf;
import dev.pgbox.config.Setting;
import dev.pgbox.config.Settings;
import dev.pgbox.sql.AdminSql;
import dev.pgbox.cluster.OwnedFiles;
import dev.pgbox.cluster.Instance;
import dev.pgbox.exec.ProcessRunner;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A private copy of the cluster restored from a physical backup: its own folder per run under
 * {@code <state dir>/scratch} (never wiped by another run; a dead run's leftover is removed), a free port, reachable only over its own socket, with archiving and pg_cron off so it can
 * never touch the repository or run jobs. Stopped and deleted on close.
 */
final class ScratchCluster implements AutoCloseable {
    private final Instance instance;
    private final Path folder;
    private final long restoreMillis;

    private ScratchCluster(Instance instance, Path folder, long restoreMillis) {
        this.instance = instance;
        this.folder = folder;
        this.restoreMillis = restoreMillis;
    }

    /**
     * Restores backup {@code label} with these recovery options (e.g. --type=immediate, or --type=time
     * --target=...) and starts it; returns once it accepts writes.
     */
    static ScratchCluster restore(Server server, PgBackRest pgbackrest, String label, List<String> recovery, Progress progress) {
        Layout live = server.layout();
        Path home = home(live);
        OwnedFiles.directory(home, live.osUser(), "rwxr-xr-x");
        removeStale(live, progress);
        Path folder = claimFolder(home, live.osUser());
        Path data = folder.resolve("data");
        OwnedFiles.directory(data, live.osUser(), "rwx------");
        // no TCP listener (listen_addresses = ''): the port only names the socket in this run's own folder, so runs never collide
        int port = freePort();
        Instance instance = Instance.scratch(live, folder, port);
        long t0 = System.nanoTime();
        ScratchCluster scratch = new ScratchCluster(instance, folder, 0);
        try {
            progress.step("restoring backup " + label + " into a scratch cluster on port " + port);
            List<String> options = new ArrayList<>(List.of("--pg1-path=" + data, "--set=" + label, "--target-action=promote",
                    "--archive-mode=off"));
            options.addAll(recovery);
            pgbackrest.restore(progress, options);
            Path auto = data.resolve("postgresql.auto.conf");
            OwnedFiles.write(auto, OwnedFiles.read(auto) + "\n# pgbox scratch cluster: a private copy\n"
                    + "port = " + port + "\nlisten_addresses = ''\nunix_socket_directories = '" + folder + "'\n"
                    + "archive_mode = off\nlogging_collector = off\nshared_preload_libraries = '" + libraries(server.settings()) + "'\n"
                    + "shared_buffers = '128MB'\n", live.osUser(), "rw-------");
            instance.supervisor().start(Duration.ofMinutes(30));
            awaitWritable(instance);
            return new ScratchCluster(instance, folder, (System.nanoTime() - t0) / 1_000_000);
        } catch (RuntimeException e) {
            scratch.close();
            throw e;
        }
    }

    /**
     * The libraries the copy loads: the server's own (a restored database may need one, e.g. for its
     * types) except pg_cron, so that no scheduled job ever runs in a copy.
     */
    static String libraries(Settings s) {
        return String.join(",", ServerConf.preloadLibraries(Settings.list(s.get(Setting.POSTGRES_SHARED_PRELOAD_LIBRARIES))).stream()
                .filter(l -> !l.equals("pg_cron")).toList());
    }

    /** Where scratch clusters live: one folder per run, named by its owner (see {@link #claimFolder}). */
    static Path home(Layout live) {
        return live.scratchDir();
    }

    /**
     * A new folder only this run uses: {@code <pid>-<start of this process, epoch seconds>-<n>}, made
     * with an atomic mkdir. The name says who owns it, so a later run can tell a dead run's leftover
     * from a live run's cluster without any other record.
     */
    private static Path claimFolder(Path home, String osUser) {
        ProcessHandle me = ProcessHandle.current();
        String owner = me.pid() + "-" + me.info().startInstant().map(java.time.Instant::getEpochSecond).orElse(0L);
        for (int n = 1; ; n++) {
            Path folder = home.resolve(owner + "-" + n);
            if (OwnedFiles.createNew(folder, osUser, "rwxr-xr-x")) {
                return folder;
            }
        }
    }

    /** Whether the run that made {@code folder} is gone (its PID is dead, or now names another process). */
    static boolean ownerGone(Path folder) {
        String[] parts = folder.getFileName().toString().split("-");
        if (parts.length != 3) {
            return false; // not one of ours: leave it alone
        }
        try {
            long pid = Long.parseLong(parts[0]);
            long started = Long.parseLong(parts[1]);
            Optional<ProcessHandle> h = ProcessHandle.of(pid).filter(ProcessHandle::isAlive);
            if (h.isEmpty()) {
                return true;
            }
            Optional<java.time.Instant> start = h.get().info().startInstant();
            return start.isPresent() && started != 0 && start.get().getEpochSecond() != started; // the PID was reused
        } catch (NumberFormatException e) {
            return false;
        }
    }

    /** Stops and deletes scratch clusters whose run died (kill -9, power loss); never a live run's. */
    private static void removeStale(Layout live, Progress progress) {
        List<Path> stale;
        try (java.util.stream.Stream<Path> s = java.nio.file.Files.list(home(live))) {
            stale = s.filter(java.nio.file.Files::isDirectory).filter(ScratchCluster::ownerGone).toList();
        } catch (IOException e) {
            return; // nothing to clean
        }
        for (Path folder : stale) {
            progress.step("removing the scratch cluster " + folder.getFileName() + " left by a run that ended without cleaning up");
            Instance left = Instance.scratch(live, folder, 0);
            if (left.running()) {
                left.supervisor().stop(Duration.ofSeconds(10));
            }
            OwnedFiles.deleteTree(folder);
        }
    }

    AdminSql sql() {
        return instance.admin();
    }

    Instance instance() {
        return instance;
    }

    /** How long restore plus recovery took, in milliseconds: the RTO of this backup. */
    long restoreMillis() {
        return restoreMillis;
    }

    /** pg_dump -Fc of one database of the scratch cluster into {@code file}. */
    void dump(String db, Path file) {
        ProcessRunner.runChecked(instance.client("pg_dump", "-F", "c", "-f", file.toString(), "-d", db).timeout(Duration.ofHours(12)).build(),
                "cannot dump " + db + " from the scratch cluster", "see the scratch cluster's log in " + folder);
    }

    @Override
    public void close() {
        if (instance.running()) {
            instance.supervisor().stop(Duration.ofSeconds(10));
        }
        OwnedFiles.deleteTree(folder);
    }

    private static void awaitWritable(Instance instance) {
        AdminSql.NotWritable why = instance.admin().awaitWritable(Duration.ofMinutes(30), instance::running);
        if (why != null) {
            throw new PgboxException(ErrorKind.TIMEOUT, "the scratch cluster did not finish recovery", why.lastState(),
                    "check the backup with 'pgbox db backup --list'");
        }
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new PgboxException(ErrorKind.PORT_IN_USE, "no free port for the scratch cluster", e.getMessage(), "try again");
        }
    }
}
