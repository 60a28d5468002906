package dev.pgbox.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pgbox.sql.AdminSql;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * pgbox migrate against a real server: up/down round-trips a schema exactly (pg_dump --schema-only
 * before and after), runs as the app's owner role, --to and --steps, checksum drift, a CONCURRENTLY
 * unique index that fails on duplicates, a failing transactional migration, bad SQL, mixing rules and
 * the advisory lock. Each scenario uses its own app so they do not share a history.
 */
@Timeout(600)
class MigrateIT {
    static PgboxProject project;
    static final ObjectMapper JSON = new ObjectMapper();

    @BeforeAll
    static void start() throws Exception {
        project = PgboxProject.create("migrate");
        project.ok("start");
        for (String app : List.of("shop", "drift", "idx", "fail", "linted")) {
            project.ok("app", "create", app);
        }
    }

    @AfterAll
    static void stop() {
        if (project != null) {
            project.close();
        }
    }

    static Path write(String app, String file, String sql) throws Exception {
        Path dir = project.dir().resolve("migrations").resolve(app);
        Files.createDirectories(dir);
        return Files.writeString(dir.resolve(file), sql);
    }

    static String one(String db, String sql) {
        return project.admin().value(db, sql);
    }

    /** The app database's schema as pg_dump sees it, without pgbox's own history schema. */
    static String schemaDump(String db) throws Exception {
        AdminSql.Endpoint e = project.admin().endpoint();
        Path dump = e.psql().resolveSibling("pg_dump");
        Process p = new ProcessBuilder("runuser", "-u", e.osUser(), "--", dump.toString(), "-h", e.socketDir().toString(), "-p",
                Integer.toString(e.port()), "-U", "postgres", "--schema-only", "--exclude-schema=pgbox", db).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(2, TimeUnit.MINUTES)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        // pg_dump 15.14+ fences the script with a random \restrict key: the only line that differs between two dumps
        String schema = out.lines().filter(l -> !l.startsWith("\\restrict") && !l.startsWith("\\unrestrict")).collect(Collectors.joining("\n"));
        assertThat(schema).contains("CREATE SCHEMA partman");
        return schema;
    }

    @Test
    void newWritesACommentedPairWithoutAServerAndRefusesABadAppName() throws Exception {
        PgboxProject.Run r = project.ok("migrate", "new", "other", "Add avatar");
        List<String> paths = r.stdout().lines().toList();
        assertThat(paths).hasSize(2);
        assertThat(paths.get(0)).matches(".*/migrations/other/\\d{14}_add_avatar\\.up\\.sql");
        assertThat(paths.get(1)).matches(".*/migrations/other/\\d{14}_add_avatar\\.down\\.sql");
        assertThat(Files.readString(Path.of(paths.get(0)))).contains("lock_timeout").contains("CONCURRENTLY").contains("other_owner");
        assertThat(project.pgboxInProcess("migrate", "new", "Bad-Name", "x").exitCode()).isEqualTo(2);
    }

