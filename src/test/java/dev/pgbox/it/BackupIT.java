package dev.pgbox.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pgbox.sql.Jdbc;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/** Continuous archiving with pgBackRest and point-in-time recovery on a real server. */
@Timeout(600)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class BackupIT {
    static PgboxProject project;
    static final ObjectMapper JSON = new ObjectMapper();

    @BeforeAll
    static void start() throws Exception {
        project = PgboxProject.create("backup");
        project.ok("start");
    }

    @AfterAll
    static void stop() {
        if (project != null) {
            project.close();
        }
    }

    static List<String> column(String sql) {
        try (Connection c = project.connectApp()) {
            return Jdbc.execute(c, sql).rows().stream().map(r -> r.get(0)).toList();
        } catch (java.sql.SQLException e) {
            throw new AssertionError(e);
        }
    }

    static JsonNode status() throws Exception {
        return JSON.readTree(project.ok("status", "--json").stdout()).path("backups");
    }

    @Test
    @Order(1)
    void theFirstStartTakesAFullBackupAndArchivesWal() throws Exception {
        JsonNode list = JSON.readTree(project.ok("db", "backup", "--list", "--json").stdout());
        assertThat(list).hasSize(1);
        assertThat(list.get(0).path("type").asText()).isEqualTo("full");
        assertThat(list.get(0).path("size_bytes").asLong()).isPositive();
        JsonNode b = status();
        assertThat(b.path("archiving").asBoolean()).isTrue();
        assertThat(b.path("archiver_ok").asBoolean()).isTrue();
        assertThat(b.path("archived_count").asLong()).isPositive();
        assertThat(project.admin().value("postgres", "SHOW archive_mode")).isEqualTo("on");
    }

    @Test
    @Order(2)
    void pointInTimeRecoveryKeepsExactlyTheEarlierCommits() throws Exception {
        column("CREATE TABLE ledger (v int PRIMARY KEY); SELECT 1");
        List<String> after = new ArrayList<>();
        for (int i = 1; i <= 5; i++) {
            column("INSERT INTO ledger VALUES (" + i + "); SELECT 1"); // its own transaction
            after.add(column("SELECT to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US')").get(0) + " UTC");
            Thread.sleep(300);
        }
        long pid = project.pid();
        PgboxProject.Run r = project.ok("db", "restore", "--point-in-time=" + after.get(2), "--yes");
        assertThat(r.stdout()).contains("restored the cluster", "timeline");
        assertThat(r.stderr()).contains("stopping the server", "restoring backup", "replaying WAL");
        assertThat(column("SELECT v::text FROM ledger ORDER BY ledger.v")).containsExactly("1", "2", "3");
        assertThat(project.pid()).isNotEqualTo(pid);
        column("INSERT INTO ledger VALUES (100); SELECT 1"); // writable again
    }

    @Test
    @Order(3)
    void aStoppedServerCanBeRestoredToAPointInTimeToo() throws Exception {
        column("INSERT INTO ledger VALUES (150); SELECT 1");
        project.admin().run("postgres", "SELECT pg_switch_wal();");
        Thread.sleep(1100);
        String target = project.admin().value("postgres", "SELECT to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US') || ' UTC'");
        Thread.sleep(1100);
        column("DELETE FROM ledger WHERE v = 150; SELECT 1");
        project.ok("db", "backup", "--physical", "--type=incr"); // archives the delete's WAL too
        project.ok("stop");
        PgboxProject.Run r = project.ok("db", "restore", "--point-in-time=" + target, "--yes");
        assertThat(r.stderr()).contains("the server is stopped");
        assertThat(column("SELECT v::text FROM ledger ORDER BY ledger.v")).containsExactly("1", "2", "3", "100", "150");
        column("DELETE FROM ledger WHERE v = 150; SELECT 1");
    }

    @Test
    @Order(4)
    void restorePointsWorkAcrossTimelines() throws Exception {
        column("INSERT INTO ledger VALUES (200); SELECT 1");
        assertThat(project.ok("db", "restore-point", "after-200").stdout()).contains("restore point 'after-200'");
        column("INSERT INTO ledger VALUES (300); SELECT 1");
        project.ok("db", "restore", "--restore-point=after-200", "--yes");
        assertThat(column("SELECT v::text FROM ledger ORDER BY ledger.v")).containsExactly("1", "2", "3", "100", "200");
        // and once more, now that the cluster is on yet another timeline
        column("INSERT INTO ledger VALUES (400); SELECT 1");
        project.ok("db", "restore", "--restore-point=after-200", "--yes");
        assertThat(column("SELECT v::text FROM ledger ORDER BY ledger.v")).containsExactly("1", "2", "3", "100", "200");
    }

    @Test
    @Order(5)
    void aTargetBeforeTheFirstBackupIsRefusedAndChangesNothing() {
        long pid = project.pid();
        PgboxProject.Run r = project.pgbox("db", "restore", "--point-in-time=2001-01-01 00:00:00 UTC", "--yes");
        assertThat(r.exitCode()).isEqualTo(3);
        assertThat(r.stderr()).contains("before the first backup", "oldest backup");
        assertThat(project.pid()).isEqualTo(pid);
        assertThat(column("SELECT count(*)::text FROM ledger")).containsExactly("5");
        PgboxProject.Run future = project.pgbox("db", "restore", "--point-in-time=2999-01-01 00:00:00 UTC", "--yes");
        assertThat(future.exitCode()).isEqualTo(2);
        assertThat(future.stderr()).contains("in the future");
        PgboxProject.Run noTty = project.pgbox("db", "restore", "--point-in-time=2001-01-01 00:00:00 UTC");
        assertThat(noTty.exitCode()).isEqualTo(2);
        assertThat(noTty.stderr()).contains("--yes");
        assertThat(project.pgbox("db", "restore", "--point-in-time=yesterday", "--yes").stderr()).contains("cannot read the time");
        assertThat(project.pgbox("db", "restore-point", "no spaces please").exitCode()).isEqualTo(2);
    }

    @Test
    @Order(6)
    void diffAndIncrementalBackupsAreListed() throws Exception {
        assertThat(project.ok("db", "backup", "--physical", "--type=diff").stdout()).startsWith("diff backup ");
        assertThat(project.pgbox("db", "backup", "--physical", "--type=weekly").exitCode()).isEqualTo(2);
        JsonNode list = JSON.readTree(project.ok("db", "backup", "--list", "--json").stdout());
        assertThat(list.findValuesAsText("type")).contains("full", "diff", "incr");
        assertThat(project.ok("db", "backup", "--list").stdout()).contains("physical diff");
    }

    @Test
    @Order(7)
    void anUnwritableRepositoryShowsInStatusWithTheFixAndRecovers() throws Exception {
        Path archive = project.dir().resolve(".pgbox/backup/repo/archive");
        Files.setPosixFilePermissions(archive, PosixFilePermissions.fromString("---------"));
        try {
            project.admin().run("postgres", "CREATE TABLE wal_maker AS SELECT 1; SELECT pg_switch_wal();");
            JsonNode b = null;
            for (int i = 0; i < 60 && (b == null || b.path("archiver_ok").asBoolean()); i++) {
                Thread.sleep(500);
                b = status();
            }
            assertThat(b.path("archiver_ok").asBoolean()).as(b.toString()).isFalse();
            assertThat(b.path("failed_count").asLong()).isPositive();
            assertThat(b.path("fix").asText()).contains("writable", "pgbackrest");
            assertThat(project.ok("status").stdout()).contains("archiver FAILING", "fix:");
        } finally {
            Files.setPosixFilePermissions(archive, PosixFilePermissions.fromString("rwxr-x---"));
        }
        JsonNode b = status();
        for (int i = 0; i < 180 && !b.path("archiver_ok").asBoolean(); i++) {
            if (i % 10 == 0) {
                project.admin().run("postgres", "SELECT pg_switch_wal();"); // wakes the archiver to retry
            }
            Thread.sleep(500);
            b = status();
        }
        assertThat(b.path("archiver_ok").asBoolean()).as(b.toString()).isTrue();
    }

    @Test
    @Order(8)
    void logicalDumpsCarryAManifestAndRestoreExactly() throws Exception {
        project.ok("app", "create", "shop");
        project.admin().run("shop", "SET ROLE shop_owner; CREATE TABLE orders (id serial PRIMARY KEY, v text); "
                + "INSERT INTO orders (v) SELECT 'o' || i FROM generate_series(1, 2500) i;");
        PgboxProject.Run r = project.ok("db", "backup", "shop");
        assertThat(r.stderr()).contains("dumping shop", "MB/s");
        Path set = Path.of(r.stdout().replaceAll("(?s).* into (\\S+) .*", "$1").strip());
        JsonNode manifest = JSON.readTree(set.resolve("manifest.json").toFile());
        assertThat(manifest.path("server_version").asText()).startsWith("15");
        JsonNode shop = manifest.path("databases").get(0);
        assertThat(shop.path("name").asText()).isEqualTo("shop");
        assertThat(shop.path("tables").path("public.orders").asLong()).isEqualTo(2500);
        assertThat(shop.path("sha256").asText()).hasSize(64);
        assertThat(set.resolve("globals.sql")).exists();
        assertThat(Files.readString(set.resolve("globals.sql"))).contains("CREATE ROLE shop").doesNotContain("SCRAM-SHA-256$");
        JsonNode list = JSON.readTree(project.ok("db", "backup", "--list", "--json").stdout());
        assertThat(list.findValuesAsText("kind")).contains("logical", "physical");

        project.admin().run("shop", "DELETE FROM orders WHERE id > 100;");
        PgboxProject.Run refused = project.pgbox("db", "restore", "--file=" + set.resolve("shop.dump"));
        assertThat(refused.exitCode()).isEqualTo(3);
        assertThat(refused.stderr()).contains("not empty", "--force");
        PgboxProject.Run restored = project.ok("db", "restore", "--file=" + set.resolve("shop.dump"), "--force");
        assertThat(restored.stdout()).contains("restored 'shop'", "kept as 'shop_old_", "safety dump in");
        assertThat(project.admin().value("shop", "SELECT count(*) FROM orders")).isEqualTo("2500");
        // the app still works as itself after the swap
        try (Connection c = project.connect("127.0.0.1", "shop", "shop", project.settings().appSecret("PGBOX_APP_SHOP_PASSWORD"), null)) {
            assertThat(Jdbc.execute(c, "SELECT count(*) FROM orders").rows().get(0).get(0)).isEqualTo("2500");
        }
        assertThat(project.ok("db", "restore", "--cleanup").stdout()).contains("dropped shop_old_");
    }

    @Test
    @Order(9)
    void aCorruptDumpFailsClearlyAndLeavesTheTargetUntouched() throws Exception {
        Path set = Path.of(project.ok("db", "backup", "shop").stdout().replaceAll("(?s).* into (\\S+) .*", "$1").strip());
        Path dump = set.resolve("shop.dump");
        byte[] bytes = Files.readAllBytes(dump);
        Files.write(dump, java.util.Arrays.copyOf(bytes, bytes.length / 2));
        project.admin().run("shop", "INSERT INTO orders (v) VALUES ('after');");
        PgboxProject.Run r = project.pgbox("db", "restore", "--file=" + dump, "--force");
        assertThat(r.exitCode()).isEqualTo(3);
        assertThat(r.stderr()).contains("corrupt or truncated", "SHA-256", "nothing was changed");
        Path loose = project.dir().resolve("loose.dump");
        Files.write(loose, java.util.Arrays.copyOf(bytes, bytes.length / 2));
        PgboxProject.Run noManifest = project.pgbox("db", "restore", "--file=" + loose, "--app", "shop", "--force");
        assertThat(noManifest.exitCode()).as(noManifest.all()).isNotZero();
        assertThat(noManifest.stderr()).contains("damaged");
        assertThat(project.admin().value("shop", "SELECT count(*) FROM orders")).isEqualTo("2501");
        assertThat(project.admin().value("postgres", "SELECT count(*) FROM pg_database WHERE datname LIKE '%pgbox_restoring'")).isEqualTo("0");
    }

    @Test
    @Order(10)
    void aRestoreDrillRestoresReadsComparesAndIsRecorded() throws Exception {
        project.ok("db", "backup", "--physical", "--type=incr");
        project.ok("db", "backup", "shop");
        JsonNode drill = JSON.readTree(project.ok("db", "verify", "--json").stdout());
        assertThat(drill.path("ok").asBoolean()).as(drill.toString()).isTrue();
        assertThat(drill.path("tables_read").asInt()).isPositive();
        assertThat(drill.path("tables_compared").asInt()).isPositive();
        assertThat(drill.path("restore_seconds").asDouble()).isPositive();
        assertThat(status().path("last_verified_at").asText()).isNotEmpty();
        JsonNode list = JSON.readTree(project.ok("db", "backup", "--list", "--json").stdout());
        assertThat(list.findValuesAsText("last_verified_at")).contains(status().path("last_verified_at").asText());
        assertThat(project.ok("status").stdout()).contains("last good restore drill");
        // the drill's scratch cluster lived in .pgbox/scratch/<pid>-<start>-<n> and is gone again
        Path scratch = project.dir().resolve(".pgbox/scratch");
        assertThat(scratch).isDirectory();
        try (java.util.stream.Stream<Path> s = Files.list(scratch)) {
            assertThat(s.toList()).isEmpty();
        }
        // the live server is untouched by the drill
        assertThat(project.admin().value("shop", "SELECT count(*) FROM orders")).isEqualTo("2501");
    }

    @Test
    @Order(11)
    void oneAppRewindsToAPointInTimeAndTheOthersKeepTheirNewRows() throws Exception {
        project.ok("app", "create", "blog");
        project.admin().run("blog", "SET ROLE blog_owner; CREATE TABLE posts (v text); INSERT INTO posts VALUES ('p1');");
        project.admin().run("shop", "INSERT INTO orders (v) VALUES ('kept');");
        Thread.sleep(1100);
        String target = project.admin().value("postgres", "SELECT to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US') || ' UTC'");
        Thread.sleep(1100);
        project.admin().run("shop", "DELETE FROM orders;");
        project.admin().run("blog", "INSERT INTO posts VALUES ('p2');");
        PgboxProject.Run r = project.ok("db", "restore", "--app", "shop", "--point-in-time=" + target);
        assertThat(r.stdout()).contains("restored app 'shop'", "every other app is untouched", "shop_old_");
        assertThat(project.admin().value("shop", "SELECT count(*) FROM orders")).isEqualTo("2502");
        assertThat(project.admin().value("blog", "SELECT string_agg(v, ',' ORDER BY v) FROM posts")).isEqualTo("p1,p2");
        assertThat(project.admin().value("postgres", "SELECT count(*) FROM pg_database WHERE datname LIKE 'shop_old_%'")).isEqualTo("1");
        try (java.util.stream.Stream<Path> s = Files.list(project.dir().resolve(".pgbox/scratch"))) {
            assertThat(s.toList()).as("the rewind's scratch cluster is gone").isEmpty();
        }
        project.ok("db", "restore", "--cleanup");
    }

    @Test
    @Order(12)
    void killingPgboxAndPgBackRestMidBackupLeavesAUsableRepository() throws Exception {
        project.admin().run("shop", "INSERT INTO orders (v) SELECT repeat(md5(i::text), 20) FROM generate_series(1, 150000) i;");
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar",
                PgboxProject.JAR.toString(), "--project", project.dir().toString(), "db", "backup", "--physical", "--type=full")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD);
        Process pgbox = pb.start();
        List<Long> killed = new ArrayList<>();
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (killed.isEmpty() && System.nanoTime() < deadline && pgbox.isAlive()) {
            for (ProcessHandle h : ProcessHandle.allProcesses().toList()) {
                String cmd = h.info().commandLine().orElse("");
                if (cmd.contains("pgbackrest") && cmd.contains(project.dir().toString()) && cmd.endsWith(" backup")) {
                    killed.add(h.pid());
                }
            }
            Thread.sleep(10);
        }
        assertThat(killed).as("caught pgbackrest mid-backup").isNotEmpty();
        pgbox.destroyForcibly(); // SIGKILL
        for (ProcessHandle h : ProcessHandle.allProcesses().toList()) {
            if (h.info().commandLine().orElse("").contains("pgbackrest") && h.info().commandLine().orElse("").contains(project.dir().toString())) {
                new ProcessBuilder("kill", "-9", Long.toString(h.pid())).start().waitFor();
            }
        }
        pgbox.waitFor();
        Thread.sleep(500);
        assertThat(project.ok("db", "backup", "--physical", "--type=full").stdout()).startsWith("full backup ");
        JsonNode drill = JSON.readTree(project.ok("db", "verify", "--json").stdout());
        assertThat(drill.path("ok").asBoolean()).as(drill.toString()).isTrue();
        assertThat(status().path("archiver_ok").asBoolean()).isTrue();
    }

    @Test
    @Order(13)
    void everyDumpFormatRestoresExactly() throws Exception {
        List<Path> sets = new ArrayList<>();
        for (String format : List.of("tar", "directory", "plain")) {
            PgboxProject.Run r = project.ok("db", "backup", "shop", "--format=" + format);
            Path set = Path.of(r.stdout().replaceAll("(?s).* into (\\S+) .*", "$1").strip());
            sets.add(set);
            String file = switch (format) {
                case "tar" -> "shop.tar";
                case "plain" -> "shop.sql";
                default -> "shop";
            };
            assertThat(set.resolve(file)).exists();
            PgboxProject.Run restored = project.ok("db", "restore", "--file=" + set.resolve(file), "--into", "shop_" + format);
            assertThat(restored.stdout()).contains("restored 'shop_" + format + "'");
            assertThat(project.admin().value("shop_" + format, "SELECT count(*) FROM orders"))
                    .isEqualTo(project.admin().value("shop", "SELECT count(*) FROM orders"));
        }
        assertThat(sets).as("back-to-back dumps get their own folders, no waiting").doesNotHaveDuplicates();
        assertThat(sets).allMatch(Files::isDirectory);
    }

    @Test
    @Order(14)
    void anEncryptedRepositoryKeepsItsKeyInTheSecretsFile() throws Exception {
        try (PgboxProject p = PgboxProject.create("encrypted", "BACKUP_ENCRYPT=on", "PGBOX_AGENT=off")) {
            assertThat(p.ok("start").stdout()).contains("took the first full backup");
            String key = p.settings().get(dev.pgbox.config.Setting.BACKUP_CIPHER_PASS);
            assertThat(key).hasSize(48);
            assertThat(Files.getPosixFilePermissions(p.dir().resolve(".env.secrets"))).isEqualTo(dev.pgbox.config.Secrets.OWNER_ONLY);
            assertThat(Files.getPosixFilePermissions(p.dir().resolve(".pgbox/pgbackrest.conf")))
                    .isEqualTo(PosixFilePermissions.fromString("rw-------"));
            byte[] info = Files.readAllBytes(p.dir().resolve(".pgbox/backup/repo/backup/main/backup.info"));
            assertThat(new String(info, 0, 8, java.nio.charset.StandardCharsets.ISO_8859_1)).isEqualTo("Salted__");
            assertThat(JSON.readTree(p.ok("db", "verify", "--json").stdout()).path("ok").asBoolean()).isTrue();
            assertThat(p.ok("status").stdout()).doesNotContain(key);
        }
    }
}
