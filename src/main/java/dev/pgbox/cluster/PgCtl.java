package dev.pgbox.cluster;

import dev.pgbox.ErrorKind;
import dev.pgbox.PgboxException;
import dev.pgbox.exec.Command;
import dev.pgbox.exec.ProcessResult;
import dev.pgbox.exec.ProcessRunner;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.OptionalLong;
import java.util.stream.Stream;

/** pg_ctl for one data dir, run as the server's OS user. Decides what each exit code means. */
public final class PgCtl {
    private PgCtl() {
    }

    /**
     * Whether a live postmaster serves {@code dataDir}: the PID in postmaster.pid is alive, not a
     * zombie, and works in that data dir. Read from /proc rather than asked of pg_ctl status, which
     * takes a postmaster killed a moment ago (a zombie not yet reaped) for a running one.
     */
    public static boolean running(Layout l, Path dataDir) {
        OptionalLong pid = pid(dataDir);
        return pid.isPresent() && alive(pid.getAsLong()) && worksIn(pid.getAsLong(), dataDir);
    }

    /** True when the process's working folder is {@code dataDir} (every PostgreSQL process chdirs there). */
    static boolean worksIn(long pid, Path dataDir) {
        try {
            return cwd(pid).equals(real(dataDir));
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            // another user's process we may not inspect: trust the PID file, as pg_ctl does
            return ProcessHandle.of(pid).flatMap(h -> h.info().command()).map(c -> c.endsWith("/postgres")).orElse(true);
        }
    }