    @Test
    void upAndDownRoundTripTheSchemaExactlyAsTheOwner() throws Exception {
        String before = schemaDump("shop");
        write("shop", "20260101000001_create_items.up.sql", """
                CREATE TABLE items (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), name text NOT NULL, created_at timestamptz NOT NULL DEFAULT now());
                CREATE TABLE tags (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, item_id uuid NOT NULL REFERENCES items (id));
                CREATE INDEX tags_item_id_idx ON tags (item_id);
                CREATE VIEW item_names AS SELECT name FROM items;
                """);
        write("shop", "20260101000001_create_items.down.sql", "DROP VIEW item_names;\nDROP TABLE tags;\nDROP TABLE items;\n");
        write("shop", "20260101000002_index_name.up.sql", "SET maintenance_work_mem = '64MB';\nCREATE INDEX CONCURRENTLY IF NOT EXISTS items_name_idx ON items (name);\n");
        write("shop", "20260101000002_index_name.down.sql", "DROP INDEX CONCURRENTLY IF EXISTS items_name_idx;\n");
        write("shop", "20260101000003_add_avatar.up.sql", "ALTER TABLE items ADD COLUMN avatar text;\nCOMMENT ON COLUMN items.avatar IS 'url';\n");
        write("shop", "20260101000003_add_avatar.down.sql", "ALTER TABLE items DROP COLUMN avatar;\n");

        JsonNode dry = JSON.readTree(project.ok("migrate", "up", "shop", "--dry-run", "--json").stdout());
        assertThat(dry.path("dry_run").asBoolean()).isTrue();
        assertThat(dry.path("migrations")).hasSize(3);
        assertThat(dry.path("migrations").get(1).path("execution").asText()).isEqualTo("statement-by-statement");
        assertThat(one("shop", "SELECT to_regclass('items') IS NULL")).isEqualTo("t");

        // --to applies only up to that version
        PgboxProject.Run first = project.ok("migrate", "up", "shop", "--to", "20260101000002");
        assertThat(first.stdout()).contains("applied 20260101000001_create_items").contains("applied 20260101000002_index_name")
                .doesNotContain("add_avatar").contains("restore point: pgbox-migrate-shop-20260101000001");
        assertThat(one("shop", "SELECT tableowner FROM pg_tables WHERE tablename = 'items'")).isEqualTo("shop_owner");
        assertThat(one("shop", "SELECT tableowner FROM pg_tables WHERE schemaname = 'pgbox' AND tablename = 'schema_migrations'"))
                .isEqualTo("shop_owner");
        assertThat(one("shop", "SELECT indisvalid FROM pg_index WHERE indexrelid = 'items_name_idx'::regclass")).isEqualTo("t");
        assertThat(one("shop", "SELECT string_agg(version || ':' || execution || ':' || applied_by, ',' ORDER BY version) FROM pgbox.schema_migrations"))
                .isEqualTo("20260101000001:transaction:root as shop_owner,20260101000002:statement-by-statement:root as shop_owner");

        project.ok("migrate", "up", "shop");
        assertThat(one("shop", "SELECT count(*) FROM information_schema.columns WHERE table_name = 'items' AND column_name = 'avatar'")).isEqualTo("1");
        JsonNode status = JSON.readTree(project.ok("migrate", "status", "shop", "--json").stdout());
        assertThat(status.path("applied").asInt()).isEqualTo(3);
        assertThat(status.path("pending").asInt()).isZero();
        assertThat(project.ok("migrate", "up", "shop").stdout()).contains("nothing to apply");

        // --steps 1 reverts only the newest; --to V keeps V; --steps 1 again brings the schema back
        assertThat(project.ok("migrate", "down", "shop").stdout()).contains("reverted 20260101000003_add_avatar").doesNotContain("index_name");
        assertThat(one("shop", "SELECT count(*) FROM information_schema.columns WHERE table_name = 'items' AND column_name = 'avatar'")).isEqualTo("0");
        project.ok("migrate", "up", "shop");
        assertThat(project.ok("migrate", "down", "shop", "--to", "20260101000001").stdout()).contains("reverted 20260101000003_add_avatar")
                .contains("reverted 20260101000002_index_name");
        assertThat(one("shop", "SELECT to_regclass('items_name_idx') IS NULL")).isEqualTo("t");
        assertThat(one("shop", "SELECT string_agg(version, ',') FROM pgbox.schema_migrations")).isEqualTo("20260101000001");
        project.ok("migrate", "down", "shop", "--steps", "1");
        assertThat(one("shop", "SELECT count(*) FROM pgbox.schema_migrations")).isEqualTo("0");
        assertThat(schemaDump("shop")).isEqualTo(before);
    }

    @Test
    void lintErrorsRefuseUpUnlessTheRiskIsAccepted() throws Exception {
        write("linted", "20260101000001_t.up.sql", "CREATE TABLE t (id int);\n");
        write("linted", "20260101000001_t.down.sql", "DROP TABLE t;\n");
        project.ok("migrate", "up", "linted");
        write("linted", "20260101000002_rename.up.sql", "ALTER TABLE t RENAME COLUMN id TO ident;\n");
        write("linted", "20260101000002_rename.down.sql", "ALTER TABLE t RENAME COLUMN ident TO id;\n");

        PgboxProject.Run refused = project.pgboxInProcess("migrate", "up", "linted");
        assertThat(refused.exitCode()).as(refused.all()).isEqualTo(11);
        assertThat(refused.stderr()).contains("renaming-column at migrations/linted/20260101000002_rename.up.sql:1:1").contains("--accept-risk");
        JsonNode lint = JSON.readTree(project.pgboxInProcess("migrate", "up", "linted", "--json").stdout());
        assertThat(lint.path("findings").get(0).path("rule").asText()).isEqualTo("renaming-column");
        assertThat(one("linted", "SELECT string_agg(column_name::text, ',') FROM information_schema.columns WHERE table_name = 't'")).isEqualTo("id");

        assertThat(project.ok("migrate", "up", "linted", "--accept-risk").stdout()).contains("applied 20260101000002_rename");
        assertThat(one("linted", "SELECT string_agg(column_name::text, ',') FROM information_schema.columns WHERE table_name = 't'")).isEqualTo("ident");
    }

