package dev.pgbox.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The one-box HA trial for real: a started pgbox project with data becomes the first Patroni member
 * ('pgbox ha init', a local etcd member beside it), keeps its data, and from then on 'pgbox stop' and
 * 'pgbox start' stop and start Patroni, PostgreSQL and etcd together.
 */
@Timeout(900)
class HaInitIT {
    /** A loopback address that is not 127.0.0.1: Patroni refuses 127.0.0.1 as a connect address. */
    private static final String MEMBER_ADDRESS = "127.0.0.2";
    private PgboxProject project;
    private final List<Long> pids = new ArrayList<>();

    @AfterEach
    void cleanUp() {
        if (project != null) {
            project.pgbox("stop");
            pidsNow().forEach(pids::add);
            for (long pid : pids) {
                ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
            }
            project.close();
        }
    }

    @Test
    void initHandsAStartedProjectToPatroniAndStartStopFollow() throws Exception {
        int rest = PgboxProject.freePort();
        int client = PgboxProject.freePort();
        int peer = PgboxProject.freePort();
        project = PgboxProject.create("ha", "POSTGRES_LISTEN=" + MEMBER_ADDRESS, "PATRONI_REST_PORT=" + rest, "ETCD_CLIENT_PORT=" + client,
                "ETCD_PEER_PORT=" + peer, "BACKUP_ARCHIVE=off");
        project.ok("start");
        project.ok("db", "query", "CREATE TABLE kept (v int); INSERT INTO kept VALUES (1)");

        PgboxProject.Run init = project.ok("ha", "init", "--cluster", "trial", "--member", "a");
        assertThat(init.stdout()).contains("member 'a' of cluster 'trial'");
        Path secrets = project.dir().resolve(".env.secrets");
        String secretText = Files.readString(secrets);
        assertThat(secretText).contains("PGBOX_REPLICATION_PASSWORD=", "PATRONI_REWIND_PASSWORD=", "PATRONI_RESTAPI_PASSWORD=");
        assertThat(Files.getPosixFilePermissions(secrets)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        for (String secret : project.secretValues()) {
            assertThat(init.all()).doesNotContain(secret);
        }
        assertThat(Files.readString(project.dir().resolve(".env.dev"))).contains("PATRONI_CLUSTER=trial", "PATRONI_MEMBER=a");
        assertThat(project.admin().value("postgres", "SELECT string_agg(rolname, ',' ORDER BY rolname) FROM pg_roles "
                + "WHERE rolname IN ('pgbox_replication', 'pgbox_rewind') AND rolcanlogin")).isEqualTo("pgbox_replication,pgbox_rewind");

        assertLeader();
        List<Long> running = pidsNow();
        assertThat(running).hasSize(3); // Patroni, etcd, the postmaster
        pids.addAll(running);
        assertThat(commandLine(running.get(0))).contains("patroni");
        assertThat(commandLine(running.get(1))).contains("etcd");
        // the row survived the hand-over, and the server takes writes under Patroni
        assertThat(project.ok("db", "query", "SELECT count(*) AS n FROM kept").stdout()).contains("1");
        project.ok("db", "query", "INSERT INTO kept VALUES (2)");
        JsonNode status = new ObjectMapper().readTree(project.ok("status", "--json").stdout());
        assertThat(status.path("supervision").path("supervisor").asText()).isEqualTo("patroni");
        assertThat(status.path("agent_running").asBoolean()).isTrue();
        long agent = status.path("agent_pid").asLong();
        pids.add(agent);

        // again on a running member: nothing is redone, the same processes keep running
        assertThat(project.ok("ha", "init").stdout()).contains("HA member 'a' of cluster 'trial'");
        project.ok("start");
        assertLeader();
        assertThat(pidsNow()).containsExactlyElementsOf(running);
        withLogs("restart");
        assertLeader();
        List<Long> restarted = pidsNow();
        pids.addAll(restarted);
        assertThat(restarted).hasSize(3).doesNotContainAnyElementsOf(running);
        running = restarted;

        project.ok("stop");
        assertThat(ProcessHandle.of(agent).map(ProcessHandle::isAlive).orElse(false)).as("the agent after stop").isFalse();
        for (long pid : running) {
            assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).as("pid " + pid + " after stop").isFalse();
        }
        assertThat(project.pgbox("ha", "status").exitCode()).isEqualTo(4);

        withLogs("start");
        assertLeader();
        List<Long> again = pidsNow();
        pids.addAll(again);
        assertThat(again).hasSize(3).doesNotContainAnyElementsOf(running);
        assertThat(project.ok("db", "query", "SELECT count(*) AS n FROM kept").stdout()).contains("2");

        // Patroni and etcd killed: the agent's watchdog starts them again (Patroni takes the running PostgreSQL back)
        long postmaster = project.pid();
        for (long pid : again.subList(0, 2)) {
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        }
        List<Long> back = List.of();
        for (int i = 0; i < 240; i++) {
            Thread.sleep(250);
            back = pidsNow();
            if (back.size() == 3 && !back.get(0).equals(again.get(0)) && ProcessHandle.of(back.get(0)).map(ProcessHandle::isAlive).orElse(false)) {
                break;
            }
        }
        pids.addAll(back);
        assertThat(back).as("Patroni, etcd and the postmaster after the kill").hasSize(3);
        assertThat(back.get(0)).as("a new Patroni").isNotEqualTo(again.get(0));
        assertLeaderSoon();
        assertThat(project.pid()).as("Patroni adopted the running PostgreSQL").isEqualTo(postmaster);
        project.ok("db", "query", "INSERT INTO kept VALUES (3)");
        assertThat(Files.readString(project.dir().resolve(".pgbox/log/crashes.log"))).contains("Patroni gone; restarted by the agent");
    }

