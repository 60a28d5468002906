package dev.pgbox.report;

import dev.pgbox.sql.AdminSql;
import dev.pgbox.sql.IndexRules;
import java.util.List;

/**
 * {@code pgbox report missing-fk-indexes}: foreign keys whose columns are not the leading columns of any
 * valid, non-partial index on the referencing table. Without one, every DELETE or key UPDATE on the
 * referenced table scans the referencing table (and holds its lock meanwhile). Compared by column
 * numbers (pg_index.indkey against pg_constraint.conkey), in any order within the prefix.
 */
public record MissingFkIndexes(String database, List<ForeignKey> foreignKeys) {

    /** One unsupported foreign key and the index that would support it. */
    public record ForeignKey(String table, String constraint, String columns, String references, long tableBytes, String fix) {
    }

    static MissingFkIndexes read(AdminSql sql, String database, int limit) {
        List<ForeignKey> rows = sql.rows(database, """
                SELECT c.conrelid::regclass::text, c.conname, cols.list, c.confrelid::regclass::text, pg_relation_size(c.conrelid),
                       format('CREATE INDEX CONCURRENTLY ON %%s (%%s);', c.conrelid::regclass, cols.list)
                FROM pg_constraint c
                JOIN pg_namespace n ON n.oid = c.connamespace
                CROSS JOIN LATERAL (SELECT string_agg(quote_ident(a.attname), ', ' ORDER BY k.n) AS list
                                    FROM unnest(c.conkey) WITH ORDINALITY AS k(attnum, n)
                                    JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum) cols
                WHERE c.contype = 'f' AND n.nspname NOT IN ('pg_catalog', 'information_schema')
                  AND %s AND %s
                ORDER BY pg_relation_size(c.conrelid) DESC, 1, 2 LIMIT $1""".formatted(IndexRules.notExtension("c.conrelid"),
                IndexRules.fkWithoutIndex("c")), limit).stream()
                .map(r -> new ForeignKey(r.get(0), r.get(1), r.get(2), r.get(3), Cells.count(r.get(4)), r.get(5)))
                .toList();
        return new MissingFkIndexes(database, rows);
    }
}
