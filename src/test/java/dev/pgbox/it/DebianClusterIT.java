package dev.pgbox.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pgbox.install.Installer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A Debian cluster (pg_createcluster, as the postgresql-15 package makes "main") on pgbox's port:
 * an empty one is stopped and set to manual; one with a table is never touched and start refuses
 * (exit 5) naming both fixes. Each test makes its own uniquely named cluster on its project's port
 * and always drops it. Debian's own "15/main" on this machine is never involved.
 */
@Timeout(300)
class DebianClusterIT {
    private static final String PSQL = "/usr/lib/postgresql/15/bin/psql";

    /** A uniquely named Debian cluster, dropped by close(). */
    private record DebianCluster(String name, int port) implements AutoCloseable {
        static DebianCluster create(int port, boolean start) {
            String name = "pgboxit" + UUID.randomUUID().toString().substring(0, 8);
            DebianCluster c = new DebianCluster(name, port);
            List<String> cmd = new ArrayList<>(List.of("/usr/bin/pg_createcluster", "15", name, "-p", Integer.toString(port)));
            if (start) {
                cmd.add("--start");
            }
            String out = run(cmd);
            assertThat(c.status()).as(out).isEqualTo(start ? "online" : "down");
            return c;
        }

        Path startConf() {
            return Path.of("/etc/postgresql/15", name, "start.conf");
        }

        /** "online" or "down", from pg_lsclusters. */
        String status() {
            String line = run(List.of("/usr/bin/pg_lsclusters", "-h", "15", name)).strip();
            return line.split("\\s+")[3];
        }

        /** The postmaster PID from its data folder, or -1. */
        long pid() throws IOException {
            Path f = Path.of("/var/lib/postgresql/15", name, "postmaster.pid");
            return Files.exists(f) ? Long.parseLong(Files.readAllLines(f).get(0).strip()) : -1;
        }

        String sql(String sql) {
            return run(List.of("/usr/sbin/runuser", "-u", "postgres", "--", PSQL, "-X", "-A", "-t", "-v", "ON_ERROR_STOP=1",
                    "-h", "/var/run/postgresql", "-p", Integer.toString(port), "-d", "postgres", "-c", sql)).strip();
        }

        /** Fills the cluster the way a user would: one table with rows in the postgres database. */
        void addTable() {
            if (!"online".equals(status())) {
                run(List.of("/usr/bin/pg_ctlcluster", "15", name, "start"));
                sql("CREATE TABLE orders (id int PRIMARY KEY); INSERT INTO orders SELECT generate_series(1, 3)");
                run(List.of("/usr/bin/pg_ctlcluster", "15", name, "stop"));
            } else {
                sql("CREATE TABLE orders (id int PRIMARY KEY); INSERT INTO orders SELECT generate_series(1, 3)");
            }
        }

        @Override
        public void close() {
            run(List.of("/usr/bin/pg_dropcluster", "--stop", "15", name));
        }
    }