    @Test
    void statusReportsDriftAndMissingFilesAndUpRefusesThem() throws Exception {
        Path up = write("drift", "20260101000001_t.up.sql", "CREATE TABLE t (id int);\n");
        write("drift", "20260101000001_t.down.sql", "DROP TABLE t;\n");
        project.ok("migrate", "up", "drift");
        assertThat(project.ok("migrate", "status", "drift").stdout()).contains("1 applied, 0 pending, 0 drifted");

        Files.writeString(up, "CREATE TABLE t (id bigint);\n");
        PgboxProject.Run drifted = project.pgboxInProcess("migrate", "status", "drift", "--json");
        assertThat(drifted.exitCode()).isEqualTo(11);
        JsonNode s = JSON.readTree(drifted.stdout());
        assertThat(s.path("drifted").asInt()).isEqualTo(1);
        assertThat(s.path("migrations").get(0).path("state").asText()).isEqualTo("drifted");
        write("drift", "20260101000002_u.up.sql", "CREATE TABLE u (id int);\n");
        PgboxProject.Run refused = project.pgboxInProcess("migrate", "up", "drift");
        assertThat(refused.exitCode()).as(refused.all()).isEqualTo(11);
        assertThat(refused.stderr()).contains("20260101000001_t (drifted)");
        assertThat(one("drift", "SELECT to_regclass('u') IS NULL")).isEqualTo("t");
        PgboxProject.Run noDown = project.pgboxInProcess("migrate", "down", "drift");
        assertThat(noDown.exitCode()).as(noDown.all()).isEqualTo(11);
        assertThat(noDown.stderr()).contains("changed since it was applied");

        Files.delete(up);
        PgboxProject.Run missing = project.pgboxInProcess("migrate", "status", "drift");
        assertThat(missing.exitCode()).isEqualTo(11);
        assertThat(missing.stdout()).contains("MISSING 20260101000001_t");

        Files.writeString(up, "CREATE TABLE t (id int);\n");
        assertThat(project.pgboxInProcess("migrate", "status", "drift").exitCode()).isZero();

        // down needs the down file; without it nothing is reverted
        Path down = project.dir().resolve("migrations/drift/20260101000001_t.down.sql");
        Files.delete(down);
        PgboxProject.Run noFile = project.pgboxInProcess("migrate", "down", "drift");
        assertThat(noFile.exitCode()).as(noFile.all()).isEqualTo(2);
        assertThat(noFile.stderr()).contains("has no down file").contains("20260101000001_t.down.sql");
        assertThat(one("drift", "SELECT to_regclass('t') IS NOT NULL")).isEqualTo("t");
    }

    @Test
    void aConcurrentUniqueIndexOverDuplicatesIsReportedWithTheFixAndNotRecorded() throws Exception {
        write("idx", "20260101000001_emails.up.sql", "CREATE TABLE emails (id int PRIMARY KEY, address text);\n"
                + "INSERT INTO emails VALUES (1, 'a@example.com'), (2, 'a@example.com');\n");
        write("idx", "20260101000001_emails.down.sql", "DROP TABLE emails;\n");
        write("idx", "20260101000002_unique_address.up.sql", "CREATE UNIQUE INDEX CONCURRENTLY emails_address_key ON emails (address);\n");
        write("idx", "20260101000002_unique_address.down.sql", "DROP INDEX CONCURRENTLY emails_address_key;\n");
        PgboxProject.Run r = project.pgbox("migrate", "up", "idx");
        assertThat(r.exitCode()).as(r.all()).isEqualTo(8);
        assertThat(r.stderr()).contains("emails_address_key").contains("INVALID")
                .contains("migrations/idx/20260101000002_unique_address.up.sql:1").contains("DROP INDEX CONCURRENTLY emails_address_key")
                .contains("SELECT address, count(*) FROM emails GROUP BY address HAVING count(*) > 1");
        assertThat(one("idx", "SELECT indisvalid FROM pg_index WHERE indexrelid = 'emails_address_key'::regclass")).isEqualTo("f");
        assertThat(one("idx", "SELECT string_agg(version, ',') FROM pgbox.schema_migrations")).isEqualTo("20260101000001");
        assertThat(project.ok("migrate", "status", "idx").stdout()).contains("1 applied, 1 pending");

        // the fix the message names works: drop the invalid index, remove the duplicate, run again
        project.admin().execute("idx", "DROP INDEX CONCURRENTLY emails_address_key");
        project.admin().execute("idx", "DELETE FROM emails WHERE id = 2");
        project.ok("migrate", "up", "idx");
        assertThat(one("idx", "SELECT indisvalid FROM pg_index WHERE indexrelid = 'emails_address_key'::regclass")).isEqualTo("t");
    }

