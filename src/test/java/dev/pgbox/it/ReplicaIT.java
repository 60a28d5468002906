package dev.pgbox.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pgbox.ErrorKind;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * A primary and a replica, two projects on random loopback ports: --allow on the primary, --init on
 * the replica, a write seen on the replica, status on both sides, a replica that refuses writes and a
 * promotion that makes it writable; a wrong primary or a non-empty target refused before any folder is made.
 */
@Timeout(600)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ReplicaIT {
    static final ObjectMapper JSON = new ObjectMapper();
    static PgboxProject primary;
    static PgboxProject replica;

    @BeforeAll
    static void startPrimary() throws Exception {
        primary = PgboxProject.create("replica-primary", "PGBOX_AGENT=off");
        primary.ok("start");
        replica = PgboxProject.create("replica-standby"); // with the agent (the default): its watchdog guards a standby too
    }

    @AfterAll
    static void stop() {
        if (replica != null) {
            replica.close();
        }
        if (primary != null) {
            primary.close();
        }
    }

    private static String primaryAddress() {
        return "127.0.0.1:" + primary.port();
    }

    @Test
    @Order(3)
    void anUnreachablePrimaryIsRefusedBeforeAnyFolderIsMade() throws Exception {
        PgboxProject lost = PgboxProject.create("replica-lost", "PGBOX_AGENT=off");
        try {
            PgboxProject.Run r = lost.pgbox("db", "replica", "--init", "--primary=127.0.0.1:" + PgboxProject.freePort(),
                    "--primary-project", primary.dir().toString());
            assertThat(r.exitCode()).as(r.all()).isEqualTo(ErrorKind.NOT_RUNNING.exitCode());
            assertThat(r.stderr()).contains("cannot replicate from the primary").contains("fix:");
            assertThat(lost.dir().resolve(".pgbox")).doesNotExist();
        } finally {
            lost.close();
        }
    }

    @Test
    @Order(1)
    void aPrimaryThatHasNotAllowedTheReplicaRefusesIt() {
        PgboxProject.Run r = replica.pgbox("db", "replica", "--init", "--primary=" + primaryAddress(),
                "--primary-project", primary.dir().toString());
        // no --allow yet: no replication password on the primary's side
        assertThat(r.exitCode()).as(r.all()).isEqualTo(ErrorKind.CONFIG.exitCode());
        assertThat(r.stderr()).contains("--allow");
        assertThat(replica.dir().resolve(".pgbox")).doesNotExist();
    }

    @Test
    @Order(2)
    void allowMakesTheRoleTheSecretAndOneHbaLine() throws Exception {
        PgboxProject.Run r = primary.ok("db", "replica", "--allow", "127.0.0.1");
        assertThat(r.stdout()).contains("hostssl replication pgbox_replication 127.0.0.1/32 scram-sha-256");
        String secrets = Files.readString(primary.dir().resolve(".env.secrets"));
        assertThat(secrets).contains("PGBOX_REPLICATION_PASSWORD=");
        assertThat(Files.getPosixFilePermissions(primary.dir().resolve(".env.secrets")))
                .isEqualTo(PosixFilePermissions.fromString("rw-------"));
        assertThat(Files.readString(primary.dir().resolve(".env.dev"))).contains("PGBOX_REPLICA_ADDRESSES=127.0.0.1");
        String hba = Files.readString(primary.dataDir().resolve("pg_hba.conf"));
        assertThat(hba.lines().filter(l -> l.contains("replication") && !l.startsWith("#")))
                .containsExactly("hostssl replication pgbox_replication 127.0.0.1/32 scram-sha-256");
        assertThat(primary.admin().value("postgres",
                "SELECT rolreplication AND rolcanlogin AND NOT rolsuper FROM pg_roles WHERE rolname = 'pgbox_replication'")).isEqualTo("t");
        assertThat(primary.admin().value("postgres",
                "SELECT rolpassword LIKE 'SCRAM-SHA-256$%' FROM pg_authid WHERE rolname = 'pgbox_replication'")).isEqualTo("t");
        // the password never went into the server's log
        String password = secrets.lines().filter(l -> l.startsWith("PGBOX_REPLICATION_PASSWORD=")).findFirst().orElseThrow()
                .substring("PGBOX_REPLICATION_PASSWORD=".length());
        try (var logs = Files.walk(primary.dir().resolve(".pgbox/log"))) {
            for (Path log : logs.filter(Files::isRegularFile).toList()) {
                assertThat(Files.readString(log)).doesNotContain(password);
            }
        }
    }

    @Test
    @Order(3)
    void aWrongPasswordIsRefusedBeforeAnyFolderIsMade() throws Exception {
        // the two-host way: the password line and the certificate copied by hand (here: a wrong password)
        PgboxProject other = PgboxProject.create("replica-wrongpw", "PGBOX_AGENT=off");
        try {
            Files.writeString(other.dir().resolve(".env.secrets"), "PGBOX_REPLICATION_PASSWORD=not-the-password\n");
            Files.setPosixFilePermissions(other.dir().resolve(".env.secrets"), PosixFilePermissions.fromString("rw-------"));
            Path cert = other.dir().resolve("primary.crt");
            Files.copy(primary.dir().resolve(".pgbox/run/server.crt"), cert);
            PgboxProject.Run r = other.pgbox("db", "replica", "--init", "--primary=" + primaryAddress(), "--primary-cert", cert.toString());
            assertThat(r.exitCode()).as(r.all()).isEqualTo(ErrorKind.CONFIG.exitCode());
            assertThat(r.stderr()).contains("replication password was refused").contains("PGBOX_REPLICATION_PASSWORD");
            assertThat(other.dir().resolve(".pgbox")).doesNotExist();
        } finally {
            other.close();
        }
    }

    @Test
    @Order(4)
    void initClonesThePrimaryAndStartsAHotStandby() throws Exception {
        String password = primary.settings().get(dev.pgbox.config.Setting.PGBOX_REPLICATION_PASSWORD);
        PgboxProject.Run r;
        try (ArgvScanner scanner = new ArgvScanner()) {
            r = replica.ok("db", "replica", "--init", "--primary=" + primaryAddress(),
                    "--primary-project", primary.dir().toString(), "--slot", "replica_one");
            assertThat(scanner.saw("pg_basebackup")).as("the scan saw pg_basebackup").isTrue();
            assertThat(scanner.leaks(java.util.List.of(password))).as("argv holding the replication password").isEmpty();
        }
        assertThat(replica.settings().get(dev.pgbox.config.Setting.PGBOX_REPLICATION_PASSWORD)).isEqualTo(password);
        assertThat(r.stdout()).contains("slot 'replica_one'").contains("hot standby");
        assertThat(replica.dataDir().resolve("standby.signal")).exists();
        assertThat(replica.dataDir().getParent().resolve("data.cloning")).doesNotExist();
        assertThat(Files.readString(replica.dir().resolve(".env.secrets"))).contains("PGBOX_REPLICATION_PASSWORD=");
        assertThat(Files.getPosixFilePermissions(replica.dir().resolve(".env.secrets")))
                .isEqualTo(PosixFilePermissions.fromString("rw-------"));
        assertThat(replica.admin().value("postgres", "SELECT pg_is_in_recovery()")).isEqualTo("t");
        assertThat(replica.admin().value("postgres", "SHOW port")).isEqualTo(Integer.toString(replica.port()));
        // its own key pair, not the primary's
        assertThat(Files.mismatch(replica.dataDir().resolve("server.key"), primary.dataDir().resolve("server.key"))).isNotEqualTo(-1);

        JsonNode status = JSON.readTree(replica.ok("status", "--json").stdout());
        assertThat(status.path("role").asText()).isEqualTo("replica");
        assertThat(status.path("running").asBoolean()).isTrue();
        assertThat(replica.ok("status").stdout()).contains("role         replica");
        assertThat(JSON.readTree(primary.ok("status", "--json").stdout()).path("role").asText()).isEqualTo("primary");
    }

    @Test
    @Order(5)
    void aWriteOnThePrimaryReachesTheReplica() {
        primary.ok("db", "query", "CREATE TABLE replicated (id int PRIMARY KEY, note text)");
        primary.ok("db", "query", "INSERT INTO replicated VALUES (1, 'streamed')");
        String seen = poll(() -> {
            PgboxProject.Run q = replica.pgbox("db", "query", "--csv", "SELECT note FROM replicated WHERE id = 1");
            return q.exitCode() == 0 && q.stdout().contains("streamed") ? "yes" : null;
        });
        assertThat(seen).isEqualTo("yes");
    }

    @Test
    @Order(6)
    void statusOnBothSidesShowsTheStream() throws Exception {
        JsonNode onPrimary = JSON.readTree(poll(() -> {
            PgboxProject.Run s = primary.ok("db", "replica", "--status", "--json");
            return s.stdout().contains("\"streaming\"") ? s.stdout() : null;
        }));
        assertThat(onPrimary.path("role").asText()).isEqualTo("primary");
        JsonNode one = onPrimary.path("replicas").get(0);
        assertThat(onPrimary.path("replicas")).hasSize(1);
        assertThat(one.path("slot").asText()).isEqualTo("replica_one");
        assertThat(one.path("slot_active").asBoolean()).isTrue();
        assertThat(one.path("state").asText()).isEqualTo("streaming");
        assertThat(one.path("sync_state").asText()).isEqualTo("async");
        assertThat(one.path("client_address").asText()).isEqualTo("127.0.0.1");
        assertThat(one.path("lag_bytes").asLong()).isGreaterThanOrEqualTo(0);
        assertThat(one.path("lag_seconds").asDouble()).isGreaterThanOrEqualTo(0);
        assertThat(one.path("replay_lsn").asText()).matches("[0-9A-F]+/[0-9A-F]+");

        JsonNode onReplica = JSON.readTree(replica.ok("db", "replica", "--status", "--json").stdout());
        assertThat(onReplica.path("role").asText()).isEqualTo("replica");
        assertThat(onReplica.path("upstream").asText()).isEqualTo(primaryAddress());
        JsonNode self = onReplica.path("replicas").get(0);
        assertThat(self.path("slot").asText()).isEqualTo("replica_one");
        assertThat(self.path("state").asText()).isEqualTo("streaming");
        assertThat(self.path("lag_bytes").asLong()).isGreaterThanOrEqualTo(0);
        assertThat(self.path("lag_seconds").asDouble()).isGreaterThanOrEqualTo(0);

        assertThat(replica.ok("db", "replica", "--status").stdout()).contains("replica of " + primaryAddress()).contains("replica_one");
    }

    @Test
    @Order(7)
    void theReplicaRefusesWritesAndRestartsAsAStandby() {
        PgboxProject.Run w = replica.pgbox("db", "query", "INSERT INTO replicated VALUES (2, 'refused')");
        assertThat(w.exitCode()).as(w.all()).isEqualTo(ErrorKind.SQL.exitCode());
        assertThat(w.all()).contains("25006");
        // stop and start: no bootstrap, no backup; it comes back as a standby
        replica.ok("stop");
        PgboxProject.Run s = replica.ok("start");
        assertThat(s.stdout()).contains("hot standby");
        assertThat(s.all()).doesNotContain("full backup");
        assertThat(replica.admin().value("postgres", "SELECT pg_is_in_recovery()")).isEqualTo("t");
        assertThat(replica.ok("start").stdout()).contains("already running");
    }

    @Test
    @Order(8)
    void aNonEmptyTargetIsRefused() {
        PgboxProject.Run r = replica.pgbox("db", "replica", "--init", "--primary=" + primaryAddress(),
                "--primary-project", primary.dir().toString(), "--slot", "replica_two");
        assertThat(r.exitCode()).as(r.all()).isEqualTo(ErrorKind.CONFIG.exitCode());
        assertThat(r.stderr()).contains("not empty");
        assertThat(primary.admin().value("postgres", "SELECT count(*) FROM pg_replication_slots")).isEqualTo("1");
    }

    @Test
    @Order(9)
    void promoteMakesTheReplicaAWritablePrimary() throws Exception {
        PgboxProject.Run p = replica.ok("db", "replica", "--promote");
        assertThat(p.stdout()).contains("promoted");
        assertThat(replica.dataDir().resolve("standby.signal")).doesNotExist();
        assertThat(Files.readString(replica.dataDir().resolve("postgresql.auto.conf"))).doesNotContain("primary_conninfo");
        assertThat(replica.admin().value("postgres", "SELECT pg_is_in_recovery()")).isEqualTo("f");
        replica.ok("db", "query", "INSERT INTO replicated VALUES (3, 'written after promotion')");
        assertThat(replica.ok("db", "query", "--csv", "SELECT count(*) FROM replicated").stdout()).contains("2");
        assertThat(JSON.readTree(replica.ok("status", "--json").stdout()).path("role").asText()).isEqualTo("primary");
        // a whole primary now: its own backup stanza and first backup
        assertThat(JSON.readTree(replica.ok("status", "--json").stdout()).path("backups").path("physical_backups").asInt()).isEqualTo(1);
        primary.admin().execute("postgres", "SELECT pg_drop_replication_slot('replica_one')");
    }

    /** Polls up to a minute for a non-null answer. */
    private static String poll(Supplier<String> probe) {
        long deadline = System.nanoTime() + java.time.Duration.ofSeconds(60).toNanos();
        String v = probe.get();
        while (v == null && System.nanoTime() < deadline) {
            try {
                Thread.sleep(250);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            v = probe.get();
        }
        assertThat(v).as("nothing within 60s").isNotNull();
        return v;
    }
}
