package dev.pgbox.schema.audit;

import static dev.pgbox.schema.audit.SqlNames.name;
import static dev.pgbox.schema.audit.SqlNames.qualified;

import dev.pgbox.schema.audit.CatalogFacts.Column;
import dev.pgbox.schema.audit.CatalogFacts.ForeignKey;
import dev.pgbox.schema.audit.CatalogFacts.Index;
import dev.pgbox.schema.audit.CatalogFacts.Table;
import dev.pgbox.security.Finding.Severity;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The schema audit's checks: pure functions of {@link CatalogFacts}. The np_ conventions apply to np_
 * tables (or every table when asked); keys, indexes and row-level security to every table. A fix is
 * marked safe only when it takes no long lock, rewrites nothing and changes no query's result:
 * indexes built CONCURRENTLY, exact duplicate and invalid indexes dropped CONCURRENTLY, the
 * updated_at trigger, and column defaults (metadata only).
 */
public final class AuditChecks {
    public static final String NO_PRIMARY_KEY = "no-primary-key";
    public static final String FK_WITHOUT_INDEX = "fk-without-index";
    public static final String DUPLICATE_INDEX = "duplicate-index";
    public static final String INVALID_INDEX = "invalid-index";
    public static final String RLS_NOT_FORCED = "rls-not-forced";
    public static final String TENANT_COLUMN_INDEX = "tenant-column-index";
    public static final String NP_UUID_PK = "np-uuid-pk";
    public static final String NP_PK_DEFAULT = "np-pk-default";
    public static final String NP_TIMESTAMP_MISSING = "np-timestamp-missing";
    public static final String NP_TIMESTAMP_TYPE = "np-timestamp-type";
    public static final String NP_TIMESTAMP_NOT_NULL = "np-timestamp-not-null";
    public static final String NP_TIMESTAMP_DEFAULT = "np-timestamp-default";
    public static final String NP_UPDATED_AT_TRIGGER = "np-updated-at-trigger";
    public static final String SOFT_DELETE_INDEX = "soft-delete-index";

    /** The np_ prefix of tables nSelf manages. */
    public static final String PREFIX = "np_";
    /** The columns whose every query filters by them: tenant_id, source_account_id and any *_tenant_id. */
    static final Pattern TENANT_COLUMN = Pattern.compile("tenant_id|source_account_id|.+_tenant_id");
    private static final Pattern MENTIONS_DELETED_AT = Pattern.compile("\\bdeleted_at\\b");
    private static final String TIMESTAMPTZ = "timestamp with time zone";
    static final String UUID_DEFAULT = "gen_random_uuid()";

    private final CatalogFacts facts;
    private final boolean allTables;
    private final Set<String> taken;
    private final Map<String, String> planned = new HashMap<>();
    private final List<SchemaFinding> out = new ArrayList<>();

    private AuditChecks(CatalogFacts facts, boolean allTables) {
        this.facts = facts;
        this.allTables = allTables;
        this.taken = new HashSet<>(facts.taken());
        // an invalid index --fix drops first gives its name back to the index that replaces it
        for (Table t : facts.tables()) {
            if (!t.building() && !t.partitioned()) {
                t.indexes().stream().filter(i -> !i.valid()).forEach(i -> taken.remove(t.schema() + "." + i.name()));
            }
        }
    }

    /**
     * Every finding, most severe first (in table order within a severity).
     *
     * @param allTables apply the np_ conventions to every table, not only np_ ones
     */
    public static List<SchemaFinding> run(CatalogFacts facts, boolean allTables) {
        AuditChecks c = new AuditChecks(facts, allTables);
        for (Table t : facts.tables()) {
            c.table(t);
        }
        List<SchemaFinding> sorted = new ArrayList<>(c.out);
        sorted.sort(Comparator.comparing(SchemaFinding::severity));
        return sorted;
    }

    /** Whether the np_ conventions apply to {@code t}. */
    boolean conventions(Table t) {
        return allTables || t.name().startsWith(PREFIX);
    }

    private void table(Table t) {
        invalidIndexes(t);
        primaryKey(t);
        if (conventions(t)) {
            npPrimaryKey(t);
            timestamps(t);
            updatedAtTrigger(t);
            softDelete(t);
        }
        foreignKeys(t);
        tenantColumns(t);
        duplicates(t);
        rls(t);
    }

