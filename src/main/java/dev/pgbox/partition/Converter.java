package dev.pgbox.partition;

import static dev.pgbox.sql.SqlText.ident;
import static dev.pgbox.sql.SqlText.literal;

import dev.pgbox.ErrorKind;
import dev.pgbox.PgboxException;
import dev.pgbox.Progress;
import dev.pgbox.security.Rls.TableName;
import dev.pgbox.sql.Jdbc;
import dev.pgbox.sql.RoleSql;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * 'pgbox partition convert': a plain table becomes a pg_partman partition set while the app keeps
 * writing. An empty partitioned copy is made (same columns, defaults, checks, indexes, foreign keys),
 * pg_partman makes its partitions from the oldest row on, a trigger mirrors every change of the old
 * table into the copy, batches copy the rows in key order, and one short transaction swaps the names
 * (old table kept as TABLE_pre_partition). Until that transaction commits the original table is
 * untouched apart from the mirror trigger, and any failure drops the copy and the trigger again.
 */
final class Converter {
    /** More partitions than this from the oldest row to now is a wrong interval, not a plan. */
    static final long MAX_PARTITIONS = 2_000;
    static final int SWAP_ATTEMPTS = 5;
    static final String MIRROR_TRIGGER = "pgbox_mirror";
    private static final String LOCK_NOT_AVAILABLE = "55P03";

    private final RoleSql owner;
    private final String db;
    private final TableName old;
    private final TableName copy;
    private final TableName keptAs;
    private final String function;
    private final PartitionSpec spec;
    private final int batchRows;
    private final String lockTimeout;
    private final Progress progress;
    private final List<String> notes = new ArrayList<>();

    /** What 'partition convert' did; times in seconds, the swap's lock in milliseconds. */
    public record Converted(String database, String table, String keptAs, String column, String interval, List<String> primaryKey,
                            boolean primaryKeyWidened, long rows, long partitions, double copySeconds, double totalSeconds,
                            long swapLockMillis, long swapCountMillis, int swapAttempts, List<String> notes) {
    }

    Converter(RoleSql owner, String db, TableName old, PartitionSpec spec, int batchRows, String lockTimeout, Progress progress) {
        this.owner = owner;
        this.db = db;
        this.old = old;
        this.spec = spec;
        this.batchRows = batchRows;
        this.lockTimeout = lockTimeout;
        this.progress = progress;
        this.copy = new TableName(old.schema(), cut(old.table(), 30) + "_pgbox_new");
        this.keptAs = new TableName(old.schema(), cut(old.table(), 49) + "_pre_partition");
        this.function = Partitions.quoted(old.schema(), cut(old.table(), 40) + "_pgbox_mirror");
    }

    /** The marker on the copy, so a later run knows an unfinished copy is its own to drop. */
    String marker() {
        return "pgbox partition convert of " + old + " (unfinished copy: dropped by the next convert)";
    }

    Converted run() {
        if (batchRows < 1) {
            throw new PgboxException(ErrorKind.USAGE, "invalid --batch-rows " + batchRows, "a batch copies at least one row",
                    "--batch-rows 10000");
        }
        long started = System.nanoTime();
        return owner.transaction(c -> {
            execute(c, "SET statement_timeout = 0");
            c.commit();
            dropLeftovers(c);
            Facts f = facts(c);
            boolean swapped = false;
            try {
                prepare(c, f);
                long copyStart = System.nanoTime();
                long rows = copyRows(c, f);
                double copySeconds = (System.nanoTime() - copyStart) / 1e9;
                // outside any lock: statistics for the copy, and visibility maps for both tables, so that the
                // swap's row counts (under the lock) can read the indexes instead of every page
                progress.step("vacuuming and analyzing the copy, vacuuming " + old);
                c.commit();
                c.setAutoCommit(true);
                try {
                    execute(c, "VACUUM (ANALYZE) " + copy.sql());
                    execute(c, "VACUUM " + old.sql());
                } finally {
                    c.setAutoCommit(false);
                }
                Swap s = swap(c, f);
                swapped = true;
                long partitions = Long.parseLong(one(c, "SELECT count(*) FROM pg_inherits i JOIN pg_class k ON k.oid = i.inhrelid"
                        + " WHERE i.inhparent = $1::regclass AND pg_get_expr(k.relpartbound, k.oid) <> 'DEFAULT'", old.sql()));
                return new Converted(db, old.toString(), keptAs.toString(), spec.column(), spec.interval(), f.newKey,
                        !f.newKey.equals(f.key), Math.max(rows, s.rows), partitions, copySeconds, (System.nanoTime() - started) / 1e9,
                        s.lockMillis, s.countMillis, s.attempts, List.copyOf(notes));
            } catch (SQLException | RuntimeException e) {
                if (!swapped) {
                    c.rollback();
                    progress.step("convert failed: dropping the copy and the mirror trigger (" + old + " is unchanged)");
                    dropCopy(c);
                }
                throw e;
            }
        }, "converting " + old);
    }