    @Test
    void aFailingMigrationLeavesSchemaAndHistoryAsBeforeAndNamesTheStatement() throws Exception {
        write("fail", "20260101000001_base.up.sql", "CREATE TABLE base (id int);\n");
        write("fail", "20260101000001_base.down.sql", "DROP TABLE base;\n");
        project.ok("migrate", "up", "fail");
        String before = schemaDump("fail");
        Path bad = write("fail", "20260101000002_broken.up.sql", "CREATE TABLE half (id int);\nINSERT INTO half VALUES (1);\n\n"
                + "ALTER TABLE no_such_table ADD COLUMN x int;\n");
        write("fail", "20260101000002_broken.down.sql", "DROP TABLE half;\n");
        PgboxProject.Run r = project.pgbox("migrate", "up", "fail");
        assertThat(r.exitCode()).as(r.all()).isEqualTo(8);
        assertThat(r.stderr()).contains("20260101000002_broken.up.sql:4").contains("ALTER TABLE no_such_table")
                .contains("no_such_table\" does not exist").contains("rolled back");
        assertThat(one("fail", "SELECT to_regclass('half') IS NULL")).isEqualTo("t");
        assertThat(one("fail", "SELECT string_agg(version, ',') FROM pgbox.schema_migrations")).isEqualTo("20260101000001");
        assertThat(schemaDump("fail")).isEqualTo(before);

        // bad SQL: refused with line and column before anything runs
        Files.writeString(bad, "CREATE TABLE half (id int);\n\nCREATE TABLE oops (id int,);\n");
        PgboxProject.Run syntax = project.pgboxInProcess("migrate", "up", "fail");
        assertThat(syntax.exitCode()).as(syntax.all()).isEqualTo(8);
        assertThat(syntax.stderr()).contains("20260101000002_broken.up.sql").contains("line 3, column 27");
        assertThat(one("fail", "SELECT to_regclass('half') IS NULL")).isEqualTo("t");

        // a CONCURRENTLY statement mixed with ordinary ones is refused with the fix
        Files.writeString(bad, "CREATE TABLE half (id int);\nCREATE INDEX CONCURRENTLY half_id ON half (id);\n");
        PgboxProject.Run mixed = project.pgboxInProcess("migrate", "up", "fail");
        assertThat(mixed.exitCode()).as(mixed.all()).isEqualTo(2);
        assertThat(mixed.stderr()).contains("put the CREATE INDEX CONCURRENTLY statement in its own migration");
        assertThat(one("fail", "SELECT to_regclass('half') IS NULL")).isEqualTo("t");

        // lock_timeout is set for every migration: a statement stuck behind a lock fails instead of queueing
        String password = project.settings().appSecret("PGBOX_APP_FAIL_PASSWORD");
        try (Connection c = project.connect("127.0.0.1", "fail", "fail", password, null); Statement st = c.createStatement()) {
            c.setAutoCommit(false);
            st.execute("SET ROLE fail_owner");
            st.execute("LOCK TABLE base IN ACCESS SHARE MODE");
            Files.writeString(bad, "ALTER TABLE base ADD COLUMN blocked int;\n");
            // the live linter sees the lock held right now and refuses; accepting that risk is where lock_timeout protects
            PgboxProject.Run blocked = project.pgboxAs(null, java.util.Map.of("PGBOX_MIGRATE_LOCK_TIMEOUT", "1s"), "migrate", "up", "fail",
                    "--accept-risk");
            assertThat(blocked.exitCode()).as(blocked.all()).isEqualTo(8);
            assertThat(blocked.stderr()).contains("55P03").contains("PGBOX_MIGRATE_LOCK_TIMEOUT");
            c.rollback();
        }
        assertThat(one("fail", "SELECT count(*) FROM information_schema.columns WHERE table_name = 'base' AND column_name = 'blocked'"))
                .isEqualTo("0");

        Files.writeString(bad, "CREATE TABLE slow (id int);\nSELECT pg_sleep(30);\n");
        PgboxProject.Run slow = project.pgboxAs(null, java.util.Map.of("PGBOX_MIGRATE_STATEMENT_TIMEOUT", "1s"), "migrate", "up", "fail");
        assertThat(slow.exitCode()).as(slow.all()).isEqualTo(8);
        assertThat(slow.stderr()).contains("57014").contains("broken.up.sql:2").contains("PGBOX_MIGRATE_STATEMENT_TIMEOUT");
        assertThat(one("fail", "SELECT to_regclass('slow') IS NULL")).isEqualTo("t");

        // a second migration run in the same database waits for nobody: the advisory lock refuses it
        try (Connection c = project.connect("127.0.0.1", "fail", "fail", password, null); Statement st = c.createStatement()) {
            st.execute("SELECT pg_advisory_lock(" + 0x70676278L + ")");
            Files.writeString(bad, "CREATE TABLE half (id int);\n");
            PgboxProject.Run locked = project.pgbox("migrate", "up", "fail");
            assertThat(locked.exitCode()).as(locked.all()).isEqualTo(10);
            assertThat(locked.stderr()).contains("another migration is running");
        }
        project.ok("migrate", "up", "fail");
        assertThat(one("fail", "SELECT to_regclass('half') IS NOT NULL")).isEqualTo("t");
    }
}
