package dev.pgbox.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * 'pgbox ha join' for real, two members on one box (127.0.0.2 leads, 127.0.0.3 joins): the joiner finds
 * the cluster in etcd, adds its own etcd member, copies the leader's data through Patroni and streams as
 * the sync standby; bad joins are refused before anything is made. The multi-host failover cases are in
 * the network-namespace tests.
 *
 * <p>Both cases share one leader (started with a row, then 'ha init'): the refusals run first, while the
 * cluster has one member, then the real join.
 */
@Timeout(900)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HaJoinIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final List<PgboxProject> projects = new ArrayList<>();
    /** The first member, leader of cluster 'shop', its table 'kept' holding one row. */
    private PgboxProject a;
    private boolean failed;
    private boolean testPassed;

    @BeforeAll
    void leader() throws Exception {
        a = member("a", "127.0.0.2");
        a.ok("start");
        a.ok("db", "query", "CREATE TABLE kept (v int); INSERT INTO kept VALUES (1)");
        a.ok("ha", "init", "--cluster", "shop", "--member", "a");
    }

    @BeforeEach
    void onlyAfterAGoodCase() {
        testPassed = false;
        Assumptions.assumeFalse(failed, "an earlier case failed: the shared cluster may not be as the next one expects");
    }

    @AfterEach
    void noteFailure() {
        failed |= !testPassed;
    }

    @AfterAll
    void cleanUp() {
        for (int i = projects.size() - 1; i >= 0; i--) {
            PgboxProject p = projects.get(i);
            p.pgbox("stop");
            for (String f : List.of("patroni.pid", "etcd.pid")) {
                try {
                    Path pid = p.dir().resolve(".pgbox/run/" + f);
                    if (Files.exists(pid)) {
                        ProcessHandle.of(Long.parseLong(Files.readString(pid).strip())).ifPresent(ProcessHandle::destroyForcibly);
                    }
                } catch (Exception e) {
                    // nothing to stop
                }
            }
            p.close();
        }
    }

    private PgboxProject member(String name, String address, String... extra) throws Exception {
        List<String> env = new ArrayList<>(List.of("POSTGRES_LISTEN=" + address, "PATRONI_REST_PORT=" + PgboxProject.freePort(),
                "ETCD_CLIENT_PORT=" + PgboxProject.freePort(), "ETCD_PEER_PORT=" + PgboxProject.freePort(), "BACKUP_ARCHIVE=off",
                "PGBOX_AGENT=off", "PATRONI_REPLICATION_CIDRS=127.0.0.0/24"));
        env.addAll(List.of(extra));
        PgboxProject p = PgboxProject.create("ha-" + name, env.toArray(String[]::new));
        projects.add(p);
        return p;
    }

    private static String etcdUrl(PgboxProject p) throws Exception {
        String env = Files.readString(p.dir().resolve(".env.dev"));
        String address = env.lines().filter(l -> l.startsWith("POSTGRES_LISTEN=")).findFirst().orElseThrow().substring(16);
        String port = env.lines().filter(l -> l.startsWith("ETCD_CLIENT_PORT=")).findFirst().orElseThrow().substring(17);
        return "http://" + address + ":" + port;
    }

    @Test
    @Order(2)
    void aSecondMemberJoinsCopiesTheLeadersDataAndStreamsAsSyncStandby() throws Exception {
        PgboxProject b = member("b", "127.0.0.3");
        PgboxProject.Run join = b.ok("ha", "join", "--cluster", "shop", "--etcd", etcdUrl(a), "--member", "b", "--secrets-from",
                a.dir().resolve(".env.secrets").toString());
        assertThat(join.stdout()).contains("HA member 'b' of cluster 'shop' (a replica of 'a')", "ETCD_INITIAL_CLUSTER=", "a=http://127.0.0.2:", "b=http://127.0.0.3:");
        for (String secret : a.secretValues()) {
            assertThat(join.all()).doesNotContain(secret);
        }
        Path secrets = b.dir().resolve(".env.secrets");
        assertThat(Files.getPosixFilePermissions(secrets)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        assertThat(Files.readString(secrets)).contains("PATRONI_RESTAPI_PASSWORD=", "PGBOX_REPLICATION_PASSWORD=", "PATRONI_CLUSTER_CERT=");
        // the members verify each other against the cluster's certificate
        assertThat(Files.readString(b.dir().resolve(".pgbox/patroni/patroni.yml"))).contains("verify-ca", "cluster.crt")
                .doesNotContain("sslmode: 'require'").doesNotContain("sslmode: require");

        awaitMembers(b, "leader:running", "sync_standby:streaming");
        // etcd grew from one member to two: both report healthy once the new member has caught up with raft
        JsonNode status = awaitEtcdHealthy(b, 2);
        assertThat(status.path("etcd")).hasSize(2);
        // the leader's row is on the joiner, and what the leader writes now streams to it
        a.ok("db", "query", "INSERT INTO kept VALUES (2)");
        assertThat(awaitQuery(b, "SELECT count(*) AS n FROM kept", "2")).isTrue();
        // a replica member is read-only
        PgboxProject.Run write = b.pgbox("db", "query", "INSERT INTO kept VALUES (3)");
        assertThat(write.exitCode()).isNotZero();
        assertThat(write.stderr()).contains("read-only");

        // again on the member, and 'pgbox start' on it: nothing redone, the same Patroni keeps running
        long patroni = Long.parseLong(Files.readString(b.dir().resolve(".pgbox/run/patroni.pid")).strip());
        assertThat(b.ok("ha", "join", "--cluster", "shop", "--etcd", etcdUrl(a), "--member", "b").stdout()).contains("HA member 'b'");
        b.ok("start");
        assertThat(Long.parseLong(Files.readString(b.dir().resolve(".pgbox/run/patroni.pid")).strip())).isEqualTo(patroni);
        assertThat(b.ok("status").stdout()).contains("HA member under Patroni");
        awaitMembers(a, "leader:running", "sync_standby:streaming");
        testPassed = true;
    }

    /** Runs while 'a' is the only member; refusals are pgbox's code run in this JVM (nothing they start outlives them). */
    @Test
    @Order(1)
    void badJoinsAreRefusedBeforeAnythingIsMade() throws Exception {
        String secretsOfA = a.dir().resolve(".env.secrets").toString();

        PgboxProject b = member("b", "127.0.0.3");
        PgboxProject.Run wrongCluster = b.pgboxInProcess("ha", "join", "--cluster", "nosuch", "--etcd", etcdUrl(a), "--member", "b", "--secrets-from",
                secretsOfA);
        assertThat(wrongCluster.exitCode()).isEqualTo(3);
        assertThat(wrongCluster.stderr()).contains("no HA cluster 'nosuch' in etcd");

        PgboxProject.Run noSecrets = b.pgboxInProcess("ha", "join", "--cluster", "shop", "--etcd", etcdUrl(a), "--member", "b");
        assertThat(noSecrets.exitCode()).isEqualTo(3);
        assertThat(noSecrets.stderr()).contains("is not set in this project", "--secrets-from");

        PgboxProject.Run taken = b.pgboxInProcess("ha", "join", "--cluster", "shop", "--etcd", etcdUrl(a), "--member", "a", "--secrets-from",
                secretsOfA);
        assertThat(taken.exitCode()).isEqualTo(3);
        assertThat(taken.stderr()).contains("already has a member named 'a'");

        // a certificate that is not the cluster's: the leader is refused as an impostor would be
        PgboxProject other = member("other", "127.0.0.5");
        other.ok("start");
        Path wrongSecrets = b.dir().resolve("wrong.secrets");
        String otherCert = java.util.Base64.getEncoder().encodeToString(Files.readAllBytes(other.dir().resolve(".pgbox/run/server.crt")));
        Files.writeString(wrongSecrets, Files.readString(Path.of(secretsOfA)).lines()
                .map(l -> l.startsWith("PATRONI_CLUSTER_CERT=") ? "PATRONI_CLUSTER_CERT=" + otherCert : l)
                .collect(java.util.stream.Collectors.joining("\n", "", "\n")));
        Files.setPosixFilePermissions(wrongSecrets, PosixFilePermissions.fromString("rw-------"));
        PgboxProject.Run impostor = b.pgboxInProcess("ha", "join", "--cluster", "shop", "--etcd", etcdUrl(a), "--member", "b", "--secrets-from",
                wrongSecrets.toString());
        assertThat(impostor.exitCode()).as(impostor.all()).isEqualTo(3);
        assertThat(impostor.stderr()).contains("is not the cluster's");

        // a project with data of its own is refused: joining would replace it
        PgboxProject.Run own = other.pgboxInProcess("ha", "join", "--cluster", "shop", "--etcd", etcdUrl(a), "--member", "c", "--secrets-from",
                secretsOfA);
        assertThat(own.exitCode()).isEqualTo(3);
        assertThat(own.stderr()).contains("has its own data");
        other.ok("db", "query", "SELECT 1");
        other.ok("stop");

        PgboxProject.Run badUrl = b.pgboxInProcess("ha", "join", "--cluster", "shop", "--etcd", "http://127.0.0.2:2379/v3;rm", "--member", "b");
        assertThat(badUrl.exitCode()).isEqualTo(2);
        assertThat(badUrl.stderr()).contains("invalid etcd endpoint");

        // nothing was made on the joiner, and the etcd cluster still has one member
        assertThat(b.dir().resolve(".pgbox/data")).doesNotExist();
        assertThat(b.dir().resolve(".pgbox/patroni/member")).doesNotExist();
        JsonNode status = JSON.readTree(a.ok("ha", "status", "--json").stdout());
        assertThat(status.path("members")).hasSize(1);
        testPassed = true;
    }

    /** Waits until 'ha status --json' on {@code p} lists exactly these role:state pairs (in any order). */
    private static JsonNode awaitMembers(PgboxProject p, String... roleStates) throws Exception {
        return awaitStatus(p, "members " + List.of(roleStates), status -> {
            List<String> seen = new ArrayList<>();
            status.path("members").forEach(m -> seen.add(m.path("role").asText() + ":" + m.path("state").asText()));
            return seen.size() == roleStates.length && seen.containsAll(List.of(roleStates));
        });
    }

    private static JsonNode awaitEtcdHealthy(PgboxProject p, int members) throws Exception {
        return awaitStatus(p, members + " healthy etcd members", status -> {
            List<Boolean> healthy = new ArrayList<>();
            status.path("etcd").forEach(e -> healthy.add(e.path("healthy").asBoolean()));
            return healthy.size() == members && !healthy.contains(false);
        });
    }

    /** 'ha status --json' on {@code p} until {@code wanted} holds (a minute at most); its last answer. */
    private static JsonNode awaitStatus(PgboxProject p, String what, java.util.function.Predicate<JsonNode> wanted) throws Exception {
        JsonNode last = null;
        for (int i = 0; i < 120; i++) {
            PgboxProject.Run r = p.pgbox("ha", "status", "--json");
            if (r.exitCode() == 0) {
                last = JSON.readTree(r.stdout());
                if (wanted.test(last)) {
                    return last;
                }
            }
            Thread.sleep(500);
        }
        throw new AssertionError("never saw " + what + "; last status: " + last);
    }

    private static boolean awaitQuery(PgboxProject p, String sql, String expected) throws Exception {
        for (int i = 0; i < 60; i++) {
            PgboxProject.Run r = p.pgbox("db", "query", sql);
            if (r.exitCode() == 0 && r.stdout().lines().anyMatch(l -> l.strip().equals(expected))) {
                return true;
            }
            Thread.sleep(500);
        }
        return false;
    }
}