    /** The catalog facts convert works from. */
    static final class Facts {
        List<String> columns;
        List<String> key;
        List<String> keyTypes;
        List<String> newKey;
        String keyName;
        String minimum;
        long estimate;
        List<String[]> indexes = new ArrayList<>();
        List<String[]> foreignKeys = new ArrayList<>();
    }

    private Facts facts(Connection c) throws SQLException {
        Partitions.Inspected t = inspect(c);
        if (t.relkind().isEmpty()) {
            throw new PgboxException(ErrorKind.CONFIG, "no table " + old + " in app " + db, "to_regclass found nothing of that name",
                    "check the name with: pgbox db query --app " + db + " \"\\\\dt\"");
        }
        if (t.relkind().equals("p")) {
            throw new PgboxException(ErrorKind.CONFIG, old + " is already a partitioned table", "there is nothing to convert",
                    "hand it to pg_partman instead: pgbox partition create " + db + " " + old + " --column " + spec.column());
        }
        if (!t.relkind().equals("r")) {
            throw new PgboxException(ErrorKind.CONFIG, old + " is not a plain table", "its relkind is " + t.relkind(),
                    "convert moves an ordinary table");
        }
        Partitions.requireColumnType(old, spec, t);
        String oid = old.sql();
        Facts f = new Facts();
        f.columns = column(c, "SELECT attname FROM pg_attribute WHERE attrelid = $1::regclass AND attnum > 0 AND NOT attisdropped"
                + " AND attgenerated = '' ORDER BY attnum", oid);
        List<List<String>> pk = rows(c, "SELECT a.attname, format_type(a.atttypid, a.atttypmod), k.conname FROM pg_constraint k"
                + " CROSS JOIN LATERAL unnest(k.conkey) WITH ORDINALITY u(attnum, ord)"
                + " JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = u.attnum"
                + " WHERE k.conrelid = $1::regclass AND k.contype = 'p' ORDER BY u.ord", oid);
        if (pk.isEmpty()) {
            throw refuse("it has no primary key", "the copy and the mirror trigger find rows by their key",
                    "add a primary key first (CREATE UNIQUE INDEX CONCURRENTLY, then ADD PRIMARY KEY USING INDEX)");
        }
        f.key = pk.stream().map(r -> r.get(0)).toList();
        f.keyTypes = pk.stream().map(r -> r.get(1)).toList();
        f.keyName = pk.get(0).get(2);
        f.newKey = PartitionSql.newPrimaryKey(f.key, spec.column());
        List<String> refs = column(c, "SELECT format('%s (%s)', conrelid::regclass, conname) FROM pg_constraint"
                + " WHERE confrelid = $1::regclass AND contype = 'f' AND conrelid <> confrelid", oid);
        if (!refs.isEmpty()) {
            throw refuse("other tables reference it by foreign key: " + String.join(", ", refs),
                    "a partitioned table's key must hold the partition column, so these foreign keys could not point at it",
                    "drop those foreign keys (or make them reference (key, " + spec.column() + ")) before converting");
        }
        List<String> uniques = column(c, "SELECT format('%s', i.indexrelid::regclass) FROM pg_index i WHERE i.indrelid = $1::regclass"
                + " AND (i.indisunique OR i.indisexclusion) AND NOT i.indisprimary AND (i.indisexclusion OR NOT EXISTS"
                + " (SELECT FROM pg_attribute a WHERE a.attrelid = i.indrelid AND a.attname = $2 AND a.attnum = ANY (i.indkey::int2[])))",
                oid, spec.column());
        if (!uniques.isEmpty()) {
            throw refuse("unique or exclusion indexes without " + spec.column() + ": " + String.join(", ", uniques),
                    "PostgreSQL enforces uniqueness on a partitioned table only when the partition column is part of it",
                    "add " + spec.column() + " to them (a new unique index CONCURRENTLY, then drop the old one), or drop them");
        }
        List<String> views = column(c, "SELECT DISTINCT format('%s', r.ev_class::regclass) FROM pg_depend d"
                + " JOIN pg_rewrite r ON r.oid = d.objid WHERE d.classid = 'pg_rewrite'::regclass AND d.refobjid = $1::regclass"
                + " AND r.ev_class <> $1::regclass", oid);
        if (!views.isEmpty()) {
            throw refuse("views depend on it: " + String.join(", ", views),
                    "a view keeps pointing at the old table after the swap", "drop the views, convert, then create them again");
        }
        if (!one(c, "SELECT count(*) FROM pg_inherits WHERE inhrelid = $1::regclass OR inhparent = $1::regclass", oid).equals("0")) {
            throw refuse("it takes part in table inheritance", "convert moves a stand-alone table", "detach it first");
        }
        if (one(c, "SELECT relrowsecurity OR EXISTS (SELECT FROM pg_policy WHERE polrelid = $1::regclass) FROM pg_class"
                + " WHERE oid = $1::regclass", oid).equals("t")) {
            throw refuse("it has row-level security", "pgbox does not carry policies over to the partitioned copy yet",
                    "disable row-level security and drop its policies, convert, then run 'pgbox rls enable' on the new table");
        }
        String taken = one(c, "SELECT string_agg(n, ', ') FROM unnest(ARRAY[$1, $2]) n WHERE to_regclass(n) IS NOT NULL",
                keptAs.sql(), copy.sql());
        if (!taken.isEmpty()) {
            throw refuse("the name " + taken + " is taken", "convert keeps the old table as " + keptAs + " and builds " + copy,
                    "drop or rename " + taken + " (a kept " + keptAs + " from an earlier convert: DROP TABLE " + keptAs + ")");
        }
        f.minimum = one(c, "SELECT min(" + ident(spec.column()) + ")::text FROM ONLY " + oid);
        long partitions = f.minimum.isEmpty() ? 0 : Long.parseLong(one(c, "SELECT ceil(extract(epoch FROM (now() - $1::timestamptz)) / $2)::bigint",
                f.minimum, spec.seconds())) + spec.premake();
        if (partitions > MAX_PARTITIONS) {
            throw refuse("its oldest row (" + f.minimum + ") is " + partitions + " " + spec.interval() + " partitions ago",
                    "more than " + MAX_PARTITIONS + " partitions make planning slow", "choose a longer --interval");
        }
        f.estimate = Long.parseLong(one(c, "SELECT greatest(reltuples, 0)::bigint FROM pg_class WHERE oid = $1::regclass", oid));
        if (f.estimate == 0) {
            f.estimate = Long.parseLong(one(c, "SELECT count(*) FROM ONLY " + oid));
        }
        f.indexes = rows(c, "SELECT c.relname, pg_get_indexdef(i.indexrelid), coalesce(k.contype::text, ''),"
                + " coalesce(pg_get_constraintdef(k.oid), ''), format('CREATE %sINDEX %I ON %I.%I ', CASE WHEN i.indisunique THEN"
                + " 'UNIQUE ' ELSE '' END, c.relname, $2, $3) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid"
                + " LEFT JOIN pg_constraint k ON k.conindid = i.indexrelid AND k.conrelid = i.indrelid"
                + " WHERE i.indrelid = $1::regclass ORDER BY c.relname", oid, old.schema(), old.table()).stream()
                .map(r -> r.toArray(String[]::new)).toList();
        f.foreignKeys = rows(c, "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = $1::regclass"
                + " AND contype = 'f' ORDER BY conname", oid).stream().map(r -> r.toArray(String[]::new)).toList();
        c.commit();
        return f;
    }

