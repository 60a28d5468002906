package dev.pgbox.schema.lint;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Every rule the linter knows: its id (squawk's name where squawk has the rule), its severity when the
 * table's size is unknown, and whether a live server may soften it to a warning on a small table (the
 * rule is about how long a lock is held or how much a statement rewrites, which a small table makes brief).
 */
public enum LintRule {
    // ---- locks and rewrites on existing tables
    REQUIRE_CONCURRENT_INDEX_CREATION("require-concurrent-index-creation", true, true,
            "CREATE INDEX without CONCURRENTLY on an existing table (SHARE lock: writes wait for the whole build)"),
    REQUIRE_CONCURRENT_INDEX_DELETION("require-concurrent-index-deletion", true, true,
            "DROP INDEX without CONCURRENTLY (ACCESS EXCLUSIVE lock on the table)"),
    ADDING_REQUIRED_FIELD("adding-required-field", true, true,
            "ADD COLUMN ... NOT NULL without a DEFAULT (fails on a table with rows)"),
    SETTING_NOT_NULLABLE_FIELD("setting-not-nullable-field", true, true,
            "ALTER COLUMN ... SET NOT NULL (ACCESS EXCLUSIVE lock while every row is scanned)", "adding-not-nullable-field"),
    CHANGING_COLUMN_TYPE("changing-column-type", true, true,
            "ALTER COLUMN ... TYPE (ACCESS EXCLUSIVE lock, the table and its indexes are rewritten)"),
    ADDING_FOREIGN_KEY_CONSTRAINT("adding-foreign-key-constraint", true, true,
            "ADD FOREIGN KEY without NOT VALID (SHARE ROW EXCLUSIVE on both tables while every row is checked)"),
    CONSTRAINT_MISSING_NOT_VALID("constraint-missing-not-valid", true, true,
            "ADD CHECK without NOT VALID (ACCESS EXCLUSIVE lock while every row is checked)"),
    DISALLOWED_UNIQUE_CONSTRAINT("disallowed-unique-constraint", true, true,
            "ADD UNIQUE / EXCLUDE that builds its index under the ACCESS EXCLUSIVE lock (not USING INDEX)"),
    ADDING_SERIAL_PRIMARY_KEY_FIELD("adding-serial-primary-key-field", true, true,
            "ADD PRIMARY KEY (or a column with PRIMARY KEY) that builds its index under the ACCESS EXCLUSIVE lock"),
    ADDING_FIELD_WITH_DEFAULT("adding-field-with-default", true, true,
            "ADD COLUMN with a volatile default or a stored generated value (rewrites the table); constant defaults are free since PG 11"),
    BAN_VACUUM_FULL("ban-vacuum-full", true, true, "VACUUM FULL (ACCESS EXCLUSIVE lock, rewrites the table)", "prefer-repack"),
    BAN_CLUSTER("ban-cluster", true, true, "CLUSTER (ACCESS EXCLUSIVE lock, rewrites the table)", "prefer-repack"),
    REQUIRE_CONCURRENT_REINDEX("require-concurrent-reindex", true, true,
            "REINDEX without CONCURRENTLY (blocks writes, and reads that use the index)"),
    BAN_LOCK_TABLE("ban-lock-table", true, true, "LOCK TABLE in a mode that blocks writes"),
    BAN_SET_TABLESPACE("ban-set-tablespace", true, true, "ALTER TABLE ... SET TABLESPACE (ACCESS EXCLUSIVE lock while the files are copied)"),
    BAN_SET_LOGGED("ban-set-logged", true, true, "ALTER TABLE ... SET LOGGED / UNLOGGED (ACCESS EXCLUSIVE lock, rewrites the table)"),
    UPDATE_WITHOUT_WHERE("update-without-where", true, true, "UPDATE without WHERE (locks and rewrites every row in one transaction)"),
    DELETE_WITHOUT_WHERE("delete-without-where", true, true, "DELETE without WHERE (locks every row in one transaction)"),
    BAN_TRUNCATE_CASCADE("ban-truncate-cascade", true, false, "TRUNCATE ... CASCADE (empties every table that references it, too)"),
    BAN_ALTER_DOMAIN_WITH_ADD_CONSTRAINT("ban-alter-domain-with-add-constraint", true, false,
            "ALTER DOMAIN ... ADD CONSTRAINT (checks every column of that domain in every table, under lock)"),
    REQUIRE_CONCURRENT_PARTITION_DETACH("require-concurrent-partition-detach", true, true,
            "DETACH PARTITION without CONCURRENTLY (ACCESS EXCLUSIVE lock on the parent)"),
    REQUIRE_TIMEOUT_SETTINGS("require-timeout-settings", true, false,
            "a script that takes ACCESS EXCLUSIVE locks on existing tables without SET lock_timeout first", "require-lock-timeout",
            "require-statement-timeout"),
    LIVE_LOCK_CONFLICT("live-lock-conflict", true, false,
            "live server: another session holds or waits for a lock this statement conflicts with"),
    LIVE_LONG_TRANSACTION("live-long-transaction", false, false,
            "live server: a CONCURRENTLY statement would wait for transactions open longer than PGBOX_LINT_LONG_TRANSACTION"),

