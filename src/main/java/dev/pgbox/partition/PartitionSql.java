package dev.pgbox.partition;

import static dev.pgbox.sql.SqlText.ident;

import dev.pgbox.security.Rls.TableName;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The SQL text behind 'pgbox partition'. Identifiers arrive validated and are quoted here; values are
 * {@code $n} parameters for the door to bind. Type names come from format_type() in the catalog.
 */
final class PartitionSql {
    private PartitionSql() {
    }

    /**
     * One row about {@code $1} (the quoted schema.table) and column {@code $2}: relkind ('' when there is
     * no such table), partition strategy, first partition key column, number of key columns, number of
     * partitions, the column's type ('' when missing), NOT NULL, and pg_partman's interval when it
     * manages the table ({@code $3}: schema.table as part_config spells it).
     */
    static final String INSPECT = """
            SELECT coalesce(c.relkind::text, ''), coalesce(p.partstrat::text, ''),
                   coalesce((SELECT a.attname FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attnum = p.partattrs[0]), ''),
                   coalesce(p.partnatts, 0),
                   (SELECT count(*) FROM pg_inherits i WHERE i.inhparent = c.oid),
                   coalesce((SELECT format_type(a.atttypid, a.atttypmod) FROM pg_attribute a
                             WHERE a.attrelid = c.oid AND a.attname = $2 AND a.attnum > 0 AND NOT a.attisdropped), ''),
                   coalesce((SELECT a.attnotnull FROM pg_attribute a
                             WHERE a.attrelid = c.oid AND a.attname = $2 AND a.attnum > 0 AND NOT a.attisdropped), false),
                   coalesce((SELECT pc.partition_interval || '|' || pc.control FROM partman.part_config pc WHERE pc.parent_table = $3), '')
            FROM (SELECT to_regclass($1) AS oid) r LEFT JOIN pg_class c ON c.oid = r.oid
            LEFT JOIN pg_partitioned_table p ON p.partrelid = c.oid
            """;

    /** Hands a RANGE-partitioned table to pg_partman: $1 schema.table, $2 column, $3 interval, $4 premake, $5 start or null. */
    static final String CREATE_PARENT = "SELECT partman.create_parent(p_parent_table => $1, p_control => $2, p_type => 'native',"
            + " p_interval => $3, p_premake => $4, p_start_partition => $5::text)";

    /**
     * pgbox's settings for a partition set: $1 premake, $2 retention (null keeps the stored one, ''
     * clears it), $3 schema.table. infinite_time_partitions: partitions are made ahead even when no new
     * rows arrive; retention drops the tables (retention_keep_table false) instead of detaching them.
     */
    static final String CONFIGURE = """
            UPDATE partman.part_config SET premake = $1,
                   retention = CASE WHEN $2::text IS NULL THEN retention ELSE nullif($2::text, '') END,
                   retention_keep_table = false, infinite_time_partitions = true
            WHERE parent_table = $3
            """;

    /** pg_partman's maintenance of one partition set ($1): partitions ahead, retention. */
    static final String MAINTAIN = "SELECT partman.run_maintenance(p_parent_table => $1)";

    /**
     * Every partition set pg_partman manages in this database, with its partitions: parent, control,
     * interval, premake, retention, partitions (not counting the default), lowest lower bound, highest
     * upper bound, default partition (schema-qualified, quoted), total bytes of every leaf.
     */
    static final String LIST = """
            SELECT pc.parent_table, pc.control, pc.partition_interval, pc.premake, coalesce(pc.retention, ''),
                   k.n, coalesce(k.oldest, ''), coalesce(k.newest, ''), coalesce(k.default_name, ''),
                   coalesce((SELECT sum(pg_total_relation_size(t.relid)) FROM pg_partition_tree(to_regclass(pc.parent_table)) t
                             WHERE t.isleaf), 0)
            FROM partman.part_config pc
            CROSS JOIN LATERAL (
              SELECT count(*) FILTER (WHERE b.m IS NOT NULL) AS n, min(b.m[1]) AS oldest, max(b.m[2]) AS newest,
                     max(format('%I.%I', b.nsp, b.relname)) FILTER (WHERE b.bound = 'DEFAULT') AS default_name
              FROM (SELECT n.nspname AS nsp, k.relname, pg_get_expr(k.relpartbound, k.oid) AS bound,
                           regexp_match(pg_get_expr(k.relpartbound, k.oid), '^FOR VALUES FROM \\(''(.*)''\\) TO \\(''(.*)''\\)$') AS m
                    FROM pg_inherits i JOIN pg_class k ON k.oid = i.inhrelid JOIN pg_namespace n ON n.oid = k.relnamespace
                    WHERE i.inhparent = to_regclass(pc.parent_table)) b
            ) k
            WHERE to_regclass(pc.parent_table) IS NOT NULL AND pc.partition_type = 'native'
            ORDER BY pc.parent_table
            """;

    /** Rows in a default partition, counted up to {@code cap} + 1 so a huge one costs no full scan. */
    static String defaultRows(String quotedDefault, long cap) {
        return "SELECT count(*) FROM (SELECT 1 FROM ONLY " + quotedDefault + " LIMIT " + (cap + 1) + ") s";
    }

    /** What to write in a migration to make {@code t} a table pg_partman can manage. */
    static String exampleTable(TableName t, String column) {
        return "CREATE TABLE " + t + " (id uuid NOT NULL DEFAULT gen_random_uuid(), ..., " + column
                + " timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (id, " + column + ")) PARTITION BY RANGE (" + column + ");";
    }