    /** The partitioned copy with its key, indexes, foreign keys and partitions, and the mirror trigger. */
    private void prepare(Connection c, Facts f) throws SQLException {
        progress.step("creating the partitioned copy " + copy + " (" + spec.interval() + " partitions from "
                + (f.minimum.isEmpty() ? "now" : f.minimum) + ")");
        execute(c, PartitionSql.createCopy(old, copy, spec.column()));
        execute(c, "COMMENT ON TABLE " + copy.sql() + " IS " + literal(marker()));
        execute(c, "ALTER TABLE " + copy.sql() + " ADD CONSTRAINT " + ident(tempName(f.keyName)) + " PRIMARY KEY ("
                + PartitionSql.columnList(f.newKey) + ")");
        if (!f.newKey.equals(f.key)) {
            notes.add("the primary key is now (" + String.join(", ", f.newKey) + "): a partitioned table's key must hold " + spec.column()
                    + "; (" + String.join(", ", f.key) + ") alone is no longer enforced unique across partitions");
        }
        for (String[] ix : f.indexes) {
            String name = ix[0];
            String def = ix[1];
            String contype = ix[2];
            if (contype.equals("p")) {
                continue;
            }
            if (contype.equals("u")) {
                execute(c, "ALTER TABLE " + copy.sql() + " ADD CONSTRAINT " + ident(tempName(name)) + " " + ix[3]);
            } else if (def.startsWith(ix[4])) {
                String rest = def.substring(ix[4].length());
                execute(c, "CREATE " + (def.startsWith("CREATE UNIQUE") ? "UNIQUE " : "") + "INDEX " + ident(tempName(name))
                        + " ON " + copy.sql() + " " + rest);
            } else {
                throw new PgboxException(ErrorKind.FAILURE, "cannot read the definition of index " + name, def,
                        "create the partitioned table by hand, or report this");
            }
        }
        for (String[] fk : f.foreignKeys) {
            execute(c, "ALTER TABLE " + copy.sql() + " ADD CONSTRAINT " + ident(fk[0]) + " " + fk[1]);
        }
        query(c, PartitionSql.CREATE_PARENT, copy.toString(), spec.column(), spec.interval(), spec.premake(),
                f.minimum.isEmpty() ? spec.start() : f.minimum);
        execute(c, PartitionSql.CONFIGURE, spec.premake(), spec.retention(), copy.toString());
        String clash = one(c, "SELECT string_agg(f, ', ') FROM (" + finalNames() + ") y WHERE to_regclass(format('%I.%I', $4::text, f))"
                + " IS NOT NULL", copy.sql(), copy.table(), old.table(), old.schema());
        if (!clash.isEmpty()) {
            throw refuse("the partitions would be named like existing tables: " + clash, "after the swap partitions are named "
                    + old.table() + "_p..., as pg_partman names them", "rename or drop those tables first");
        }
        c.commit();
        progress.step("adding the mirror trigger to " + old + " (every write is copied from now on)");
        execute(c, PartitionSql.mirrorFunction(function, copy, f.columns, f.key, spec.column()));
        c.commit();
        withLockRetries(c, "adding the mirror trigger", () -> {
            execute(c, PartitionSql.mirrorTriggers(MIRROR_TRIGGER, old, function));
            return null;
        });
    }