    private void invalidIndexes(Table t) {
        for (Index i : t.indexes()) {
            if (i.valid()) {
                continue;
            }
            String detail = "index " + i.name() + " is invalid (a CREATE INDEX CONCURRENTLY that failed or is still running): "
                    + "queries cannot use it, but every write still updates it";
            String fix = "DROP INDEX CONCURRENTLY " + qualified(t.schema(), i.name());
            if (t.building() || t.partitioned()) {
                out.add(SchemaFinding.manual(Severity.MEDIUM, INVALID_INDEX, t.sql(), detail + (t.building()
                        ? "; an index build is running on this table now, so it may be that build's" : ""), fix));
            } else {
                out.add(SchemaFinding.safe(Severity.MEDIUM, INVALID_INDEX, t.sql(), detail, fix));
            }
        }
    }

    private void primaryKey(Table t) {
        if (t.primaryKey() != null) {
            return;
        }
        String pk = name(SqlNames.indexName(t.name(), List.of(), "pkey", s -> false));
        Column id = t.column("id");
        String fix;
        if (id != null) {
            fix = "CREATE UNIQUE INDEX CONCURRENTLY " + pk + " ON " + t.sql() + " (id);\nALTER TABLE " + t.sql() + " ADD CONSTRAINT " + pk
                    + " PRIMARY KEY USING INDEX " + pk + ";"
                    + (id.notNull() ? "" : "  -- SET NOT NULL on id first (CHECK ... NOT VALID, VALIDATE), else this scans under its lock");
        } else {
            fix = "ALTER TABLE " + t.sql() + " ADD COLUMN id uuid NOT NULL DEFAULT " + UUID_DEFAULT + ";  -- rewrites the table under an "
                    + "ACCESS EXCLUSIVE lock (volatile default)\nCREATE UNIQUE INDEX CONCURRENTLY " + pk + " ON " + t.sql() + " (id);\n"
                    + "ALTER TABLE " + t.sql() + " ADD CONSTRAINT " + pk + " PRIMARY KEY USING INDEX " + pk + ";";
        }
        out.add(SchemaFinding.manual(Severity.HIGH, NO_PRIMARY_KEY, t.sql(), "has no primary key: rows cannot be told apart, "
                + "logical replication cannot update or delete them, and tools that edit rows refuse the table", fix));
    }

    private void npPrimaryKey(Table t) {
        if (t.primaryKey() == null) {
            return;
        }
        List<String> cols = t.primaryKey().columns();
        Column c = cols.size() == 1 ? t.column(cols.get(0)) : null;
        if (c == null || !c.type().equals("uuid")) {
            String what = cols.size() == 1 && c != null ? "is " + c.name() + " " + c.type()
                    : "has " + cols.size() + " columns (" + String.join(", ", cols) + ")";
            out.add(SchemaFinding.manual(Severity.MEDIUM, NP_UUID_PK, t.sql(), "the primary key " + what + "; the np_ convention is "
                    + "id uuid PRIMARY KEY DEFAULT gen_random_uuid()", "-- changing a primary key rewrites the table and every foreign key "
                    + "that references it: migrate with expand/contract\nALTER TABLE " + t.sql() + " ADD COLUMN id_new uuid;  -- then "
                    + "backfill in batches, SET DEFAULT " + UUID_DEFAULT + ", build a unique index CONCURRENTLY and swap the key"));
            return;
        }
        String fix = "ALTER TABLE " + t.sql() + " ALTER COLUMN " + name(c.name()) + " SET DEFAULT " + UUID_DEFAULT;
        if (c.defaultExpr() == null) {
            out.add(SchemaFinding.safe(Severity.MEDIUM, NP_PK_DEFAULT, t.sql(), "the uuid primary key " + c.name()
                    + " has no default: every insert must invent its own id", fix));
        } else if (!c.defaultExpr().equals(UUID_DEFAULT)) {
            out.add(SchemaFinding.safe(Severity.LOW, NP_PK_DEFAULT, t.sql(), "the primary key " + c.name() + " defaults to "
                    + c.defaultExpr() + "; the np_ convention is the built-in " + UUID_DEFAULT + " (no extension needed)", fix));
        }
    }

