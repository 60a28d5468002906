package dev.pgbox.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pgbox.sql.AdminSql;
import dev.pgbox.cluster.Layout;
import dev.pgbox.config.Setting;
import dev.pgbox.config.Settings;
import dev.pgbox.install.PgInstallation;
import dev.pgbox.sql.Jdbc;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A throw-away pgbox project for one test class: a temp folder the postgres OS user can reach, a
 * .env.dev with a random free loopback port and a small memory plan, and the real pgbox jar run as a
 * separate process. {@link #close()} stops the server (pgbox stop, then kill by PID) and deletes the
 * folder unless -Dpgbox.keep=true.
 */
public final class PgboxProject implements AutoCloseable {
    static final Path JAR = Path.of(System.getProperty("pgbox.jar", "target/pgbox.jar")).toAbsolutePath();

    /** What one pgbox run printed and returned. */
    public record Run(int exitCode, String stdout, String stderr) {
        public String all() {
            return stdout + stderr;
        }
    }

    private final Path dir;
    private final int port;

    private PgboxProject(Path dir, int port) {
        this.dir = dir;
        this.port = port;
    }

    /** A new project named after the test; {@code extraEnv} lines are appended to .env.dev. */
    public static PgboxProject create(String testName, String... extraEnv) throws IOException {
        Path root = Path.of("/tmp");
        Path dir = Files.createTempDirectory(root, "pgbox-it-" + testName + "-",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
        int port = freePort();
        // the agent's watchdog, not systemd units, also where systemd is PID 1: a test project leaves no unit
        // behind, and every machine runs the same supervision (bin/vm-test covers the units on a booted VM)
        List<String> lines = new ArrayList<>(List.of("POSTGRES_PORT=" + port, "POSTGRES_MEMORY=2GB", "POSTGRES_DB=app",
                "POSTGRES_USER=app", "PGBOX_SUPERVISOR=agent", "PGBOUNCER_PORT=" + freePort()));
        lines.addAll(List.of(extraEnv));
        Files.writeString(dir.resolve(".env.dev"), String.join("\n", lines) + "\n");
        return new PgboxProject(dir, port);
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    public Path dir() {
        return dir;
    }

    public int port() {
        return port;
    }

    public Path dataDir() {
        return dir.resolve(".pgbox/data");
    }

    /** Runs pgbox with these arguments against this project. */
    public Run pgbox(String... args) {
        return pgboxAs(null, Map.of(), args);
    }

    /**
     * Runs pgbox's {@code Main.run} inside this JVM against this project, with its output captured: the
     * same code as the jar without a JVM start (about 0.6 s each), for tests that run hundreds of refused
     * commands. Only for commands that end without a child process or a server change; the test JVM's
     * own POSTGRES_* and PGBOX_* environment, if any, would reach it (CI has none).
     */
    public Run pgboxInProcess(String... args) {
        synchronized (PgboxProject.class) {
            java.io.PrintStream oldOut = System.out;
            java.io.PrintStream oldErr = System.err;
            java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
            java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
            try {
                System.setOut(new java.io.PrintStream(out, true, StandardCharsets.UTF_8));
                System.setErr(new java.io.PrintStream(err, true, StandardCharsets.UTF_8));
                List<String> argv = new ArrayList<>(List.of("--project", dir.toString()));
                argv.addAll(List.of(args));
                int code = dev.pgbox.Main.run(argv.toArray(String[]::new));
                System.out.flush();
                System.err.flush();
                return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
            } finally {
                System.setOut(oldOut);
                System.setErr(oldErr);
            }
        }
    }

    /** Runs pgbox as another OS user (via runuser) and/or with extra environment. */
    public Run pgboxAs(String osUser, Map<String, String> env, String... args) {
        return pgboxWithInput(osUser, env, "", args);
    }

    /** Runs pgbox with {@code stdin} as its standard input. */
    public Run pgboxWithInput(String osUser, Map<String, String> env, String stdin, String... args) {
        List<String> cmd = new ArrayList<>();
        if (osUser != null) {
            cmd.addAll(List.of("runuser", "-u", osUser, "--"));
        }
        try {
            // the JVM options of the ./pgbox launcher: what a user runs, and a third less start-up per command
            cmd.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-XX:TieredStopAtLevel=1",
                    "-XX:+UseSerialGC", "-Xss1m", "-jar", jarFor(osUser).toString(), "--project", dir.toString()));
            cmd.addAll(List.of(args));
            ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile());
            pb.environment().keySet().removeIf(k -> k.startsWith("POSTGRES_") || k.startsWith("PGBOX_"));
            pb.environment().putAll(env);
            Path out = Files.createTempFile("pgbox-out", ".txt");
            Path err = Files.createTempFile("pgbox-err", ".txt");
            pb.redirectOutput(out.toFile()).redirectError(err.toFile());
            Process p = pb.start();
            try (var in = p.getOutputStream()) {
                in.write(stdin.getBytes(StandardCharsets.UTF_8));
            }
            if (!p.waitFor(5, TimeUnit.MINUTES)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                throw new AssertionError("pgbox " + String.join(" ", args) + " did not finish in 5 minutes");
            }
            Run r = new Run(p.exitValue(), Files.readString(out), Files.readString(err));
            Files.delete(out);
            Files.delete(err);
            return r;
        } catch (IOException e) {
            throw new AssertionError(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** Another user cannot read a jar under /root: give it a copy inside the project. */
    private Path jarFor(String osUser) throws IOException {
        if (osUser == null) {
            return JAR;
        }
        Path copy = dir.resolve("pgbox.jar");
        if (!Files.exists(copy)) {
            Files.copy(JAR, copy);
            Files.setPosixFilePermissions(copy, PosixFilePermissions.fromString("rw-r--r--"));
        }
        return copy;
    }

    /** Runs pgbox and fails the test, showing all output, unless it exits 0. */
    public Run ok(String... args) {
        Run r = pgbox(args);
        assertThat(r.exitCode()).as("pgbox %s\nstdout:\n%s\nstderr:\n%s", String.join(" ", args), r.stdout(), r.stderr())
                .isZero();
        return r;
    }

    public Settings settings() {
        return Settings.load(dir, null, Map.of());
    }

    /** The superuser over the socket, the way pgbox itself administers the server. */
    public AdminSql admin() {
        Settings s = settings();
        int major = PgInstallation.newestInstalled().orElseThrow();
        return dev.pgbox.cluster.Instance.primary(s, Layout.resolve(s, PgInstallation.of(major))).admin();
    }

    /** A TLS-verified JDBC connection as the application role, password from .env.secrets. */
    public Connection connectApp() {
        Settings s = settings();
        return Jdbc.connect(new Jdbc.Target("127.0.0.1", port, s.get(Setting.POSTGRES_DB), s.get(Setting.POSTGRES_USER),
                s.get(Setting.POSTGRES_PASSWORD), dir.resolve(".pgbox/run/server.crt")));
    }

    /** A JDBC connection as any role, verified TLS; throws SQLException so tests can check the SQLSTATE. */
    public Connection connect(String host, String database, String user, String password, java.util.Properties extra)
            throws java.sql.SQLException {
        java.util.Properties p = new java.util.Properties();
        p.setProperty("user", user);
        p.setProperty("password", password);
        p.setProperty("sslmode", "verify-full");
        p.setProperty("sslrootcert", dir.resolve(".pgbox/run/server.crt").toString());
        p.setProperty("connectTimeout", "10");
        if (extra != null) {
            p.putAll(extra);
        }
        return java.sql.DriverManager.getConnection("jdbc:postgresql://" + host + ":" + port + "/" + database, p);
    }

    /** Every value in .env.secrets. */
    public List<String> secretValues() {
        return read(dir.resolve(".env.secrets")).lines().filter(l -> l.contains("=") && !l.startsWith("#"))
                .map(l -> l.substring(l.indexOf('=') + 1).strip()).filter(v -> !v.isEmpty()).toList();
    }

    /** The postmaster PID, or -1 when there is no postmaster.pid. */
    public long pid() {
        try {
            Path f = dataDir().resolve("postmaster.pid");
            return Files.exists(f) ? Long.parseLong(Files.readAllLines(f).get(0).strip()) : -1;
        } catch (IOException e) {
            return -1;
        }
    }

    @Override
    public void close() {
        long pid = pid();
        if (pid > 0 && ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
            pgbox("stop");
            ProcessHandle.of(pid).ifPresent(h -> {
                if (h.isAlive()) {
                    h.destroyForcibly();
                }
            });
        }
        if (!Boolean.getBoolean("pgbox.keep")) {
            try (Stream<Path> s = Files.walk(dir)) {
                s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException e) {
                // leave it for inspection
            }
        }
    }

    static String read(Path p) {
        try {
            return Files.readString(p, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