    /** Copies every row in key order, in batches of their own transaction, with progress. */
    private long copyRows(Connection c, Facts f) throws SQLException {
        progress.step("copying about " + f.estimate + " rows of " + old + " in batches of " + batchRows);
        String first = PartitionSql.batch(old, copy, f.columns, f.key, f.keyTypes, true);
        String next = PartitionSql.batch(old, copy, f.columns, f.key, f.keyTypes, false);
        List<String> last = null;
        long copied = 0;
        int busy = 0;
        long start = System.nanoTime();
        long shown = start;
        while (true) {
            List<Object> params = new ArrayList<>();
            if (last != null) {
                params.addAll(last);
            }
            params.add(batchRows);
            List<String> r;
            try {
                r = query(c, last == null ? first : next, params.toArray()).get(0);
                c.commit();
            } catch (SQLException e) {
                c.rollback();
                if (!LOCK_NOT_AVAILABLE.equals(e.getSQLState())) {
                    throw e;
                }
                // a writer holds one of the next rows: wait for it instead of copying its old version
                busy++;
                if (busy % 50 == 0) {
                    progress.detail("rows of the next batch stay locked by the app; retried " + busy + " times");
                }
                sleep(Math.min(1_000, 10L * busy));
                continue;
            }
            busy = 0;
            long n = Long.parseLong(r.get(0));
            if (n == 0) {
                break;
            }
            copied += n;
            last = r.subList(1, r.size());
            long now = System.nanoTime();
            if (now - shown > 2_000_000_000L) {
                shown = now;
                double secs = (now - start) / 1e9;
                progress.detail(String.format(Locale.ROOT, "%d / ~%d rows (%.0f %%), %.0f rows/s", copied, Math.max(copied, f.estimate),
                        100.0 * copied / Math.max(copied, Math.max(1, f.estimate)), copied / secs));
            }
        }
        double secs = Math.max(1e-3, (System.nanoTime() - start) / 1e9);
        progress.detail(String.format(Locale.ROOT, "%d rows copied in %.1f s (%.0f rows/s)", copied, secs, copied / secs));
        return copied;
    }

