package dev.pgbox.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pgbox.sql.Jdbc;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A pgBackRest repository in S3: s3proxy (a real S3 protocol peer, HTTPS with a self-signed
 * certificate, AWS v4 signatures) on a loopback port, storing into a temp folder.
 */
@Timeout(600)
class S3IT {
    static Path s3dir;
    static Process s3proxy;
    static int s3port;

    @BeforeAll
    static void startS3() throws Exception {
        s3dir = Files.createTempDirectory("pgbox-s3-");
        Files.createDirectories(s3dir.resolve("blobs/pgbox"));
        s3port = PgboxProject.freePort();
        Path keystore = s3dir.resolve("keystore.jks");
        Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(), "-genkeypair",
                "-keystore", keystore.toString(), "-storepass", "password", "-keypass", "password", "-alias", "s3", "-keyalg", "RSA",
                "-keysize", "2048", "-validity", "2", "-dname", "CN=127.0.0.1", "-ext", "SAN=ip:127.0.0.1")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        assertThat(keytool.waitFor()).isZero();
        Path conf = s3dir.resolve("s3proxy.conf");
        Files.writeString(conf, String.join("\n",
                "s3proxy.secure-endpoint=https://127.0.0.1:" + s3port,
                "s3proxy.keystore-path=" + keystore,
                "s3proxy.keystore-password=password",
                "s3proxy.authorization=aws-v2-or-v4",
                "s3proxy.identity=local-identity",
                "s3proxy.credential=local-credential",
                "jclouds.provider=filesystem",
                "jclouds.filesystem.basedir=" + s3dir.resolve("blobs"),
                "jclouds.identity=unused",
                "jclouds.credential=unused") + "\n");
        s3proxy = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), "org.gaul.s3proxy.Main", "--properties", conf.toString())
                .redirectErrorStream(true).redirectOutput(s3dir.resolve("s3proxy.log").toFile()).start();
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (true) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", s3port), 500);
                break;
            } catch (java.io.IOException e) {
                assertThat(s3proxy.isAlive()).as("s3proxy is running; log: %s", s3dir.resolve("s3proxy.log")).isTrue();
                assertThat(System.nanoTime()).as("s3proxy listening within 60s").isLessThan(deadline);
                Thread.sleep(200);
            }
        }
    }

    @AfterAll
    static void stopS3() throws Exception {
        if (s3proxy != null) {
            s3proxy.destroy();
            s3proxy.waitFor();
        }
        if (s3dir != null && !Boolean.getBoolean("pgbox.keep")) {
            try (Stream<Path> s = Files.walk(s3dir)) {
                s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    @Test
    void backupsArchivingAndPointInTimeRecoveryWorkThroughS3() throws Exception {
        try (PgboxProject p = PgboxProject.create("s3", "BACKUP_REPO=s3://pgbox/cluster-a", "BACKUP_S3_ENDPOINT=127.0.0.1:" + s3port,
                "BACKUP_S3_KEY=local-identity", "BACKUP_S3_URI_STYLE=path", "BACKUP_S3_VERIFY_TLS=off")) {
            Path secrets = p.dir().resolve(".env.secrets");
            Files.writeString(secrets, "BACKUP_S3_KEY_SECRET=local-credential\n");
            Files.setPosixFilePermissions(secrets, PosixFilePermissions.fromString("rw-------"));
            assertThat(p.ok("start").stdout()).contains("took the first full backup");
            Path stanza = s3dir.resolve("blobs/pgbox/cluster-a/backup/main");
            try (Stream<Path> files = Files.walk(stanza)) {
                assertThat(files.filter(f -> f.getFileName().toString().equals("backup.manifest")).count()).isEqualTo(1);
            }
            assertThat(p.dir().resolve(".pgbox/backup/repo")).doesNotExist();

            try (Connection c = p.connectApp()) {
                Jdbc.execute(c, "CREATE TABLE t (v int); INSERT INTO t VALUES (1)");
            }
            Thread.sleep(1100);
            String target = p.admin().value("postgres", "SELECT to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US') || ' UTC'");
            Thread.sleep(1100);
            try (Connection c = p.connectApp()) {
                Jdbc.execute(c, "INSERT INTO t VALUES (2)");
            }
            p.ok("db", "restore", "--point-in-time=" + target, "--yes");
            try (Connection c = p.connectApp()) {
                List<List<String>> rows = Jdbc.execute(c, "SELECT v FROM t ORDER BY v").rows();
                assertThat(rows).extracting(r -> r.get(0)).containsExactly("1");
            }
            JsonNode status = new ObjectMapper().readTree(p.ok("status", "--json").stdout()).path("backups");
            assertThat(status.path("archiver_ok").asBoolean()).isTrue();
            assertThat(status.path("physical_backups").asInt()).isGreaterThanOrEqualTo(2);
            JsonNode drill = new ObjectMapper().readTree(p.ok("db", "verify", "--json").stdout());
            assertThat(drill.path("ok").asBoolean()).as(drill.toString()).isTrue();
            assertThat(Files.readString(p.dir().resolve(".pgbox/pgbackrest.conf"))).contains("repo1-type=s3");

            PgboxProject.Run dump = p.ok("db", "backup", "--dest=s3://pgbox/dumps");
            assertThat(dump.stdout()).contains("into s3://pgbox/dumps/");
            assertThat(dump.stderr()).contains("uploaded", "manifest.json");
            String set = dump.stdout().replaceAll("(?s).*s3://pgbox/dumps/(\\S+).*", "$1").strip();
            Path uploaded = s3dir.resolve("blobs/pgbox/dumps").resolve(set);
            JsonNode manifest = new ObjectMapper().readTree(uploaded.resolve("manifest.json").toFile());
            assertThat(Files.size(uploaded.resolve("app.dump"))).isEqualTo(manifest.path("databases").get(0).path("bytes").asLong());
            assertThat(dev.pgbox.backup.Dumps.sha256(uploaded.resolve("app.dump")))
                    .isEqualTo(manifest.path("databases").get(0).path("sha256").asText());
            assertThat(Files.getPosixFilePermissions(p.dir().resolve(".pgbox/pgbackrest.conf"))).isEqualTo(
                    PosixFilePermissions.fromString("rw-------"));
        }
    }

    @Test
    void anIncompleteS3SettingIsRefusedBeforeAnythingStarts() throws Exception {
        try (PgboxProject p = PgboxProject.create("s3bad", "BACKUP_REPO=s3://pgbox/x")) {
            PgboxProject.Run r = p.pgbox("start");
            assertThat(r.exitCode()).isEqualTo(3);
            assertThat(r.stderr()).contains("S3 settings are incomplete", "BACKUP_S3_ENDPOINT");
            assertThat(p.dir().resolve(".pgbox/data")).doesNotExist();
        }
    }
}