    // ---- changes that break the running application
    RENAMING_COLUMN("renaming-column", true, false, "RENAME COLUMN (running code still uses the old name)"),
    RENAMING_TABLE("renaming-table", true, false, "RENAME TO on a table (running code still uses the old name)"),
    BAN_DROP_COLUMN("ban-drop-column", true, false, "DROP COLUMN (running code may still read or write it)"),
    BAN_DROP_TABLE("ban-drop-table", true, false, "DROP TABLE (running code may still use it; the data is gone)"),
    BAN_DROP_DATABASE("ban-drop-database", true, false, "DROP DATABASE"),
    BAN_DROP_NOT_NULL("ban-drop-not-null", false, false, "ALTER COLUMN ... DROP NOT NULL (code that expects a value may get NULL)"),
    BAN_DROP_DEFAULT("ban-drop-default", false, false, "ALTER COLUMN ... DROP DEFAULT (INSERTs that leave the column out change behaviour)"),
    BAN_DROP_CONSTRAINT("ban-drop-constraint", false, false, "DROP CONSTRAINT (rows it kept out can come in)"),
    BAN_DISABLE_TRIGGER("ban-disable-trigger", false, false, "ALTER TABLE ... DISABLE TRIGGER (what the trigger keeps in step stops)"),
    BAN_SET_SCHEMA("ban-set-schema", true, false, "ALTER ... SET SCHEMA (running code still uses the old qualified name)"),
    RENAMING_OBJECT("renaming-object", false, false, "RENAME of a view, function, type, sequence, schema ... (running code still uses the old name)"),
    BAN_DROP_SCHEMA("ban-drop-schema", true, false, "DROP SCHEMA (with CASCADE it takes every table in it)"),
    BAN_DROP_VIEW("ban-drop-view", false, false, "DROP VIEW / MATERIALIZED VIEW (running code may still read it)"),
    BAN_DROP_FUNCTION("ban-drop-function", false, false, "DROP FUNCTION / PROCEDURE (running code, defaults and triggers may still call it)"),
    BAN_DROP_TRIGGER("ban-drop-trigger", false, false, "DROP TRIGGER (what it kept in step stops)"),
    BAN_DROP_TYPE("ban-drop-type", false, false, "DROP TYPE (columns and code may still use it)"),
    BAN_DROP_DOMAIN("ban-drop-domain", false, false, "DROP DOMAIN (columns and code may still use it)"),
    BAN_DROP_SEQUENCE("ban-drop-sequence", false, false, "DROP SEQUENCE (defaults and code may still call nextval on it)"),
    BAN_DROP_EXTENSION("ban-drop-extension", false, false, "DROP EXTENSION (its types, functions and indexes go with it)"),
    BAN_DROP_POLICY("ban-drop-policy", false, false, "DROP POLICY (rows it hid may become visible, or writes it allowed fail)"),