    private record Swap(long lockMillis, long countMillis, int attempts, long rows) {
    }

    /**
     * The one short transaction that makes the copy the table: lock the old table (waiting at most
     * lock_timeout, retried), compare row counts, carry sequences, triggers, grants and the comment
     * over, rename old, copy and partitions, and drop the mirror trigger.
     */
    private Swap swap(Connection c, Facts f) throws SQLException {
        String oid = old.sql();
        List<String> triggers = column(c, "SELECT pg_get_triggerdef(oid) FROM pg_trigger WHERE tgrelid = $1::regclass"
                + " AND NOT tgisinternal AND tgname NOT IN ($2, $3) ORDER BY tgname", oid, MIRROR_TRIGGER, MIRROR_TRIGGER + "_t");
        List<List<String>> grants = rows(c, "SELECT coalesce(r.rolname, ''), a.privilege_type FROM pg_class k"
                + " CROSS JOIN LATERAL aclexplode(k.relacl) a LEFT JOIN pg_roles r ON r.oid = a.grantee"
                + " WHERE k.oid = $1::regclass AND a.grantee <> k.relowner", oid);
        String comment = one(c, "SELECT coalesce(obj_description($1::regclass, 'pg_class'), '')", oid);
        List<List<String>> owned = rows(c, "SELECT format('%s', s.oid::regclass), a.attname FROM pg_depend d"
                + " JOIN pg_class s ON s.oid = d.objid AND s.relkind = 'S'"
                + " JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid"
                + " WHERE d.refobjid = $1::regclass AND d.classid = 'pg_class'::regclass AND d.deptype = 'a'", oid);
        List<List<String>> identity = rows(c, "SELECT pg_get_serial_sequence($1, attname), pg_get_serial_sequence($2, attname)"
                + " FROM pg_attribute WHERE attrelid = $1::regclass AND attidentity <> '' AND NOT attisdropped", oid, copy.sql());
        c.commit();
        progress.step("swapping " + old + " and its partitioned copy (lock_timeout " + lockTimeout + ", up to " + SWAP_ATTEMPTS
                + " tries)");
        for (int attempt = 1; ; attempt++) {
            long locked = 0;
            try {
                query(c, "SELECT set_config('lock_timeout', $1, true)", lockTimeout);
                execute(c, "LOCK TABLE " + oid + " IN ACCESS EXCLUSIVE MODE");
                locked = System.nanoTime();
                execute(c, "LOCK TABLE " + copy.sql() + " IN ACCESS EXCLUSIVE MODE");
                List<String> counts = query(c, "SELECT (SELECT count(*) FROM ONLY " + oid + "), (SELECT count(*) FROM " + copy.sql() + ")")
                        .get(0);
                long counted = (System.nanoTime() - locked) / 1_000_000;
                if (!counts.get(0).equals(counts.get(1))) {
                    throw new PgboxException(ErrorKind.FAILURE, "the copy of " + old + " has " + counts.get(1) + " rows, the table "
                            + counts.get(0), "a write was not mirrored (for example a REPEATABLE READ transaction updated a row"
                            + " while it was copied)", "run the convert again; nothing was swapped");
                }
                for (List<String> id : identity) {
                    query(c, "SELECT setval($1::regclass, s.last_value, s.is_called) FROM " + id.get(0) + " s", id.get(1));
                }
                execute(c, "DROP TRIGGER " + ident(MIRROR_TRIGGER) + " ON " + oid);
                execute(c, "DROP TRIGGER " + ident(MIRROR_TRIGGER + "_t") + " ON " + oid);
                execute(c, "DROP FUNCTION " + function + "()");
                execute(c, "ALTER TABLE " + oid + " RENAME TO " + ident(keptAs.table()));
                for (String[] ix : f.indexes) {
                    execute(c, "ALTER INDEX " + Partitions.quoted(old.schema(), ix[0]) + " RENAME TO " + ident(cut(ix[0], 49) + "_pre_partition"));
                }
                execute(c, "ALTER TABLE " + copy.sql() + " RENAME TO " + ident(old.table()));
                for (String[] ix : f.indexes) {
                    execute(c, "ALTER INDEX " + Partitions.quoted(old.schema(), tempName(ix[0])) + " RENAME TO " + ident(ix[0]));
                }
                for (List<String> child : query(c, finalNames().replace("SELECT f FROM", "SELECT k, f FROM"), oid, copy.table(),
                        old.table())) {
                    execute(c, "ALTER TABLE " + Partitions.quoted(old.schema(), child.get(0)) + " RENAME TO " + ident(child.get(1)));
                }
                String template = one(c, "SELECT template_table FROM partman.part_config WHERE parent_table = $1", copy.toString());
                String newTemplate = one(c, "SELECT 'partman.' || partman.check_name_length('template_' || $1 || '_' || $2)", old.schema(),
                        old.table());
                if (!template.isEmpty() && one(c, "SELECT to_regclass($1) IS NULL", newTemplate).equals("t")) {
                    execute(c, "ALTER TABLE " + template + " RENAME TO " + ident(newTemplate.substring("partman.".length())));
                    template = newTemplate;
                }
                execute(c, "UPDATE partman.part_config SET parent_table = $1, template_table = nullif($2, '') WHERE parent_table = $3",
                        old.toString(), template, copy.toString());
                for (List<String> s : owned) {
                    execute(c, "ALTER SEQUENCE " + s.get(0) + " OWNED BY " + oid + "." + ident(s.get(1)));
                }
                for (String t : triggers) {
                    // the definitions name the table as it was called before the renames: now the partitioned one
                    execute(c, t);
                }
                for (List<String> g : grants) {
                    execute(c, "GRANT " + g.get(1) + " ON " + oid + " TO " + (g.get(0).isEmpty() ? "PUBLIC" : ident(g.get(0))));
                }
                execute(c, "COMMENT ON TABLE " + oid + " IS " + (comment.isEmpty() ? "NULL" : literal(comment)));
                c.commit();
                long held = (System.nanoTime() - locked) / 1_000_000;
                progress.detail("swapped on try " + attempt + "; lock held " + held + " ms (of which counting " + counts.get(0)
                        + " rows in both tables " + counted + " ms)");
                return new Swap(held, counted, attempt, Long.parseLong(counts.get(0)));
            } catch (SQLException e) {
                c.rollback();
                if (!LOCK_NOT_AVAILABLE.equals(e.getSQLState()) || attempt >= SWAP_ATTEMPTS) {
                    if (LOCK_NOT_AVAILABLE.equals(e.getSQLState())) {
                        throw new PgboxException(ErrorKind.TIMEOUT, "could not lock " + old + " for the swap in " + SWAP_ATTEMPTS + " tries",
                                "long transactions kept it busy for longer than lock_timeout " + lockTimeout + " each time",
                                "run the convert again at a quieter time, or raise PGBOX_PARTITION_LOCK_TIMEOUT");
                    }
                    throw e;
                }
                progress.detail("try " + attempt + ": " + Jdbc.sqlCause(e) + "; trying again");
                sleep(500L * attempt);
            }
        }
    }

