package dev.pgbox.schema.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pgbox.ErrorKind;
import dev.pgbox.PgboxException;
import dev.pgbox.sql.IndexRules;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * What the schema audit reads from one database: every user table with its columns, primary key,
 * BEFORE UPDATE row triggers, indexes and foreign keys, in ONE catalog query answering one JSON
 * document. Plain data; {@link AuditChecks} are pure functions of it. Skipped: system schemas,
 * pg_partman's and pg_cron's and pgbox's schemas, extension-owned tables, partitions (their parent is
 * checked) and temporary tables.
 *
 * @param updatedAtFunction public.np_set_updated_at() exists (pgbox creates it in every app database)
 * @param taken every relation name in the schemas of these tables, as schema.name (for new index names)
 */
public record CatalogFacts(boolean updatedAtFunction, Set<String> taken, List<Table> tables) {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Schemas that are never the application's own tables. */
    static final List<String> SKIPPED_SCHEMAS = List.of("pg_catalog", "information_schema", "partman", "cron", "pgbox");

    /**
     * One table.
     *
     * @param partitioned a partitioned table (relkind p): its indexes cannot be built or dropped CONCURRENTLY
     * @param building an index build is running on it right now (pg_stat_progress_create_index)
     */
    public record Table(String schema, String name, boolean partitioned, boolean rls, boolean forceRls, boolean building,
                        List<Column> columns, PrimaryKey primaryKey, List<Trigger> updateTriggers, List<Index> indexes,
                        List<ForeignKey> foreignKeys) {

        /** schema.name as SQL. */
        public String sql() {
            return SqlNames.qualified(schema, name);
        }

        public Column column(String n) {
            return columns.stream().filter(c -> c.name().equals(n)).findFirst().orElse(null);
        }
    }

    /** A column: its type as format_type prints it, NOT NULL, and its default expression (null when none). */
    public record Column(String name, String type, boolean notNull, String defaultExpr) {
    }

    /** The primary key constraint and its columns in key order. */
    public record PrimaryKey(String name, List<String> columns) {
    }

    /** An enabled BEFORE UPDATE FOR EACH ROW trigger; {@code setsUpdatedAt}: its function is np_set_updated_at or mentions updated_at. */
    public record Trigger(String name, String function, boolean setsUpdatedAt) {
    }

    /**
     * An index.
     *
     * @param constraint a constraint uses it (primary key, unique, exclusion, or a foreign key referencing it) or it is the replica identity
     * @param signature access method, key columns, INCLUDE columns, operator classes, collations, options, expressions and
     *                  predicate: two indexes with the same signature answer exactly the same queries
     * @param firstColumn the first key column's name, or null when it is an expression
     * @param predicate the WHERE of a partial index, or null
     */
    public record Index(String name, boolean valid, boolean unique, boolean primary, boolean constraint, String signature,
                        String firstColumn, String predicate, String definition) {
    }

    /** A foreign key: its columns in key order, and whether a valid, non-partial index starts with them (IndexRules.fkWithoutIndex). */
    public record ForeignKey(String name, List<String> columns, boolean indexed) {
    }

