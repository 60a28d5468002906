package dev.pgbox.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pgbox.sql.AdminSql;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * pgbox schema lint against a real server: with PGBOX_LINT_SMALL_TABLE=64kB, an index on a 20,000-row
 * table is an error naming its size and rows while the same on a one-row table is a warning; a lock
 * another session holds in an open transaction is reported with its pid, and named as a long transaction
 * a CONCURRENTLY build would wait for (PGBOX_LINT_LONG_TRANSACTION=1s); offline every table counts
 * as big; exit codes 0 / 11, --json and the text form; unparsable SQL with its line and column.
 */
@Timeout(300)
class SchemaLintIT {
    static PgboxProject project;
    static final ObjectMapper JSON = new ObjectMapper();
    static final List<Process> held = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        project = PgboxProject.create("lint", "PGBOX_LINT_SMALL_TABLE=64kB", "PGBOX_LINT_LONG_TRANSACTION=1s");
        project.ok("start");
        project.ok("app", "create", "shop");
        project.admin().run("shop", "SET ROLE shop_owner;"
                + " CREATE TABLE big (id bigint PRIMARY KEY, v text);"
                + " INSERT INTO big SELECT g, repeat('x', 100) FROM generate_series(1, 20000) g;"
                + " CREATE TABLE tiny (id bigint PRIMARY KEY, v text); INSERT INTO tiny VALUES (1, 'a');"
                + " CREATE TABLE busy (id bigint PRIMARY KEY, v text); ANALYZE big; ANALYZE tiny;");
    }

    @AfterAll
    static void stop() {
        held.forEach(p -> {
            p.descendants().forEach(ProcessHandle::destroy);
            p.destroy();
        });
        if (project != null) {
            project.close();
        }
    }

    static Path write(String name, String sql) throws Exception {
        Path f = project.dir().resolve(name);
        Files.createDirectories(f.getParent());
        Files.writeString(f, sql);
        return f;
    }

    static JsonNode lint(int expectedExit, String... args) throws Exception {
        List<String> all = new ArrayList<>(List.of("schema", "lint", "--json"));
        all.addAll(List.of(args));
        PgboxProject.Run r = project.pgbox(all.toArray(String[]::new));
        assertThat(r.exitCode()).as("pgbox schema lint %s\n%s", String.join(" ", args), r.all()).isEqualTo(expectedExit);
        return JSON.readTree(r.stdout());
    }

    static List<JsonNode> findings(JsonNode report, String rule) {
        return StreamSupport.stream(report.path("findings").spliterator(), false).filter(f -> f.path("rule").asText().equals(rule)).toList();
    }

    @Test
    void tableSizeDecidesTheSeverityOfAnAppsMigrations() throws Exception {
        write("migrations/shop/20260101000000_indexes.up.sql", "SET lock_timeout = '2s';\n"
                + "CREATE INDEX big_v ON big (v);\nCREATE INDEX tiny_v ON tiny (v);\n");
        write("migrations/shop/20260101000000_indexes.down.sql", "DROP INDEX big_v;\n");
        JsonNode r = lint(11, "shop");
        List<JsonNode> index = findings(r, "require-concurrent-index-creation");
        assertThat(index).hasSize(2);
        JsonNode big = index.get(0);
        assertThat(big.path("line").asInt()).isEqualTo(2);
        assertThat(big.path("severity").asText()).isEqualTo("error");
        assertThat(big.path("message").asText()).contains("on the server big is", "~20,000 rows");
        JsonNode tiny = index.get(1);
        assertThat(tiny.path("line").asInt()).isEqualTo(3);
        assertThat(tiny.path("severity").asText()).isEqualTo("warning");
        assertThat(tiny.path("message").asText()).contains("tiny is small", "~1 rows");
        assertThat(r.path("errors").asInt()).isEqualTo(1);
        assertThat(r.path("warnings").asInt()).isEqualTo(1);
        assertThat(r.path("passed").asBoolean()).isFalse();
        // an APP lints only its up files: the down file's DROP INDEX is not in it
        assertThat(r.path("sources").asInt()).isEqualTo(1);
        assertThat(findings(r, "require-concurrent-index-deletion")).isEmpty();

        // the same on the small table alone passes (warnings only); offline it counts as big
        Path small = write("tiny.sql", "SET lock_timeout = '2s';\nCREATE INDEX tiny_v ON tiny (v);\n");
        PgboxProject.Run text = project.pgbox("schema", "lint", small.toString(), "--app", "shop");
        assertThat(text.exitCode()).as(text.all()).isZero();
        assertThat(text.stdout()).contains(small + ":2:1  warning  require-concurrent-index-creation  CREATE INDEX tiny_v ON tiny (v)",
                "fix: CREATE INDEX CONCURRENTLY tiny_v ON tiny (v);", "passed: 0 error(s), 1 warning(s)", "live against database shop");
        JsonNode offline = lint(11, small.toString());
        assertThat(findings(offline, "require-concurrent-index-creation").get(0).path("severity").asText()).isEqualTo("error");
        assertThat(lint(11, small.toString(), "--app", "shop", "--offline").path("errors").asInt()).isEqualTo(1);
    }

    @Test
    void aLockHeldByAnotherSessionIsReported() throws Exception {
        hold("lint_holder", "shop", "BEGIN; SELECT count(*) FROM busy;\n");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        String pid = "";
        while (pid.isEmpty()) {
            pid = project.admin().value("shop", "SELECT l.pid FROM pg_locks l JOIN pg_stat_activity a USING (pid)"
                    + " WHERE a.application_name = 'lint_holder' AND l.relation = 'public.busy'::regclass AND l.granted");
            assertThat(System.nanoTime()).as("the holder never took its lock").isLessThan(deadline);
            Thread.sleep(100);
        }
        Path f = write("busy.sql", "SET lock_timeout = '2s';\nALTER TABLE busy ADD COLUMN note text;\nUPDATE busy SET v = 'x' WHERE id = 1;\n");
        JsonNode r = lint(11, f.toString(), "--app", "shop");
        List<JsonNode> conflicts = findings(r, "live-lock-conflict");
        // the ALTER TABLE (ACCESS EXCLUSIVE) conflicts with the reader's ACCESS SHARE; the UPDATE (ROW EXCLUSIVE) does not
        assertThat(conflicts).hasSize(1);
        assertThat(conflicts.get(0).path("line").asInt()).isEqualTo(2);
        assertThat(conflicts.get(0).path("severity").asText()).isEqualTo("error");
        assertThat(conflicts.get(0).path("message").asText()).contains("pid " + pid + " holds ACCESS SHARE", "idle in transaction");
        assertThat(conflicts.get(0).path("fix").asText()).contains("pg_terminate_backend", pid);
        // offline there is no server to ask
        assertThat(findings(lint(0, f.toString()), "live-lock-conflict")).isEmpty();

        // the holder's transaction is older than PGBOX_LINT_LONG_TRANSACTION (1s): a CONCURRENTLY build would wait for it
        Thread.sleep(1500);
        Path concurrent = write("concurrent.sql", "CREATE INDEX CONCURRENTLY IF NOT EXISTS tiny_v2 ON tiny (v);\nALTER TABLE tiny VALIDATE CONSTRAINT x;\n");
        JsonNode c = lint(0, concurrent.toString(), "--app", "shop");
        List<JsonNode> waits = findings(c, "live-long-transaction");
        assertThat(waits).hasSize(1);
        assertThat(waits.get(0).path("line").asInt()).isEqualTo(1);
        assertThat(waits.get(0).path("severity").asText()).isEqualTo("warning");
        assertThat(waits.get(0).path("message").asText()).contains("pid " + pid + " (idle in transaction, open");
    }

    @Test
    void unparsableSqlIsAnErrorWithLineAndColumnAndTheOtherFilesAreStillLinted() throws Exception {
        Path dir = project.dir().resolve("broken");
        write("broken/001_bad.sql", "SELECT 1;\nALTER TABLE big ADD COLUMNN x int;\n");
        write("broken/002_good.sql", "SET lock_timeout = '2s';\nDROP TABLE big;\n");
        JsonNode r = lint(11, dir.toString());
        JsonNode syntax = findings(r, "syntax-error").get(0);
        assertThat(syntax.path("line").asInt()).isEqualTo(2);
        assertThat(syntax.path("column").asInt()).isEqualTo(31);
        assertThat(syntax.path("message").asText()).contains("syntax error at or near \"int\"");
        assertThat(findings(r, "ban-drop-table")).hasSize(1);
        assertThat(r.path("sources").asInt()).isEqualTo(2);
        PgboxProject.Run missing = project.pgbox("schema", "lint", "nosuchapp");
        assertThat(missing.exitCode()).isEqualTo(2);
        assertThat(missing.stderr()).contains("no migrations for app nosuchapp");
    }

    /** A psql session as the superuser that runs {@code sql} and stays open (its stdin is kept open). */
    static void hold(String name, String db, String sql) throws Exception {
        AdminSql.Endpoint at = project.admin().endpoint();
        ProcessBuilder pb = new ProcessBuilder("runuser", "-u", at.osUser(), "--", at.psql().toString(), "-X", "-q", "-h",
                at.socketDir().toString(), "-p", Integer.toString(at.port()), "-U", "postgres", "-d", db)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD);
        pb.environment().put("PGAPPNAME", name);
        Process p = pb.start();
        held.add(p);
        p.getOutputStream().write(sql.getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().flush();
    }
}