    /**
     * Rows (k, f): each partition of the parent $1 and the name pg_partman would give it under the
     * table's own name $3; $2 is the copy's name, which the partition names start with.
     */
    private static String finalNames() {
        return "SELECT f FROM (SELECT k.relname AS k, CASE WHEN k.relname = partman.check_name_length($2::text, '_default', false)"
                + " THEN partman.check_name_length($3::text, '_default', false)"
                + " ELSE partman.check_name_length($3::text, substr(k.relname, length($2::text) + 3), true) END AS f"
                + " FROM pg_inherits i JOIN pg_class k ON k.oid = i.inhrelid WHERE i.inhparent = $1::regclass) x";
    }

    /** Drops an unfinished copy of an earlier run (recognised by its marker comment) and its trigger. */
    private void dropLeftovers(Connection c) throws SQLException {
        String mark = one(c, "SELECT coalesce(obj_description(to_regclass($1), 'pg_class'), '')", copy.sql());
        if (mark.equals(marker())) {
            progress.step("an earlier convert of " + old + " did not finish: dropping its copy and starting again");
            dropCopy(c);
        }
    }

    /** Removes the mirror trigger and function, the copy, its pg_partman config and template. Never touches the old rows. */
    private void dropCopy(Connection c) throws SQLException {
        withLockRetries(c, "dropping the mirror trigger", () -> {
            execute(c, "DROP TRIGGER IF EXISTS " + ident(MIRROR_TRIGGER) + " ON " + old.sql());
            execute(c, "DROP TRIGGER IF EXISTS " + ident(MIRROR_TRIGGER + "_t") + " ON " + old.sql());
            return null;
        });
        execute(c, "DROP FUNCTION IF EXISTS " + function + "()");
        String template = one(c, "SELECT coalesce(template_table, '') FROM partman.part_config WHERE parent_table = $1", copy.toString());
        execute(c, "DELETE FROM partman.part_config WHERE parent_table = $1", copy.toString());
        if (!template.isEmpty()) {
            execute(c, "DROP TABLE IF EXISTS " + template);
        }
        execute(c, "DROP TABLE IF EXISTS " + copy.sql());
        c.commit();
    }

