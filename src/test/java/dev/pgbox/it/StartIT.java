package dev.pgbox.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pgbox.cluster.Bootstrap;
import dev.pgbox.config.Secrets;
import dev.pgbox.config.Setting;
import dev.pgbox.sql.Jdbc;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/** pgbox start on a fresh project, then everything the foundation promises, checked on the live server. */
@Timeout(300)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class StartIT {
    static PgboxProject project;
    static PgboxProject.Run firstStart;

    @BeforeAll
    static void start() throws Exception {
        project = PgboxProject.create("start");
        firstStart = project.ok("start");
    }

    @AfterAll
    static void stop() {
        if (project != null) {
            project.close();
        }
    }

    private static List<List<String>> query(String sql) {
        try (Connection c = project.connectApp()) {
            return Jdbc.execute(c, sql).rows();
        } catch (java.sql.SQLException e) {
            throw new AssertionError(e);
        }
    }

    private static boolean isValid(Connection c) {
        try {
            return c.isValid(5);
        } catch (java.sql.SQLException e) {
            return false;
        }
    }

    private static String one(String sql) {
        return query(sql).get(0).get(0);
    }

    @Test
    @Order(1)
    void firstStartReportsWhatItDidAndNoPassword() throws Exception {
        String password = project.settings().get(Setting.POSTGRES_PASSWORD);
        assertThat(password).hasSize(32);
        assertThat(firstStart.stdout()).contains("initialized a new cluster", "postgresql://app@127.0.0.1:" + project.port() + "/app");
        assertThat(firstStart.all()).doesNotContain(password);
        assertThat(Files.getPosixFilePermissions(project.dir().resolve(".env.secrets"))).isEqualTo(Secrets.OWNER_ONLY);
        assertThat(Files.readString(project.dir().resolve(".gitignore"))).contains(".env.secrets");
        assertThat(project.dataDir().resolveSibling("data.initializing")).doesNotExist();
        assertThat(one("SELECT pg_is_in_recovery()::text")).isEqualTo("false");
    }

    @Test
    @Order(2)
    void everyExtensionIsPresentAtItsPackagedVersionAlsoInTemplate1() {
        List<String> expected = new ArrayList<>(Bootstrap.TEMPLATE_EXTENSIONS);
        expected.add(Bootstrap.CRON);
        List<List<String>> rows = query("SELECT e.extname, e.extversion, a.default_version FROM pg_extension e "
                + "JOIN pg_available_extensions a ON a.name = e.extname WHERE e.extname <> 'plpgsql'");
        assertThat(rows).extracting(r -> r.get(0)).containsExactlyInAnyOrderElementsOf(expected);
        rows.forEach(r -> assertThat(r.get(1)).as(r.get(0)).isEqualTo(r.get(2)));
        assertThat(one("SELECT extversion FROM pg_extension WHERE extname = 'vector'")).startsWith("0.8");
        assertThat(one("SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE extname = 'pg_partman'"))
                .isEqualTo("partman");
        List<String> template = project.admin().rows("template1", "SELECT extname FROM pg_extension WHERE extname <> 'plpgsql'")
                .stream().map(r -> r.get(0)).toList();
        assertThat(template).containsExactlyInAnyOrderElementsOf(Bootstrap.TEMPLATE_EXTENSIONS);
    }

    @Test
    @Order(3)
    void listensOnLoopbackOnlyWithTlsAndScram() {
        assertThat(one("SHOW listen_addresses")).isEqualTo("127.0.0.1");
        assertThat(one("SHOW ssl")).isEqualTo("on");
        assertThat(one("SHOW password_encryption")).isEqualTo("scram-sha-256");
        assertThat(one("SHOW wal_level")).isEqualTo("replica");
        assertThat(project.admin().value("postgres", "SHOW shared_preload_libraries")).contains("pg_stat_statements", "pg_cron");
        assertThat(one("SELECT ssl::text FROM pg_stat_ssl WHERE pid = pg_backend_pid()")).isEqualTo("true");
        assertThat(project.admin().value("postgres", "SELECT left(rolpassword, 14) FROM pg_authid WHERE rolname = 'app'"))
                .isEqualTo("SCRAM-SHA-256$");
    }

    @Test
    @Order(4)
    void hbaHasOnlyPeerForTheSuperuserAndScramOnLoopback() {
        List<List<String>> rules = project.admin().rows("postgres",
                "SELECT type, array_to_string(user_name, ','), coalesce(address, ''), auth_method, coalesce(error, '') FROM pg_hba_file_rules");
        assertThat(rules).isNotEmpty();
        for (List<String> r : rules) {
            assertThat(r.get(4)).as("hba error").isEmpty();
            assertThat(r.get(3)).as(r.toString()).isIn("peer", "scram-sha-256");
            if (r.get(3).equals("peer")) {
                assertThat(r.get(0)).isEqualTo("local");
                assertThat(r.get(1)).isEqualTo("postgres");
            } else {
                assertThat(r.get(2)).isIn("127.0.0.1", "::1");
            }
        }
    }

    @Test
    @Order(5)
    void appRoleOwnsItsDatabaseAndOnlyPostgresIsSuperuser() {
        assertThat(one("SELECT rolsuper::text || rolcreaterole::text || rolcreatedb::text || rolbypassrls::text FROM pg_roles WHERE rolname = current_user"))
                .isEqualTo("falsefalsefalsefalse");
        assertThat(one("SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = current_database()")).isEqualTo("app");
        assertThat(query("SELECT rolname FROM pg_roles WHERE rolsuper")).extracting(r -> r.get(0)).containsExactly("postgres");
        assertThat(one("SELECT has_database_privilege('public', 'app', 'CONNECT')::text")).isEqualTo("false");
    }

    @Test
    @Order(6)
    void hnswCosineIndexAnswersKnnQueries() {
        query("CREATE TABLE np_memories (id bigint PRIMARY KEY, embedding vector(384) NOT NULL); "
                + "INSERT INTO np_memories SELECT i, (SELECT array_agg(random() - 0.5)::vector(384) FROM generate_series(1, 384) WHERE i > 0) "
                + "FROM generate_series(1, 3000) i; "
                + "CREATE INDEX np_memories_embedding_hnsw ON np_memories USING hnsw (embedding vector_cosine_ops); ANALYZE np_memories; "
                + "SELECT 1");
        String plan = String.join("\n", query("EXPLAIN SELECT id FROM np_memories ORDER BY embedding <=> "
                + "(SELECT embedding FROM np_memories WHERE id = 42) LIMIT 5").stream().map(r -> r.get(0)).toList());
        assertThat(plan).contains("Index Scan using np_memories_embedding_hnsw");
        // HNSW is approximate: on uniform random vectors the default search list (40) can miss even the query's own
        // row; a wider one makes finding it certain enough to test that the index answers, not its recall
        List<List<String>> nearest = query("SET hnsw.ef_search = 400; SELECT id FROM np_memories ORDER BY embedding <=> "
                + "(SELECT embedding FROM np_memories WHERE id = 42) LIMIT 5");
        assertThat(nearest).hasSize(5);
        assertThat(nearest.get(0).get(0)).isEqualTo("42");
    }

    @Test
    @Order(7)
    void partmanCreatesDailyPartitionsAsTheAppRole() {
        query("CREATE TABLE np_telemetry (id bigserial, created_at timestamptz NOT NULL DEFAULT now(), payload jsonb) "
                + "PARTITION BY RANGE (created_at)");
        query("SELECT partman.create_parent(p_parent_table => 'public.np_telemetry', p_control => 'created_at', "
                + "p_type => 'native', p_interval => 'daily')");
        int partitions = Integer.parseInt(one("SELECT count(*) FROM pg_inherits WHERE inhparent = 'np_telemetry'::regclass"));
        assertThat(partitions).isGreaterThanOrEqualTo(5);
        query("INSERT INTO np_telemetry (payload) VALUES ('{}')");
        assertThat(one("SELECT tableoid::regclass::text FROM np_telemetry")).startsWith("np_telemetry_p");
    }

    @Test
    @Order(8)
    void cronSchedulesAJobForTheAppRole() {
        String id = one("SELECT cron.schedule('nightly-vacuum', '0 3 * * *', 'VACUUM ANALYZE')");
        assertThat(Long.parseLong(id)).isPositive();
        assertThat(query("SELECT jobname, username, database FROM cron.job WHERE jobid = " + id))
                .containsExactly(List.of("nightly-vacuum", "app", "app"));
    }

    @Test
    @Order(9)
    void npSetUpdatedAtTriggerStampsUpdates() {
        query("CREATE TABLE np_example (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), name text, "
                + "created_at timestamptz NOT NULL DEFAULT now(), updated_at timestamptz NOT NULL DEFAULT '2000-01-01'); "
                + "CREATE TRIGGER np_example_updated_at BEFORE UPDATE ON np_example FOR EACH ROW EXECUTE FUNCTION np_set_updated_at(); "
                + "INSERT INTO np_example (name) VALUES ('a'); UPDATE np_example SET name = 'b'");
        assertThat(one("SELECT (updated_at > '2020-01-01')::text FROM np_example")).isEqualTo("true");
        assertThat(one("SELECT uuid_generate_v4() IS NOT NULL AND similarity('pgbox', 'pgbx') > 0 "
                + "AND 'a.b.c'::ltree @> 'a.b.c.d'::ltree AND digest('x', 'sha256') IS NOT NULL")).isEqualTo("t");
    }

    @Test
    @Order(10)
    void tunedValuesAreLive() throws Exception {
        PgboxProject.Run r = project.ok("tune", "--show", "--json");
        JsonNode plan = new ObjectMapper().readTree(r.stdout());
        assertThat(plan.path("ram_bytes").asLong()).isEqualTo(2L << 30);
        assertThat(plan.path("settings")).hasSizeGreaterThan(10);
        for (JsonNode s : plan.path("settings")) {
            String name = s.path("name").asText();
            assertThat(one("SHOW " + name)).as(name).isEqualTo(s.path("value").asText());
        }
        assertThat(one("SHOW shared_buffers")).isEqualTo("256MB"); // 25% of 50% of POSTGRES_MEMORY=2GB
    }

    @Test
    @Order(11)
    void statusReportsServerAndExtensions() throws Exception {
        JsonNode s;
        // three app sessions held open while status runs: they (and status's own admin session) must be counted
        try (java.sql.Connection a = project.connectApp(); java.sql.Connection b = project.connectApp();
             java.sql.Connection c = project.connectApp()) {
            assertThat(List.of(a, b, c)).allMatch(x -> isValid(x));
            PgboxProject.Run r = project.ok("status", "--json");
            s = new ObjectMapper().readTree(r.stdout());
            assertThat(project.ok("status").stdout()).containsPattern("connections +([4-9]|[1-9][0-9]) / " + plannedConnections());
        }
        assertThat(s.path("running").asBoolean()).isTrue();
        assertThat(s.path("port").asInt()).isEqualTo(project.port());
        assertThat(s.path("max_connections").asInt()).isEqualTo(plannedConnections()); // the RAM plan's, for 2GB
        assertThat(s.path("connections").asInt()).isBetween(4, plannedConnections());
        assertThat(s.path("database_bytes").asLong()).isPositive();
        assertThat(s.path("version").asText()).startsWith(Integer.toString(dev.pgbox.install.PgInstallation.newestInstalled().orElseThrow()));
        assertThat(s.path("extensions").findValuesAsText("name")).contains("vector", "pg_cron", "pg_partman");
        assertThat(project.ok("status").stdout()).contains("running", "extensions", "vector 0.8");
    }

    @Test
    @Order(12)
    void queryPrintsTablesJsonAndCsvAndSqlErrorsWithSqlstate() throws Exception {
        assertThat(project.ok("db", "query", "SELECT 1 AS one, 'x,y' AS two").stdout()).contains(" one | two", " 1   | x,y", "(1 row)");
        JsonNode rows = new ObjectMapper().readTree(project.ok("db", "query", "--json", "SELECT current_user AS who").stdout());
        assertThat(rows.get(0).path("who").asText()).isEqualTo("app");
        assertThat(project.ok("db", "query", "--csv", "SELECT 'a,b' AS v").stdout()).isEqualTo("v\n\"a,b\"\n");
        PgboxProject.Run bad = project.pgbox("db", "query", "SELECT * FROM no_such_table");
        assertThat(bad.exitCode()).isEqualTo(8);
        assertThat(bad.stderr()).contains("SQLSTATE 42P01", "no_such_table");
    }

    @Test
    @Order(13)
    void passwordNeverReachesTheServerLog() throws Exception {
        String password = project.settings().get(Setting.POSTGRES_PASSWORD);
        try (Stream<Path> logs = Files.walk(project.dir().resolve(".pgbox/log")).filter(Files::isRegularFile)) {
            for (Path log : logs.toList()) {
                assertThat(Files.readString(log)).as(log.toString()).doesNotContain(password);
            }
        }
    }

    @Test
    @Order(14)
    void dbShellIsThePsqlOfTheAppRoleAndThePasswordNeverAppearsInArgv() {
        String password = project.settings().get(Setting.POSTGRES_PASSWORD);
        PgboxProject.Run r;
        try (ArgvScanner scanner = new ArgvScanner()) {
            r = project.pgboxWithInput(null, java.util.Map.of(),
                    "SELECT current_user || '/' || ssl AS who FROM pg_stat_ssl WHERE pid = pg_backend_pid();\nSELECT pg_sleep(1);\n",
                    "db", "shell");
            assertThat(scanner.saw("psql -X")).as("the scan saw the psql child").isTrue();
            assertThat(scanner.leaks(List.of(password))).as("argv holding the password").isEmpty();
        }
        assertThat(r.exitCode()).as(r.all()).isZero();
        assertThat(r.stdout()).contains("app/t");
    }

    @Test
    @Order(20)
    void secondStartIsANoOp() {
        long pid = project.pid();
        PgboxProject.Run again = project.ok("start");
        assertThat(again.stdout()).contains("already running", "nothing to do");
        assertThat(project.pid()).isEqualTo(pid);
    }

    @Test
    @Order(21)
    void stopThenStartKeepsDataAndStopTwiceIsAClearError() throws Exception {
        query("CREATE TABLE kept (v text); INSERT INTO kept VALUES ('still here')");
        long pid = project.pid();
        assertThat(project.ok("stop").stdout()).contains("stopped", "fast");
        assertThat(exited(pid)).as("postmaster %d gone after stop", pid).isTrue();
        PgboxProject.Run again = project.pgbox("stop");
        assertThat(again.exitCode()).isEqualTo(4);
        assertThat(again.stderr()).contains("not running", "pgbox start");
        PgboxProject.Run status = project.pgbox("status");
        assertThat(status.exitCode()).isEqualTo(4);
        assertThat(status.stdout()).contains("stopped");
        assertThat(project.pgbox("db", "query", "SELECT 1").exitCode()).isEqualTo(4);
        PgboxProject.Run start = project.ok("start");
        assertThat(start.stdout()).doesNotContain("initialized");
        assertThat(one("SELECT v FROM kept")).isEqualTo("still here");
    }

    /** pg_ctl returns once postmaster.pid is gone; the process itself exits a moment later. */
    private static boolean exited(long pid) throws InterruptedException {
        for (int i = 0; i < 100; i++) {
            if (!dev.pgbox.cluster.PgCtl.alive(pid)) {
                return true;
            }
            Thread.sleep(100);
        }
        return false;
    }

    @Test
    @Order(22)
    void restartAppliesRestartOnlySettings() throws Exception {
        String before = one("SHOW max_connections"); // the RAM plan's for 2GB
        assertThat(before).isNotEqualTo("42");
        Files.writeString(project.dir().resolve(".env.dev"), "POSTGRES_MAX_CONNECTIONS=42\n",
                java.nio.file.StandardOpenOption.APPEND);
        PgboxProject.Run apply = project.ok("tune", "--apply");
        assertThat(apply.stdout()).contains("pgbox restart", "max_connections");
        assertThat(one("SHOW max_connections")).isEqualTo(before);
        project.ok("restart");
        assertThat(one("SHOW max_connections")).isEqualTo("42");
        assertThat(one("SELECT v FROM kept")).isEqualTo("still here");
    }

    /** max_connections as the RAM plan sets it for this project (pgbox plan). */
    private static int plannedConnections() throws Exception {
        return new ObjectMapper().readTree(project.ok("plan", "--json").stdout()).path("settings").path("max_connections").asInt();
    }
}
