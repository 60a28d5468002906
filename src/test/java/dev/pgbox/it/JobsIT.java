package dev.pgbox.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pgbox.sql.AdminSql;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * pgbox jobs on a real server with pg_cron: the default jobs appear for an app with a partman parent,
 * an np_ soft-delete table and a vector index, run as non-superusers (the owner's jobs as
 * APP-maintenance), really run in the app's database (schedules moved to every minute, pg_cron 1.4's
 * shortest), purge old soft-deleted rows only, and vanish with their tables; user jobs round-trip;
 * a failing job shows in jobs history --failed and in the doctor.
 */
@Timeout(600)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class JobsIT {
    static PgboxProject project;
    static AdminSql admin;
    static final ObjectMapper JSON = new ObjectMapper();

    @BeforeAll
    static void start() throws Exception {
        // the agent's own sync, doctor and metrics would race the test; pgbox app create syncs by hand here
        project = PgboxProject.create("jobs", "PGBOX_JOBS_SYNC_SCHEDULE=", "PGBOX_DOCTOR_INTERVAL=0", "PGBOX_METRICS_INTERVAL=0");
        project.ok("start");
        project.ok("app", "create", "shop");
        project.ok("app", "create", "other");
        admin = project.admin();
        admin.run("shop", "SET ROLE shop_owner;"
                + " CREATE TABLE seen (db text, who text);"
                + " CREATE TABLE np_docs (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), embedding vector(3), deleted_at timestamptz);"
                + " CREATE INDEX np_docs_embedding_hnsw ON np_docs USING hnsw (embedding vector_cosine_ops);"
                + " INSERT INTO np_docs (embedding, deleted_at) SELECT '[1,2,3]', now() - interval '100 days' FROM generate_series(1, 12);"
                + " INSERT INTO np_docs (embedding, deleted_at) SELECT '[1,2,3]', now() - interval '10 days' FROM generate_series(1, 3);"
                + " INSERT INTO np_docs (embedding) SELECT '[1,2,3]' FROM generate_series(1, 4);"
                + " CREATE TABLE np_events (id uuid NOT NULL DEFAULT gen_random_uuid(), created_at timestamptz NOT NULL DEFAULT now())"
                + "   PARTITION BY RANGE (created_at);"
                + " SELECT partman.create_parent(p_parent_table => 'public.np_events', p_control => 'created_at', p_type => 'native',"
                + "   p_interval => 'daily', p_premake => 2);");
        admin.run("other", "SET ROLE other_owner; CREATE TABLE seen (db text, who text);");
    }

    @AfterAll
    static void stop() {
        if (project != null) {
            project.close();
        }
    }

    static JsonNode json(String... args) throws Exception {
        return JSON.readTree(project.ok(args).stdout());
    }

    static JsonNode job(JsonNode list, String name) {
        for (JsonNode j : list) {
            if (name.equals(j.path("name").asText())) {
                return j;
            }
        }
        return null;
    }

    @Test
    @Order(1)
    void defaultJobsAppearForPartitionsSoftDeleteAndVectors() throws Exception {
        project.ok("app", "create", "shop"); // re-check: syncs the app's default jobs
        JsonNode list = json("jobs", "list", "--app", "shop", "--json");
        JsonNode partman = job(list, "pgbox:shop:partman-maintenance");
        JsonNode purge = job(list, "pgbox:shop:soft-delete-purge");
        JsonNode reindex = job(list, "pgbox:shop:reindex:public.np_docs_embedding_hnsw");
        assertThat(partman).as(list.toString()).isNotNull();
        assertThat(purge).as(list.toString()).isNotNull();
        assertThat(reindex).as(list.toString()).isNotNull();
        assertThat(partman.path("schedule").asText()).isEqualTo("17 * * * *");
        assertThat(partman.path("role").asText()).isEqualTo("shop-maintenance");
        assertThat(reindex.path("role").asText()).isEqualTo("shop-maintenance");
        assertThat(purge.path("role").asText()).isEqualTo("shop");
        assertThat(purge.path("pgbox").asBoolean()).isTrue();
        assertThat(partman.path("database").asText()).isEqualTo("shop");
        assertThat(job(json("jobs", "list", "--app", "other", "--json"), "pgbox:shop:partman-maintenance")).isNull();
        // the server's own history purge lives in the main database
        assertThat(job(json("jobs", "list", "--json"), "pgbox:cron-history-purge")).isNotNull();
        // a second sync changes nothing
        assertThat(project.ok("app", "create", "shop").all()).doesNotContain("scheduled job").doesNotContain("updated job");
    }

    @Test
    @Order(2)
    void noAppJobRunsAsASuperuserAndTheMaintenanceRoleIsOnlyAMemberOfTheOwner() {
        assertThat(admin.value("app", "SELECT count(*) FROM cron.job j JOIN pg_roles r ON r.rolname = j.username"
                + " WHERE j.database <> 'app' AND (r.rolsuper OR r.rolcreaterole OR r.rolbypassrls)")).isEqualTo("0");
        assertThat(admin.value("app", "SELECT count(*) FROM cron.job WHERE database <> 'app'")).isNotEqualTo("0");
        assertThat(admin.rows("postgres", "SELECT rolcanlogin, rolinherit, rolsuper, rolpassword LIKE 'SCRAM-SHA-256$%'"
                + " FROM pg_authid WHERE rolname = 'shop-maintenance'")).containsExactly(List.of("t", "t", "f", "t"));
        assertThat(admin.rows("postgres", "SELECT b.rolname FROM pg_auth_members m JOIN pg_roles a ON a.oid = m.member"
                + " JOIN pg_roles b ON b.oid = m.roleid WHERE a.rolname = 'shop-maintenance'")).containsExactly(List.of("shop_owner"));
        // the security audit does not see a password-less login role in it
        assertThat(project.pgbox("security", "audit", "--json").stdout()).doesNotContain("shop-maintenance");
    }

    @Test
    @Order(3)
    void addListRemoveRoundTripAndBadInput() throws Exception {
        project.ok("jobs", "add", "--app", "shop", "tmp", "0 5 * * *", "SELECT 1");
        JsonNode tmp = job(json("jobs", "list", "--app", "shop", "--json"), "shop:tmp");
        assertThat(tmp).isNotNull();
        assertThat(tmp.path("role").asText()).isEqualTo("shop");
        assertThat(tmp.path("pgbox").asBoolean()).isFalse();
        project.ok("jobs", "add", "--app", "shop", "tmp", "0 6 * * *", "SELECT 2"); // again: changed in place
        tmp = job(json("jobs", "list", "--app", "shop", "--json"), "shop:tmp");
        assertThat(tmp.path("schedule").asText()).isEqualTo("0 6 * * *");
        assertThat(tmp.path("command").asText()).isEqualTo("SELECT 2");
        assertThat(project.ok("jobs", "remove", "--app", "shop", "tmp").stdout()).contains("removed job shop:tmp");
        assertThat(job(json("jobs", "list", "--app", "shop", "--json"), "shop:tmp")).isNull();

        PgboxProject.Run bad = project.pgboxInProcess("jobs", "add", "--app", "shop", "bad", "* * * * *", "SELECT 1;\nDELET FROM seen");
        assertThat(bad.exitCode()).isEqualTo(8);
        assertThat(bad.stderr()).contains("line 2, column 1");
        PgboxProject.Run sched = project.pgboxInProcess("jobs", "add", "--app", "shop", "bad", "5 seconds", "SELECT 1");
        assertThat(sched.exitCode()).isEqualTo(2);
        assertThat(sched.stderr()).contains("invalid schedule");
        assertThat(project.pgboxInProcess("jobs", "add", "--app", "shop", "Bad Name", "* * * * *", "SELECT 1").exitCode()).isEqualTo(2);
        assertThat(project.pgboxInProcess("jobs", "add", "--app", "nosuch", "x", "* * * * *", "SELECT 1").exitCode()).isEqualTo(3);
        assertThat(job(json("jobs", "list", "--json"), "shop:bad")).isNull();

        // pgbox's own job: refused without --force, which says it comes back
        PgboxProject.Run refused = project.pgboxInProcess("jobs", "remove", "--app", "shop", "pgbox:shop:partman-maintenance");
        assertThat(refused.exitCode()).isEqualTo(2);
        assertThat(refused.stderr()).contains("--force");
        assertThat(project.ok("jobs", "remove", "--app", "shop", "--force", "pgbox:shop:partman-maintenance").stdout())
                .contains("again at the next sync");
        assertThat(job(json("jobs", "list", "--app", "shop", "--json"), "pgbox:shop:partman-maintenance")).isNull();
        project.ok("app", "create", "shop");
        assertThat(job(json("jobs", "list", "--app", "shop", "--json"), "pgbox:shop:partman-maintenance")).isNotNull();
        // a job made by hand is listed, never touched by a sync
        admin.value("app", "SELECT cron.schedule_in_database('by-hand', '0 1 * * *', 'SELECT 1', 'shop', 'shop')");
        project.ok("app", "create", "shop");
        JsonNode byHand = job(json("jobs", "list", "--app", "shop", "--json"), "by-hand");
        assertThat(byHand).isNotNull();
        assertThat(byHand.path("pgbox").asBoolean()).isFalse();
        project.ok("jobs", "remove", "--app", "shop", "by-hand");
    }

    @Test
    @Order(4)
    void jobsRunInTheirDatabaseAndFailuresShow() throws Exception {
        project.ok("jobs", "add", "--app", "shop", "seen", "* * * * *", "INSERT INTO seen VALUES (current_database(), current_user)");
        project.ok("jobs", "add", "--app", "other", "seen", "* * * * *", "INSERT INTO seen VALUES (current_database(), current_user)");
        project.ok("jobs", "add", "--app", "shop", "breaks", "* * * * *", "SELECT 1/0");
        // the default jobs run every minute too (pg_cron 1.4 has no seconds)
        admin.value("app", "SELECT count(cron.alter_job(jobid, schedule := '* * * * *')) FROM cron.job WHERE jobname LIKE 'pgbox:shop:%'");
        await(150, () -> !admin.rows("shop", "SELECT 1 FROM seen").isEmpty() && !admin.rows("other", "SELECT 1 FROM seen").isEmpty()
                && ranOk("pgbox:shop:partman-maintenance") && ranOk("pgbox:shop:soft-delete-purge")
                && ranOk("pgbox:shop:reindex:public.np_docs_embedding_hnsw") && failed("shop:breaks"));
        assertThat(admin.rows("shop", "SELECT DISTINCT db, who FROM seen")).containsExactly(List.of("shop", "shop"));
        assertThat(admin.rows("other", "SELECT DISTINCT db, who FROM seen")).containsExactly(List.of("other", "other"));
        // purged: only the rows soft-deleted longer than 90 days
        assertThat(admin.value("shop", "SELECT count(*) FROM np_docs WHERE deleted_at IS NOT NULL")).isEqualTo("3");
        assertThat(admin.value("shop", "SELECT count(*) FROM np_docs WHERE deleted_at IS NULL")).isEqualTo("4");

        JsonNode failedRuns = json("jobs", "history", "--app", "shop", "--failed", "--json");
        assertThat(failedRuns).isNotEmpty();
        for (JsonNode r : failedRuns) {
            assertThat(r.path("status").asText()).isEqualTo("failed");
            assertThat(r.path("name").asText()).isEqualTo("shop:breaks");
            assertThat(r.path("message").asText()).contains("division by zero");
        }
        assertThat(json("jobs", "history", "--app", "other", "--failed", "--json")).isEmpty();
        assertThat(project.ok("jobs", "history", "--app", "shop", "--limit", "3").stdout()).contains("(3 rows)");

        PgboxProject.Run doctor = project.pgbox("doctor", "--json");
        JsonNode findings = JSON.readTree(doctor.stdout()).path("findings");
        List<JsonNode> cron = new ArrayList<>();
        findings.forEach(f -> {
            if (f.path("check").asText().equals("cron_jobs") && f.path("severity").asText().equals("warn")) {
                cron.add(f);
            }
        });
        assertThat(cron).as(doctor.stdout()).singleElement().satisfies(f -> {
            assertThat(f.path("object").asText()).isEqualTo("shop:breaks");
            assertThat(f.path("database").asText()).isEqualTo("shop");
            assertThat(f.path("value").asText()).contains("division by zero");
            assertThat(f.path("fix").asText()).contains("pgbox jobs history --app shop --failed");
        });
        project.ok("jobs", "remove", "--app", "shop", "breaks");
        project.ok("jobs", "remove", "--app", "shop", "seen");
    }

    @Test
    @Order(5)
    void defaultJobsVanishWithTheirTablesAndAppsWithTheirJobs() throws Exception {
        admin.run("shop", "SET ROLE shop_owner; DROP INDEX np_docs_embedding_hnsw; ALTER TABLE np_docs DROP COLUMN deleted_at;"
                + " DELETE FROM partman.part_config WHERE parent_table = 'public.np_events'; DROP TABLE np_events;");
        project.ok("app", "create", "shop");
        JsonNode list = json("jobs", "list", "--app", "shop", "--json");
        for (JsonNode j : list) {
            assertThat(j.path("name").asText()).doesNotStartWith("pgbox:shop:");
        }
        assertThat(admin.value("postgres", "SELECT count(*) FROM pg_roles WHERE rolname = 'shop-maintenance'")).isEqualTo("0");

        // a dropped app's jobs and maintenance role go with it; a full sync (pgbox start) finds nothing left
        assertThat(project.ok("app", "drop", "other", "--yes", "--force").all()).contains("removed job other:seen");
        assertThat(job(json("jobs", "list", "--json"), "other:seen")).isNull();
        assertThat(project.ok("start").all()).doesNotContain("removed job");
    }

    static boolean ranOk(String name) {
        return !admin.rows("app", "SELECT 1 FROM cron.job_run_details d JOIN cron.job j USING (jobid) WHERE j.jobname = $1"
                + " AND d.status = 'succeeded'", name).isEmpty();
    }

    static boolean failed(String name) {
        return !admin.rows("app", "SELECT 1 FROM cron.job_run_details d JOIN cron.job j USING (jobid) WHERE j.jobname = $1"
                + " AND d.status = 'failed'", name).isEmpty();
    }

    static void await(int seconds, BooleanSupplier done) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (!done.getAsBoolean()) {
            assertThat(System.nanoTime()).as("the jobs did not all run within %d s: %s", seconds,
                    admin.rows("app", "SELECT j.jobname, d.status, d.return_message FROM cron.job_run_details d JOIN cron.job j USING (jobid)"))
                    .isLessThan(deadline);
            Thread.sleep(2000);
        }
    }
}