    private interface Step {
        Object run() throws SQLException;
    }

    /** A DDL step that needs a lock the app's writes hold: lock_timeout, then retried, so writers never queue long. */
    private void withLockRetries(Connection c, String what, Step step) throws SQLException {
        for (int attempt = 1; ; attempt++) {
            try {
                query(c, "SELECT set_config('lock_timeout', $1, true)", lockTimeout);
                step.run();
                c.commit();
                return;
            } catch (SQLException e) {
                c.rollback();
                if (!LOCK_NOT_AVAILABLE.equals(e.getSQLState()) || attempt >= SWAP_ATTEMPTS * 2) {
                    throw e;
                }
                progress.detail(what + ": try " + attempt + " waited longer than " + lockTimeout + "; trying again");
                sleep(500L * attempt);
            }
        }
    }

    private Partitions.Inspected inspect(Connection c) throws SQLException {
        List<String> r = query(c, PartitionSql.INSPECT, old.sql(), spec.column(), old.toString()).get(0);
        c.commit();
        return new Partitions.Inspected(r.get(0), r.get(1), r.get(2), Integer.parseInt(r.get(3)), Long.parseLong(r.get(4)), r.get(5),
                "t".equals(r.get(6)), r.get(7));
    }

    private PgboxException refuse(String cause, String why, String fix) {
        return new PgboxException(ErrorKind.CONFIG, "cannot convert " + old + ": " + cause, why, fix);
    }

    /** A name for an index of the copy while both tables exist; renamed to the original at the swap. */
    private String tempName(String original) {
        return cut(original, 50) + "_pgbox_new";
    }

    static String cut(String name, int bytes) {
        return name.length() <= bytes ? name : name.substring(0, bytes);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PgboxException(ErrorKind.FAILURE, "interrupted", "the convert was interrupted", "run it again");
        }
    }

    // ---- statements on the convert's own connection (values bound)

    private static void execute(Connection c, String sql, Object... params) throws SQLException {
        RoleSql.update(c, sql, params);
    }

    private static List<List<String>> query(Connection c, String sql, Object... params) throws SQLException {
        return RoleSql.query(c, sql, params);
    }

    private static List<List<String>> rows(Connection c, String sql, Object... params) throws SQLException {
        return query(c, sql, params);
    }

    private static List<String> column(Connection c, String sql, Object... params) throws SQLException {
        return query(c, sql, params).stream().map(r -> r.get(0)).toList();
    }

    private static String one(Connection c, String sql, Object... params) throws SQLException {
        List<List<String>> r = query(c, sql, params);
        return r.isEmpty() || r.get(0).get(0) == null ? "" : r.get(0).get(0);
    }
}