    // ---- convert

    /** The empty partitioned copy of {@code old}: same columns, defaults, checks, identity, storage and comments. */
    static String createCopy(TableName old, TableName copy, String column) {
        return "CREATE TABLE " + copy.sql() + " (LIKE " + old.sql() + " INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING STORAGE"
                + " INCLUDING COMMENTS INCLUDING GENERATED INCLUDING IDENTITY INCLUDING STATISTICS INCLUDING COMPRESSION)"
                + " PARTITION BY RANGE (" + ident(column) + ")";
    }

    /** The copy's primary key: the old one's columns, plus the partition column when they lack it. */
    static List<String> newPrimaryKey(List<String> oldKey, String column) {
        if (oldKey.contains(column)) {
            return oldKey;
        }
        return java.util.stream.Stream.concat(oldKey.stream(), java.util.stream.Stream.of(column)).toList();
    }

    static String columnList(List<String> columns) {
        return columns.stream().map(dev.pgbox.sql.SqlText::ident).collect(Collectors.joining(", "));
    }

    /**
     * The trigger function that mirrors every change of {@code old} into {@code copy} while rows are
     * copied. SECURITY DEFINER: it runs as the owner, so any role that may write the old table writes
     * the copy through it. An UPDATE is a delete of the old version (found by key and partition column,
     * so one partition is searched) and an insert of the new one, which also moves a row whose
     * partition column changed.
     */
    static String mirrorFunction(String function, TableName copy, List<String> columns, List<String> key, String column) {
        List<String> match = newPrimaryKey(key, column);
        String where = match.stream().map(c -> ident(c) + " = OLD." + ident(c)).collect(Collectors.joining(" AND "));
        String values = columns.stream().map(c -> "NEW." + ident(c)).collect(Collectors.joining(", "));
        String insert = "INSERT INTO " + copy.sql() + " (" + columnList(columns) + ") OVERRIDING SYSTEM VALUE VALUES (" + values + ");";
        return "CREATE FUNCTION " + function + "() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER"
                + " SET search_path = pg_catalog, pg_temp AS $pgbox$\n"
                + "BEGIN\n"
                + "  IF TG_OP = 'TRUNCATE' THEN\n"
                + "    TRUNCATE " + copy.sql() + ";\n"
                + "    RETURN NULL;\n"
                + "  END IF;\n"
                + "  IF TG_OP IN ('UPDATE', 'DELETE') THEN\n"
                + "    DELETE FROM " + copy.sql() + " WHERE " + where + ";\n"
                + "  END IF;\n"
                + "  IF TG_OP IN ('INSERT', 'UPDATE') THEN\n"
                + "    " + insert + "\n"
                + "  END IF;\n"
                + "  RETURN NULL;\n"
                + "END\n"
                + "$pgbox$";
    }

    /** The row and TRUNCATE triggers that call the mirror function. */
    static String mirrorTriggers(String trigger, TableName old, String function) {
        return "CREATE TRIGGER " + ident(trigger) + " AFTER INSERT OR UPDATE OR DELETE ON " + old.sql()
                + " FOR EACH ROW EXECUTE FUNCTION " + function + "();\n"
                + "CREATE TRIGGER " + ident(trigger + "_t") + " AFTER TRUNCATE ON " + old.sql()
                + " FOR EACH STATEMENT EXECUTE FUNCTION " + function + "()";
    }

    /**
     * One batch of the copy: the next {@code $n} rows by primary key after the last key of the previous
     * batch ({@code $1..$k}, absent on the first batch), locked FOR SHARE NOWAIT so a row a writer has
     * changed but not committed is never copied in its old version (the batch fails and is retried, and
     * never waits, so it can never be part of a deadlock with the application), and inserted unless the
     * mirror trigger already put that row there. Returns the rows read and the last key, as text.
     */
    static String batch(TableName old, TableName copy, List<String> columns, List<String> key, List<String> keyTypes, boolean first) {
        String keyRow = columnList(key);
        StringBuilder after = new StringBuilder();
        if (!first) {
            after.append(" WHERE (").append(keyRow).append(") > (");
            for (int i = 0; i < key.size(); i++) {
                after.append(i == 0 ? "" : ", ").append('$').append(i + 1).append("::").append(keyTypes.get(i));
            }
            after.append(')');
        }
        String limit = "$" + (first ? 1 : key.size() + 1);
        String desc = key.stream().map(c -> ident(c) + " DESC").collect(Collectors.joining(", "));
        String lastKey = key.stream().map(c -> "l." + ident(c) + "::text").collect(Collectors.joining(", "));
        return "WITH src AS (SELECT " + columnList(columns) + " FROM ONLY " + old.sql() + after + " ORDER BY " + keyRow
                + " LIMIT " + limit + " FOR SHARE NOWAIT),\n"
                + "ins AS (INSERT INTO " + copy.sql() + " (" + columnList(columns) + ") OVERRIDING SYSTEM VALUE SELECT "
                + columnList(columns) + " FROM src ON CONFLICT DO NOTHING)\n"
                + "SELECT (SELECT count(*) FROM src), " + lastKey
                + " FROM (SELECT 1) one LEFT JOIN (SELECT * FROM src ORDER BY " + desc + " LIMIT 1) l ON true";
    }
}
