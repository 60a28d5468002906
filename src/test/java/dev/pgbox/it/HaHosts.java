package dev.pgbox.it;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * HA members on separate "hosts": {@link NetHosts} namespaces, one pgbox project folder per member under
 * one work folder in /tmp (the postgres OS user can traverse it), and the real pgbox jar run INSIDE a
 * member's namespace as root, so pgbox, etcd, Patroni and PostgreSQL all live on that host's address.
 * Every member uses the same ports (each namespace has its own network stack). One more namespace, the
 * client host, is never cut or killed: writers and checkers run there.
 *
 * <p>{@link #close()} SIGKILLs everything in the namespaces (by PID: the namespaces' sweep), removes the
 * shared memory segments the killed postmasters leave, deletes the namespaces and the work folder
 * (kept with -Dpgbox.keep=true). A JVM shutdown hook does the same if the test is interrupted.
 */
public final class HaHosts implements AutoCloseable {
    static final String CLUSTER = "ft";
    private static final Duration PGBOX_TIMEOUT = Duration.ofMinutes(5);

    /** What one pgbox run printed and returned. */
    public record Run(int exitCode, String stdout, String stderr) {
        public boolean ok() {
            return exitCode == 0;
        }

        public String all() {
            return stdout + stderr;
        }

        @Override
        public String toString() {
            return "exit " + exitCode + "\nstdout:\n" + stdout + "\nstderr:\n" + stderr;
        }
    }

    /** One member: its host, its project folder and its name (m0, m1, ...). */
    public record Member(int index, NetHosts.Host host, Path dir, String name) {
        public String address() {
            return host.address();
        }

        public Path dataDir() {
            return dir.resolve(".pgbox/data");
        }

        public Path log(String program) {
            return dir.resolve(".pgbox/log/" + program + ".log");
        }

        public Path pidFile(String program) {
            return dir.resolve(".pgbox/run/" + program + ".pid");
        }
    }

    private final NetHosts net;
    private final Path work;
    private final List<Member> members = new ArrayList<>();
    private final int pgPort;
    private final int restPort;
    private final int etcdClientPort;
    private final int etcdPeerPort;
    private final Thread shutdownHook = new Thread(this::closeQuietly, "ha-hosts-cleanup");
    private boolean closed;

    private HaHosts(NetHosts net, Path work, int basePort) {
        this.net = net;
        this.work = work;
        this.pgPort = basePort;
        this.restPort = basePort + 1;
        this.etcdClientPort = basePort + 2;
        this.etcdPeerPort = basePort + 3;
    }

    /**
     * {@code count} member hosts (project folders with their .env.dev written, nothing started) plus the
     * client host; {@code extraEnv} lines go into every member's .env.dev after pgbox's test defaults.
     */
    public static HaHosts create(int count, String... extraEnv) throws IOException {
        NetHosts.assumeAvailable();
        Path work = Files.createTempDirectory(Path.of("/tmp"), "pgbox-ha-",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
        NetHosts net;
        try {
            net = NetHosts.create(count + 1);
        } catch (RuntimeException | Error e) {
            deleteTree(work);
            throw e;
        }
        // the same ports in every namespace; random so that two runs on one machine never meet in the root namespace's view
        HaHosts ha = new HaHosts(net, work, 20000 + new SecureRandom().nextInt(10000) * 4);
        Runtime.getRuntime().addShutdownHook(ha.shutdownHook);
        try {
            Files.createDirectory(ha.logs());
            for (int i = 0; i < count; i++) {
                NetHosts.Host h = net.host(i);
                Path dir = Files.createDirectory(work.resolve("m" + i),
                        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
                List<String> lines = new ArrayList<>(List.of("POSTGRES_PORT=" + ha.pgPort, "POSTGRES_MEMORY=1GB", "POSTGRES_DB=app",
                        "POSTGRES_USER=app", "PGBOX_SUPERVISOR=agent", "PGBOX_AGENT=off", "BACKUP_ARCHIVE=off",
                        "POSTGRES_LISTEN=" + h.address(), "POSTGRES_ALLOWED_CIDRS=" + ha.cidr(), "PATRONI_REPLICATION_CIDRS=" + ha.cidr(),
                        "PATRONI_REST_PORT=" + ha.restPort, "ETCD_CLIENT_PORT=" + ha.etcdClientPort, "ETCD_PEER_PORT=" + ha.etcdPeerPort));
                lines.addAll(List.of(extraEnv));
                Files.writeString(dir.resolve(".env.dev"), String.join("\n", lines) + "\n");
                ha.members.add(new Member(i, h, dir, "m" + i));
            }
        } catch (IOException | RuntimeException | Error e) {
            ha.closeQuietly();
            throw e;
        }
        return ha;
    }

    public NetHosts net() {
        return net;
    }

    public Member member(int i) {
        return members.get(i);
    }

    public List<Member> members() {
        return List.copyOf(members);
    }

    /** The host no test cuts or kills: writers and checkers run here. */
    public NetHosts.Host client() {
        return net.host(members.size());
    }

    /** The members' /24, e.g. 10.1.2.0/24. */
    public String cidr() {
        return net.subnet() + ".0/24";
    }

    public int pgPort() {
        return pgPort;
    }

    public int restPort() {
        return restPort;
    }

    public int etcdClientPort() {
        return etcdClientPort;
    }

    /** The work folder: members' project folders and {@link #logs()}. */
    public Path work() {
        return work;
    }

    /** Where writers and probes log. */
    public Path logs() {
        return work.resolve("logs");
    }

    /** Runs the real pgbox jar inside member i's host, as root, in its project folder. */
    public Run pgbox(int i, String... args) {
        Member m = members.get(i);
        List<String> argv = new ArrayList<>(List.of(NetHosts.IP, "netns", "exec", m.host().namespace(), java(), "-XX:TieredStopAtLevel=1",
                "-XX:+UseSerialGC", "-jar", PgboxProject.JAR.toString(), "--project", m.dir().toString()));
        argv.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(argv).directory(m.dir().toFile());
        pb.environment().keySet().removeIf(k -> k.startsWith("POSTGRES_") || k.startsWith("PGBOX_") || k.startsWith("PATRONI_")
                || k.startsWith("ETCD_"));
        Path out = null;
        Path err = null;
        try {
            out = Files.createTempFile("pgbox-run-out", ".txt");
            err = Files.createTempFile("pgbox-run-err", ".txt");
            pb.redirectOutput(out.toFile()).redirectError(err.toFile()).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
            Process p = pb.start();
            if (!p.waitFor(PGBOX_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                NetHosts.killTree(p.pid());
                throw new AssertionError("pgbox " + String.join(" ", args) + " in " + m.host() + " did not finish in " + PGBOX_TIMEOUT.toMinutes()
                        + " minutes; output so far:\n" + Files.readString(out) + Files.readString(err));
            }
            return new Run(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new AssertionError(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        } finally {
            deleteQuietly(out);
            deleteQuietly(err);
        }
    }

    /** Runs pgbox inside member i's host and fails, with its output and the end of Patroni's log, unless it exits 0. */
    public Run ok(int i, String... args) {
        Run r = pgbox(i, args);
        if (!r.ok()) {
            throw new AssertionError("pgbox " + String.join(" ", args) + " on " + member(i).name() + ": " + r + "\n" + tail(member(i).log("patroni"), 40));
        }
        return r;
    }

    /**
     * Starts {@code main} from the test class path inside {@code host} as root, with a small heap (several
     * of these share two cores with the cluster), output appended to {@code log}; returns its PID.
     */
    public long startJava(NetHosts.Host host, Path log, Class<?> main, String... args) {
        return host.start(javaArgv(main, args), log);
    }

    /** Runs {@code main} inside {@code host} and waits for it; stdout and stderr together. */
    public NetHosts.Result runJava(NetHosts.Host host, Duration timeout, Class<?> main, String... args) {
        return host.exec(javaArgv(main, args), timeout);
    }

    private static List<String> javaArgv(Class<?> main, String... args) {
        List<String> argv = new ArrayList<>(List.of(java(), "-Xmx96m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-cp",
                System.getProperty("java.class.path"), main.getName()));
        argv.addAll(List.of(args));
        return argv;
    }

    private static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** The postmaster's PID from member i's postmaster.pid, when the file is there. */
    public Optional<Long> postmasterPid(int i) {
        Path f = member(i).dataDir().resolve("postmaster.pid");
        try {
            return Files.exists(f) ? Optional.of(Long.parseLong(Files.readAllLines(f).get(0).strip())) : Optional.empty();
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** A program's PID (patroni, etcd) from member i's PID file, when the file is there. */
    public Optional<Long> pid(int i, String program) {
        try {
            Path f = member(i).pidFile(program);
            return Files.exists(f) ? Optional.of(Long.parseLong(Files.readString(f).strip())) : Optional.empty();
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** The last {@code lines} lines of a file, or a note that it is missing. */
    public static String tail(Path file, int lines) {
        try {
            if (!Files.exists(file)) {
                return "(no " + file + ")";
            }
            List<String> all = Files.readAllLines(file, StandardCharsets.UTF_8);
            return "--- " + file + " (last " + lines + " lines) ---\n" + String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(cannot read " + file + ": " + e.getMessage() + ")";
        }
    }

    /** The end of every member's Patroni, etcd and PostgreSQL logs and of the writer/probe logs, for a failed test. */
    public void printLogs() {
        for (Member m : members) {
            System.err.println(tail(m.log("patroni"), 60));
            System.err.println(tail(m.log("etcd"), 15));
            try (Stream<Path> s = Files.exists(m.dir().resolve(".pgbox/log")) ? Files.list(m.dir().resolve(".pgbox/log")) : Stream.empty()) {
                s.filter(p -> p.getFileName().toString().startsWith("postgresql")).sorted().reduce((a, b) -> b)
                        .ifPresent(p -> System.err.println(tail(p, 30)));
            } catch (IOException e) {
                // the other logs are shown
            }
        }
        try (Stream<Path> s = Files.list(logs())) {
            s.sorted().forEach(p -> System.err.println(tail(p, 25)));
        } catch (IOException e) {
            // nothing more to show
        }
    }

    /**
     * Kills everything in the namespaces, frees the killed postmasters' shared memory, deletes the
     * namespaces and the work folder. Safe to call twice.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException e) {
            // already shutting down: this is the hook
        }
        List<String> shm = new ArrayList<>();
        for (Member m : members) {
            shmId(m).ifPresent(shm::add);
        }
        try {
            net.close(); // SIGKILLs every process in the namespaces, then removes them
        } finally {
            for (String id : shm) {
                removeShmIfUnused(id);
            }
            if (!Boolean.getBoolean("pgbox.keep")) {
                deleteTree(work);
            }
        }
    }

    private void closeQuietly() {
        try {
            close();
        } catch (RuntimeException e) {
            System.err.println(e.getMessage());
        }
    }

    /** The System V shared memory id in line 7 of postmaster.pid ("key id"): a SIGKILLed postmaster leaves the segment. */
    private static Optional<String> shmId(Member m) {
        try {
            List<String> lines = Files.readAllLines(m.dataDir().resolve("postmaster.pid"));
            String[] words = lines.size() > 6 ? lines.get(6).strip().split("\\s+") : new String[0];
            return words.length == 2 && words[1].matches("\\d+") ? Optional.of(words[1]) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** ipcrm -m ID when no process is attached to the segment any more (nattch 0 in /proc/sysvipc/shm). */
    private static void removeShmIfUnused(String id) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/sysvipc/shm"))) {
                String[] w = line.strip().split("\\s+");
                if (w.length > 6 && w[1].equals(id) && w[6].equals("0")) {
                    NetHosts.run(List.of("/usr/bin/ipcrm", "-m", id), Duration.ofSeconds(10));
                }
            }
        } catch (IOException e) {
            // a leftover segment of a few bytes; the next postmaster on that data dir would reclaim it
        }
    }

    static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            System.err.println("cannot delete " + dir + ": " + e.getMessage());
        }
    }

    private static void deleteQuietly(Path p) {
        if (p != null) {
            try {
                Files.deleteIfExists(p);
            } catch (IOException e) {
                // a temp file left in /tmp is harmless
            }
        }
    }
}
