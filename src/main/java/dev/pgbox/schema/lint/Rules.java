package dev.pgbox.schema.lint;

import static dev.pgbox.schema.lint.LintRule.*;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pgbox.schema.SqlStatement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The rules, applied to one statement's parse tree at a time. Each check reads the node libpg_query
 * made of the statement (never the SQL text); the fixes are SQL built from the names in the tree.
 * {@link #apply} also records what the statement creates, so later statements on a new table pass.
 */
final class Rules {
    /** Functions whose value changes per row: as a column default they make ADD COLUMN fill every row (rewrite). */
    private static final Set<String> VOLATILE = Set.of("random", "gen_random_uuid", "uuid_generate_v1", "uuid_generate_v1mc",
            "uuid_generate_v4", "clock_timestamp", "timeofday", "nextval", "setval", "txid_current", "pg_current_xact_id");
    private static final Set<String> SERIALS = Set.of("serial", "serial4", "bigserial", "serial8", "smallserial", "serial2");
    private static final String REPEAT_LOCK = "every query on the table queues behind it, and behind the statement waiting for it";

    private final ScriptState state;
    private final boolean runnerSetsTimeouts;

    Rules(ScriptState state, boolean runnerSetsTimeouts) {
        this.state = state;
        this.runnerSetsTimeouts = runnerSetsTimeouts;
    }

    /** The findings of one statement; updates the state with what it creates. */
    List<Hit> apply(SqlStatement s) {
        List<Hit> hits = new ArrayList<>();
        JsonNode n = s.node();
        switch (s.kind()) {
            case "IndexStmt" -> index(s, n, hits);
            case "DropStmt" -> drop(n, hits);
            case "DropdbStmt" -> hits.add(new Hit(BAN_DROP_DATABASE, null, "DROP DATABASE " + n.path("dbname").asText()
                    + " removes every table and row of it; no migration should do that", "drop it by hand, after a backup ('pgbox db backup')"));
            case "RenameStmt" -> rename(n, hits);
            case "AlterObjectSchemaStmt" -> setSchema(n, hits);
            case "AlterTableStmt" -> alterTable(n, hits);
            case "CreateStmt" -> createTable(n, hits);
            case "CreateTableAsStmt" -> state.createdTables.add(TableRef.of(n.path("into").path("rel")).key());
            case "VacuumStmt" -> vacuum(n, hits);
            case "ClusterStmt" -> cluster(n, hits);
            case "ReindexStmt" -> reindex(n, hits);
            case "LockStmt" -> lockTable(n, hits);
            case "TruncateStmt" -> truncate(n, hits);
            case "UpdateStmt", "DeleteStmt" -> withoutWhere(s.kind(), n, hits);
            case "CreateDomainStmt" -> createDomain(n, hits);
            case "AlterDomainStmt" -> alterDomain(n, hits);
            case "TransactionStmt" -> transaction(s, n, hits);
            case "VariableSetStmt" -> setVariable(n);
            case "SelectStmt" -> setConfig(n);
            default -> {
                // other statements take no lock worth a rule
            }
        }
        timeout(s, hits);
        return hits;
    }

    // ---- indexes

    private void index(SqlStatement s, JsonNode n, List<Hit> hits) {
        TableRef t = TableRef.of(n.path("relation"));
        boolean concurrent = n.path("concurrent").asBoolean(false);
        String name = n.path("idxname").asText("");
        if (!concurrent && !state.isNew(t)) {
            hits.add(new Hit(REQUIRE_CONCURRENT_INDEX_CREATION, t, "CREATE INDEX on the existing table " + t.shown()
                    + " takes a SHARE lock for the whole build: every INSERT, UPDATE and DELETE waits until the index is built",
                    concurrentForm(s.text()) + ";  -- outside a transaction; afterwards check pg_index.indisvalid (a failed build leaves an"
                            + " invalid index: DROP INDEX CONCURRENTLY it and retry). A partitioned table cannot build one CONCURRENTLY:"
                            + " CREATE INDEX ... ON ONLY " + t.shown() + ", then CREATE INDEX CONCURRENTLY on each partition and"
                            + " ALTER INDEX ... ATTACH PARTITION each one"));
        }
        if (concurrent) {
            concurrentChecks("CREATE INDEX CONCURRENTLY", hits);
            if (!n.path("if_not_exists").asBoolean(false) && !name.isEmpty()) {
                hits.add(new Hit(PREFER_ROBUST_STMTS, null, "CREATE INDEX CONCURRENTLY runs outside a transaction: if the migration fails"
                        + " after it, a rerun fails on the existing index", "CREATE INDEX CONCURRENTLY IF NOT EXISTS " + name + " ..."));
            }
        }
        if (!name.isEmpty()) {
            state.createdIndexes.add(t.schema() + "." + name);
        }
    }

    /** Adds CONCURRENTLY after CREATE [UNIQUE] INDEX in a statement's own text (only to show the fix). */
    static String concurrentForm(String text) {
        return text.replaceFirst("(?is)^(CREATE\\s+(UNIQUE\\s+)?INDEX)\\s+", "$1 CONCURRENTLY ");
    }

    private void concurrentChecks(String what, List<Hit> hits) {
        if (state.depth > 0) {
            hits.add(new Hit(BAN_CONCURRENT_INDEX_CREATION_IN_TRANSACTION, null, what + " inside BEGIN ... COMMIT: PostgreSQL refuses it"
                    + " ('cannot run inside a transaction block') and the whole transaction fails",
                    "move it after the COMMIT, in a statement of its own ('pgbox migrate up' runs a migration with CONCURRENTLY outside a transaction)"));
        }
    }

    // ---- DROP

    /** DROP of objects other than tables and indexes: running code or data may still depend on them. */
    private static final java.util.Map<String, LintRule> DROPS = java.util.Map.ofEntries(
            java.util.Map.entry("OBJECT_SCHEMA", BAN_DROP_SCHEMA), java.util.Map.entry("OBJECT_VIEW", BAN_DROP_VIEW),
            java.util.Map.entry("OBJECT_MATVIEW", BAN_DROP_VIEW), java.util.Map.entry("OBJECT_FUNCTION", BAN_DROP_FUNCTION),
            java.util.Map.entry("OBJECT_PROCEDURE", BAN_DROP_FUNCTION), java.util.Map.entry("OBJECT_TRIGGER", BAN_DROP_TRIGGER),
            java.util.Map.entry("OBJECT_TYPE", BAN_DROP_TYPE), java.util.Map.entry("OBJECT_DOMAIN", BAN_DROP_DOMAIN),
            java.util.Map.entry("OBJECT_SEQUENCE", BAN_DROP_SEQUENCE), java.util.Map.entry("OBJECT_EXTENSION", BAN_DROP_EXTENSION),
            java.util.Map.entry("OBJECT_POLICY", BAN_DROP_POLICY));

    /** An object's name as a DROP or RENAME names it (a List, a String, ObjectWithArgs or TypeName node). */
    private static String objectName(JsonNode o) {
        if (o.has("String")) {
            return o.path("String").path("sval").asText();
        }
        if (o.has("ObjectWithArgs")) {
            return String.join(".", Trees.strings(o.path("ObjectWithArgs").path("objname"))) + "(...)";
        }
        if (o.has("TypeName")) {
            return String.join(".", Trees.strings(o.path("TypeName").path("names")));
        }
        return String.join(".", Trees.strings(o.path("List").path("items")));
    }

    private void drop(JsonNode n, List<Hit> hits) {
        String type = n.path("removeType").asText();
        boolean concurrent = n.path("concurrent").asBoolean(false);
        LintRule other = DROPS.get(type);
        if (other != null) {
            for (JsonNode o : n.path("objects")) {
                String what = type.substring("OBJECT_".length()).toLowerCase(Locale.ROOT).replace("matview", "materialized view");
                boolean cascade = n.path("behavior").asText().equals("DROP_CASCADE");
                hits.add(new Hit(other, null, "DROP " + what.toUpperCase(Locale.ROOT) + " " + objectName(o) + (cascade ? " CASCADE" : "")
                        + ": " + other.catches() + (cascade ? "; CASCADE also drops everything that depends on it" : ""),
                        "release code that no longer uses it first, then drop it in a later migration and accept this rule with the reason"));
            }
            return;
        }
        for (JsonNode o : n.path("objects")) {
            List<String> name = Trees.strings(o.path("List").path("items"));
            if (name.isEmpty()) {
                continue;
            }
            TableRef ref = name.size() == 1 ? new TableRef("public", name.get(0)) : new TableRef(name.get(name.size() - 2), name.get(name.size() - 1));
            if (type.equals("OBJECT_TABLE") && !state.isNew(ref)) {
                hits.add(new Hit(BAN_DROP_TABLE, ref, "DROP TABLE " + ref.shown() + " takes an ACCESS EXCLUSIVE lock and deletes its data;"
                        + " the running app fails on every query that still uses it",
                        "expand/contract: release code that no longer uses " + ref.shown() + ", take a backup, then drop it in a later migration"
                                + " (accept this rule with the reason)"));
            } else if (type.equals("OBJECT_INDEX")) {
                if (!concurrent && !state.createdIndexes.contains(ref.key())) {
                    hits.add(new Hit(REQUIRE_CONCURRENT_INDEX_DELETION, null, "DROP INDEX " + ref.shown()
                            + " takes an ACCESS EXCLUSIVE lock on its table: reads and writes wait, and " + REPEAT_LOCK,
                            "DROP INDEX CONCURRENTLY IF EXISTS " + ref.shown() + ";  -- outside a transaction"));
                }
                if (concurrent) {
                    concurrentChecks("DROP INDEX CONCURRENTLY", hits);
                    if (!n.path("missing_ok").asBoolean(false)) {
                        hits.add(new Hit(PREFER_ROBUST_STMTS, null, "DROP INDEX CONCURRENTLY runs outside a transaction: a rerun after a"
                                + " later failure fails on the missing index", "DROP INDEX CONCURRENTLY IF EXISTS " + ref.shown() + ";"));
                    }
                }
            }
        }
    }

    // ---- RENAME

    private void rename(JsonNode n, List<Hit> hits) {
        String type = n.path("renameType").asText();
        TableRef t = TableRef.of(n.path("relation"));
        String newName = n.path("newname").asText();
        if (type.equals("OBJECT_COLUMN") && n.path("relationType").asText().equals("OBJECT_TABLE") && !state.isNew(t)) {
            String old = n.path("subname").asText();
            hits.add(new Hit(RENAMING_COLUMN, t, "renaming " + t.shown() + "." + old + " to " + newName
                    + " breaks every running query that still says " + old + " (ACCESS EXCLUSIVE lock, brief)",
                    "expand/contract: ALTER TABLE " + t.shown() + " ADD COLUMN " + newName + " <type>; write both columns (trigger or app),"
                            + " backfill in batches, switch reads to " + newName + ", then drop " + old + " in a later release"));
        } else if (type.equals("OBJECT_TABLE")) {
            if (!state.isNew(t)) {
                hits.add(new Hit(RENAMING_TABLE, t, "renaming " + t.shown() + " to " + newName
                        + " breaks every running query that still uses the old name (ACCESS EXCLUSIVE lock, brief)",
                        "expand/contract: ALTER TABLE " + t.shown() + " RENAME TO " + newName + "; CREATE VIEW " + t.shown() + " AS SELECT * FROM "
                                + newName + ";  -- the old name keeps working (simple views are updatable) until no code uses it;"
                                + " drop the view in a later release"));
            } else {
                state.createdTables.add(new TableRef(t.schema(), newName).key());
            }
        } else if (!Set.of("OBJECT_COLUMN", "OBJECT_INDEX", "OBJECT_TABCONSTRAINT", "OBJECT_TRIGGER", "OBJECT_POLICY").contains(type)
                && !(n.has("relation") && state.isNew(t))) {
            String old = n.has("relation") ? t.shown() : n.has("object") ? objectName(n.path("object")) : n.path("subname").asText();
            hits.add(new Hit(RENAMING_OBJECT, null, "renaming " + type.substring("OBJECT_".length()).toLowerCase(Locale.ROOT) + " " + old + " to "
                    + newName + ": running code that still uses the old name fails",
                    "expand/contract: create the new object beside the old one (or a view / wrapper function under the old name),"
                            + " move the code over, drop the old one in a later release"));
        }
    }

    private void setSchema(JsonNode n, List<Hit> hits) {
        TableRef t = n.has("relation") ? TableRef.of(n.path("relation")) : null;
        if (t != null && state.isNew(t)) {
            state.createdTables.add(new TableRef(n.path("newschema").asText(), t.name()).key());
            return;
        }
        String what = n.path("objectType").asText().replace("OBJECT_", "").toLowerCase(Locale.ROOT);
        String name = t != null ? t.shown() : objectName(n.path("object"));
        hits.add(new Hit(BAN_SET_SCHEMA, t, "moving " + what + " " + name + " to schema " + n.path("newschema").asText()
                + ": running code that names the old schema (or finds it through search_path) fails",
                "expand/contract: leave it where it is and add a view or wrapper in the new schema, or move the code first"));
    }

    // ---- ALTER TABLE

    private void alterTable(JsonNode n, List<Hit> hits) {
        if (!n.path("objtype").asText().equals("OBJECT_TABLE")) {
            return;
        }
        TableRef t = TableRef.of(n.path("relation"));
        boolean isNew = state.isNew(t);
        for (JsonNode c : n.path("cmds")) {
            JsonNode cmd = c.path("AlterTableCmd");
            String sub = cmd.path("subtype").asText();
            String col = cmd.path("name").asText();
            switch (sub) {
                case "AT_AddColumn" -> addColumn(t, isNew, cmd.path("def").path("ColumnDef"), hits);
                case "AT_AddConstraint" -> addConstraint(t, isNew, cmd.path("def").path("Constraint"), hits);
                case "AT_ValidateConstraint" -> {
                    String column = state.pendingNotNullChecks.get(t.key() + "/" + col);
                    if (column != null) {
                        state.validatedNotNull.add(t.key() + "/" + column);
                    }
                }
                case "AT_SetNotNull" -> {
                    if (!isNew && !state.validatedNotNull.contains(t.key() + "/" + col)) {
                        String check = t.name() + "_" + col + "_not_null";
                        hits.add(new Hit(SETTING_NOT_NULLABLE_FIELD, t, "SET NOT NULL on " + t.shown() + "." + col
                                + " scans every row under an ACCESS EXCLUSIVE lock: reads and writes wait for the whole scan",
                                "ALTER TABLE " + t.shown() + " ADD CONSTRAINT " + check + " CHECK (" + col + " IS NOT NULL) NOT VALID;\n"
                                        + "ALTER TABLE " + t.shown() + " VALIDATE CONSTRAINT " + check + ";  -- SHARE UPDATE EXCLUSIVE: reads and writes go on\n"
                                        + "ALTER TABLE " + t.shown() + " ALTER COLUMN " + col + " SET NOT NULL;  -- PG 12+: uses the validated check, no scan\n"
                                        + "ALTER TABLE " + t.shown() + " DROP CONSTRAINT " + check + ";"));
                    }
                }
                case "AT_DropNotNull" -> {
                    if (!isNew) {
                        hits.add(new Hit(BAN_DROP_NOT_NULL, t, "DROP NOT NULL on " + t.shown() + "." + col
                                + ": code that reads it may not expect NULL", "make sure every reader handles NULL, then accept this rule with the reason"));
                    }
                }
                case "AT_AlterColumnType" -> {
                    JsonNode def = cmd.path("def").path("ColumnDef");
                    columnStyle(t, col, def, false, hits);
                    if (!isNew) {
                        String type = Trees.typeName(def.path("typeName"));
                        hits.add(new Hit(CHANGING_COLUMN_TYPE, t, "changing the type of " + t.shown() + "." + col + " to " + type
                                + " takes an ACCESS EXCLUSIVE lock and, unless the types are binary-coercible (varchar(n) to text or a longer"
                                + " varchar), rewrites the table and every index on it", "expand/contract: ALTER TABLE " + t.shown() + " ADD COLUMN "
                                + col + "_new " + type + "; fill it in batches (UPDATE ... WHERE id BETWEEN ...) and keep it in step with a trigger;"
                                + " switch reads, then drop " + col + " and rename in a later release"));
                    }
                }
                case "AT_DropColumn" -> {
                    if (!isNew) {
                        hits.add(new Hit(BAN_DROP_COLUMN, t, "DROP COLUMN " + t.shown() + "." + col
                                + ": running code that still reads or writes it fails (ACCESS EXCLUSIVE lock, brief)",
                                "release code that no longer uses " + col + " first, then drop it in a later migration (accept this rule with the reason)"));
                    }
                }
                case "AT_SetTableSpace" -> {
                    if (!isNew) {
                        hits.add(new Hit(BAN_SET_TABLESPACE, t, "SET TABLESPACE copies every file of " + t.shown()
                                + " under an ACCESS EXCLUSIVE lock: reads and writes wait for the copy",
                                "create a new table in the tablespace and move rows in batches, or run it in a maintenance window"));
                    }
                }
                case "AT_SetLogged", "AT_SetUnLogged" -> {
                    if (!isNew) {
                        hits.add(new Hit(BAN_SET_LOGGED, t, (sub.equals("AT_SetLogged") ? "SET LOGGED" : "SET UNLOGGED") + " rewrites " + t.shown()
                                + " under an ACCESS EXCLUSIVE lock: reads and writes wait for the rewrite",
                                "run it in a maintenance window, or create the table with the wanted persistence and move rows in batches"));
                    }
                }
                case "AT_DetachPartition" -> {
                    JsonNode part = cmd.path("def").path("PartitionCmd");
                    if (!isNew && !part.path("concurrent").asBoolean(false)) {
                        String child = TableRef.of(part.path("name")).shown();
                        hits.add(new Hit(REQUIRE_CONCURRENT_PARTITION_DETACH, t, "DETACH PARTITION " + child + " takes an ACCESS EXCLUSIVE lock on "
                                + t.shown() + ": reads and writes of every partition wait, and " + REPEAT_LOCK,
                                "ALTER TABLE " + t.shown() + " DETACH PARTITION " + child + " CONCURRENTLY;  -- PG 14+, outside a transaction"));
                    }
                }
                case "AT_DropConstraint" -> {
                    if (!isNew) {
                        hits.add(new Hit(BAN_DROP_CONSTRAINT, t, "DROP CONSTRAINT " + col + " on " + t.shown()
                                + ": rows it kept out can come in, and a dropped unique or primary key also drops its index",
                                "make sure nothing relies on it, then accept this rule with the reason"));
                    }
                }
                case "AT_ColumnDefault" -> {
                    if (!isNew && !cmd.has("def")) {
                        hits.add(new Hit(BAN_DROP_DEFAULT, t, "DROP DEFAULT on " + t.shown() + "." + col
                                + ": INSERTs that leave the column out now store NULL (or fail on NOT NULL)",
                                "make sure every INSERT names the column, then accept this rule with the reason"));
                    }
                }
                case "AT_DisableTrig", "AT_DisableTrigAll", "AT_DisableTrigUser" -> {
                    if (!isNew) {
                        hits.add(new Hit(BAN_DISABLE_TRIGGER, t, "DISABLE TRIGGER on " + t.shown()
                                + ": what the trigger keeps in step (updated_at, audit rows, foreign keys for ALL) stops until it is enabled",
                                "leave triggers on; if a backfill must skip one, do it in the same transaction and ENABLE it again, accepted with the reason"));
                    }
                }
                default -> {
                    // SET DEFAULT, SET STATISTICS, ...: brief catalog changes
                }
            }
        }
    }

    private void addColumn(TableRef t, boolean isNew, JsonNode def, List<Hit> hits) {
        String col = def.path("colname").asText();
        String type = Trees.typeName(def.path("typeName"));
        columnStyle(t, col, def, Trees.hasConstraint(def, "CONSTR_PRIMARY"), hits);
        if (isNew) {
            return;
        }
        boolean serial = SERIALS.contains(type);
        boolean identity = Trees.hasConstraint(def, "CONSTR_IDENTITY");
        JsonNode defaultExpr = null;
        boolean generated = false;
        for (JsonNode c : Trees.constraints(def)) {
            switch (c.path("contype").asText()) {
                case "CONSTR_DEFAULT" -> defaultExpr = c.path("raw_expr");
                case "CONSTR_GENERATED" -> generated = true;
                default -> {
                }
            }
        }
        String add = "ALTER TABLE " + t.shown() + " ADD COLUMN " + col + " " + type;
        if (Trees.hasConstraint(def, "CONSTR_NOTNULL") && defaultExpr == null && !serial && !identity && !generated) {
            hits.add(new Hit(ADDING_REQUIRED_FIELD, t, "ADD COLUMN " + col + " NOT NULL without a DEFAULT fails on " + t.shown()
                    + " as soon as it has a row (every existing row would be NULL)",
                    add + " DEFAULT <constant> NOT NULL;  -- a constant default needs no rewrite since PG 11\n"
                            + "-- or: add it nullable, backfill in batches, then CHECK (" + col + " IS NOT NULL) NOT VALID, VALIDATE, SET NOT NULL"));
        }
        String rewrite = serial ? "a serial column (a nextval() default per row)" : identity ? "an identity column (a value per row)"
                : generated ? "a stored generated column" : defaultExpr != null && volatileExpr(defaultExpr) ? "a volatile default" : null;
        if (rewrite != null) {
            hits.add(new Hit(ADDING_FIELD_WITH_DEFAULT, t, "ADD COLUMN " + col + " with " + rewrite + " rewrites all of " + t.shown()
                    + " under an ACCESS EXCLUSIVE lock: reads and writes wait for the rewrite",
                    add + ";  -- nullable, no default: instant\nALTER TABLE " + t.shown() + " ALTER COLUMN " + col
                            + " SET DEFAULT ...;  -- for new rows only\n-- then backfill the existing rows in batches: UPDATE " + t.shown()
                            + " SET " + col + " = ... WHERE id BETWEEN $1 AND $2"));
        }
        for (JsonNode c : Trees.constraints(def)) {
            switch (c.path("contype").asText()) {
                case "CONSTR_PRIMARY" -> hits.add(primaryKey(t, List.of(col)));
                case "CONSTR_UNIQUE" -> hits.add(unique(t, List.of(col)));
                case "CONSTR_FOREIGN" -> hits.add(new Hit(ADDING_FOREIGN_KEY_CONSTRAINT, t, "ADD COLUMN " + col
                        + " REFERENCES checks every row of " + t.shown() + " under a SHARE ROW EXCLUSIVE lock on both tables (writes wait)",
                        add + ";\nALTER TABLE " + t.shown() + " ADD CONSTRAINT " + t.name() + "_" + col + "_fkey FOREIGN KEY (" + col + ") REFERENCES "
                                + TableRef.of(c.path("pktable")).shown() + " NOT VALID;\nALTER TABLE " + t.shown() + " VALIDATE CONSTRAINT "
                                + t.name() + "_" + col + "_fkey;"));
                case "CONSTR_CHECK" -> {
                    if (!c.path("skip_validation").asBoolean(false)) {
                        hits.add(new Hit(CONSTRAINT_MISSING_NOT_VALID, t, "ADD COLUMN " + col + " CHECK (...) checks every row of " + t.shown()
                                + " under an ACCESS EXCLUSIVE lock", add + ";\nALTER TABLE " + t.shown() + " ADD CONSTRAINT " + t.name() + "_" + col
                                + "_check CHECK (...) NOT VALID;\nALTER TABLE " + t.shown() + " VALIDATE CONSTRAINT " + t.name() + "_" + col + "_check;"));
                    }
                }
                default -> {
                }
            }
        }
    }

    private void addConstraint(TableRef t, boolean isNew, JsonNode c, List<Hit> hits) {
        String type = c.path("contype").asText();
        String name = c.path("conname").asText("");
        boolean notValid = c.path("skip_validation").asBoolean(false);
        if (type.equals("CONSTR_CHECK")) {
            String column = notNullColumn(c.path("raw_expr"));
            if (column != null && !name.isEmpty() && notValid) {
                state.pendingNotNullChecks.put(t.key() + "/" + name, column);
            } else if (column != null && (!notValid || isNew)) {
                state.validatedNotNull.add(t.key() + "/" + column);
            }
        }
        if (isNew) {
            return;
        }
        String shownName = name.isEmpty() ? "<name>" : name;
        switch (type) {
            case "CONSTR_FOREIGN" -> {
                if (!notValid) {
                    TableRef ref = TableRef.of(c.path("pktable"));
                    hits.add(new Hit(ADDING_FOREIGN_KEY_CONSTRAINT, t, "ADD FOREIGN KEY checks every row of " + t.shown()
                            + " while it holds SHARE ROW EXCLUSIVE locks on " + t.shown() + " and " + ref.shown() + ": writes to both wait",
                            "ALTER TABLE " + t.shown() + " ADD CONSTRAINT " + shownName + " FOREIGN KEY (" + String.join(", ", Trees.strings(c.path("fk_attrs")))
                                    + ") REFERENCES " + ref.shown() + " NOT VALID;  -- new rows are checked from now on\nALTER TABLE " + t.shown()
                                    + " VALIDATE CONSTRAINT " + shownName + ";  -- checks old rows, SHARE UPDATE EXCLUSIVE: writes go on"));
                }
            }
            case "CONSTR_CHECK" -> {
                if (!notValid) {
                    hits.add(new Hit(CONSTRAINT_MISSING_NOT_VALID, t, "ADD CONSTRAINT " + shownName + " CHECK checks every row of " + t.shown()
                            + " under an ACCESS EXCLUSIVE lock: reads and writes wait for the scan",
                            "ALTER TABLE " + t.shown() + " ADD CONSTRAINT " + shownName + " CHECK (...) NOT VALID;\nALTER TABLE " + t.shown()
                                    + " VALIDATE CONSTRAINT " + shownName + ";  -- SHARE UPDATE EXCLUSIVE: reads and writes go on"));
                }
            }
            case "CONSTR_UNIQUE", "CONSTR_EXCLUSION" -> {
                if (c.path("indexname").asText("").isEmpty()) {
                    hits.add(unique(t, Trees.strings(c.path("keys"))));
                }
            }
            case "CONSTR_PRIMARY" -> {
                if (c.path("indexname").asText("").isEmpty()) {
                    hits.add(primaryKey(t, Trees.strings(c.path("keys"))));
                }
            }
            default -> {
            }
        }
    }

    private static Hit unique(TableRef t, List<String> cols) {
        String idx = t.name() + "_" + String.join("_", cols) + "_key";
        return new Hit(DISALLOWED_UNIQUE_CONSTRAINT, t, "adding a UNIQUE constraint builds its index on " + t.shown()
                + " under an ACCESS EXCLUSIVE lock: reads and writes wait for the whole build",
                "CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS " + idx + " ON " + t.shown() + " (" + String.join(", ", cols) + ");\nALTER TABLE "
                        + t.shown() + " ADD CONSTRAINT " + idx + " UNIQUE USING INDEX " + idx + ";  -- instant");
    }

    private static Hit primaryKey(TableRef t, List<String> cols) {
        String idx = t.name() + "_pkey";
        return new Hit(ADDING_SERIAL_PRIMARY_KEY_FIELD, t, "adding a PRIMARY KEY builds its index on " + t.shown()
                + " under an ACCESS EXCLUSIVE lock: reads and writes wait for the whole build",
                "CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS " + idx + " ON " + t.shown() + " (" + String.join(", ", cols) + ");\nALTER TABLE "
                        + t.shown() + " ADD CONSTRAINT " + idx + " PRIMARY KEY USING INDEX " + idx + ";  -- the columns must be NOT NULL already");
    }

    /** The column of {@code col IS NOT NULL}, else null. */
    private static String notNullColumn(JsonNode expr) {
        JsonNode test = expr.path("NullTest");
        if (!test.path("nulltesttype").asText().equals("IS_NOT_NULL")) {
            return null;
        }
        List<String> f = Trees.strings(test.path("arg").path("ColumnRef").path("fields"));
        return f.size() == 1 ? f.get(0) : null;
    }

    /** True when the expression calls a function known to be volatile, or holds a subquery (it may be). */
    static boolean volatileExpr(JsonNode expr) {
        if (expr.isObject()) {
            if (expr.has("SubLink")) {
                return true;
            }
            JsonNode call = expr.path("FuncCall");
            if (call.isObject()) {
                List<String> name = Trees.strings(call.path("funcname"));
                if (!name.isEmpty() && VOLATILE.contains(name.get(name.size() - 1).toLowerCase(Locale.ROOT))) {
                    return true;
                }
            }
        }
        for (JsonNode child : expr) {
            if (volatileExpr(child)) {
                return true;
            }
        }
        return false;
    }

    // ---- CREATE TABLE and column types

    private void createTable(JsonNode n, List<Hit> hits) {
        TableRef t = TableRef.of(n.path("relation"));
        List<String> pk = new ArrayList<>();
        for (JsonNode e : n.path("tableElts")) {
            JsonNode c = e.path("Constraint");
            if (c.path("contype").asText().equals("CONSTR_PRIMARY")) {
                pk.addAll(Trees.strings(c.path("keys")));
            }
        }
        for (JsonNode e : n.path("tableElts")) {
            JsonNode def = e.path("ColumnDef");
            if (def.isObject()) {
                String col = def.path("colname").asText();
                columnStyle(t, col, def, pk.contains(col) || Trees.hasConstraint(def, "CONSTR_PRIMARY"), hits);
            }
        }
        state.createdTables.add(t.key());
    }

    /** The schema-style rules of one column definition (CREATE TABLE, ADD COLUMN, ALTER COLUMN TYPE). */
    private static void columnStyle(TableRef t, String col, JsonNode def, boolean primaryKey, List<Hit> hits) {
        JsonNode typeName = def.path("typeName");
        String type = Trees.typeName(typeName);
        String where = t.shown() + "." + col;
        switch (type) {
            case "bpchar" -> hits.add(new Hit(BAN_CHAR_FIELD, null, where + " is char(n): values are padded with blanks and comparisons"
                    + " trim them; it is never faster than text", col + " text  -- with CHECK (char_length(" + col + ") <= n) if the limit matters"));
            case "varchar" -> {
                if (Trees.hasTypmods(typeName)) {
                    hits.add(new Hit(PREFER_TEXT_FIELD, null, where + " is varchar(n): raising n later is an ALTER COLUMN TYPE under an"
                            + " ACCESS EXCLUSIVE lock", col + " text CHECK (char_length(" + col + ") <= n)  -- a CHECK can be swapped NOT VALID"));
                }
            }
            case "timestamp" -> hits.add(new Hit(PREFER_TIMESTAMPTZ, null, where + " is timestamp without time zone: the same instant"
                    + " reads differently per session time zone, and DST makes local times ambiguous", col + " timestamptz"));
            default -> {
            }
        }
        boolean serial = SERIALS.contains(type);
        if (serial) {
            hits.add(new Hit(PREFER_IDENTITY, null, where + " is " + type + ": the sequence is a separate object with its own owner and"
                    + " grants, and INSERTs can bypass it", col + " bigint GENERATED ALWAYS AS IDENTITY"));
        }
        boolean counter = primaryKey || serial || Trees.hasConstraint(def, "CONSTR_IDENTITY");
        if (counter && Set.of("int4", "serial", "serial4").contains(type)) {
            hits.add(new Hit(PREFER_BIGINT_OVER_INT, null, where + " is a 32-bit key: it runs out at 2,147,483,647 and changing it"
                    + " later rewrites the table and every referencing one", col + " bigint GENERATED ALWAYS AS IDENTITY  -- or uuid DEFAULT gen_random_uuid()"));
        }
        if (counter && Set.of("int2", "smallserial", "serial2").contains(type)) {
            hits.add(new Hit(PREFER_BIGINT_OVER_SMALLINT, null, where + " is a 16-bit key: it runs out at 32,767",
                    col + " bigint GENERATED ALWAYS AS IDENTITY"));
        }
    }

    // ---- maintenance statements

    private void vacuum(JsonNode n, List<Hit> hits) {
        if (!n.path("is_vacuumcmd").asBoolean(false) || !Trees.hasOption(n.path("options"), "full")) {
            return;
        }
        List<TableRef> tables = relations(n.path("rels"), "VacuumRelation");
        if (tables.isEmpty()) {
            hits.add(new Hit(BAN_VACUUM_FULL, null, "VACUUM FULL of the whole database rewrites every table, each under an ACCESS"
                    + " EXCLUSIVE lock", "VACUUM (ANALYZE);  -- plain VACUUM takes no blocking lock; to shrink a table online use pg_repack"));
        }
        for (TableRef t : tables) {
            if (!state.isNew(t)) {
                hits.add(new Hit(BAN_VACUUM_FULL, t, "VACUUM FULL rewrites " + t.shown() + " under an ACCESS EXCLUSIVE lock: reads and"
                        + " writes wait for the whole rewrite", "VACUUM (ANALYZE) " + t.shown() + ";  -- plain VACUUM takes no blocking lock;"
                        + " to shrink a table online use pg_repack"));
            }
        }
    }

    private void cluster(JsonNode n, List<Hit> hits) {
        TableRef t = n.has("relation") ? TableRef.of(n.path("relation")) : null;
        if (t == null || !state.isNew(t)) {
            hits.add(new Hit(BAN_CLUSTER, t, "CLUSTER rewrites " + (t == null ? "every clustered table" : t.shown())
                    + " under an ACCESS EXCLUSIVE lock: reads and writes wait for the whole rewrite",
                    "pg_repack --order-by, or accept a maintenance window"));
        }
    }

    private void reindex(JsonNode n, List<Hit> hits) {
        boolean concurrent = Trees.hasOption(n.path("params"), "concurrently");
        String kind = n.path("kind").asText();
        TableRef t = kind.equals("REINDEX_OBJECT_TABLE") ? TableRef.of(n.path("relation")) : null;
        if (concurrent) {
            concurrentChecks("REINDEX CONCURRENTLY", hits);
            return;
        }
        if (t != null && state.isNew(t)) {
            return;
        }
        String what = switch (kind) {
            case "REINDEX_OBJECT_TABLE" -> "TABLE " + t.shown();
            case "REINDEX_OBJECT_INDEX" -> "INDEX " + TableRef.of(n.path("relation")).shown();
            case "REINDEX_OBJECT_SCHEMA" -> "SCHEMA " + n.path("name").asText();
            default -> "DATABASE " + n.path("name").asText();
        };
        hits.add(new Hit(REQUIRE_CONCURRENT_REINDEX, t, "REINDEX " + what + " blocks writes to the table (SHARE lock) and reads that"
                + " use the index (ACCESS EXCLUSIVE on it) for the whole rebuild", "REINDEX (CONCURRENTLY) " + what + ";  -- outside a transaction"));
    }

    private void lockTable(JsonNode n, List<Hit> hits) {
        LockMode mode = LockMode.fromLockStmt(n.path("mode").asInt(8));
        if (mode.ordinal() < LockMode.SHARE.ordinal()) {
            return;
        }
        for (TableRef t : relations(n.path("relations"), null)) {
            if (!state.isNew(t)) {
                hits.add(new Hit(BAN_LOCK_TABLE, t, "LOCK TABLE " + t.shown() + " IN " + mode.sql() + " MODE blocks "
                        + (mode == LockMode.ACCESS_EXCLUSIVE ? "reads and writes" : "writes") + " until the transaction ends",
                        "drop the explicit lock: each statement takes the lock it needs; if it must stay, set lock_timeout before it and keep"
                                + " the transaction short"));
            }
        }
    }

    private void truncate(JsonNode n, List<Hit> hits) {
        if (n.path("behavior").asText().equals("DROP_CASCADE")) {
            List<String> names = relations(n.path("relations"), null).stream().map(TableRef::shown).toList();
            hits.add(new Hit(BAN_TRUNCATE_CASCADE, null, "TRUNCATE " + String.join(", ", names) + " CASCADE also empties every table"
                    + " with a foreign key to " + (names.size() == 1 ? "it" : "them") + ", whichever those are at the time it runs",
                    "TRUNCATE the tables you mean by name, without CASCADE (it fails if another table still references them)"));
        }
    }

    private void withoutWhere(String kind, JsonNode n, List<Hit> hits) {
        TableRef t = TableRef.of(n.path("relation"));
        if (n.has("whereClause") || state.isNew(t)) {
            return;
        }
        boolean update = kind.equals("UpdateStmt");
        hits.add(new Hit(update ? UPDATE_WITHOUT_WHERE : DELETE_WITHOUT_WHERE, t, (update ? "UPDATE" : "DELETE") + " of every row of "
                + t.shown() + " in one transaction: each row stays locked until it commits (other writers wait), dead rows pile up"
                + (update ? " and the table doubles in size" : ""),
                "work in batches, one transaction each: " + (update ? "UPDATE " + t.shown() + " SET ..." : "DELETE FROM " + t.shown())
                        + " WHERE id BETWEEN $1 AND $2;  -- or add the WHERE you meant"));
    }

    // ---- domains

    private void createDomain(JsonNode n, List<Hit> hits) {
        for (JsonNode c : n.path("constraints")) {
            if (c.path("Constraint").path("contype").asText().equals("CONSTR_CHECK")) {
                hits.add(new Hit(BAN_CREATE_DOMAIN_WITH_CONSTRAINT, null, "a CHECK on domain " + String.join(".", Trees.strings(n.path("domainname")))
                        + " is hard to change later: ALTER DOMAIN re-checks every column that uses it, in every table, under lock",
                        "put the CHECK on the table columns (ADD CONSTRAINT ... NOT VALID, then VALIDATE), or accept with the reason"));
                return;
            }
        }
    }

    private void alterDomain(JsonNode n, List<Hit> hits) {
        JsonNode c = n.path("def").path("Constraint");
        if (n.path("subtype").asText().equals("C") && !c.path("skip_validation").asBoolean(false)) {
            String name = String.join(".", Trees.strings(n.path("typeName")));
            hits.add(new Hit(BAN_ALTER_DOMAIN_WITH_ADD_CONSTRAINT, null, "ALTER DOMAIN " + name + " ADD CONSTRAINT checks every row of every"
                    + " table with a column of that domain, holding a SHARE lock on each (writes wait)",
                    "ALTER DOMAIN " + name + " ADD CONSTRAINT ... NOT VALID;\nALTER DOMAIN " + name + " VALIDATE CONSTRAINT ...;"));
        }
    }

    // ---- transactions and timeouts

    private void transaction(SqlStatement s, JsonNode n, List<Hit> hits) {
        switch (n.path("kind").asText()) {
            case "TRANS_STMT_BEGIN", "TRANS_STMT_START" -> {
                if (state.depth > 0) {
                    hits.add(new Hit(TRANSACTION_NESTING, null, "BEGIN inside an open transaction: PostgreSQL only warns, and the first"
                            + " COMMIT ends both", "remove the inner BEGIN"));
                } else {
                    state.lastBegin = s.index();
                }
                state.depth++;
            }
            case "TRANS_STMT_COMMIT", "TRANS_STMT_ROLLBACK" -> {
                if (state.depth == 0) {
                    hits.add(new Hit(TRANSACTION_NESTING, null, (n.path("kind").asText().endsWith("COMMIT") ? "COMMIT" : "ROLLBACK")
                            + " without a BEGIN in this script: it ends the transaction the migration runner opened, and the rest runs"
                            + " outside one", "remove it, or add the matching BEGIN"));
                } else {
                    state.depth = 0;
                }
            }
            default -> {
            }
        }
    }

    private void setVariable(JsonNode n) {
        String name = n.path("name").asText();
        if (!name.equals("lock_timeout")) {
            return;
        }
        String kind = n.path("kind").asText();
        if (kind.equals("VAR_SET_VALUE")) {
            JsonNode value = n.path("args").path(0).path("A_Const");
            String v = value.has("sval") ? value.path("sval").path("sval").asText("") : value.path("ival").path("ival").asText("0");
            state.lockTimeout = !v.strip().matches("0+\\s*[a-z]*");
        } else if (kind.equals("VAR_RESET") || kind.equals("VAR_SET_DEFAULT")) {
            state.lockTimeout = false;
        }
    }

    /** SELECT set_config('lock_timeout', '...', ...) also sets it. */
    private void setConfig(JsonNode n) {
        for (JsonNode target : n.path("targetList")) {
            JsonNode call = target.path("ResTarget").path("val").path("FuncCall");
            List<String> fn = Trees.strings(call.path("funcname"));
            JsonNode args = call.path("args");
            if (!fn.isEmpty() && fn.get(fn.size() - 1).equals("set_config")
                    && args.path(0).path("A_Const").path("sval").path("sval").asText("").equalsIgnoreCase("lock_timeout")) {
                String v = args.path(1).path("A_Const").path("sval").path("sval").asText("0");
                state.lockTimeout = !v.strip().matches("0+\\s*[a-z]*");
            }
        }
    }

    /** The first statement of a script that would queue for a lock that blocks writes, with no lock_timeout set before it. */
    private void timeout(SqlStatement s, List<Hit> hits) {
        if (runnerSetsTimeouts || state.lockTimeout || state.timeoutReported) {
            return;
        }
        for (TableLock l : Locks.of(s)) {
            if (l.mode().ordinal() >= LockMode.SHARE.ordinal() && !state.isNew(l.table())) {
                state.timeoutReported = true;
                hits.add(new Hit(REQUIRE_TIMEOUT_SETTINGS, null, "this takes " + l.mode().withArticle() + " lock on " + l.table().shown()
                        + " with no lock_timeout set: if another session holds a lock on it, this waits without end, and "
                        + REPEAT_LOCK, "SET lock_timeout = '2s';  -- at the top of the script; retry the migration when it times out\n"
                        + "SET statement_timeout = '5min';  -- ('pgbox migrate up' sets both itself)"));
                return;
            }
        }
    }

    static List<TableRef> relations(JsonNode list, String wrapper) {
        List<TableRef> out = new ArrayList<>();
        for (JsonNode r : list) {
            JsonNode rv = wrapper == null ? r.path("RangeVar") : r.path(wrapper).path("relation");
            if (rv.isObject()) {
                out.add(TableRef.of(rv));
            }
        }
        return out;
    }
}
