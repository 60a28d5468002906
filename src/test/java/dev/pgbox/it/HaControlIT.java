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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The HA control commands on a real one-box member (Patroni 4 + etcd, PostgreSQL on 127.0.0.2):
 * 'ha status' reads the leader lease from etcd and names an etcd outage, 'app url --ha' gives URLs
 * that psql and pgjdbc follow to the writable leader, and 'ha switchover' / 'ha failover' refuse
 * what cannot work with a clear message and the documented exit code.
 */
@Timeout(900)
class HaControlIT {
    private static final String FIRST = "127.0.0.2";
    private static final ObjectMapper JSON = new ObjectMapper();
    private final List<PgboxProject> projects = new ArrayList<>();
    private final List<Long> pids = new ArrayList<>();

    @AfterEach
    void cleanUp() {
        for (PgboxProject p : projects) {
            p.pgbox("stop");
            pids.addAll(pidsOf(p));
            for (long pid : pids) {
                ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
            }
            p.close();
        }
    }

    /** A started project (with app 'shop') on {@code address}, with its own random ports. */
    private PgboxProject member(String name, String address) throws Exception {
        PgboxProject p = PgboxProject.create(name, "POSTGRES_LISTEN=" + address, "PATRONI_REST_PORT=" + PgboxProject.freePort(),
                "ETCD_CLIENT_PORT=" + PgboxProject.freePort(), "ETCD_PEER_PORT=" + PgboxProject.freePort(), "PGBOX_AGENT=off",
                "BACKUP_ARCHIVE=off");
        projects.add(p);
        p.ok("start");
        return p;
    }

    @Test
    void oneMemberStatusUrlsAndRefusals() throws Exception {
        PgboxProject a = member("hactl", FIRST);
        a.ok("app", "create", "shop");
        // not an HA member yet: a clear configuration error (exit 3)
        PgboxProject.Run plain = a.pgbox("app", "url", "shop", "--ha");
        assertThat(plain.exitCode()).as(plain.all()).isEqualTo(3);
        assertThat(plain.stderr()).contains("not one", "ha init");
        assertThat(a.pgbox("ha", "switchover").exitCode()).isEqualTo(3);

        a.ok("ha", "init", "--cluster", "ctl", "--member", "a");
        pids.addAll(pidsOf(a));

        // status: the member, and the leader lease read from etcd
        PgboxProject.Run status = a.ok("ha", "status", "--json");
        JsonNode j = JSON.readTree(status.stdout());
        assertThat(j.path("cluster").asText()).isEqualTo("ctl");
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

        // switchover and failover refuse what cannot work, before asking Patroni
        PgboxProject.Run sw = a.pgbox("ha", "switchover");
        assertThat(sw.exitCode()).as(sw.all()).isEqualTo(4);
        assertThat(sw.stderr()).contains("no healthy member to take over", "only one member ('a')");
        PgboxProject.Run self = a.pgbox("ha", "failover", "--to", "a", "--yes");
        assertThat(self.exitCode()).as(self.all()).isEqualTo(2);
        assertThat(self.stderr()).contains("'a' is already the leader");
        PgboxProject.Run unknown = a.pgbox("ha", "failover", "--to", "nobody", "--yes");
        assertThat(unknown.exitCode()).as(unknown.all()).isEqualTo(2);
        assertThat(unknown.stderr()).contains("unknown member 'nobody'", "has the members a");
        assertThat(leader(a)).isEqualTo("a");

        // etcd killed: status says what that means and exits non-zero
        long etcd = Long.parseLong(Files.readString(a.dir().resolve(".pgbox/run/etcd.pid")).strip());
        ProcessHandle etcdProcess = ProcessHandle.of(etcd).orElseThrow();
        etcdProcess.destroyForcibly();
        etcdProcess.onExit().get(30, TimeUnit.SECONDS);
        PgboxProject.Run down = a.pgbox("ha", "status");
        assertThat(down.exitCode()).as(down.all()).isEqualTo(4);
        assertThat(down.stdout()).contains("etcd is unreachable", "no member can take or keep the leader lease", "demotes");
        JsonNode dj = JSON.readTree(a.pgbox("ha", "status", "--json").stdout());
        assertThat(dj.path("etcd").get(0).path("healthy").asBoolean()).isFalse();
        assertThat(dj.path("etcd_problem").asText()).startsWith("etcd is unreachable");
        assertThat(dj.has("leader_lease_seconds")).isFalse();
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
        ProcessBuilder pb = new ProcessBuilder(psql.toString(), "-X", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-c", sql, url)
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
