package dev.pgbox.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pgbox.config.Secrets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
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
 * Many apps on one real server: isolation between apps, least privilege, RLS, the audits, and that
 * no secret shows up in any process's argv or in the server log while every pgbox command runs.
 */
@Timeout(300)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SecurityIT {
    static PgboxProject project;
    static ArgvScanner scanner;

    @BeforeAll
    static void start() throws Exception {
        scanner = new ArgvScanner();
        project = PgboxProject.create("security", "PGBOX_APP_CONNECTION_LIMIT=20"); // explicit: the RAM plan would give 2GB's share
        run("start");
        run("app", "create", "alpha");
        run("app", "create", "beta");
    }

    @AfterAll
    static void stop() {
        if (scanner != null) {
            scanner.close();
        }
        if (project != null) {
            project.close();
        }
    }

    /** Runs pgbox, expects success, and checks pg_hba still has no trust, md5 or password line. */
    static PgboxProject.Run run(String... args) {
        return hbaChecked(project.ok(args));
    }

    static PgboxProject.Run hbaChecked(PgboxProject.Run r) {
        Path hba = project.dataDir().resolve("pg_hba.conf");
        if (Files.exists(hba)) {
            for (String line : PgboxProject.read(hba).lines().filter(l -> !l.startsWith("#") && !l.isBlank()).toList()) {
                assertThat(line.split("\\s+")).as("pg_hba line after pgbox run: " + line).doesNotContain("trust", "md5", "password");
            }
        }
        return r;
    }

    static String password(String app) {
        return project.settings().appSecret("PGBOX_APP_" + app.toUpperCase() + "_PASSWORD");
    }

    static Connection as(String role, String database) throws SQLException {
        return project.connect("127.0.0.1", database, role, password(role), null);
    }

    static String one(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }

    static void exec(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute(sql);
        }
    }

    static String sqlState(ThrowingSql action) {
        try {
            action.run();
            return "none";
        } catch (SQLException e) {
            return e.getSQLState();
        }
    }

    interface ThrowingSql {
        void run() throws SQLException;
    }

    @Test
    @Order(1)
    void anAppCanReachOnlyItsOwnDatabase() throws Exception {
        try (Connection c = as("alpha", "alpha")) {
            assertThat(one(c, "SELECT current_user || '@' || current_database()")).isEqualTo("alpha@alpha");
        }
        project.admin().run("beta", "SET ROLE beta_owner; CREATE TABLE secrets_of_beta (v text); INSERT INTO secrets_of_beta VALUES ('b');");
        for (String db : List.of("beta", "postgres", "template1", "app")) {
            assertThat(sqlState(() -> as("alpha", db).close())).as("alpha connecting to " + db).isEqualTo("42501");
        }
        assertThat(sqlState(() -> project.connect("127.0.0.1", "alpha", "app",
                project.settings().get(dev.pgbox.config.Setting.POSTGRES_PASSWORD), null).close())).isEqualTo("42501");
    }

    @Test
    @Order(2)
    void theLoginRoleHasDataPrivilegesOnlyAndLimits() throws Exception {
        project.admin().run("alpha", "SET ROLE alpha_owner; CREATE TABLE items (id serial PRIMARY KEY, v text);");
        try (Connection c = as("alpha", "alpha")) {
            exec(c, "INSERT INTO items (v) VALUES ('x')");
            assertThat(one(c, "SELECT count(*) FROM items")).isEqualTo("1");
            assertThat(sqlState(() -> exec(c, "CREATE TABLE mine (v text)"))).isEqualTo("42501");
            assertThat(sqlState(() -> exec(c, "DROP TABLE items"))).isEqualTo("42501");
            assertThat(one(c, "SELECT has_schema_privilege('public', 'public', 'CREATE')")).isEqualTo("f");
            assertThat(one(c, "SELECT has_table_privilege('alpha_readonly', 'items', 'SELECT')::text || "
                    + "has_table_privilege('alpha_readonly', 'items', 'INSERT')::text")).isEqualTo("truefalse");
            assertThat(one(c, "SHOW statement_timeout")).isEqualTo("30s");
            assertThat(one(c, "SHOW idle_in_transaction_session_timeout")).isEqualTo("1min");
            assertThat(one(c, "SELECT rolconnlimit::text || rolsuper::text || rolcreaterole::text FROM pg_roles WHERE rolname = 'alpha'"))
                    .isEqualTo("20falsefalse");
            exec(c, "SET ROLE alpha_owner");
            exec(c, "CREATE TABLE migrated (v text)"); // migrations run as the owner
        }
    }

    @Test
    @Order(3)
    void theServerIsNotReachableOnOtherLoopbackAddresses() {
        assertThat(sqlState(() -> project.connect("127.0.0.2", "alpha", "alpha", password("alpha"), null).close()))
                .isEqualTo("08001");
    }

    @Test
    @Order(4)
    void rlsEnableTestAndAuditCatchABrokenPolicy() throws Exception {
        project.admin().run("alpha", """
                SET ROLE alpha_owner;
                CREATE TABLE docs (id serial PRIMARY KEY, tenant_id uuid NOT NULL, body text);
                INSERT INTO docs (tenant_id, body) SELECT t, 'doc' FROM (VALUES ('11111111-1111-1111-1111-111111111111'::uuid),
                  ('22222222-2222-2222-2222-222222222222'::uuid)) v(t), generate_series(1, 3);
                """);
        PgboxProject.Run audit = hbaChecked(project.pgbox("rls", "audit", "alpha"));
        assertThat(audit.exitCode()).isEqualTo(11);
        assertThat(audit.stdout()).contains("rls-missing", "public.docs");
        run("rls", "enable", "alpha", "docs");
        JsonNode test = new ObjectMapper().readTree(run("rls", "test", "alpha", "--json").stdout());
        assertThat(test.path("passed").asBoolean()).isTrue();
        assertThat(test.path("tables").get(0).path("read_other").asText()).isEqualTo("pass");
        assertThat(run("rls", "audit", "alpha").stdout()).doesNotContain("high");
        try (Connection c = as("alpha", "alpha")) {
            c.setAutoCommit(false);
            exec(c, "SET LOCAL app.tenant_id = '11111111-1111-1111-1111-111111111111'");
            assertThat(one(c, "SELECT count(*) || '/' || count(DISTINCT tenant_id) FROM docs")).isEqualTo("3/1");
            c.rollback();
            assertThat(one(c, "SELECT count(*) FROM docs")).isEqualTo("0"); // no tenant set: nothing
            c.rollback();
        }
        // test the tester: a policy that lets everything through must fail, and change no data
        project.admin().run("alpha", """
                SET ROLE alpha_owner;
                CREATE TABLE leaky (id serial PRIMARY KEY, tenant_id uuid NOT NULL);
                INSERT INTO leaky (tenant_id) VALUES ('11111111-1111-1111-1111-111111111111'), ('22222222-2222-2222-2222-222222222222');
                ALTER TABLE leaky ENABLE ROW LEVEL SECURITY; ALTER TABLE leaky FORCE ROW LEVEL SECURITY;
                CREATE POLICY everything ON leaky USING (true);
                """);
        PgboxProject.Run broken = hbaChecked(project.pgbox("rls", "test", "alpha"));
        assertThat(broken.exitCode()).isEqualTo(11);
        assertThat(broken.stdout()).contains("public.leaky", "fail", "FAIL");
        assertThat(project.admin().value("alpha", "SELECT count(*) FROM leaky")).isEqualTo("2");
        project.admin().run("alpha", "DROP TABLE leaky;");
    }

    @Test
    @Order(5)
    void securityAuditIsCleanAndFindsWhatBreaksIt() throws Exception {
        JsonNode clean = new ObjectMapper().readTree(run("security", "audit", "--json").stdout());
        assertThat(clean.path("passed").asBoolean()).as(clean.toString()).isTrue();
        Path secrets = project.dir().resolve(".env.secrets");
        project.admin().run("beta", "GRANT CREATE ON SCHEMA public TO PUBLIC;");
        project.admin().run("postgres", "ALTER ROLE beta CREATEROLE; GRANT CONNECT ON DATABASE alpha TO PUBLIC;");
        Files.setPosixFilePermissions(secrets, PosixFilePermissions.fromString("rw-r--r--"));
        try {
            PgboxProject.Run bad = hbaChecked(project.pgbox("security", "audit"));
            assertThat(bad.exitCode()).isEqualTo(11);
            assertThat(bad.stdout()).contains("schema-public-create", "role-privileged", "db-public-connect", "secrets-mode", "chmod 600");
        } finally {
            project.admin().run("beta", "REVOKE CREATE ON SCHEMA public FROM PUBLIC;");
            project.admin().run("postgres", "ALTER ROLE beta NOCREATEROLE; REVOKE CONNECT ON DATABASE alpha FROM PUBLIC;");
            Files.setPosixFilePermissions(secrets, Secrets.OWNER_ONLY);
        }
        assertThat(run("security", "audit").stdout()).containsAnyOf("no findings", "no high-severity findings");
    }

    @Test
    @Order(6)
    void appLifecycleIsIdempotentAndRefusesWhatWouldHurt() throws Exception {
        assertThat(run("app", "create", "alpha").stdout()).contains("exists already", "nothing else changed");
        JsonNode list = new ObjectMapper().readTree(run("app", "list", "--json").stdout());
        assertThat(list.findValuesAsText("name")).containsExactly("alpha", "beta");
        assertThat(list.get(0).path("connection_limit").asInt()).isEqualTo(20);
        JsonNode status = new ObjectMapper().readTree(run("status", "--json").stdout());
        assertThat(status.path("apps").findValuesAsText("name")).containsExactly("alpha", "beta");

        String url = run("app", "url", "alpha", "--show-password").stdout();
        assertThat(url).contains("jdbc:postgresql://127.0.0.1:" + project.port() + "/alpha", password("alpha"));
        assertThat(run("app", "url", "alpha").stdout()).doesNotContain(password("alpha"));

        String old = password("alpha");
        run("app", "rotate-password", "alpha");
        assertThat(password("alpha")).isNotEqualTo(old);
        assertThat(sqlState(() -> project.connect("127.0.0.1", "alpha", "alpha", old, null).close())).isEqualTo("28P01");
        as("alpha", "alpha").close();
        assertThat(Files.getPosixFilePermissions(project.dir().resolve(".env.secrets"))).isEqualTo(Secrets.OWNER_ONLY);

        PgboxProject.Run noTty = hbaChecked(project.pgbox("app", "drop", "beta"));
        assertThat(noTty.exitCode()).isEqualTo(2);
        assertThat(noTty.stderr()).contains("--yes");
        try (Connection open = as("beta", "beta")) {
            PgboxProject.Run busy = hbaChecked(project.pgbox("app", "drop", "beta", "--yes"));
            assertThat(busy.exitCode()).isEqualTo(3);
            assertThat(busy.stderr()).contains("1 connection(s) are open", "--force");
            assertThat(run("app", "drop", "beta", "--yes", "--force").stdout()).contains("final dump in", "final-beta");
            assertThat(open.isValid(2)).isFalse();
        }
        assertThat(project.admin().value("postgres", "SELECT count(*) FROM pg_roles WHERE rolname LIKE 'beta%'")).isEqualTo("0");
        assertThat(password("beta")).isNull();
        PgboxProject.Run missing = hbaChecked(project.pgbox("app", "drop", "beta", "--yes"));
        assertThat(missing.exitCode()).isEqualTo(3);
        assertThat(missing.stderr()).contains("no app named 'beta'");

        for (String bad : List.of("select", "Shop", "a'b", "x".repeat(64), "")) {
            PgboxProject.Run r = hbaChecked(project.pgbox("app", "create", bad));
            assertThat(r.exitCode()).as(bad).isEqualTo(2);
            assertThat(r.stderr()).startsWith("error: invalid app name");
        }
        assertThat(project.admin().value("postgres", "SELECT count(*) FROM pg_database WHERE datname NOT IN "
                + "('postgres', 'template0', 'template1', 'app', 'alpha')")).isEqualTo("0");
    }

    @Test
    @Order(99)
    void noSecretInAnyArgvOrServerLogAndSecretsStayPrivate() throws Exception {
        List<String> secrets = new ArrayList<>(project.secretValues());
        assertThat(secrets).hasSizeGreaterThanOrEqualTo(2);
        assertThat(scanner.saw("pgbox.jar")).as("the scan saw pgbox run").isTrue();
        assertThat(scanner.saw("psql")).as("the scan saw psql run").isTrue();
        assertThat(scanner.leaks(secrets)).as("argv holding a secret").isEmpty();
        try (Stream<Path> logs = Files.walk(project.dir().resolve(".pgbox/log")).filter(Files::isRegularFile)) {
            for (Path log : logs.toList()) {
                String text = Files.readString(log);
                for (String secret : secrets) {
                    assertThat(text).as(log.toString()).doesNotContain(secret);
                }
            }
        }
        assertThat(Files.getPosixFilePermissions(project.dir().resolve(".env.secrets"))).isEqualTo(Secrets.OWNER_ONLY);
    }

    @Test
    @Order(100)
    void remoteAccessOnlyFromAllowedNetworksAndOnlyOverTls() throws Exception {
        // a second server that listens on 127.0.0.3 too and lets 127.0.0.3/32 in: clients bind that source address
        try (PgboxProject remote = PgboxProject.create("remote", "POSTGRES_LISTEN=127.0.0.3", "POSTGRES_ALLOWED_CIDRS=127.0.0.3/32")) {
            remote.ok("start");
            String pw = remote.settings().get(dev.pgbox.config.Setting.POSTGRES_PASSWORD);
            assertThat(PgboxProject.read(remote.dataDir().resolve("pg_hba.conf")))
                    .contains("hostssl all       all       127.0.0.3/32    scram-sha-256");
            Properties fromAllowed = new Properties();
            fromAllowed.setProperty("localSocketAddress", "127.0.0.3");
            fromAllowed.setProperty("sslmode", "require");
            try (Connection c = remote.connect("127.0.0.3", "app", "app", pw, fromAllowed)) {
                assertThat(one(c, "SELECT inet_client_addr()::text || ' ' || ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()"))
                        .isEqualTo("127.0.0.3/32 true");
            }
            Properties plain = new Properties();
            plain.putAll(fromAllowed);
            plain.setProperty("sslmode", "disable");
            assertThatThrownBy(() -> remote.connect("127.0.0.3", "app", "app", pw, plain).close())
                    .isInstanceOf(SQLException.class).hasMessageContaining("no pg_hba.conf entry");
            Properties fromElsewhere = new Properties();
            fromElsewhere.setProperty("localSocketAddress", "127.0.0.4");
            fromElsewhere.setProperty("sslmode", "require");
            assertThatThrownBy(() -> remote.connect("127.0.0.3", "app", "app", pw, fromElsewhere).close())
                    .isInstanceOf(SQLException.class).hasMessageContaining("no pg_hba.conf entry");
            PgboxProject.Run audit = remote.pgbox("security", "audit");
            assertThat(audit.exitCode()).as(audit.all()).isZero();
            assertThat(audit.stdout()).doesNotContain("hba-no-tls", "hba-weak-method");
        }
    }
}
