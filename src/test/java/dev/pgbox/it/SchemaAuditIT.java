package dev.pgbox.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * 'pgbox schema audit' and 'schema new-table' on a real server: tables made (as the app's owner) to
 * break one rule each are found with the right fix; --fix applies the safe fixes and a second audit no
 * longer reports them; a CONCURRENTLY build blocked by a long transaction is reported and its invalid
 * index cleaned up by the next --fix; a table made from new-table's migration audits clean.
 */
@Timeout(600)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SchemaAuditIT {
    static final ObjectMapper JSON = new ObjectMapper();
    static PgboxProject project;

    @BeforeAll
    static void start() throws Exception {
        project = PgboxProject.create("schemaaudit", "PGBOX_MIGRATE_LOCK_TIMEOUT=2s");
        project.ok("start");
        project.ok("app", "create", "shop");
        project.admin().run("shop", """
                SET ROLE shop_owner;
                CREATE TABLE np_legacy (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, created_at timestamp, deleted_at timestamptz);
                CREATE TABLE np_items (id uuid PRIMARY KEY, created_at timestamptz NOT NULL DEFAULT now(),
                                       updated_at timestamptz NOT NULL DEFAULT now(), tenant_id uuid, name text);
                CREATE TABLE customers (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), name text);
                CREATE TABLE orders (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), customer_id uuid REFERENCES customers (id));
                CREATE TABLE logs (at timestamptz, line text);
                CREATE TABLE dup (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), email text);
                CREATE INDEX dup_email_a ON dup (email);
                CREATE INDEX dup_email_b ON dup (email);
                CREATE INDEX dup_email_lower ON dup (lower(email));
                CREATE TABLE secrets (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), source_account_id text NOT NULL DEFAULT 'primary');
                CREATE INDEX ON secrets (source_account_id);
                ALTER TABLE secrets ENABLE ROW LEVEL SECURITY;
                CREATE TABLE events (id uuid DEFAULT gen_random_uuid(), created_at timestamptz NOT NULL DEFAULT now(),
                                     customer_id uuid REFERENCES customers (id), PRIMARY KEY (id, created_at)) PARTITION BY RANGE (created_at);
                CREATE TABLE events_2026 PARTITION OF events FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
                """);
        // pg_partman's and pg_cron's own tables, and partman's schema, are never the app's: nothing about them is reported
    }

    @AfterAll
    static void stop() {
        if (project != null) {
            project.close();
        }
    }

    static JsonNode json(PgboxProject.Run r) throws Exception {
        return JSON.readTree(r.stdout());
    }

    static List<JsonNode> findings(JsonNode report) {
        List<JsonNode> out = new ArrayList<>();
        report.path("findings").forEach(out::add);
        return out;
    }

    /** The finding of {@code check} on {@code table}, or null. */
    static JsonNode finding(JsonNode report, String check, String table) {
        return findings(report).stream().filter(f -> f.path("check").asText().equals(check) && f.path("table").asText().equals(table))
                .findFirst().orElse(null);
    }

    static String value(String sql) {
        return project.admin().value("shop", sql);
    }

    @Test
    @Order(1)
    void theAuditFindsEachBrokenRuleWithItsFix() throws Exception {
        PgboxProject.Run r = project.pgbox("schema", "audit", "shop", "--json");
        assertThat(r.exitCode()).as(r.all()).isEqualTo(11);
        JsonNode report = json(r);
        assertThat(report.path("passed").asBoolean()).isFalse();
        assertThat(report.path("tables").asInt()).isEqualTo(8); // events_2026 is checked through its parent

        assertFinding(report, "no-primary-key", "public.logs", "high", false, "ALTER TABLE public.logs ADD COLUMN id uuid");
        assertFinding(report, "fk-without-index", "public.orders", "high", true,
                "CREATE INDEX CONCURRENTLY orders_customer_id_idx ON public.orders (customer_id)");
        assertFinding(report, "np-uuid-pk", "public.np_legacy", "medium", false, "");
        assertFinding(report, "np-timestamp-type", "public.np_legacy", "medium", false, "TYPE timestamptz");
        assertFinding(report, "np-timestamp-not-null", "public.np_legacy", "medium", false, "CHECK (created_at IS NOT NULL) NOT VALID");
        assertFinding(report, "np-timestamp-default", "public.np_legacy", "medium", true,
                "ALTER TABLE public.np_legacy ALTER COLUMN created_at SET DEFAULT now()");
        assertFinding(report, "np-timestamp-missing", "public.np_legacy", "medium", false, "ADD COLUMN updated_at timestamptz NOT NULL");
        assertFinding(report, "soft-delete-index", "public.np_legacy", "medium", true,
                "CREATE INDEX CONCURRENTLY np_legacy_active_idx ON public.np_legacy (id) WHERE deleted_at IS NULL");
        assertFinding(report, "np-pk-default", "public.np_items", "medium", true,
                "ALTER TABLE public.np_items ALTER COLUMN id SET DEFAULT gen_random_uuid()");
        assertFinding(report, "np-updated-at-trigger", "public.np_items", "medium", true,
                "CREATE TRIGGER np_items_updated_at BEFORE UPDATE ON public.np_items FOR EACH ROW EXECUTE FUNCTION public.np_set_updated_at()");
        assertFinding(report, "tenant-column-index", "public.np_items", "medium", true,
                "CREATE INDEX CONCURRENTLY np_items_tenant_id_idx ON public.np_items (tenant_id)");
        assertFinding(report, "duplicate-index", "public.dup", "low", true, "DROP INDEX CONCURRENTLY public.dup_email_b");
        assertFinding(report, "rls-not-forced", "public.secrets", "medium", false, "ALTER TABLE public.secrets FORCE ROW LEVEL SECURITY");
        // a partitioned table cannot build an index CONCURRENTLY: the fix is shown, not applied
        assertFinding(report, "fk-without-index", "public.events", "high", false,
                "CREATE INDEX events_customer_id_idx ON public.events (customer_id);");
        assertThat(findings(report)).noneMatch(f -> f.path("table").asText().equals("public.events_2026"));

        // the rules hold where they should not fire: an expression index is no duplicate, an indexed tenant column is fine,
        // non-np_ tables are not held to the np_ conventions, and the schemas of extensions are never audited
        assertThat(findings(report)).filteredOn(f -> f.path("check").asText().equals("duplicate-index")).hasSize(1);
        assertThat(finding(report, "tenant-column-index", "public.secrets")).isNull();
        assertThat(findings(report)).noneMatch(f -> f.path("table").asText().equals("public.customers"));
        assertThat(findings(report)).noneMatch(f -> f.path("table").asText().startsWith("partman.")
                || f.path("table").asText().startsWith("cron."));
        assertThat(report.path("high").asInt()).isEqualTo(3);

        PgboxProject.Run text = project.pgbox("schema", "audit", "shop");
        assertThat(text.exitCode()).isEqualTo(11);
        assertThat(text.stdout()).contains("HIGH fk-without-index public.orders", "fix (--fix applies it): CREATE INDEX CONCURRENTLY",
                "3 high, 7 fixable with --fix");

        // with --all-tables the np_ conventions apply to customers too (no timestamps)
        JsonNode all = json(project.pgbox("schema", "audit", "shop", "--all-tables", "--json"));
        assertThat(finding(all, "np-timestamp-missing", "public.customers")).isNotNull();
    }

    static void assertFinding(JsonNode report, String check, String table, String severity, boolean safe, String fixPart) {
        JsonNode f = finding(report, check, table);
        assertThat(f).as(check + " on " + table + " in\n" + report.toPrettyString()).isNotNull();
        assertThat(f.path("severity").asText()).as(check).isEqualTo(severity);
        assertThat(f.path("safe").asBoolean()).as(check + " safe").isEqualTo(safe);
        assertThat(f.path("fix").asText()).as(check + " fix").contains(fixPart);
        assertThat(f.path("detail").asText()).isNotBlank();
    }

    @Test
    @Order(2)
    void fixAppliesTheSafeFixesAsTheOwnerAndTheSecondAuditNoLongerReportsThem() throws Exception {
        project.admin().run("shop", "INSERT INTO np_items (id, updated_at) VALUES ('00000000-0000-4000-8000-000000000001', "
                + "'2000-01-01');");
        PgboxProject.Run r = project.pgbox("schema", "audit", "shop", "--fix", "--json");
        assertThat(r.exitCode()).as(r.all()).isEqualTo(11); // no-primary-key is high and not safe: it remains
        JsonNode fix = json(r);
        List<String> applied = new ArrayList<>();
        fix.path("applied").forEach(a -> {
            assertThat(a.path("outcome").asText()).as(a.toString()).isEqualTo("applied");
            applied.add(a.path("sql").asText());
        });
        assertThat(applied).hasSize(7).contains("DROP INDEX CONCURRENTLY public.dup_email_b");
        assertThat(applied.get(applied.size() - 1)).startsWith("DROP INDEX"); // duplicates go last

        JsonNode again = json(project.pgbox("schema", "audit", "shop", "--json"));
        assertThat(findings(again)).noneMatch(f -> f.path("safe").asBoolean());
        assertThat(findings(again)).extracting(f -> f.path("check").asText()).containsExactlyInAnyOrder("no-primary-key", "fk-without-index", "np-uuid-pk",
                "np-timestamp-type", "np-timestamp-not-null", "np-timestamp-missing", "rls-not-forced");
        assertThat(fix.path("remaining").path("findings").size()).isEqualTo(7);

        // what the fixes did, read from the catalog: valid indexes, owned by the owner, the trigger at work, one duplicate left
        assertThat(value("SELECT i.indisvalid FROM pg_index i WHERE i.indexrelid = 'public.orders_customer_id_idx'::regclass")).isEqualTo("t");
        assertThat(value("SELECT pg_get_userbyid(relowner) FROM pg_class WHERE oid = 'public.np_legacy_active_idx'::regclass"))
                .isEqualTo("shop_owner");
        assertThat(value("SELECT count(*) FROM pg_indexes WHERE tablename = 'dup'")).isEqualTo("3");
        assertThat(value("SELECT to_regclass('public.dup_email_a') IS NOT NULL")).isEqualTo("t");
        project.admin().run("shop", "UPDATE np_items SET name = 'x';");
        assertThat(value("SELECT updated_at > '2001-01-01' FROM np_items")).isEqualTo("t");
        assertThat(value("SELECT relforcerowsecurity FROM pg_class WHERE oid = 'public.secrets'::regclass")).isEqualTo("f");
    }

    @Test
    @Order(3)
    void aBuildBlockedByALongTransactionIsReportedAndItsInvalidIndexDroppedByTheNextFix() throws Exception {
        project.admin().run("shop", "SET ROLE shop_owner; CREATE TABLE busy (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), "
                + "customer_id uuid REFERENCES customers (id));");
        String password = project.settings().appSecret("PGBOX_APP_SHOP_PASSWORD");
        try (Connection blocker = project.connect("127.0.0.1", "shop", "shop", password, null)) {
            blocker.setAutoCommit(false);
            try (Statement st = blocker.createStatement()) {
                st.execute("INSERT INTO busy DEFAULT VALUES"); // holds ROW EXCLUSIVE until commit: the build must wait for it
            }
            PgboxProject.Run r = project.pgbox("schema", "audit", "shop", "--fix", "--json");
            JsonNode fix = json(r);
            JsonNode busy = null;
            for (JsonNode a : fix.path("applied")) {
                if (a.path("table").asText().equals("public.busy")) {
                    busy = a;
                }
            }
            assertThat(busy).as(r.all()).isNotNull();
            assertThat(busy.path("outcome").asText()).isEqualTo("failed");
            assertThat(busy.path("error").asText()).contains("lock timeout", "busy_customer_id_idx");
            assertThat(finding(fix.path("remaining"), "fk-without-index", "public.busy")).isNotNull();
            blocker.commit();
        }
        JsonNode audit = json(project.pgbox("schema", "audit", "shop", "--json"));
        assertFinding(audit, "invalid-index", "public.busy", "medium", true, "DROP INDEX CONCURRENTLY public.busy_customer_id_idx");

        JsonNode fixed = json(project.pgbox("schema", "audit", "shop", "--fix", "--json"));
        List<String> applied = new ArrayList<>();
        fixed.path("applied").forEach(a -> applied.add(a.path("outcome").asText() + " " + a.path("sql").asText()));
        assertThat(applied).containsExactly("applied DROP INDEX CONCURRENTLY public.busy_customer_id_idx",
                "applied CREATE INDEX CONCURRENTLY busy_customer_id_idx ON public.busy (customer_id)");
        assertThat(value("SELECT string_agg(indisvalid::text, ',') FROM pg_index WHERE indrelid = 'public.busy'::regclass "
                + "AND indexrelid <> 'public.busy_pkey'::regclass")).isEqualTo("true");
    }

    @Test
    @Order(4)
    void aTableMadeByNewTableAuditsClean() throws Exception {
        PgboxProject.Run made = project.ok("schema", "new-table", "shop", "np_widgets", "--soft-delete", "--tenant", "--vector", "3");
        List<Path> files = made.stdout().lines().map(Path::of).toList();
        assertThat(files).hasSize(2);
        assertThat(files.get(0).toString()).startsWith(project.dir().resolve("migrations/shop").toString()).endsWith("_create_np_widgets.up.sql");
        String up = Files.readString(files.get(0));
        PgboxProject.Run printed = project.ok("schema", "new-table", "shop", "np_widgets", "--soft-delete", "--tenant", "--vector", "3",
                "--print");
        assertThat(printed.stdout()).contains(up);

        project.pgboxWithInput(null, Map.of(), up, "db", "query", "--app", "shop", "--owner", "-");
        assertThat(value("SELECT pg_get_userbyid(relowner) FROM pg_class WHERE oid = 'public.np_widgets'::regclass")).isEqualTo("shop_owner");
        JsonNode audit = json(project.pgbox("schema", "audit", "shop", "--json"));
        assertThat(findings(audit)).noneMatch(f -> f.path("table").asText().equals("public.np_widgets"));
        assertThat(audit.path("tables").asInt()).isEqualTo(10);

        // the down file removes it again
        project.pgboxWithInput(null, Map.of(), Files.readString(files.get(1)), "db", "query", "--app", "shop", "--owner", "-");
        assertThat(value("SELECT to_regclass('public.np_widgets') IS NULL")).isEqualTo("t");

        // a name without np_ is allowed with a warning; a bad one is a usage error
        PgboxProject.Run plain = project.ok("schema", "new-table", "shop", "widgets", "--print");
        assertThat(plain.stderr()).contains("no np_ prefix");
        assertThat(project.pgbox("schema", "new-table", "shop", "Widgets").exitCode()).isEqualTo(2);
        assertThat(project.pgbox("schema", "new-table", "shop", "np_x", "--vector", "5000").exitCode()).isEqualTo(2);
    }
}
