package dev.pgbox.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pgbox.config.Setting;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Properties;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * PgBouncer in front of a real server (PGBOUNCER_ENABLED=on): an app logs in through 127.0.0.1:PGBOUNCER_PORT
 * over verified TLS with its own password (SCRAM passed through to the server); plain TCP, a wrong password, the
 * superuser, pgbox's lookup role and a NOLOGIN owner are refused; no password is on disk in PgBouncer's folder; a
 * new app is reachable without a restart; a SIGKILLed PgBouncer comes back by itself; stop leaves none behind.
 */
@Timeout(180)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PoolerIT {
    static PgboxProject project;
    static int poolerPort;

    @BeforeAll
    static void start() throws Exception {
        project = PgboxProject.create("pooler", "PGBOUNCER_ENABLED=on", "BACKUP_ARCHIVE=off");
        project.ok("start");
        project.ok("app", "create", "shop");
        poolerPort = project.settings().integer(Setting.PGBOUNCER_PORT);
    }

    @AfterAll
    static void stop() {
        if (project != null) {
            long pid = pgbouncerPid();
            project.close();
            if (pid > 0) {
                ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
            }
        }
    }

    static String password(String app) {
        return project.settings().appSecret("PGBOX_APP_" + app.toUpperCase() + "_PASSWORD");
    }

    static Connection pooled(String database, String user, String password, String sslmode) throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", user);
        p.setProperty("password", password);
        p.setProperty("sslmode", sslmode);
        p.setProperty("sslrootcert", project.dir().resolve(".pgbox/run/server.crt").toString());
        p.setProperty("connectTimeout", "10");
        p.setProperty("prepareThreshold", "0"); // transaction pooling: no server-side prepared statements
        return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + poolerPort + "/" + database, p);
    }

    static String one(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }

    static long pgbouncerPid() {
        try {
            Path f = project.dir().resolve(".pgbox/run/pgbouncer.pid");
            long pid = Files.exists(f) ? Long.parseLong(Files.readString(f).strip()) : -1;
            return pid > 0 && ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false) ? pid : -1;
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
    }

    @Test
    @Order(1)
    void anAppLogsInThroughThePoolerOverTlsWithItsPasswordAndQueries() throws Exception {
        try (Connection c = pooled("shop", "shop", password("shop"), "verify-full")) {
            assertThat(one(c, "SELECT current_user || '/' || current_database()")).isEqualTo("shop/shop");
            // PgBouncer reached the server over its Unix socket: no client address on the server's side
            assertThat(one(c, "SELECT coalesce(client_addr::text, 'socket') FROM pg_stat_activity WHERE pid = pg_backend_pid()"))
                    .isEqualTo("socket");
        }
        try (Connection c = pooled("shop-session", "shop", password("shop"), "verify-full")) {
            assertThat(one(c, "SELECT current_database()")).isEqualTo("shop");
            try (Statement st = c.createStatement()) {
                st.execute("LISTEN pgbox_pooler_it"); // a session pool keeps the session: LISTEN works
            }
        }
        try (Connection c = pooled("app", "app", project.settings().get(Setting.POSTGRES_PASSWORD), "verify-full")) {
            assertThat(one(c, "SELECT current_user")).isEqualTo("app");
        }
    }

    @Test
    @Order(2)
    void plainTcpAndAWrongPasswordAreRefused() {
        assertThatThrownBy(() -> pooled("shop", "shop", password("shop"), "disable").close())
                .isInstanceOf(SQLException.class).hasMessageContaining("SSL required");
        assertThatThrownBy(() -> pooled("shop", "shop", password("shop") + "x", "verify-full").close())
                .isInstanceOf(SQLException.class).hasMessageContaining("authentication failed");
    }

    @Test
    @Order(3)
    void theSuperuserThePoolerRoleAndANologinOwnerCannotLogInThroughThePooler() throws Exception {
        String anyPassword = project.settings().get(Setting.POSTGRES_PASSWORD);
        for (String role : List.of("postgres", "pgbox_pooler", "shop_owner", "pgbox_replication")) {
            assertThatThrownBy(() -> pooled("shop", role, anyPassword, "verify-full").close()).as(role)
                    .isInstanceOf(SQLException.class);
        }
        // the lookup behind it: a verifier for the app's login role only, and only pgbox_pooler may call it
        assertThat(project.admin().value("shop", "SELECT count(*) FROM pgbox_pool.lookup('shop')")).isEqualTo("1");
        for (String role : List.of("postgres", "pgbox_pooler", "shop_owner")) {
            assertThat(project.admin().value("shop", "SELECT count(*) FROM pgbox_pool.lookup($1)", role)).as(role).isEqualTo("0");
        }
        assertThat(project.admin().value("shop", "SELECT p.prosecdef::text || '/' || pg_get_userbyid(p.proowner) || '/'"
                + " || array_to_string(p.proconfig, ',') FROM pg_proc p WHERE p.oid = 'pgbox_pool.lookup(text)'::regprocedure"))
                .isEqualTo("true/postgres/search_path=pg_catalog, pg_temp");
        assertThat(project.admin().value("shop", "SELECT has_function_privilege('shop', 'pgbox_pool.lookup(text)', 'EXECUTE')::text"
                + " || has_function_privilege('pgbox_pooler', 'pgbox_pool.lookup(text)', 'EXECUTE')::text")).isEqualTo("falsetrue");
    }

    @Test
    @Order(4)
    void noPasswordIsOnDiskInPgBouncersFolder() throws Exception {
        Path folder = project.dir().resolve(".pgbox/pgbouncer");
        List<Path> files;
        try (Stream<Path> s = Files.walk(folder)) {
            files = s.filter(Files::isRegularFile).toList();
        }
        assertThat(files).extracting(p -> p.getFileName().toString()).contains("pgbouncer.ini", "pgbouncer_hba.conf");
        for (Path f : files) {
            String text = Files.readString(f, StandardCharsets.UTF_8);
            for (String secret : project.secretValues()) {
                assertThat(text).as(f.toString()).doesNotContain(secret);
            }
            assertThat(text).as(f.toString()).doesNotContain("SCRAM-SHA-256$");
            assertThat(Files.getPosixFilePermissions(f)).as(f.toString()).hasSize(2); // rw-------
            assertThat(Files.getOwner(f).getName()).isEqualTo("postgres");
        }
    }

    @Test
    @Order(5)
    void aNewAppIsReachableThroughThePoolerWithoutARestart() throws Exception {
        long before = pgbouncerPid();
        assertThat(before).isPositive();
        project.ok("app", "create", "blog");
        try (Connection c = pooled("blog", "blog", password("blog"), "verify-full")) {
            assertThat(one(c, "SELECT current_user || '/' || current_database()")).isEqualTo("blog/blog");
        }
        assertThat(pgbouncerPid()).isEqualTo(before);
    }

    @Test
    @Order(6)
    void statusShowsThePgBouncerComponent() throws Exception {
        JsonNode status = new ObjectMapper().readTree(project.ok("status", "--json").stdout());
        JsonNode pgbouncer = null;
        for (JsonNode c : status.path("components")) {
            if (c.path("component").asText().equals("pgbouncer")) {
                pgbouncer = c;
            }
        }
        assertThat(pgbouncer).as(status.toString()).isNotNull();
        assertThat(pgbouncer.path("state").asText()).isEqualTo("UP");
        assertThat(pgbouncer.path("detail").asText()).contains("pid " + pgbouncerPid()).contains(":" + poolerPort);
    }

    @Test
    @Order(7)
    void anAppDropWaitsForItsPooledClientsAndThenItsPoolsGo() throws Exception {
        project.ok("app", "create", "gone");
        Path ini = project.dir().resolve(".pgbox/pgbouncer/pgbouncer.ini");
        try (Connection c = pooled("gone", "gone", password("gone"), "verify-full")) {
            assertThat(one(c, "SELECT current_database()")).isEqualTo("gone");
            PgboxProject.Run refused = project.pgbox("app", "drop", "gone", "--yes");
            assertThat(refused.exitCode()).as(refused.all()).isNotZero();
            assertThat(refused.all()).contains("connected through PgBouncer");
        }
        // PgBouncer's idle server connection to the database is no open session: the drop goes through
        project.ok("app", "drop", "gone", "--yes");
        assertThat(Files.readString(ini)).doesNotContain("gone");
    }

    @Test
    @Order(8)
    void aKilledPgBouncerComesBackByItself() throws Exception {
        long killed = pgbouncerPid();
        ProcessHandle.of(killed).orElseThrow().destroyForcibly(); // SIGKILL
        long deadline = System.nanoTime() + 30_000_000_000L;
        String answer = null;
        while (answer == null && System.nanoTime() < deadline) {
            Thread.sleep(200);
            long now = pgbouncerPid();
            if (now > 0 && now != killed) {
                try (Connection c = pooled("shop", "shop", password("shop"), "verify-full")) {
                    answer = one(c, "SELECT current_user");
                } catch (SQLException e) {
                    // not listening yet
                }
            }
        }
        assertThat(answer).as("PgBouncer answers again after SIGKILL").isEqualTo("shop");
        assertThat(pgbouncerPid()).isNotEqualTo(killed);
    }

    @Test
    @Order(9)
    void stopLeavesNoPgBouncerProcess() {
        long pid = pgbouncerPid();
        assertThat(pid).isPositive();
        project.ok("stop");
        assertThat(dev.pgbox.cluster.PgCtl.alive(pid)).as("PgBouncer's process (a zombie not yet reaped counts as gone)").isFalse();
        String ini = project.dir().resolve(".pgbox/pgbouncer/pgbouncer.ini").toString();
        assertThat(ProcessHandle.allProcesses().filter(h -> h.info().commandLine().orElse("").contains(ini)).toList()).isEmpty();
    }
}
