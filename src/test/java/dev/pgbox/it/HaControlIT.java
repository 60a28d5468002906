package dev.pgbox.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pgbox.install.PgInstallation;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
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
 * The HA control commands on a real one-box member (Patroni 4 + etcd, PostgreSQL on 127.0.0.2):
 * 'ha status' reads the leader lease from etcd and names an etcd outage, 'app url --ha' gives URLs
 * that psql and pgjdbc follow to the writable leader, and 'ha switchover' / 'ha failover' refuse
 * what cannot work with a clear message and the documented exit code.
 *
 * <p>One cluster for the class, in the order a cluster grows: member a alone (status, URLs, refusals),
 * then b joins (switchover, failover), then a's etcd member is killed (status names the outage).
 */
@Timeout(900)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HaControlIT {
    private static final String FIRST = "127.0.0.2";
    private static final String SECOND = "127.0.0.3";
    private static final String CLUSTER = "ctl";
    private static final ObjectMapper JSON = new ObjectMapper();
    private final List<PgboxProject> projects = new ArrayList<>();
    private final List<Long> pids = new ArrayList<>();
    /** The first member: started with app 'shop'; the first case makes it the cluster's first member. */
    private PgboxProject a;
    private boolean failed;
    private boolean testPassed;

    @BeforeAll
    void firstMember() throws Exception {
        a = member("hactl-a", FIRST);
        a.ok("app", "create", "shop");
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
            pids.addAll(pidsOf(p));
            for (long pid : pids) {
                ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
            }
            p.close();
        }
    }

    /** A started project on {@code address}, with its own random ports. */
    private PgboxProject member(String name, String address) throws Exception {
        PgboxProject p = project(name, address);
        p.ok("start");
        return p;
    }

    /** A new project (not started) on {@code address}; every loopback address may replicate (two members on one box). */
    private PgboxProject project(String name, String address) throws Exception {
        PgboxProject p = PgboxProject.create(name, "POSTGRES_LISTEN=" + address, "PATRONI_REST_PORT=" + PgboxProject.freePort(),
                "ETCD_CLIENT_PORT=" + PgboxProject.freePort(), "ETCD_PEER_PORT=" + PgboxProject.freePort(), "PGBOX_AGENT=off",
                "BACKUP_ARCHIVE=off", "PATRONI_REPLICATION_CIDRS=127.0.0.0/8");
        projects.add(p);
        return p;
    }

    @Test
    @Order(1)
    void oneMemberStatusUrlsAndRefusals() throws Exception {
        // not an HA member yet: a clear configuration error (exit 3)
        PgboxProject.Run plain = a.pgboxInProcess("app", "url", "shop", "--ha");
        assertThat(plain.exitCode()).as(plain.all()).isEqualTo(3);
        assertThat(plain.stderr()).contains("not one", "ha init");
        assertThat(a.pgboxInProcess("ha", "switchover").exitCode()).isEqualTo(3);

        a.ok("ha", "init", "--cluster", CLUSTER, "--member", "a");
        pids.addAll(pidsOf(a));

        // status: the member, and the leader lease read from etcd
        PgboxProject.Run status = a.ok("ha", "status", "--json");
        JsonNode j = JSON.readTree(status.stdout());
        assertThat(j.path("cluster").asText()).isEqualTo(CLUSTER);
        assertThat(j.path("etcd").get(0).path("healthy").asBoolean()).isTrue();
        assertThat(j.path("members").get(0).path("name").asText()).isEqualTo("a");
        assertThat(j.path("members").get(0).path("role").asText()).isEqualTo("leader");
        assertThat(j.path("members").get(0).path("sync_standby").asBoolean()).isFalse();
        assertThat(j.path("leader_lease_seconds").asLong()).as(status.stdout()).isGreaterThan(0);
        assertThat(j.path("lease_holder").asText()).isEqualTo("a");
        assertThat(j.has("etcd_problem")).isFalse();
        assertThat(a.ok("ha", "status").stdout()).contains("left on the leader lease (held by 'a')", "sync");

        // the --ha URLs: every member listed, the client lands on the writable leader
        PgboxProject.Run url = a.ok("app", "url", "shop", "--ha");
        String libpq = line(url.stdout(), "libpq: ");
        String jdbc = line(url.stdout(), "jdbc:  ");
        assertThat(libpq).contains("@" + FIRST + ":" + a.port() + "/shop?", "target_session_attrs=read-write");
        assertThat(jdbc).contains("//" + FIRST + ":" + a.port() + "/shop?", "targetServerType=primary");
        String password = a.settings().appSecret("PGBOX_APP_SHOP_PASSWORD");
        for (String secret : a.secretValues()) {
            assertThat(url.all()).doesNotContain(secret);
        }
        assertThat(psql(libpq, password, "SELECT pg_is_in_recovery(), inet_server_addr(), current_user")).isEqualTo("f|" + FIRST + "|shop");
        Properties props = new Properties();
        props.setProperty("password", password);
        try (Connection c = DriverManager.getConnection(jdbc, props); ResultSet rs = c.createStatement()
                .executeQuery("SELECT pg_is_in_recovery(), current_database()")) {
            rs.next();
            assertThat(rs.getBoolean(1)).isFalse();
            assertThat(rs.getString(2)).isEqualTo("shop");
        }
        String readOnly = line(a.ok("app", "url", "shop", "--ha", "--read-only").stdout(), "libpq: ");
        assertThat(readOnly).contains("target_session_attrs=prefer-standby");
        // no standby: prefer-standby falls back to the primary
        assertThat(psql(readOnly, password, "SELECT pg_is_in_recovery()")).isEqualTo("f");

        // switchover and failover refuse what cannot work, before asking Patroni (refusals: pgbox's code run in this JVM)
        PgboxProject.Run sw = a.pgboxInProcess("ha", "switchover");
        assertThat(sw.exitCode()).as(sw.all()).isEqualTo(4);
        assertThat(sw.stderr()).contains("no healthy member to take over", "only one member ('a')");
        PgboxProject.Run self = a.pgboxInProcess("ha", "failover", "--to", "a", "--yes");
        assertThat(self.exitCode()).as(self.all()).isEqualTo(2);
        assertThat(self.stderr()).contains("'a' is already the leader");
        PgboxProject.Run unknown = a.pgboxInProcess("ha", "failover", "--to", "nobody", "--yes");
        assertThat(unknown.exitCode()).as(unknown.all()).isEqualTo(2);
        assertThat(unknown.stderr()).contains("unknown member 'nobody'", "has the members a");
        assertThat(leader(a)).isEqualTo("a");
        testPassed = true;
    }

    /** etcd killed (a's own member, the only endpoint a asks): status says what that means and exits non-zero. */
    @Test
    @Order(3)
    void etcdDownStatusSaysWhatThatMeans() throws Exception {
        long etcd = Long.parseLong(Files.readString(a.dir().resolve(".pgbox/run/etcd.pid")).strip());
        ProcessHandle etcdProcess = ProcessHandle.of(etcd).orElseThrow();
        etcdProcess.destroyForcibly();
        etcdProcess.onExit().get(30, TimeUnit.SECONDS);
        PgboxProject.Run down = a.pgbox("ha", "status");
        assertThat(down.exitCode()).as(down.all()).isEqualTo(4);
        assertThat(down.stdout()).contains("etcd is unreachable", "no member can take or keep the leader lease", "failsafe mode on", "no replica is promoted");
        JsonNode dj = JSON.readTree(a.pgbox("ha", "status", "--json").stdout());
        assertThat(dj.path("etcd").get(0).path("healthy").asBoolean()).isFalse();
        assertThat(dj.path("etcd_problem").asText()).startsWith("etcd is unreachable");
        assertThat(dj.has("leader_lease_seconds")).isFalse();
        testPassed = true;
    }

    /**
     * Two members on one box (a on 127.0.0.2, b on 127.0.0.3 joining it): a switchover moves the leader
     * to b, a forced failover back to a; each time the --ha URL (listing a first) lands on the new
     * writable leader and every row written before is there.
     */
    @Test
    @Order(2)
    void twoMembersSwitchOverAndFailOverKeepingTheRows() throws Exception {
        String etcd = "http://" + FIRST + ":" + a.settings().get(dev.pgbox.config.Setting.ETCD_CLIENT_PORT);
        PgboxProject b = project("hactl-b", SECOND);
        b.ok("ha", "join", "--cluster", CLUSTER, "--etcd", etcd, "--member", "b", "--secrets-from",
                a.dir().resolve(".env.secrets").toString());
        pids.addAll(pidsOf(b));
        awaitTwoStreaming(a, "a");

        String password = a.settings().appSecret("PGBOX_APP_SHOP_PASSWORD");
        String owner = line(a.ok("app", "url", "shop", "--ha", "--owner").stdout(), "libpq: ");
        assertThat(owner).contains("@" + FIRST + ":" + a.port() + "," + SECOND + ":" + b.port() + "/shop?");
        assertThat(psql(owner, password, "CREATE TABLE kept (v int); INSERT INTO kept VALUES (1); SELECT inet_server_addr()"))
                .isEqualTo(FIRST);

        // the replica shows as the sync standby; a read-only URL lands on it
        assertThat(a.ok("ha", "status").stdout()).contains("sync standby");
        String reads = line(a.ok("app", "url", "shop", "--ha", "--read-only").stdout(), "libpq: ");
        assertThat(psql(reads, password, "SELECT host(inet_server_addr()) || ' ' || pg_is_in_recovery()")).isEqualTo(SECOND + " true");

        // Patroni's own refusal is shown as it is: paused, Patroni takes a switchover only to a named member
        patroniConfig(a, "{\"pause\":true}");
        PgboxProject.Run refused = a.pgbox("ha", "switchover");
        assertThat(refused.exitCode()).as(refused.all()).isEqualTo(9);
        assertThat(refused.stderr()).contains("Patroni refused the switchover", "only to a specific candidate in a paused state");
        patroniConfig(a, "{\"pause\":false}");
        assertThat(leader(a)).isEqualTo("a");
        awaitTwoStreaming(a, "a");

        // planned: no --to, Patroni picks b (the only replica)
        PgboxProject.Run sw = a.ok("ha", "switchover", "--json");
        JsonNode s = JSON.readTree(sw.stdout());
        assertThat(s.path("action").asText()).isEqualTo("switchover");
        assertThat(s.path("old_leader").asText()).isEqualTo("a");
        assertThat(s.path("new_leader").asText()).isEqualTo("b");
        assertThat(s.path("seconds").asDouble()).isGreaterThan(0);
        assertThat(leader(b)).isEqualTo("b");
        // the same URL, a listed first, now lands on b, which has the row and takes writes
        assertThat(psql(owner, password, "INSERT INTO kept VALUES (2); SELECT host(inet_server_addr()) || ' ' || pg_is_in_recovery()"))
                .isEqualTo(SECOND + " false");
        awaitTwoStreaming(b, "b");

        // forced: asks first, and without a terminal to ask on it refuses (nothing moved)
        PgboxProject.Run unconfirmed = b.pgbox("ha", "failover", "--to", "a");
        assertThat(unconfirmed.exitCode()).as(unconfirmed.all()).isEqualTo(2);
        assertThat(unconfirmed.stderr()).contains("needs confirmation", "--yes");
        assertThat(leader(b)).isEqualTo("b");

        // forced, from the replica's side: a becomes leader again
        PgboxProject.Run fo = b.ok("ha", "failover", "--to", "a", "--yes");
        assertThat(fo.stdout()).contains("failover done: leader 'b' -> 'a'");
        assertThat(leader(a)).isEqualTo("a");
        assertThat(psql(owner, password, "SELECT string_agg(v::text, ',' ORDER BY v) || ' ' || host(inet_server_addr()) FROM kept"))
                .isEqualTo("1,2 " + FIRST);
        awaitTwoStreaming(a, "a");
        JsonNode st = JSON.readTree(a.ok("ha", "status", "--json").stdout());
        assertThat(st.path("members")).hasSize(2);
        assertThat(st.path("lease_holder").asText()).isEqualTo("a");
        testPassed = true;
    }

    /** Patroni's PATCH /config on {@code p}'s member (the REST API's credentials from its .env.secrets). */
    private static void patroniConfig(PgboxProject p, String json) throws Exception {
        dev.pgbox.config.Settings s = p.settings();
        String basic = "pgbox:" + s.get(dev.pgbox.config.Setting.PATRONI_RESTAPI_PASSWORD);
        java.net.http.HttpResponse<String> r = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                        java.net.URI.create("http://" + s.get(dev.pgbox.config.Setting.POSTGRES_LISTEN) + ":"
                                + s.get(dev.pgbox.config.Setting.PATRONI_REST_PORT) + "/config"))
                .header("Authorization", "Basic " + java.util.Base64.getEncoder().encodeToString(basic.getBytes(StandardCharsets.UTF_8)))
                .header("Content-Type", "application/json").method("PATCH", java.net.http.HttpRequest.BodyPublishers.ofString(json)).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    }

    /** Waits until {@code leader} leads and the other member streams from it (Patroni 4's state for a healthy replica). */
    private static void awaitTwoStreaming(PgboxProject p, String leader) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        String last = "";
        while (System.nanoTime() < deadline) {
            PgboxProject.Run r = p.pgbox("ha", "status", "--json");
            last = r.stdout();
            if (r.exitCode() == 0) {
                JsonNode members = JSON.readTree(r.stdout()).path("members");
                int ready = 0;
                for (JsonNode m : members) {
                    boolean isLeader = m.path("name").asText().equals(leader) && m.path("role").asText().equals("leader")
                            && m.path("state").asText().equals("running");
                    boolean streams = !m.path("name").asText().equals(leader) && m.path("state").asText().equals("streaming")
                            && m.path("sync_standby").asBoolean();
                    ready += isLeader || streams ? 1 : 0;
                }
                if (members.size() == 2 && ready == 2) {
                    return;
                }
            }
            Thread.sleep(1000);
        }
        throw new AssertionError("not leader '" + leader + "' + a streaming sync standby within 120s:\n" + last);
    }

    /** The leader's name from 'ha status --json'. */
    static String leader(PgboxProject p) throws Exception {
        JsonNode j = JSON.readTree(p.ok("ha", "status", "--json").stdout());
        for (JsonNode m : j.path("members")) {
            if (m.path("role").asText().equals("leader")) {
                return m.path("name").asText();
            }
        }
        return null;
    }

    static String line(String out, String prefix) {
        return out.lines().filter(l -> l.startsWith(prefix)).findFirst().map(l -> l.substring(prefix.length())).orElseThrow(
                () -> new AssertionError("no '" + prefix + "' line in:\n" + out));
    }

    /** psql with the URL (the password in PGPASSWORD, not in argv); its one line of output. */
    static String psql(String url, String password, String sql) throws Exception {
        Path psql = PgInstallation.of(PgInstallation.newestInstalled().orElseThrow()).bin("psql");
        ProcessBuilder pb = new ProcessBuilder(psql.toString(), "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-c", sql, url)
                .redirectErrorStream(true);
        pb.environment().put("PGPASSWORD", password);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        return out;
    }

    /** Patroni's, etcd's and the postmaster's PIDs from their PID files. */
    static List<Long> pidsOf(PgboxProject p) {
        List<Long> out = new ArrayList<>();
        for (String f : List.of("patroni.pid", "etcd.pid")) {
            try {
                Path file = p.dir().resolve(".pgbox/run").resolve(f);
                if (Files.exists(file)) {
                    out.add(Long.parseLong(Files.readString(file).strip()));
                }
            } catch (Exception e) {
                // no PID to add
            }
        }
        if (p.pid() > 0) {
            out.add(p.pid());
        }
        return out;
    }
}