    private void timestamps(Table t) {
        for (String col : List.of("created_at", "updated_at")) {
            Column c = t.column(col);
            String alter = "ALTER TABLE " + t.sql() + " ";
            if (c == null) {
                out.add(SchemaFinding.manual(Severity.MEDIUM, NP_TIMESTAMP_MISSING, t.sql(), "has no " + col + " column (np_ tables have "
                        + "created_at and updated_at timestamptz NOT NULL DEFAULT now())", alter + "ADD COLUMN " + col
                        + " timestamptz NOT NULL DEFAULT now();  -- no rewrite (now() is evaluated once), but existing rows get the time "
                        + "of the change and SELECT * gains a column"));
                continue;
            }
            if (!c.type().equals(TIMESTAMPTZ)) {
                boolean naive = c.type().equals("timestamp without time zone");
                out.add(SchemaFinding.manual(Severity.MEDIUM, NP_TIMESTAMP_TYPE, t.sql(), col + " is " + c.type()
                        + ", not timestamptz: times without a zone are read differently by every client's time zone",
                        (naive ? "SET timezone = 'UTC';  -- with UTC, timestamp to timestamptz needs no rewrite (PostgreSQL 12+)\n" : "")
                                + alter + "ALTER COLUMN " + name(col) + " TYPE timestamptz;  -- ACCESS EXCLUSIVE lock"
                                + (naive ? "" : " and a full rewrite")));
            }
            if (!c.notNull()) {
                String check = name(SqlNames.cut(t.name(), 40) + "_" + col + "_not_null");
                out.add(SchemaFinding.manual(Severity.MEDIUM, NP_TIMESTAMP_NOT_NULL, t.sql(), col + " allows NULL",
                        "UPDATE " + t.sql() + " SET " + col + " = now() WHERE " + col + " IS NULL;  -- in batches on a big table\n"
                                + alter + "ADD CONSTRAINT " + check + " CHECK (" + col + " IS NOT NULL) NOT VALID;\n"
                                + alter + "VALIDATE CONSTRAINT " + check + ";\n"
                                + alter + "ALTER COLUMN " + col + " SET NOT NULL;  -- no scan: the valid CHECK proves it\n"
                                + alter + "DROP CONSTRAINT " + check + ";"));
            }
            if (c.defaultExpr() == null) {
                out.add(SchemaFinding.safe(Severity.MEDIUM, NP_TIMESTAMP_DEFAULT, t.sql(), col + " has no default: inserts must set it",
                        alter + "ALTER COLUMN " + col + " SET DEFAULT now()"));
            }
        }
    }

    private void updatedAtTrigger(Table t) {
        if (t.column("updated_at") == null || t.updateTriggers().stream().anyMatch(CatalogFacts.Trigger::setsUpdatedAt)) {
            return;
        }
        String fix = "CREATE TRIGGER " + name(SqlNames.cut(t.name(), 52) + "_updated_at") + " BEFORE UPDATE ON " + t.sql()
                + " FOR EACH ROW EXECUTE FUNCTION public.np_set_updated_at()";
        String detail = "no BEFORE UPDATE row trigger sets updated_at: it keeps the time of the insert unless every UPDATE sets it";
        if (facts.updatedAtFunction()) {
            out.add(SchemaFinding.safe(Severity.MEDIUM, NP_UPDATED_AT_TRIGGER, t.sql(), detail, fix));
        } else {
            out.add(SchemaFinding.manual(Severity.MEDIUM, NP_UPDATED_AT_TRIGGER, t.sql(), detail
                    + "; public.np_set_updated_at() is missing too ('pgbox start' creates it)", fix));
        }
    }

    private void softDelete(Table t) {
        if (t.column("deleted_at") == null) {
            return;
        }
        boolean indexed = t.indexes().stream().anyMatch(i -> i.valid() && i.predicate() != null
                && MENTIONS_DELETED_AT.matcher(i.predicate()).find());
        if (indexed) {
            return;
        }
        String detail = "has deleted_at (soft delete) but no partial index WHERE deleted_at IS NULL: every query for live rows "
                + "reads the deleted ones too";
        if (t.primaryKey() == null) {
            out.add(SchemaFinding.manual(Severity.MEDIUM, SOFT_DELETE_INDEX, t.sql(), detail, "CREATE INDEX CONCURRENTLY "
                    + name(SqlNames.indexName(t.name(), List.of(), "active_idx", s -> taken.contains(t.schema() + "." + s))) + " ON " + t.sql()
                    + " (<the columns live-row queries filter on>) WHERE deleted_at IS NULL"));
            return;
        }
        index(t, SOFT_DELETE_INDEX, Severity.MEDIUM, detail, t.primaryKey().columns(), "active_idx", "deleted_at IS NULL");
    }

    private void foreignKeys(Table t) {
        for (ForeignKey k : t.foreignKeys()) {
            if (!k.indexed()) {
                index(t, FK_WITHOUT_INDEX, Severity.HIGH, "foreign key " + k.name() + " (" + String.join(", ", k.columns())
                        + ") has no index starting with its columns: every delete or key update in the referenced table scans this one",
                        k.columns(), "idx", null);
            }
        }
    }

