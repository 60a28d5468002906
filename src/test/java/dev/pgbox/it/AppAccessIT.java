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
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * Reaching an app the way a new user would: db query and db shell as an app's login role and as its
 * owner, the owner URLs an ORM's migrations use (through psql with the libpq URL and through pgjdbc
 * with the JDBC URL), and a dump restored --into a new name that the app's login role can open.
 */
@Timeout(300)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AppAccessIT {
    static PgboxProject project;

    @BeforeAll
    static void start() throws Exception {
        project = PgboxProject.create("appaccess");
        project.ok("start");
        project.ok("app", "create", "shop");
        project.ok("app", "create", "other");
        project.admin().run("shop", "SET ROLE shop_owner; CREATE TABLE orders (id int PRIMARY KEY, item text);"
                + " INSERT INTO orders SELECT g, 'item ' || g FROM generate_series(1, 7) g;");
    }

    @AfterAll
    static void stop() {
        if (project != null) {
            project.close();
        }
    }

    static String password(String app) {
        return project.settings().appSecret("PGBOX_APP_" + app.toUpperCase() + "_PASSWORD");
    }

    static String one(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }

    static String sqlState(Connection c, String sql) {
        try (Statement st = c.createStatement()) {
            st.execute(sql);
            return "none";
        } catch (SQLException e) {
            return e.getSQLState();
        }
    }

    static String who(String... options) throws Exception {
        List<String> args = new java.util.ArrayList<>(List.of("db", "query", "--json"));
        args.addAll(List.of(options));
        args.add("SELECT current_user || '/' || session_user || '/' || current_database() AS who");
        JsonNode rows = new ObjectMapper().readTree(project.ok(args.toArray(String[]::new)).stdout());
        return rows.get(0).path("who").asText();
    }

    @Test
    @Order(1)
    void dbQueryReachesAnAppAsItsLoginRoleOrItsOwner() throws Exception {
        assertThat(who()).isEqualTo("app/app/app");
        assertThat(who("--app", "shop")).isEqualTo("shop/shop/shop");
        assertThat(who("--app", "shop", "--owner")).isEqualTo("shop_owner/shop/shop");
        assertThat(project.ok("db", "query", "--app", "shop", "SELECT count(*) AS n FROM orders").stdout()).contains(" 7");

        PgboxProject.Run denied = project.pgbox("db", "query", "--app", "shop", "CREATE TABLE by_login (v int)");
        assertThat(denied.exitCode()).isEqualTo(8);
        assertThat(denied.stderr()).contains("SQLSTATE 42501", "permission denied for schema public");
        project.ok("db", "query", "--app", "shop", "--owner", "CREATE TABLE by_owner (v int)");
        assertThat(project.admin().value("shop", "SELECT tableowner FROM pg_tables WHERE tablename = 'by_owner'"))
                .isEqualTo("shop_owner");
    }

    @Test
    @Order(2)
    void ownerWithoutAppAndUnknownAppsAreClearErrors() {
        PgboxProject.Run noApp = project.pgbox("db", "query", "--owner", "SELECT 1");
        assertThat(noApp.exitCode()).isEqualTo(2);
        assertThat(noApp.stderr()).startsWith("error: --owner needs --app NAME").contains("cause:", "fix:");
        assertThat(project.pgbox("db", "shell", "--owner").exitCode()).isEqualTo(2);

        PgboxProject.Run unknown = project.pgbox("db", "query", "--app", "nosuch", "SELECT 1");
        assertThat(unknown.exitCode()).isEqualTo(3);
        assertThat(unknown.stderr()).contains("no app named 'nosuch'", "pgbox app list");
        assertThat(project.pgbox("db", "shell", "--app", "nosuch").stderr()).contains("pgbox app list");
        // the main database is no app
        assertThat(project.pgbox("db", "query", "--app", "app", "SELECT 1").exitCode()).isEqualTo(3);
    }

    @Test
    @Order(3)
    void dbShellRunsAsTheOwnerWithPasswordAndRoleOutOfArgv() {
        PgboxProject.Run r;
        try (ArgvScanner scanner = new ArgvScanner()) {
            r = project.pgboxWithInput(null, Map.of(),
                    "SELECT current_user || '/' || session_user || '/' || (inet_client_addr() IS NOT NULL) AS who;\n"
                            + "SELECT pg_sleep(1);\n",
                    "db", "shell", "--app", "shop", "--owner");
            assertThat(scanner.saw("psql -X")).as("the scan saw the psql child").isTrue();
            assertThat(scanner.leaks(List.of(password("shop")))).as("argv holding the password").isEmpty();
            assertThat(scanner.leaks(List.of("role=shop_owner"))).as("argv holding the role option").isEmpty();
        }
        assertThat(r.exitCode()).as(r.all()).isZero();
        assertThat(r.stdout()).contains("shop_owner/shop/true"); // over TCP (pg_hba takes only TLS there)
        PgboxProject.Run plain = project.pgboxWithInput(null, Map.of(), "SELECT current_user || '@' || current_database();\n",
                "db", "shell", "--app", "shop");
        assertThat(plain.stdout()).contains("shop@shop");
    }

    record Urls(String libpq, String jdbc) {
        static Urls of(PgboxProject.Run r) {
            String libpq = r.stdout().lines().filter(l -> l.startsWith("libpq: ")).findFirst().orElseThrow().substring(7).strip();
            String jdbc = r.stdout().lines().filter(l -> l.startsWith("jdbc: ")).findFirst().orElseThrow().substring(6).strip();
            return new Urls(libpq, jdbc);
        }
    }

    /** psql with a URL as its only connection argument and the password in PGPASSWORD, as an ORM's tooling would run it. */
    static PgboxProject.Run psql(String url, String password, String sql) throws Exception {
        Path psql = PgInstallation.of(PgInstallation.newestInstalled().orElseThrow()).bin("psql");
        ProcessBuilder pb = new ProcessBuilder(psql.toString(), "-X", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-v", "VERBOSITY=verbose",
                "-d", url, "-c", sql);
        pb.environment().keySet().removeIf(k -> k.startsWith("PG"));
        pb.environment().put("PGPASSWORD", password);
        Process p = pb.start();
        p.getOutputStream().close();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new PgboxProject.Run(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8),
                new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
    }

    static Connection jdbc(String url, String password) throws SQLException {
        Properties p = new Properties();
        if (password != null) {
            p.setProperty("password", password);
        }
        return DriverManager.getConnection(url, p);
    }

    @Test
    @Order(4)
    void ownerUrlsLetMigrationsCreateTablesWhereThePlainUrlsCannot() throws Exception {
        Urls owner = Urls.of(project.ok("app", "url", "shop", "--owner"));
        Urls plain = Urls.of(project.ok("app", "url", "shop"));
        String port = Integer.toString(project.port());
        assertThat(owner.libpq()).startsWith("postgresql://shop@127.0.0.1:" + port + "/shop?sslmode=verify-full&sslrootcert=")
                .endsWith("&options=-c%20role%3Dshop_owner");
        assertThat(owner.jdbc()).startsWith("jdbc:postgresql://127.0.0.1:" + port + "/shop?user=shop&").contains("options=");
        assertThat(plain.libpq()).doesNotContain("options");
        String pw = password("shop");

        // psql with the libpq URL: the owner URL migrates, the app URL is refused (SQLSTATE 42501)
        PgboxProject.Run migrated = psql(owner.libpq(), pw, "CREATE TABLE migrated_by_psql (id serial PRIMARY KEY, v text)");
        assertThat(migrated.exitCode()).as(migrated.all()).isZero();
        assertThat(psql(owner.libpq(), pw, "SELECT current_user || '/' || session_user").stdout().strip()).isEqualTo("shop_owner/shop");
        PgboxProject.Run refused = psql(plain.libpq(), pw, "CREATE TABLE refused_by_psql (v text)");
        assertThat(refused.exitCode()).isNotZero();
        assertThat(refused.stderr()).contains("42501", "permission denied for schema public");

        // pgjdbc with the JDBC URL: the same
        try (Connection c = jdbc(owner.jdbc(), pw)) {
            assertThat(one(c, "SELECT current_user || '/' || session_user")).isEqualTo("shop_owner/shop");
            assertThat(sqlState(c, "CREATE TABLE migrated_by_jdbc (id serial PRIMARY KEY, v text)")).isEqualTo("none");
        }
        try (Connection c = jdbc(plain.jdbc(), pw)) {
            assertThat(one(c, "SELECT current_user || '/' || session_user")).isEqualTo("shop/shop");
            assertThat(sqlState(c, "CREATE TABLE refused_by_jdbc (v text)")).isEqualTo("42501");
            // what the migrations made belongs to the owner, and the running app may use it (default privileges)
            assertThat(sqlState(c, "INSERT INTO migrated_by_jdbc (v) VALUES ('x')")).isEqualTo("none");
            assertThat(sqlState(c, "INSERT INTO migrated_by_psql (v) VALUES ('y')")).isEqualTo("none");
            assertThat(sqlState(c, "DROP TABLE migrated_by_psql")).isEqualTo("42501");
        }
        assertThat(project.admin().value("shop", "SELECT string_agg(tablename || '=' || tableowner, ',' ORDER BY tablename) "
                + "FROM pg_tables WHERE tablename LIKE 'migrated%'")).isEqualTo("migrated_by_jdbc=shop_owner,migrated_by_psql=shop_owner");
        assertThat(project.admin().value("shop", "SELECT count(*) FROM pg_tables WHERE tablename LIKE 'refused%'")).isEqualTo("0");

        // --show-password with --owner: the URLs alone are enough
        Urls shown = Urls.of(project.ok("app", "url", "shop", "--owner", "--show-password"));
        assertThat(shown.libpq()).contains(pw).endsWith("role%3Dshop_owner");
        try (Connection c = jdbc(shown.jdbc(), null)) {
            assertThat(one(c, "SELECT current_user")).isEqualTo("shop_owner");
        }
        assertThat(psql(shown.libpq(), "wrong", "SELECT current_user").stdout().strip()).isEqualTo("shop_owner");
    }

    @Test
    @Order(5)
    void aDumpRestoredIntoANewNameOpensForTheAppsLoginRole() throws Exception {
        PgboxProject.Run dumped = project.ok("db", "backup", "shop");
        Path set = Path.of(dumped.stdout().replaceAll("(?s).* into (\\S+) .*", "$1").strip());
        assertThat(set.resolve("shop.dump")).exists();
        PgboxProject.Run restored = project.ok("db", "restore", "--file=" + set.resolve("shop.dump"), "--into", "shop_copy");
        assertThat(restored.stdout()).contains("restored 'shop_copy'", "as on 'shop'",
                "psql 'postgresql://shop@127.0.0.1:" + project.port() + "/shop_copy?", "PGBOX_APP_SHOP_PASSWORD");

        try (Connection c = project.connect("127.0.0.1", "shop_copy", "shop", password("shop"), null)) {
            assertThat(one(c, "SELECT count(*) || '/' || max(item) FROM orders")).isEqualTo("7/item 7");
            assertThat(one(c, "SELECT current_database()")).isEqualTo("shop_copy");
        }
        assertThat(project.admin().value("postgres", "SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = 'shop_copy'"))
                .isEqualTo("shop_owner");
        String acl = "SELECT array(SELECT x::text FROM unnest(datacl) x ORDER BY 1) FROM pg_database WHERE datname = $1";
        assertThat(project.admin().value("postgres", acl, "shop_copy")).isEqualTo(project.admin().value("postgres", acl, "shop"))
                .contains("shop=");
        // another app still cannot get in, and the copy is no app of its own (no roles, not listed)
        assertThat(sqlStateOfConnect("shop_copy", "other")).isEqualTo("42501");
        assertThat(project.admin().value("postgres", "SELECT count(*) FROM pg_roles WHERE rolname LIKE 'shop_copy%'")).isEqualTo("0");
        JsonNode list = new ObjectMapper().readTree(project.ok("app", "list", "--json").stdout());
        assertThat(list.findValuesAsText("name")).containsExactly("other", "shop");
        assertThat(list.get(1).path("size_bytes").asLong()).isPositive();
        assertThat(list.get(1).path("idle_in_transaction_session_timeout").asText()).isNotEmpty();
        assertThat(project.admin().value("postgres", "SELECT shobj_description(oid, 'pg_database') FROM pg_database "
                + "WHERE datname = 'shop_copy'")).startsWith("pgbox: restored copy of 'shop'");
        assertThat(Files.exists(set)).isTrue();
    }

    static String sqlStateOfConnect(String database, String app) {
        try (Connection c = project.connect("127.0.0.1", database, app, password(app), null)) {
            return c.isValid(2) ? "none" : "invalid";
        } catch (SQLException e) {
            return e.getSQLState();
        }
    }
}