    /** {@link #assertLeader} once Patroni has had time to take the lock again (within a minute). */
    private void assertLeaderSoon() throws Exception {
        AssertionError last = null;
        for (int i = 0; i < 60; i++) {
            try {
                assertLeader();
                return;
            } catch (AssertionError e) {
                last = e;
                Thread.sleep(1000);
            }
        }
        throw last;
    }

    /** A stopped project: init starts it to make the roles, then hands it over; the names default to the folder's and the host's. */
    @Test
    void initTakesAStoppedProjectWithDefaultNames() throws Exception {
        project = PgboxProject.create("ha-stopped", "POSTGRES_LISTEN=" + MEMBER_ADDRESS, "PATRONI_REST_PORT=" + PgboxProject.freePort(),
                "ETCD_CLIENT_PORT=" + PgboxProject.freePort(), "ETCD_PEER_PORT=" + PgboxProject.freePort(), "PGBOX_AGENT=off",
                "BACKUP_ARCHIVE=off");
        project.ok("start");
        project.ok("stop");
        project.ok("ha", "init");
        String cluster = project.dir().getFileName().toString().toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9_]", "_");
        assertThat(Files.readString(project.dir().resolve(".env.dev"))).contains("PATRONI_CLUSTER=" + cluster, "PATRONI_MEMBER=");
        JsonNode j = new ObjectMapper().readTree(project.ok("ha", "status", "--json").stdout());
        pids.addAll(pidsNow());
        assertThat(j.path("cluster").asText()).isEqualTo(cluster);
        assertThat(j.path("members").get(0).path("name").asText()).isEqualTo(j.path("member").asText());
        assertThat(j.path("members").get(0).path("role").asText()).isEqualTo("leader");
        assertThat(project.ok("ha", "status").stdout()).contains("cluster   " + cluster, "healthy", "leader", "running");

        // PgBouncer on a member: Patroni owns pg_hba.conf, so its lines come through patroni.yml; an app logs in through the pool
        project.ok("app", "create", "shop");
        PgboxProject.Run on = project.ok("pool", "enable");
        assertThat(on.stdout()).contains("PgBouncer is on", "Patroni");
        assertThat(Files.readString(project.dir().resolve(".pgbox/patroni/patroni.yml"))).contains("pgbox_pooler");
        String url = PoolIT.jdbcLine(project.ok("app", "url", "shop", "--pooled", "--show-password"));
        try (java.sql.Connection c = PoolIT.pooled(url); java.sql.Statement st = c.createStatement();
                java.sql.ResultSet rs = st.executeQuery("SELECT current_user, inet_server_addr() IS NULL")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).isEqualTo("shop");
            assertThat(rs.getBoolean(2)).as("PgBouncer reaches the server over its Unix socket").isTrue();
        }
        assertThat(project.ok("pool", "status").stdout()).contains("shop");
        // the superuser still logs in by peer only: a password login as postgres over the socket is not offered
        assertThat(Files.readString(project.dataDir().resolve("pg_hba.conf")).lines().map(String::strip)
                .filter(l -> l.startsWith("local")).findFirst().orElseThrow()).contains("postgres", "peer");
    }

    /** Runs pgbox, showing Patroni's log when it fails. */
    private void withLogs(String... args) throws Exception {
        PgboxProject.Run r = project.pgbox(args);
        if (r.exitCode() != 0) {
            Path log = project.dir().resolve(".pgbox/log/patroni.log");
            String patroni = Files.exists(log) ? Files.readString(log) : "(no patroni.log)";
            assertThat(r.exitCode()).as("pgbox " + String.join(" ", args) + ":\n" + r.all() + "\npatroni.log:\n" + patroni.substring(Math.max(0, patroni.length() - 6000)))
                    .isZero();
        }
    }

    private void assertLeader() throws Exception {
        PgboxProject.Run status = project.ok("ha", "status", "--json");
        JsonNode j = new ObjectMapper().readTree(status.stdout());
        assertThat(j.path("cluster").asText()).isEqualTo("trial");
        assertThat(j.path("etcd").get(0).path("healthy").asBoolean()).as(status.stdout()).isTrue();
        assertThat(j.path("members")).hasSize(1);
        JsonNode m = j.path("members").get(0);
        assertThat(m.path("name").asText()).isEqualTo("a");
        assertThat(m.path("role").asText()).isEqualTo("leader");
        assertThat(m.path("state").asText()).isEqualTo("running");
        assertThat(m.path("host").asText()).isEqualTo(MEMBER_ADDRESS);
        assertThat(m.path("port").asInt()).isEqualTo(project.port());
    }

    /** Patroni's, etcd's and the postmaster's PIDs from their PID files (absent ones left out). */
    private List<Long> pidsNow() {
        List<Long> out = new ArrayList<>();
        Path run = project.dir().resolve(".pgbox/run");
        for (Path f : List.of(run.resolve("patroni.pid"), run.resolve("etcd.pid"))) {
            try {
                if (Files.exists(f)) {
                    out.add(Long.parseLong(Files.readString(f).strip()));
                }
            } catch (Exception e) {
                // no PID to add
            }
        }
        if (project.pid() > 0) {
            out.add(project.pid());
        }
        return out;
    }

    private static String commandLine(long pid) {
        return ProcessHandle.of(pid).flatMap(h -> h.info().commandLine()).orElse("");
    }
}