    private void tenantColumns(Table t) {
        for (Column c : t.columns()) {
            if (!TENANT_COLUMN.matcher(c.name()).matches()) {
                continue;
            }
            boolean indexed = t.indexes().stream().anyMatch(i -> i.valid() && c.name().equals(i.firstColumn()));
            if (!indexed) {
                index(t, TENANT_COLUMN_INDEX, Severity.MEDIUM, "tenant column " + c.name() + " has no index starting with it: "
                        + "every query of one tenant (and its row-level security policy) scans the whole table", List.of(c.name()), "idx", null);
            }
        }
    }

    /** A finding whose fix builds an index CONCURRENTLY; the same index asked twice (FK and tenant column) gets the same name. */
    private void index(Table t, String check, Severity severity, String detail, List<String> columns, String suffix, String where) {
        String key = t.schema() + "\u0000" + t.name() + "\u0000" + columns + "\u0000" + where;
        String idx = planned.computeIfAbsent(key, k -> {
            String n = SqlNames.indexName(t.name(), "idx".equals(suffix) ? columns : List.of(), suffix,
                    s -> taken.contains(t.schema() + "." + s));
            taken.add(t.schema() + "." + n);
            return n;
        });
        String cols = String.join(", ", columns.stream().map(SqlNames::name).toList());
        String tail = " ON " + t.sql() + " (" + cols + ")" + (where == null ? "" : " WHERE " + where);
        if (t.partitioned()) {
            out.add(SchemaFinding.manual(severity, check, t.sql(), detail, "CREATE INDEX " + name(idx) + tail
                    + ";  -- a partitioned table cannot build CONCURRENTLY: this blocks writes while it builds; or CREATE INDEX ... ON ONLY "
                    + "the parent, build each partition's CONCURRENTLY and ALTER INDEX ... ATTACH PARTITION"));
        } else {
            out.add(new SchemaFinding(severity, check, t.sql(), detail, "CREATE INDEX CONCURRENTLY " + name(idx) + tail, true,
                    qualified(t.schema(), idx)));
        }
    }

    private void duplicates(Table t) {
        Map<String, List<Index>> bySignature = new LinkedHashMap<>();
        for (Index i : t.indexes()) {
            if (i.valid()) {
                bySignature.computeIfAbsent(i.signature(), k -> new ArrayList<>()).add(i);
            }
        }
        for (List<Index> same : bySignature.values()) {
            if (same.size() < 2) {
                continue;
            }
            List<Index> ranked = new ArrayList<>(same);
            // keep the index a constraint uses, else the primary or a unique one, else the first by name
            ranked.sort(Comparator.comparing((Index i) -> !i.constraint()).thenComparing(i -> !i.primary())
                    .thenComparing(i -> !i.unique()).thenComparing(Index::name));
            Index keep = ranked.get(0);
            for (Index dup : ranked.subList(1, ranked.size())) {
                String detail = "index " + dup.name() + " duplicates " + keep.name() + " (same columns, operator classes and predicate): "
                        + "every write updates both, queries use one";
                boolean droppable = !dup.constraint() && !dup.primary() && (!dup.unique() || keep.unique());
                if (droppable && !t.partitioned()) {
                    out.add(SchemaFinding.safe(Severity.LOW, DUPLICATE_INDEX, t.sql(), detail, "DROP INDEX CONCURRENTLY "
                            + qualified(t.schema(), dup.name())));
                } else {
                    out.add(SchemaFinding.manual(Severity.LOW, DUPLICATE_INDEX, t.sql(), detail + (droppable ? ""
                            : "; a constraint uses " + dup.name() + ", so it goes with that constraint"),
                            droppable ? "DROP INDEX " + qualified(t.schema(), dup.name()) + ";  -- partitioned: not CONCURRENTLY"
                                    : "-- drop the constraint that uses " + dup.name() + " if " + keep.name() + " enforces the same"));
                }
            }
        }
    }

    private void rls(Table t) {
        if (t.rls() && !t.forceRls()) {
            out.add(SchemaFinding.manual(Severity.MEDIUM, RLS_NOT_FORCED, t.sql(), "row-level security is enabled but not FORCEd: "
                    + "the table's owner bypasses every policy", "ALTER TABLE " + t.sql() + " FORCE ROW LEVEL SECURITY;  -- from then on "
                    + "the owner (migrations, pgbox --fix) sees only what the policies allow"));
        }
    }
}
