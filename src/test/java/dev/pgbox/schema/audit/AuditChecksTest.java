package dev.pgbox.schema.audit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pgbox.schema.audit.CatalogFacts.Column;
import dev.pgbox.schema.audit.CatalogFacts.ForeignKey;
import dev.pgbox.schema.audit.CatalogFacts.Index;
import dev.pgbox.schema.audit.CatalogFacts.PrimaryKey;
import dev.pgbox.schema.audit.CatalogFacts.Table;
import dev.pgbox.schema.audit.CatalogFacts.Trigger;
import dev.pgbox.security.Finding.Severity;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class AuditChecksTest {
    static final Column ID = new Column("id", "uuid", true, "gen_random_uuid()");
    static final Column CREATED = new Column("created_at", "timestamp with time zone", true, "now()");
    static final Column UPDATED = new Column("updated_at", "timestamp with time zone", true, "now()");
    static final Index PKEY = index("t_pkey", "btree|1|1", "id", null, true, true, true);
    static final Trigger TRIGGER = new Trigger("t_updated_at", "np_set_updated_at", true);

    static Index index(String name, String signature, String first, String predicate, boolean unique, boolean primary, boolean constraint) {
        return new Index(name, true, unique, primary, constraint, signature, first, predicate, "CREATE INDEX ...");
    }

    /** A table that follows every rule, to break one rule at a time. */
    static Table good(String name) {
        return new Table("public", name, false, false, false, false, List.of(ID, CREATED, UPDATED), new PrimaryKey(name + "_pkey", List.of("id")),
                List.of(TRIGGER), List.of(PKEY), List.of());
    }

    static List<SchemaFinding> run(boolean all, Table... tables) {
        return AuditChecks.run(new CatalogFacts(true, Set.of(), List.of(tables)), all);
    }

    static List<String> checks(List<SchemaFinding> f) {
        return f.stream().map(SchemaFinding::check).toList();
    }

    @Test
    void aTableFollowingTheConventionIsClean() {
        assertThat(run(false, good("np_users"))).isEmpty();
        assertThat(run(true, good("users"))).isEmpty();
    }

    @Test
    void noPrimaryKeyIsHighAndNotSafe() {
        Table t = new Table("public", "logs", false, false, false, false, List.of(new Column("line", "text", false, null)), null, List.of(),
                List.of(), List.of());
        List<SchemaFinding> f = run(false, t);
        assertThat(checks(f)).containsExactly(AuditChecks.NO_PRIMARY_KEY);
        assertThat(f.get(0).severity()).isEqualTo(Severity.HIGH);
        assertThat(f.get(0).safe()).isFalse();
        assertThat(f.get(0).fix()).contains("ADD COLUMN id uuid", "PRIMARY KEY USING INDEX logs_pkey");
    }

    @Test
    void npConventionsApplyToNpTablesOrEveryTableWhenAsked() {
        Table bad = new Table("public", "items", false, false, false, false,
                List.of(new Column("id", "bigint", true, null), new Column("created_at", "timestamp without time zone", false, null)),
                new PrimaryKey("items_pkey", List.of("id")), List.of(), List.of(PKEY), List.of());
        assertThat(run(false, bad)).isEmpty();
        List<SchemaFinding> f = run(true, bad);
        assertThat(checks(f)).containsExactlyInAnyOrder(AuditChecks.NP_UUID_PK, AuditChecks.NP_TIMESTAMP_TYPE,
                AuditChecks.NP_TIMESTAMP_NOT_NULL, AuditChecks.NP_TIMESTAMP_DEFAULT, AuditChecks.NP_TIMESTAMP_MISSING);
        assertThat(f).filteredOn(x -> x.check().equals(AuditChecks.NP_TIMESTAMP_DEFAULT)).singleElement()
                .satisfies(x -> assertThat(x.safe()).isTrue())
                .satisfies(x -> assertThat(x.fix()).isEqualTo("ALTER TABLE public.items ALTER COLUMN created_at SET DEFAULT now()"));
        assertThat(f).filteredOn(x -> x.check().equals(AuditChecks.NP_TIMESTAMP_TYPE)).singleElement()
                .satisfies(x -> assertThat(x.safe()).isFalse());
    }

    @Test
    void uuidKeyWithoutDefaultAndMissingTriggerAreSafeFixes() {
        Table t = new Table("public", "np_items", false, false, false, false, List.of(new Column("id", "uuid", true, null), CREATED, UPDATED),
                new PrimaryKey("np_items_pkey", List.of("id")), List.of(new Trigger("fts", "np_items_fts", false)), List.of(PKEY), List.of());
        List<SchemaFinding> f = run(false, t);
        assertThat(checks(f)).containsExactly(AuditChecks.NP_PK_DEFAULT, AuditChecks.NP_UPDATED_AT_TRIGGER);
        assertThat(f).allMatch(SchemaFinding::safe);
        assertThat(f.get(0).fix()).isEqualTo("ALTER TABLE public.np_items ALTER COLUMN id SET DEFAULT gen_random_uuid()");
        assertThat(f.get(1).fix()).isEqualTo("CREATE TRIGGER np_items_updated_at BEFORE UPDATE ON public.np_items FOR EACH ROW "
                + "EXECUTE FUNCTION public.np_set_updated_at()");
        // without public.np_set_updated_at() the trigger cannot be created by --fix
        List<SchemaFinding> noFunction = AuditChecks.run(new CatalogFacts(false, Set.of(), List.of(t)), false);
        assertThat(noFunction).filteredOn(x -> x.check().equals(AuditChecks.NP_UPDATED_AT_TRIGGER)).singleElement()
                .satisfies(x -> assertThat(x.safe()).isFalse());
    }

    @Test
    void softDeleteNeedsAValidPartialIndexOnDeletedAt() {
        List<Column> cols = List.of(ID, CREATED, UPDATED, new Column("deleted_at", "timestamp with time zone", false, null));
        Table without = new Table("public", "np_users", false, false, false, false, cols, new PrimaryKey("p", List.of("id")),
                List.of(TRIGGER), List.of(PKEY), List.of());
        List<SchemaFinding> f = run(false, without);
        assertThat(checks(f)).containsExactly(AuditChecks.SOFT_DELETE_INDEX);
        assertThat(f.get(0).fix()).isEqualTo("CREATE INDEX CONCURRENTLY np_users_active_idx ON public.np_users (id) WHERE deleted_at IS NULL");
        assertThat(f.get(0).createsIndex()).isEqualTo("public.np_users_active_idx");
        Index partial = index("np_users_live_email", "btree|1|3|where (deleted_at IS NULL)", "email", "(deleted_at IS NULL)", false, false, false);
        Table with = new Table("public", "np_users", false, false, false, false, cols, new PrimaryKey("p", List.of("id")),
                List.of(TRIGGER), List.of(PKEY, partial), List.of());
        assertThat(run(false, with)).isEmpty();
    }

    @Test
    void aForeignKeyAndATenantColumnOnTheSameColumnShareOneIndex() {
        List<Column> cols = List.of(ID, CREATED, UPDATED, new Column("tenant_id", "uuid", false, null));
        Table t = new Table("public", "np_docs", false, false, false, false, cols, new PrimaryKey("p", List.of("id")), List.of(TRIGGER),
                List.of(PKEY), List.of(new ForeignKey("np_docs_tenant_id_fkey", List.of("tenant_id"), false)));
        List<SchemaFinding> f = AuditChecks.run(new CatalogFacts(true, Set.of("public.np_docs_tenant_id_idx"), List.of(t)), false);
        assertThat(checks(f)).containsExactly(AuditChecks.FK_WITHOUT_INDEX, AuditChecks.TENANT_COLUMN_INDEX);
        assertThat(f.get(0).severity()).isEqualTo(Severity.HIGH);
        // the name is taken by another relation: numbered, and the same for both findings
        assertThat(f.get(0).fix()).isEqualTo("CREATE INDEX CONCURRENTLY np_docs_tenant_id_idx1 ON public.np_docs (tenant_id)");
        assertThat(f.get(1).fix()).isEqualTo(f.get(0).fix());
        assertThat(SchemaAudit.order(f)).hasSize(1);
    }

    @Test
    void tenantColumnsAreRecognisedByName() {
        assertThat(AuditChecks.TENANT_COLUMN.matcher("tenant_id").matches()).isTrue();
        assertThat(AuditChecks.TENANT_COLUMN.matcher("source_account_id").matches()).isTrue();
        assertThat(AuditChecks.TENANT_COLUMN.matcher("billing_tenant_id").matches()).isTrue();
        assertThat(AuditChecks.TENANT_COLUMN.matcher("tenant").matches()).isFalse();
        Index tenantFirst = index("t_tenant", "btree|2|4 1", "source_account_id", null, false, false, false);
        Table t = new Table("public", "np_x", false, false, false, false, List.of(ID, CREATED, UPDATED,
                new Column("source_account_id", "text", true, "'primary'::text")), new PrimaryKey("p", List.of("id")), List.of(TRIGGER),
                List.of(PKEY, tenantFirst), List.of());
        assertThat(run(false, t)).isEmpty();
    }

    @Test
    void duplicatesKeepTheIndexAConstraintUsesAndDropTheRest() {
        Index plainA = index("dup_a", "btree|1|2", "email", null, false, false, false);
        Index plainB = index("dup_b", "btree|1|2", "email", null, false, false, false);
        Index uniqueConstraint = index("dup_email_key", "btree|1|2", "email", null, true, false, true);
        Index pkCopy = index("dup_id_again", "btree|1|1", "id", null, true, false, false);
        Index otherOpclass = index("dup_c", "btree|1|2|text_pattern_ops", "email", null, false, false, false);
        Table t = new Table("public", "dup", false, false, false, false, List.of(ID, new Column("email", "text", false, null)),
                new PrimaryKey("dup_pkey", List.of("id")), List.of(), List.of(PKEY, plainA, plainB, uniqueConstraint, pkCopy, otherOpclass), List.of());
        List<SchemaFinding> f = run(false, t);
        assertThat(f).extracting(SchemaFinding::fix).containsExactlyInAnyOrder("DROP INDEX CONCURRENTLY public.dup_a",
                "DROP INDEX CONCURRENTLY public.dup_b", "DROP INDEX CONCURRENTLY public.dup_id_again");
        assertThat(f).allMatch(x -> x.check().equals(AuditChecks.DUPLICATE_INDEX) && x.safe() && x.severity() == Severity.LOW);
        // a unique index is not dropped in favour of a plain one
        Index unique = index("u", "btree|1|2", "email", null, true, false, false);
        Table t2 = new Table("public", "dup", false, false, false, false, List.of(ID, new Column("email", "text", false, null)),
                new PrimaryKey("dup_pkey", List.of("id")), List.of(), List.of(PKEY, plainA, unique), List.of());
        assertThat(run(false, t2)).extracting(SchemaFinding::fix).containsExactly("DROP INDEX CONCURRENTLY public.dup_a");
    }

    @Test
    void invalidIndexesAreDroppedFirstAndGiveTheirNameBack() {
        Index invalid = new Index("orders_customer_id_idx", false, false, false, false, "btree|1|2", "customer_id", null, "...");
        Table t = new Table("public", "orders", false, false, false, false, List.of(ID, new Column("customer_id", "uuid", false, null)),
                new PrimaryKey("orders_pkey", List.of("id")), List.of(), List.of(PKEY, invalid),
                List.of(new ForeignKey("orders_customer_id_fkey", List.of("customer_id"), false)));
        List<SchemaFinding> f = AuditChecks.run(new CatalogFacts(true, Set.of("public.orders_customer_id_idx"), List.of(t)), false);
        List<SchemaFinding> ordered = SchemaAudit.order(f);
        assertThat(ordered).extracting(SchemaFinding::fix).containsExactly("DROP INDEX CONCURRENTLY public.orders_customer_id_idx",
                "CREATE INDEX CONCURRENTLY orders_customer_id_idx ON public.orders (customer_id)");
        // while a build runs on the table, the invalid index may be that build's: not dropped by --fix
        Table building = new Table("public", "orders", false, false, false, true, t.columns(), t.primaryKey(), List.of(), t.indexes(),
                t.foreignKeys());
        assertThat(run(false, building)).filteredOn(x -> x.check().equals(AuditChecks.INVALID_INDEX)).singleElement()
                .satisfies(x -> assertThat(x.safe()).isFalse());
    }

    @Test
    void partitionedTablesGetIndexFixesByHand() {
        Table t = new Table("public", "events", true, false, false, false, List.of(ID, new Column("customer_id", "uuid", false, null)),
                new PrimaryKey("events_pkey", List.of("id")), List.of(), List.of(PKEY),
                List.of(new ForeignKey("events_customer_id_fkey", List.of("customer_id"), false)));
        List<SchemaFinding> f = run(false, t);
        assertThat(f).singleElement().satisfies(x -> {
            assertThat(x.safe()).isFalse();
            assertThat(x.fix()).startsWith("CREATE INDEX events_customer_id_idx ON public.events (customer_id);");
        });
    }

    @Test
    void rlsNotForcedIsReportedButNotFixedAutomatically() {
        Table t = new Table("public", "secrets", false, true, false, false, List.of(ID), new PrimaryKey("p", List.of("id")), List.of(),
                List.of(PKEY), List.of());
        assertThat(run(false, t)).singleElement().satisfies(x -> {
            assertThat(x.check()).isEqualTo(AuditChecks.RLS_NOT_FORCED);
            assertThat(x.safe()).isFalse();
            assertThat(x.fix()).startsWith("ALTER TABLE public.secrets FORCE ROW LEVEL SECURITY;");
        });
        Table forced = new Table("public", "secrets", false, true, true, false, List.of(ID), new PrimaryKey("p", List.of("id")), List.of(),
                List.of(PKEY), List.of());
        assertThat(run(false, forced)).isEmpty();
    }

    @Test
    void findingsComeMostSevereFirstAndQuoteOddNames() {
        List<Table> tables = new ArrayList<>();
        tables.add(new Table("public", "user", false, true, false, false, List.of(ID), new PrimaryKey("p", List.of("id")), List.of(),
                List.of(PKEY), List.of()));
        tables.add(new Table("public", "Logs", false, false, false, false, List.of(), null, List.of(), List.of(), List.of()));
        List<SchemaFinding> f = AuditChecks.run(new CatalogFacts(true, Set.of(), tables), false);
        assertThat(f).extracting(SchemaFinding::severity).containsExactly(Severity.HIGH, Severity.MEDIUM);
        assertThat(f.get(0).table()).isEqualTo("public.\"Logs\"");
        assertThat(f.get(1).fix()).startsWith("ALTER TABLE public.\"user\" FORCE");
    }
}