    /** The catalog query: one row, one JSON document. */
    static String sql() {
        String skipped = String.join(", ", SKIPPED_SCHEMAS.stream().map(s -> "'" + s + "'").toList());
        return "WITH t AS (SELECT c.oid, n.nspname, c.relname, c.relkind, c.relrowsecurity, c.relforcerowsecurity"
                + " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                + " WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition AND c.relpersistence <> 't'"
                + " AND n.nspname NOT IN (" + skipped + ") AND n.nspname !~ '^pg_' AND " + IndexRules.notExtension("c.oid") + ")\n"
                + "SELECT json_build_object("
                + "'updated_at_function', to_regprocedure('public.np_set_updated_at()') IS NOT NULL,"
                + " 'taken', (SELECT coalesce(json_agg(n.nspname || '.' || c.relname), '[]') FROM pg_class c"
                + "   JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname IN (SELECT nspname FROM t)),"
                + " 'tables', (SELECT coalesce(json_agg(json_build_object('schema', t.nspname, 'name', t.relname,"
                + "   'partitioned', t.relkind = 'p', 'rls', t.relrowsecurity, 'force_rls', t.relforcerowsecurity,"
                + "   'building', EXISTS (SELECT FROM pg_stat_progress_create_index p WHERE p.relid = t.oid),"
                + "   'columns', (SELECT coalesce(json_agg(json_build_object('name', a.attname, 'type', format_type(a.atttypid, a.atttypmod),"
                + "       'not_null', a.attnotnull, 'default', pg_get_expr(d.adbin, d.adrelid)) ORDER BY a.attnum), '[]')"
                + "     FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum"
                + "     WHERE a.attrelid = t.oid AND a.attnum > 0 AND NOT a.attisdropped),"
                + "   'primary_key', (SELECT json_build_object('name', k.conname, 'columns', (SELECT json_agg(a.attname ORDER BY x.n)"
                + "       FROM unnest(k.conkey) WITH ORDINALITY x(attnum, n) JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = x.attnum))"
                + "     FROM pg_constraint k WHERE k.conrelid = t.oid AND k.contype = 'p'),"
                // tgtype bits: 1 = FOR EACH ROW, 2 = BEFORE, 16 = UPDATE
                + "   'update_triggers', (SELECT coalesce(json_agg(json_build_object('name', g.tgname, 'function', p.proname,"
                + "       'sets_updated_at', p.proname = 'np_set_updated_at' OR p.prosrc ~ 'updated_at') ORDER BY g.tgname), '[]')"
                + "     FROM pg_trigger g JOIN pg_proc p ON p.oid = g.tgfoid WHERE g.tgrelid = t.oid AND NOT g.tgisinternal"
                + "     AND g.tgenabled <> 'D' AND (g.tgtype & 1) <> 0 AND (g.tgtype & 2) <> 0 AND (g.tgtype & 16) <> 0),"
                + "   'indexes', (SELECT coalesce(json_agg(json_build_object('name', ic.relname, 'valid', i.indisvalid, 'unique', i.indisunique,"
                + "       'primary', i.indisprimary,"
                + "       'constraint', i.indisreplident OR EXISTS (SELECT FROM pg_constraint kc WHERE kc.conindid = i.indexrelid),"
                + "       'signature', concat_ws('|', am.amname, i.indnkeyatts, i.indkey::text, i.indclass::text, i.indcollation::text,"
                + "         i.indoption::text, i.indnullsnotdistinct, pg_get_expr(i.indexprs, i.indrelid),"
                + "         'where ' || pg_get_expr(i.indpred, i.indrelid)),"
                + "       'first_column', (SELECT a.attname FROM pg_attribute a WHERE a.attrelid = i.indrelid AND a.attnum = i.indkey[0]),"
                + "       'predicate', pg_get_expr(i.indpred, i.indrelid), 'definition', pg_get_indexdef(i.indexrelid)) ORDER BY ic.relname), '[]')"
                + "     FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid JOIN pg_am am ON am.oid = ic.relam WHERE i.indrelid = t.oid),"
                + "   'foreign_keys', (SELECT coalesce(json_agg(json_build_object('name', k.conname,"
                + "       'columns', (SELECT json_agg(a.attname ORDER BY x.n) FROM unnest(k.conkey) WITH ORDINALITY x(attnum, n)"
                + "         JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = x.attnum),"
                + "       'indexed', NOT (" + IndexRules.fkWithoutIndex("k") + ")) ORDER BY k.conname), '[]')"
                + "     FROM pg_constraint k WHERE k.conrelid = t.oid AND k.contype = 'f')"
                + "   ) ORDER BY t.nspname, t.relname), '[]') FROM t))";
    }

    /** Parses the query's answer. */
    static CatalogFacts parse(String database, String json) {
        JsonNode n;
        try {
            n = JSON.readTree(json);
        } catch (IOException e) {
            throw new PgboxException(ErrorKind.SQL, "the schema audit could not read the catalog of database " + database,
                    e.getMessage(), "this is a pgbox bug; please report it with the server's version");
        }
        Set<String> taken = new HashSet<>();
        n.path("taken").forEach(x -> taken.add(x.asText()));
        List<Table> tables = new ArrayList<>();
        for (JsonNode t : n.path("tables")) {
            List<Column> columns = new ArrayList<>();
            t.path("columns").forEach(c -> columns.add(new Column(c.path("name").asText(), c.path("type").asText(),
                    c.path("not_null").asBoolean(), text(c, "default"))));
            JsonNode pk = t.path("primary_key");
            PrimaryKey primaryKey = pk.isObject() ? new PrimaryKey(pk.path("name").asText(), strings(pk.path("columns"))) : null;
            List<Trigger> triggers = new ArrayList<>();
            t.path("update_triggers").forEach(g -> triggers.add(new Trigger(g.path("name").asText(), g.path("function").asText(),
                    g.path("sets_updated_at").asBoolean())));
            List<Index> indexes = new ArrayList<>();
            t.path("indexes").forEach(i -> indexes.add(new Index(i.path("name").asText(), i.path("valid").asBoolean(),
                    i.path("unique").asBoolean(), i.path("primary").asBoolean(), i.path("constraint").asBoolean(),
                    i.path("signature").asText(), text(i, "first_column"), text(i, "predicate"), i.path("definition").asText())));
            List<ForeignKey> fks = new ArrayList<>();
            t.path("foreign_keys").forEach(k -> fks.add(new ForeignKey(k.path("name").asText(), strings(k.path("columns")),
                    k.path("indexed").asBoolean())));
            tables.add(new Table(t.path("schema").asText(), t.path("name").asText(), t.path("partitioned").asBoolean(),
                    t.path("rls").asBoolean(), t.path("force_rls").asBoolean(), t.path("building").asBoolean(), columns, primaryKey,
                    triggers, indexes, fks));
        }
        return new CatalogFacts(n.path("updated_at_function").asBoolean(), taken, tables);
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(x -> out.add(x.asText()));
        return out;
    }
}