    private static String run(List<String> cmd) {
        try {
            Path out = Files.createTempFile("debian-it", ".txt");
            try {
                Process p = new ProcessBuilder(cmd).directory(new java.io.File("/")).redirectErrorStream(true).redirectOutput(out.toFile()).start();
                if (!p.waitFor(2, TimeUnit.MINUTES)) {
                    p.destroyForcibly();
                    throw new AssertionError(String.join(" ", cmd) + " did not finish in 2 minutes");
                }
                String text = Files.readString(out);
                assertThat(p.exitValue()).as(String.join(" ", cmd) + "\n" + text).isZero();
                return text;
            } finally {
                Files.delete(out);
            }
        } catch (IOException e) {
            throw new AssertionError(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private static long count(String text, String needle) {
        return text.lines().filter(l -> l.contains(needle)).count();
    }

    @Test
    void anEmptyRunningDebianClusterIsStoppedAndSetToManualInOneLine() throws Exception {
        try (PgboxProject project = PgboxProject.create("debian-empty");
                DebianCluster debian = DebianCluster.create(project.port(), true)) {
            PgboxProject.Run r = project.pgbox("start");

            assertThat(r.exitCode()).as(r.all()).isZero();
            assertThat(count(r.all(), "Debian's empty PostgreSQL cluster 15/" + debian.name())).as(r.all()).isEqualTo(1);
            assertThat(r.all()).contains("stopped Debian's empty PostgreSQL cluster 15/" + debian.name() + " on port " + project.port());
            assertThat(debian.status()).isEqualTo("down");
            assertThat(Files.readString(debian.startConf()).lines().filter(l -> !l.isBlank() && !l.startsWith("#")))
                    .containsExactly("manual");
            assertThat(project.pid()).isPositive();
            assertThat(project.pgbox("status").stdout()).contains("running");
        }
    }

    @Test
    void aRunningDebianClusterWithATableIsNeverTouchedAndStartNamesBothFixes() throws Exception {
        try (PgboxProject project = PgboxProject.create("debian-data");
                DebianCluster debian = DebianCluster.create(project.port(), true)) {
            debian.addTable();
            long pid = debian.pid();
            String startConf = Files.readString(debian.startConf());

            PgboxProject.Run r = project.pgbox("start");

            assertThat(r.exitCode()).as(r.all()).isEqualTo(5);
            assertThat(r.stderr()).contains("Debian's PostgreSQL cluster 15/" + debian.name(), "user objects (tables, indexes, types, functions, ...) in postgres/template1",
                    "another POSTGRES_PORT in .env.dev", "pg_dropcluster --stop 15 " + debian.name(), "pg_dumpall");
            assertThat(debian.status()).isEqualTo("online");
            assertThat(debian.pid()).isEqualTo(pid);
            assertThat(Files.readString(debian.startConf())).isEqualTo(startConf);
            assertThat(debian.sql("SELECT count(*) FROM orders")).isEqualTo("3");
            assertThat(project.dataDir()).doesNotExist();
        }
    }

    @Test
    void aStoppedEmptyDebianClusterThatStartsAtBootIsSetToManual() throws Exception {
        try (PgboxProject project = PgboxProject.create("debian-down-empty");
                DebianCluster debian = DebianCluster.create(project.port(), false)) {
            assertThat(Files.readString(debian.startConf())).contains("\nauto");

            PgboxProject.Run r = project.pgbox("start");

            assertThat(r.exitCode()).as(r.all()).isZero();
            assertThat(count(r.all(), "Debian's empty PostgreSQL cluster 15/" + debian.name())).as(r.all()).isEqualTo(1);
            assertThat(debian.status()).isEqualTo("down");
            assertThat(Files.readString(debian.startConf()).lines().filter(l -> !l.isBlank() && !l.startsWith("#")))
                    .containsExactly("manual");
        }
    }

    @Test
    void aStoppedDebianClusterWithATableOnlyGetsAWarning() throws Exception {
        try (PgboxProject project = PgboxProject.create("debian-down-data");
                DebianCluster debian = DebianCluster.create(project.port(), false)) {
            debian.addTable();
            String startConf = Files.readString(debian.startConf());

            PgboxProject.Run r = project.pgbox("start");

            assertThat(r.exitCode()).as(r.all()).isZero();
            assertThat(r.all()).contains("warning: Debian's PostgreSQL cluster 15/" + debian.name() + " is stopped but set to start at boot",
                    "user objects (tables, indexes, types, functions, ...) in postgres/template1");
            assertThat(Files.readString(debian.startConf())).isEqualTo(startConf);
            assertThat(debian.status()).isEqualTo("down");
        }
    }

    /** The drop-in pgbox writes before apt-get install is what postgresql-15's postinst reads (via pg_conftool). */
    @Test
    void theCreateclusterDropInTurnsOffDebiansMainCluster() throws Exception {
        Path dir = Files.createTempDirectory("pgbox-createcluster-");
        try {
            Path dropIns = Files.createDirectory(dir.resolve("createcluster.d"));
            // Debian's own template, with its include_dir pointed at our temp folder
            String template = Files.readString(Path.of("/usr/share/postgresql-common/createcluster.conf"), StandardCharsets.UTF_8);
            assertThat(template).contains("include_dir '" + Installer.CREATECLUSTER_DROPIN.getParent() + "'");
            Path conf = dir.resolve("createcluster.conf");
            Files.writeString(conf, template.replace(Installer.CREATECLUSTER_DROPIN.getParent().toString(), dropIns.toString()));
            List<String> show = List.of("/usr/bin/pg_conftool", conf.toString(), "show", "-bs", "create_main_cluster");
            assertThat(runAllowingFailure(show)).doesNotContain("off");

            Files.writeString(dropIns.resolve(Installer.CREATECLUSTER_DROPIN.getFileName()), Installer.CREATECLUSTER_TEXT);

            assertThat(run(show).strip()).isEqualTo("off");
        } finally {
            try (Stream<Path> s = Files.walk(dir)) {
                s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static String runAllowingFailure(List<String> cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).directory(new java.io.File("/")).redirectErrorStream(true).start();
        String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor(1, TimeUnit.MINUTES);
        return text;
    }
}