    /**
     * After a crash of the postmaster (SIGKILL, the OOM killer): the PID file is still there and
     * orphaned backends may still hold the shared memory, which makes a new postmaster refuse to start.
     * Waits for them to notice and exit, then ends the stragglers (the crash recovery that follows
     * makes the data consistent either way). Returns true when a crash was found.
     */
    public static boolean clearCrashed(Layout l, Path dataDir) {
        OptionalLong pid = pid(dataDir);
        if (pid.isEmpty() || (alive(pid.getAsLong()) && worksIn(pid.getAsLong(), dataDir))) {
            return false;
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        List<Long> left = orphans(dataDir);
        while (!left.isEmpty() && System.nanoTime() < deadline) {
            pause(20);
            left = orphans(dataDir);
        }
        for (long p : left) {
            ProcessHandle.of(p).ifPresent(ProcessHandle::destroyForcibly);
        }
        for (long p : left) {
            awaitExit(p, Duration.ofSeconds(5));
        }
        // The dead postmaster may linger as a zombie until init reaps it, and PostgreSQL takes a PID
        // file naming a zombie for a running server. Nothing works in this data dir any more: drop it.
        try {
            if (orphans(dataDir).isEmpty() && pid(dataDir).equals(pid)) {
                Files.deleteIfExists(dataDir.resolve("postmaster.pid"));
                deleteSocketLocks(l.runDir(), pid.getAsLong());
            }
        } catch (IOException e) {
            // PostgreSQL reports it with its own words at start
        }
        return true;
    }

    /** The socket lock files ({@code .s.PGSQL.<port>.lock}) that name the dead postmaster. */
    private static void deleteSocketLocks(Path runDir, long deadPid) throws IOException {
        if (!Files.isDirectory(runDir)) {
            return;
        }
        try (Stream<Path> files = Files.list(runDir)) {
            for (Path f : files.filter(f -> f.getFileName().toString().matches("\\.s\\.PGSQL\\.\\d+\\.lock")).toList()) {
                List<String> lines = Files.readAllLines(f);
                if (!lines.isEmpty() && lines.get(0).strip().equals(Long.toString(deadPid))) {
                    Files.deleteIfExists(f);
                }
            }
        }
    }

    /** Processes other than the (dead) postmaster still working in {@code dataDir}. */
    static List<Long> orphans(Path dataDir) {
        Path want = real(dataDir);
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            return procs.map(p -> p.getFileName().toString()).filter(n -> n.chars().allMatch(Character::isDigit))
                    .map(Long::parseLong).filter(p -> p != ProcessHandle.current().pid() && alive(p))
                    .filter(p -> {
                        try {
                            return cwd(p).equals(want);
                        } catch (IOException | SecurityException e) {
                            return false; // gone meanwhile, or another user's
                        }
                    }).toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    /** The process's working folder (PostgreSQL processes work in their data dir). */
    private static Path cwd(long pid) throws IOException {
        return Files.readSymbolicLink(Path.of("/proc/" + pid + "/cwd"));
    }

    private static Path real(Path dir) {
        try {
            return dir.toRealPath();
        } catch (IOException e) {
            return dir.toAbsolutePath().normalize();
        }
    }

    private static void pause(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The postmaster's PID from postmaster.pid, if the file is there. */
    public static OptionalLong pid(Path dataDir) {
        try {
            List<String> lines = Files.readAllLines(dataDir.resolve("postmaster.pid"));
            return lines.isEmpty() ? OptionalLong.empty() : OptionalLong.of(Long.parseLong(lines.get(0).strip()));
        } catch (IOException | NumberFormatException e) {
            return OptionalLong.empty();
        }
    }

    public static void start(Layout l, Path dataDir, Duration timeout) {
        long startupLogFrom = size(l.startupLog()); // pg_ctl appends: only what this start writes is its complaint
        Command c = cmd(l, "start", "-D", dataDir.toString(), "-l", l.startupLog().toString(), "-w",
                "-t", Long.toString(Math.max(1, timeout.toSeconds())))
                .timeout(timeout.plusSeconds(30)).build();
        ProcessResult r = ProcessRunner.run(c);
        if (!r.ok()) {
            throw new PgboxException(ErrorKind.TOOL_FAILED,
                    "cannot start the server on port " + portOf(dataDir) + ": pg_ctl exited " + r.exitCode()
                            + " after " + String.format(java.util.Locale.ROOT, "%.1fs", r.elapsed().toMillis() / 1000.0),
                    serverComplaint(l, r, startupLogFrom), "read " + l.logDir() + " for the whole log; fix the cause and run 'pgbox start' again");
        }
    }

    /** Stops fast (rolls back sessions, clean shutdown); falls back to immediate after the timeout. */
    public static String stop(Layout l, Path dataDir, Duration fastTimeout) {
        OptionalLong pid = pid(dataDir);
        String mode = stopWith(l, dataDir, fastTimeout);
        // pg_ctl returns once postmaster.pid is gone; the process (and its port) goes a moment later
        if (pid.isPresent()) {
            awaitExit(pid.getAsLong(), Duration.ofSeconds(10));
        }
        return mode;
    }

    /**
     * True while the process runs. A zombie (exited, not yet reaped by init) counts as gone: it holds
     * no port and no files, and some init processes reap orphans only every second or so.
     */
    public static boolean alive(long pid) {
        if (!ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
            return false;
        }
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            String afterName = stat.substring(stat.lastIndexOf(')') + 2);
            return afterName.charAt(0) != 'Z';
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** Polls briefly: ProcessHandle.onExit() for a process that is not our child polls far more slowly. */
    static void awaitExit(long pid, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (alive(pid) && System.nanoTime() < deadline) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private static String stopWith(Layout l, Path dataDir, Duration fastTimeout) {
        ProcessResult fast = ProcessRunner.run(cmd(l, "stop", "-D", dataDir.toString(), "-m", "fast", "-w",
                "-t", Long.toString(Math.max(1, fastTimeout.toSeconds()))).timeout(fastTimeout.plusSeconds(30)).build());
        if (fast.ok()) {
            return "fast";
        }
        ProcessResult immediate = ProcessRunner.run(cmd(l, "stop", "-D", dataDir.toString(), "-m", "immediate", "-w",
                "-t", "30").timeout(Duration.ofSeconds(60)).build());
        if (!immediate.ok() && running(l, dataDir)) {
            throw new dev.pgbox.exec.ToolFailedException(immediate, "cannot stop the server",
                    "find the postmaster PID in " + dataDir.resolve("postmaster.pid") + " and stop it with kill -INT");
        }
        return "immediate";
    }

    public static void reload(Layout l, Path dataDir) {
        ProcessRunner.runChecked(cmd(l, "reload", "-D", dataDir.toString()).timeout(Duration.ofSeconds(30)).build(),
                "cannot reload the server configuration", "see the server log in " + l.logDir());
    }

    private static Command.Builder cmd(Layout l, String... args) {
        return Command.of(l.pg().bin("pg_ctl"), args).runAs(l.osUser()).env("LC_ALL", "C.UTF-8");
    }

    /** The port the server was told to use: postgresql.auto.conf wins over pgbox.conf, as in PostgreSQL. */
    private static String portOf(Path dataDir) {
        String port = "?";
        for (String file : List.of(Layout.CONF_FILE, "postgresql.auto.conf")) {
            try {
                for (String line : Files.readAllLines(dataDir.resolve(file))) {
                    if (line.startsWith("port = ")) {
                        port = line.substring(7).strip();
                    }
                }
            } catch (IOException e) {
                // not there
            }
        }
        return port;
    }

    /** The server's own FATAL/ERROR lines from the startup log and the newest server log. */
    static String serverComplaint(Layout l, ProcessResult r) {
        return serverComplaint(l, r, 0);
    }

    /**
     * The server's own words on a failed start: the complaint lines of the newest server log, then those the
     * startup log got from {@code startupLogFrom} on. The startup log comes last because the last lines win: a
     * postmaster that fails before its logging collector runs (no shared memory, a bad setting) says why only
     * there, and on a busy server the server log's newest errors (the old server's shutdown, a client's failed
     * login) would otherwise push that reason out.
     */
    static String serverComplaint(Layout l, ProcessResult r, long startupLogFrom) {
        StringBuilder sb = new StringBuilder();
        List<Path> logs = new java.util.ArrayList<>(logs(l));
        java.util.Collections.reverse(logs);
        for (Path log : logs) {
            try {
                List<String> lines = log.equals(l.startupLog()) ? linesFrom(log, startupLogFrom) : Files.readAllLines(log);
                lines.subList(Math.max(0, lines.size() - 40), lines.size()).stream()
                        .filter(x -> x.contains("FATAL") || x.contains("PANIC") || x.contains("could not") || x.contains("ERROR"))
                        .map(x -> x.replaceFirst("^.*?(FATAL|PANIC|ERROR|LOG):\\s*", ""))
                        .forEach(x -> sb.append(x).append('\n'));
            } catch (IOException e) {
                // not readable: fall back to pg_ctl's own words
            }
        }
        String text = sb.toString().strip();
        if (text.isEmpty()) {
            return r.tail(3);
        }
        String[] lines = text.split("\n");
        return String.join("\n", java.util.Arrays.copyOfRange(lines, Math.max(0, lines.length - 3), lines.length));
    }

    private static long size(Path file) {
        try {
            return Files.exists(file) ? Files.size(file) : 0;
        } catch (IOException e) {
            return 0;
        }
    }

    /** The lines of {@code file} from byte {@code from} on (all of it when it got shorter: rotated or truncated). */
    private static List<String> linesFrom(Path file, long from) throws IOException {
        byte[] all = Files.readAllBytes(file);
        int start = from <= all.length ? (int) from : 0;
        return new String(all, start, all.length - start, java.nio.charset.StandardCharsets.UTF_8).lines().toList();
    }

    private static List<Path> logs(Layout l) {
        Stream.Builder<Path> b = Stream.builder();
        if (Files.exists(l.startupLog())) {
            b.add(l.startupLog());
        }
        try (Stream<Path> s = Files.list(l.logDir())) {
            s.filter(p -> p.getFileName().toString().startsWith("postgresql-"))
                    .max(Comparator.comparingLong(p -> p.toFile().lastModified())).ifPresent(b::add);
        } catch (IOException e) {
            // no log dir yet
        }
        return b.build().toList();
    }
}
