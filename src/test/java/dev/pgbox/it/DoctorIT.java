package dev.pgbox.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pgbox.PgboxException;
import dev.pgbox.sql.AdminSql;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * pgbox doctor on a real server, each condition made for real: an idle transaction holding a lock
 * (superuser sessions have no idle timeout), a query blocked by it, a long transaction (threshold
 * lowered to 2 s in .env), a table full of dead rows with autovacuum off, a foreign key without an
 * index (and one covered by a two-column index, which must not be reported), an unused index, an
 * invalid index from a failed CREATE UNIQUE INDEX CONCURRENTLY, a sequence near its end; then --app,
 * an unknown app, the text output and a stopped server.
 */
@Timeout(300)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DoctorIT {
    static PgboxProject project;
    static final ObjectMapper JSON = new ObjectMapper();
    static final List<Process> held = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        project = PgboxProject.create("doctor", "PGBOX_DOCTOR_LONG_TRANSACTION_WARN=2s", "PGBOX_DOCTOR_IDLE_TRANSACTION_WARN=1s",
                "PGBOX_DOCTOR_BLOCKED_WARN=1s", "PGBOX_DOCTOR_UNUSED_INDEX_AGE=0", "PGBOX_DOCTOR_DISK_WARN=99", "PGBOX_DOCTOR_DISK_CRITICAL=100",
                "PGBOX_DOCTOR_DISK_DAYS_WARN=0", "PGBOX_DOCTOR_DISK_DAYS_CRITICAL=0",
                // the agent's own doctor runs would race this test for the crash count it remembers
                "PGBOX_DOCTOR_INTERVAL=0");
        project.ok("start");
        project.ok("app", "create", "shop");
        project.ok("app", "create", "other");
        AdminSql admin = project.admin();
        admin.run("shop", "SET ROLE shop_owner;"
                + " CREATE TABLE parent (id int PRIMARY KEY);"
                + " CREATE TABLE child (id int PRIMARY KEY, parent_id int REFERENCES parent);"
                + " CREATE TABLE covered (id int PRIMARY KEY, parent_id int REFERENCES parent);"
                + " CREATE INDEX covered_by_parent ON covered (parent_id, id);"
                + " CREATE TABLE items (id int PRIMARY KEY, v text);"
                + " CREATE INDEX items_v_unused ON items (v);"
                + " INSERT INTO items SELECT g, 'v' || g FROM generate_series(1, 100) g;"
                + " CREATE TABLE dups (v int); INSERT INTO dups VALUES (1), (1);"
                + " CREATE TABLE churn (id int, v text) WITH (autovacuum_enabled = false);"
                + " INSERT INTO churn SELECT g, 'row ' || g FROM generate_series(1, 5000) g;"
                + " DELETE FROM churn WHERE id > 1000;"
                + " CREATE SEQUENCE almost MAXVALUE 100; SELECT setval('almost', 95);");
        try {
            admin.run("shop", "SET ROLE shop_owner; CREATE UNIQUE INDEX CONCURRENTLY dups_v_uniq ON dups (v);");
            throw new AssertionError("a unique index over duplicates should fail");
        } catch (PgboxException e) {
            // expected: the failed concurrent build leaves dups_v_uniq behind, invalid
        }
        // a superuser session holds a lock in an open transaction and goes idle; another one waits for it
        hold("doctor_holder", "shop", "BEGIN; LOCK TABLE items IN ACCESS EXCLUSIVE MODE;\n");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        // the waiter starts only once the lock is held, or its query could run first and never wait
        while (!"1".equals(admin.value("shop", "SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a USING (pid)"
                + " WHERE a.application_name = 'doctor_holder' AND l.mode = 'AccessExclusiveLock' AND l.granted"
                + " AND l.relation = 'public.items'::regclass"))) {
            assertThat(System.nanoTime()).as("the holder never took the lock").isLessThan(deadline);
            Thread.sleep(100);
        }
        hold("doctor_waiter", "shop", "SELECT count(*) FROM items;\n");
        while (!"1".equals(admin.value("postgres",
                "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'doctor_waiter' AND wait_event_type = 'Lock'"))) {
            assertThat(System.nanoTime()).as("the waiter never waited for the lock").isLessThan(deadline);
            Thread.sleep(100);
        }
        Thread.sleep(2500); // past the 2 s long-transaction and 1 s idle/blocked thresholds
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
        p.getOutputStream().write(sql.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        p.getOutputStream().flush();
    }

    static int pid(String applicationName) {
        return Integer.parseInt(project.admin().value("postgres", "SELECT pid FROM pg_stat_activity WHERE application_name = $1",
                applicationName));
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

    static JsonNode doctor(int expectedExit, String... args) throws Exception {
        List<String> all = new ArrayList<>(List.of("doctor", "--json"));
        all.addAll(List.of(args));
        PgboxProject.Run r = project.pgbox(all.toArray(String[]::new));
        assertThat(r.exitCode()).as("pgbox doctor %s\n%s", String.join(" ", args), r.all()).isEqualTo(expectedExit);
        return JSON.readTree(r.stdout());
    }

    static List<JsonNode> findings(JsonNode report, String check) {
        return StreamSupport.stream(report.path("findings").spliterator(), false).filter(f -> f.path("check").asText().equals(check))
                .toList();
    }

    static JsonNode one(JsonNode report, String check, String database, String objectPart) {
        List<JsonNode> hits = findings(report, check).stream().filter(f -> f.path("database").asText().equals(database))
                .filter(f -> f.path("object").asText().contains(objectPart)).toList();
        assertThat(hits).as("%s in %s on %s among %s", check, database, objectPart, findings(report, check)).hasSize(1);
        return hits.get(0);
    }

    @Test
    @Order(1)
    void everyConditionIsFound() throws Exception {
        JsonNode r = doctor(2);
        assertThat(r.path("worst").asText()).isEqualTo("critical");
        assertThat(java.time.Instant.parse(r.path("at").asText())).isNotNull();
        assertThat(r.path("millis").isNumber()).isTrue();
        assertThat(r.path("ok").asInt() + r.path("warn").asInt() + r.path("critical").asInt()).isEqualTo(r.path("findings").size());
        assertThat(r.path("findings").get(0).path("severity").asText()).isEqualTo("critical"); // worst first
        assertThat(r.path("databases")).extracting(JsonNode::asText).containsExactly("app", "other", "shop");
        int holder = pid("doctor_holder");
        int waiter = pid("doctor_waiter");

        JsonNode idle = one(r, "idle_in_transaction", "shop", "pid " + holder);
        assertThat(idle.path("severity").asText()).isEqualTo("warn");
        assertThat(idle.path("value").asText()).contains("user postgres").contains("idle in transaction for");
        assertThat(idle.path("fix").asText()).contains("pg_terminate_backend(" + holder + ")");

        assertThat(one(r, "long_transaction", "shop", "pid " + holder).path("severity").asText()).isEqualTo("warn");

        JsonNode blocked = one(r, "blocked_queries", "shop", "pid " + waiter);
        assertThat(blocked.path("value").asText()).contains("held by pid " + holder).contains("LOCK TABLE items")
                .contains("SELECT count(*) FROM items");
        assertThat(blocked.path("fix").asText()).contains("pg_terminate_backend(" + holder + ")");

        JsonNode dead = one(r, "dead_tuples", "shop", "public.churn");
        assertThat(dead.path("severity").asText()).isEqualTo("critical");
        assertThat(dead.path("value").asText()).contains("80 % dead (4000 dead, 1000 live)").contains("autovacuum_enabled=false");
        assertThat(dead.path("fix").asText()).contains("ALTER TABLE public.churn RESET (autovacuum_enabled)").contains("VACUUM");

        JsonNode fk = one(r, "fk_without_index", "shop", "child_parent_id_fkey");
        assertThat(fk.path("fix").asText()).isEqualTo("CREATE INDEX CONCURRENTLY ON child (parent_id);");
        assertThat(findings(r, "fk_without_index")).noneMatch(f -> f.path("object").asText().contains("covered"));

        assertThat(one(r, "unused_index", "shop", "public.items_v_unused").path("severity").asText()).isEqualTo("warn");
        // with the default week of grace the same index is watched, not reported: it was first seen unused just now
        PgboxProject.Run graced = project.pgboxAs(null, java.util.Map.of("PGBOX_DOCTOR_UNUSED_INDEX_AGE", "7d"), "doctor", "--json",
                "--app", "shop");
        assertThat(findings(JSON.readTree(graced.stdout()), "unused_index")).singleElement()
                .satisfies(f -> assertThat(f.path("value").asText()).contains("with no scans yet"));
        assertThat(findings(r, "unused_index")).noneMatch(f -> f.path("object").asText().contains("items_pkey"));

        JsonNode invalid = one(r, "invalid_index", "shop", "public.dups_v_uniq");
        assertThat(invalid.path("fix").asText()).contains("DROP INDEX CONCURRENTLY public.dups_v_uniq");

        JsonNode seq = one(r, "sequence", "shop", "public.almost");
        assertThat(seq.path("severity").asText()).isEqualTo("critical");

        // every finding carries the fields alerts and people read; ok ones show what was checked
        for (JsonNode f : r.path("findings")) {
            assertThat(f.has("check") && f.has("severity") && f.has("value") && f.has("threshold") && f.has("why")).as(f.toString()).isTrue();
            assertThat(f.has("fix")).as(f.toString()).isEqualTo(!f.path("severity").asText().equals("ok"));
        }
        for (String check : List.of("server_up", "connections", "replication_lag", "archiver", "checkpoints", "disk", "crash_restarts",
                "agent", "start_at_boot", "backup_age")) {
            assertThat(findings(r, check)).as(check).isNotEmpty();
        }
        for (String db : List.of("app", "other", "shop")) {
            assertThat(findings(r, "xid_age")).anyMatch(f -> f.path("database").asText().equals(db));
            assertThat(findings(r, "cache_hit")).anyMatch(f -> f.path("database").asText().equals(db));
        }
        assertThat(one(r, "agent", "", "").path("severity").asText()).isEqualTo("ok");
        assertThat(r.path("findings")).filteredOn(f -> f.path("severity").asText().equals("critical"))
                .extracting(f -> f.path("check").asText()).containsExactlyInAnyOrder("dead_tuples", "sequence");
        assertThat(r.path("critical").asInt()).isEqualTo(2);

        // the doctor remembers disk samples for days-until-full, in a file the agent (postgres) can write too
        Path samples = project.dir().resolve(".pgbox/doctor/disk-samples");
        assertThat(Files.readString(samples)).matches("(?s)\\d+ \\d+ \\d+\n.*");
        assertThat(Files.getOwner(samples).getName()).isEqualTo("postgres");
    }

    @Test
    @Order(2)
    void anAppLimitsThePerDatabaseChecks() throws Exception {
        JsonNode r = doctor(0, "--app", "other");
        assertThat(r.path("databases")).extracting(JsonNode::asText).containsExactly("other");
        assertThat(r.path("findings")).allMatch(f -> !f.has("database") || f.path("database").asText().equals("other"));
        assertThat(findings(r, "connections")).hasSize(1); // the server-wide checks still run
        assertThat(findings(r, "fk_without_index")).singleElement().satisfies(f -> assertThat(f.path("severity").asText()).isEqualTo("ok"));

        JsonNode shop = doctor(2, "--app", "shop");
        assertThat(shop.path("databases")).extracting(JsonNode::asText).containsExactly("shop");
        one(shop, "blocked_queries", "shop", "pid " + pid("doctor_waiter"));

        PgboxProject.Run unknown = project.pgbox("doctor", "--app", "nosuchapp");
        assertThat(unknown.exitCode()).as(unknown.all()).isEqualTo(3);
        assertThat(unknown.stderr()).contains("no app named 'nosuchapp'");
    }

    @Test
    @Order(3)
    void oldBackupsAndCrashRestartsAreFindings() throws Exception {
        // the backup 'pgbox start' took is fine against its daily schedule, and older than 0 periods of it
        JsonNode fresh = doctor(0, "--app", "other");
        assertThat(one(fresh, "backup_age", "", "").path("severity").asText()).isEqualTo("ok");
        PgboxProject.Run old = project.pgboxAs(null, java.util.Map.of("PGBOX_DOCTOR_BACKUP_WARN_PERIODS", "0"), "doctor", "--json",
                "--app", "other");
        assertThat(old.exitCode()).as(old.all()).isEqualTo(1);
        JsonNode backup = one(JSON.readTree(old.stdout()), "backup_age", "", "");
        assertThat(backup.path("severity").asText()).isEqualTo("warn");
        assertThat(backup.path("value").asText()).startsWith("last good physical backup");
        assertThat(backup.path("fix").asText()).startsWith("pgbox db backup");
        assertThat(one(JSON.readTree(old.stdout()), "drill_age", "", "").path("value").asText()).startsWith("no good restore drill ever");

        // a crash restart as the watchdog records it: new since the last run, then still recent
        Path crashes = project.dir().resolve(".pgbox/log/crashes.log");
        Files.writeString(crashes, java.time.Instant.now().getEpochSecond() + " agent postmaster died (test)\n",
                java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
        JsonNode first = one(doctor(1, "--app", "other"), "crash_restarts", "", "");
        assertThat(first.path("severity").asText()).isEqualTo("warn");
        assertThat(first.path("value").asText()).startsWith("1 crash restarts in total, 1 new since the last check");
        JsonNode second = one(doctor(1, "--app", "other"), "crash_restarts", "", "");
        assertThat(second.path("value").asText()).startsWith("1 crash restarts in total, 0 new since the last check");
        Files.writeString(crashes, "");
        assertThat(one(doctor(0, "--app", "other"), "crash_restarts", "", "").path("severity").asText()).isEqualTo("ok");
    }

    @Test
    @Order(4)
    void textIsATableWorstFirstWithASummary() {
        PgboxProject.Run r = project.pgbox("doctor");
        assertThat(r.exitCode()).as(r.all()).isEqualTo(2);
        List<String> lines = r.stdout().lines().toList();
        assertThat(lines.get(0)).contains("severity").contains("check").contains("value");
        assertThat(lines.get(2)).startsWith(" critical");
        // below the table, each finding that is not ok in full: value, threshold, why, fix
        int first = lines.indexOf(lines.stream().filter(l -> l.startsWith("CRITICAL ")).findFirst().orElseThrow());
        assertThat(lines.subList(first + 1, first + 5)).satisfiesExactly(
                l -> assertThat(l).startsWith("  value:     "), l -> assertThat(l).startsWith("  threshold: "),
                l -> assertThat(l).startsWith("  why:       "), l -> assertThat(l).startsWith("  fix:       "));
        assertThat(lines.get(lines.size() - 1)).matches("critical: 2 critical, \\d+ warning\\(s\\), \\d+ ok · 3 database\\(s\\) · \\d+ ms");
    }

    @Test
    @Order(5)
    void aStoppedServerIsCritical() throws Exception {
        held.forEach(Process::destroy);
        project.ok("stop");
        JsonNode r = doctor(2);
        assertThat(r.path("findings")).singleElement().satisfies(f -> {
            assertThat(f.path("check").asText()).isEqualTo("server_up");
            assertThat(f.path("severity").asText()).isEqualTo("critical");
            assertThat(f.path("fix").asText()).startsWith("pgbox start");
        });
    }
}
