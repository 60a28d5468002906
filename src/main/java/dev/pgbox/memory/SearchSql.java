package dev.pgbox.memory;

import java.util.ArrayList;
import java.util.List;

/**
 * The SQL of each search mode with its parameters in order, built apart from running it so it can be
 * read and tested. Every value is a bound parameter; the only text spliced in is the collection's
 * validated table name and its metric's operator.
 *
 * <p>Every ranking reads live rows only ({@code deleted_at IS NULL}, which also lets the planner use
 * the partial HNSW index), of the tenant when one is given (row-level security isolates tenants in a
 * tenancy collection; the explicit condition also narrows a collection without it), and whose
 * metadata contains the filter ({@code @>}, served by the jsonb_path_ops GIN index).
 */
final class SearchSql {
    /** The hits' common columns: id, content, metadata (JSON text), tenant_id, created_at (ISO-8601 UTC); {@code alias} qualifies them, "" for none. */
    static String columns(String alias) {
        String a = alias.isEmpty() ? "" : alias + ".";
        return a + "id::text AS id, " + a + "content, " + a + "metadata::text AS metadata, " + a + "tenant_id, to_char(" + a
                + "created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') AS created_at";
    }

    /** One statement and its parameters, in the order of their '?'. */
    record Statement(String sql, List<Object> params) {
    }

    /**
     * What narrows every ranking.
     *
     * @param tenant tenant_id must equal it, or null
     * @param filter a JSON object (text) the metadata must contain, or null
     */
    record Scope(String tenant, String filter) {
    }

    private SearchSql() {
    }

    /**
     * The {@code limit} nearest rows, nearest first, each with {@code raw} (the metric operator's value)
     * and, with {@code withEmbedding}, the stored vector as text (for MMR). The inner query is the
     * index's ORDER BY ... LIMIT; the outer one applies the distance threshold and sorts again, since a
     * relaxed iterative scan may return rows slightly out of order.
     */
    static Statement nearest(Collection c, Scope scope, String vector, int limit, Double maxRaw, boolean withEmbedding) {
        List<Object> p = new ArrayList<>();
        String op = c.metricKind().operator();
        StringBuilder sql = new StringBuilder("SELECT * FROM (\n  SELECT ").append(columns("")).append(", embedding ").append(op)
                .append(" ?::vector AS raw");
        p.add(vector);
        if (withEmbedding) {
            sql.append(", embedding::text AS embedding");
        }
        sql.append("\n  FROM ").append(c.collectionName().sql()).append("\n  WHERE ").append(where(scope, p))
                .append("\n  ORDER BY raw\n  LIMIT ?\n) nearest");
        p.add(limit);
        if (maxRaw != null) {
            sql.append("\nWHERE raw <= ?");
            p.add(maxRaw);
        }
        sql.append("\nORDER BY raw, id");
        return new Statement(sql.toString(), List.copyOf(p));
    }

    /**
     * The {@code limit} best full-text matches: websearch_to_tsquery in the collection's text search
     * configuration (the one its tsvector column is generated with, so the GIN index serves the match),
     * ranked by ts_rank_cd (cover density: how many query words, and how close together).
     */
    static Statement text(Collection c, Scope scope, String query, int limit) {
        List<Object> p = new ArrayList<>();
        p.add(c.textConfig());
        p.add(query);
        String where = where(scope, p);
        p.add(limit);
        String sql = "SELECT " + columns("") + ", ts_rank_cd(content_tsv, q) AS rank\n"
                + "FROM " + c.collectionName().sql() + ", websearch_to_tsquery(?::regconfig, ?) AS q\n"
                + "WHERE " + where + " AND content_tsv @@ q\n"
                + "ORDER BY rank DESC, id\n"
                + "LIMIT ?";
        return new Statement(sql, List.copyOf(p));
    }

    /**
     * Hybrid search in one statement: the {@code fetchK} nearest rows and the {@code fetchK} best
     * full-text matches, each numbered by rank, joined (FULL OUTER: a row may be in one ranking only)
     * and fused by reciprocal rank fusion, score = 1 / (k + vector rank) + 1 / (k + text rank), a
     * missing rank adding nothing. Each hit carries its distance to the query (computed for text-only
     * hits too), so a distance threshold drops far hits before the limit.
     */
    static Statement hybrid(Collection c, Scope scope, String vector, String query, int fetchK, int rrfK, Double maxRaw, int limit) {
        List<Object> p = new ArrayList<>();
        String op = c.metricKind().operator();
        String table = c.collectionName().sql();
        StringBuilder sql = new StringBuilder();
        sql.append("WITH by_vector AS (\n")
                .append("  SELECT id, row_number() OVER (ORDER BY raw, id) AS r FROM (\n")
                .append("    SELECT id, embedding ").append(op).append(" ?::vector AS raw FROM ").append(table);
        p.add(vector);
        sql.append("\n    WHERE ").append(where(scope, p)).append("\n    ORDER BY raw LIMIT ?) v\n), ");
        p.add(fetchK);
        sql.append("by_text AS (\n")
                .append("  SELECT id, row_number() OVER (ORDER BY rank DESC, id) AS r FROM (\n")
                .append("    SELECT id, ts_rank_cd(content_tsv, q) AS rank FROM ").append(table)
                .append(", websearch_to_tsquery(?::regconfig, ?) AS q");
        p.add(c.textConfig());
        p.add(query);
        sql.append("\n    WHERE ").append(where(scope, p)).append(" AND content_tsv @@ q\n    ORDER BY rank DESC, id LIMIT ?) t\n), ");
        p.add(fetchK);
        sql.append("fused AS (\n")
                .append("  SELECT coalesce(by_vector.id, by_text.id) AS id, by_vector.r::int AS vector_rank, by_text.r::int AS text_rank,\n")
                .append("         coalesce(1.0::float8 / (?::int + by_vector.r), 0) + coalesce(1.0::float8 / (?::int + by_text.r), 0) AS score\n")
                .append("  FROM by_vector FULL OUTER JOIN by_text ON by_text.id = by_vector.id\n")
                .append(")\n");
        p.add(rrfK);
        p.add(rrfK);
        sql.append("SELECT * FROM (\n  SELECT ").append(columns("m"))
                .append(", fused.score, m.embedding ").append(op).append(" ?::vector AS raw, fused.vector_rank, fused.text_rank\n")
                .append("  FROM fused JOIN ").append(table).append(" m ON m.id = fused.id\n) hits\n");
        p.add(vector);
        if (maxRaw != null) {
            sql.append("WHERE raw <= ?\n");
            p.add(maxRaw);
        }
        sql.append("ORDER BY score DESC, vector_rank NULLS LAST, text_rank NULLS LAST, id\nLIMIT ?");
        p.add(limit);
        return new Statement(sql.toString(), List.copyOf(p));
    }

    /** The conditions every ranking shares; appends their parameters to {@code p}. */
    private static String where(Scope scope, List<Object> p) {
        StringBuilder w = new StringBuilder("deleted_at IS NULL");
        if (scope.tenant() != null) {
            w.append(" AND tenant_id = ?");
            p.add(scope.tenant());
        }
        if (scope.filter() != null) {
            w.append(" AND metadata @> ?::jsonb");
            p.add(scope.filter());
        }
        return w.toString();
    }
}