    // ---- transactions
    BAN_CONCURRENT_INDEX_CREATION_IN_TRANSACTION("ban-concurrent-index-creation-in-transaction", true, false,
            "CONCURRENTLY inside BEGIN ... COMMIT (PostgreSQL refuses it)"),
    TRANSACTION_NESTING("transaction-nesting", true, false, "BEGIN inside a transaction, or COMMIT / ROLLBACK outside one"),
    BAN_UNCOMMITTED_TRANSACTION("ban-uncommitted-transaction", true, false, "BEGIN without COMMIT by the end of the script"),
    PREFER_ROBUST_STMTS("prefer-robust-stmts", false, false,
            "CONCURRENTLY without IF [NOT] EXISTS (runs outside a transaction, so a rerun after a failure should not fail again)"),

    // ---- schema style (squawk's prefer-/ban- rules)
    BAN_CHAR_FIELD("ban-char-field", false, false, "char(n) columns (pads with blanks; use text)"),
    PREFER_TEXT_FIELD("prefer-text-field", false, false, "varchar(n) columns (changing n later locks the table; use text with a CHECK)"),
    PREFER_TIMESTAMPTZ("prefer-timestamptz", false, false, "timestamp without time zone"),
    PREFER_BIGINT_OVER_INT("prefer-bigint-over-int", false, false, "an int / serial primary key or identity (runs out at 2^31)", "prefer-big-int"),
    PREFER_BIGINT_OVER_SMALLINT("prefer-bigint-over-smallint", false, false, "a smallint / smallserial primary key or identity (runs out at 32767)",
            "prefer-big-int"),
    PREFER_IDENTITY("prefer-identity", false, false, "serial / bigserial columns (use GENERATED ... AS IDENTITY)"),
    BAN_CREATE_DOMAIN_WITH_CONSTRAINT("ban-create-domain-with-constraint", false, false,
            "CREATE DOMAIN with a CHECK (changing it later checks every column that uses it, under lock)"),

    // ---- the linter itself
    SYNTAX_ERROR("syntax-error", true, false, "SQL that PostgreSQL's parser rejects"),
    ACCEPT_WITHOUT_REASON("accept-without-reason", true, false, "a 'pgbox-lint: accept' comment without 'because <reason>'"),
    ACCEPT_UNKNOWN_RULE("accept-unknown-rule", false, false, "an accept comment naming a rule the linter does not know");

    private final String id;
    private final boolean error;
    private final boolean sizeSensitive;
    private final String catches;
    private final List<String> aliases;

    LintRule(String id, boolean error, boolean sizeSensitive, String catches, String... aliases) {
        this.id = id;
        this.error = error;
        this.sizeSensitive = sizeSensitive;
        this.catches = catches;
        this.aliases = List.of(aliases);
    }

    public String id() {
        return id;
    }

    /** "error" or "warning": the severity offline, where every existing table counts as big. */
    public String severity() {
        return error ? "error" : "warning";
    }

    /** True when a live server softens it to a warning on a table smaller than PGBOX_LINT_SMALL_TABLE. */
    public boolean sizeSensitive() {
        return sizeSensitive;
    }

    /** What it catches, one line. */
    public String catches() {
        return catches;
    }

    /** Other names an accept comment may use (squawk's older names). */
    public List<String> aliases() {
        return aliases;
    }

    /** The rules a name in an accept comment means (an alias may mean two), empty when unknown. */
    public static List<LintRule> named(String name) {
        String n = name.strip().toLowerCase(Locale.ROOT);
        return Arrays.stream(values()).filter(r -> r.id.equals(n) || r.aliases.contains(n)).toList();
    }

    public static Optional<LintRule> byId(String id) {
        return Arrays.stream(values()).filter(r -> r.id.equals(id)).findFirst();
    }
}
