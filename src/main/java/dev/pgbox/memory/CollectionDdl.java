package dev.pgbox.memory;

import dev.pgbox.security.Rls;
import dev.pgbox.sql.SqlText;
import java.util.ArrayList;
import java.util.List;

/**
 * The table of a collection, following the np_ conventions (uuid key, source_account_id, timestamps
 * with the updated_at trigger, soft delete with its partial index) plus what memory needs: content,
 * metadata (a JSON object), the embedding, a generated tsvector for full-text search, and tenant_id
 * (text: any user or tenant id). Indexes: HNSW on the embedding of live rows, GIN on the tsvector and
 * on the metadata (jsonb_path_ops, for @> filters). With tenancy, row-level security is enabled and
 * forced with the same policy name 'pgbox rls enable' writes.
 */
public final class CollectionDdl {
    /** HNSW's parameters when a collection is made (empty: the graph grows with the inserts); 'memory index' picks them later. */
    public static final int CREATE_M = 16;
    public static final int CREATE_EF_CONSTRUCTION = 64;

    private CollectionDdl() {
    }

    /** The vector index's name. */
    public static String vectorIndex(CollectionName n) {
        return n.table() + "_embedding_idx";
    }

    /** The statements, in order (run as the owner role, in one transaction). */
    public static List<String> create(CollectionSpec s) {
        CollectionName n = s.name();
        String t = n.sql();
        String table = n.table();
        List<String> sql = new ArrayList<>();
        String normCheck = s.metric().normalised()
                // pgbox writes unit vectors; refusing others keeps '<#>' equal to cosine distance for rows written by hand too
                ? ",\n    CONSTRAINT " + table + "_embedding_unit CHECK (abs(vector_norm(embedding) - 1) < 0.001)"
                : "";
        sql.add("CREATE TABLE " + t + " (\n"
                + "    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),\n"
                + "    source_account_id text NOT NULL DEFAULT 'primary',\n"
                + "    tenant_id text,\n"
                + "    content text NOT NULL CHECK (content <> ''),\n"
                + "    metadata jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(metadata) = 'object'),\n"
                + "    embedding vector(" + s.dim() + ") NOT NULL,\n"
                + "    content_tsv tsvector GENERATED ALWAYS AS (to_tsvector(" + SqlText.literal(s.textConfig()) + "::regconfig, content)) STORED,\n"
                + "    created_at timestamptz NOT NULL DEFAULT now(),\n"
                + "    updated_at timestamptz NOT NULL DEFAULT now(),\n"
                + "    deleted_at timestamptz" + normCheck + "\n"
                + ")");
        sql.add("CREATE INDEX " + vectorIndex(n) + " ON " + t + " USING hnsw (embedding " + s.metric().opclass() + ")"
                + " WITH (m = " + CREATE_M + ", ef_construction = " + CREATE_EF_CONSTRUCTION + ") WHERE deleted_at IS NULL");
        sql.add("CREATE INDEX " + table + "_content_tsv_idx ON " + t + " USING gin (content_tsv)");
        sql.add("CREATE INDEX " + table + "_metadata_idx ON " + t + " USING gin (metadata jsonb_path_ops)");
        sql.add("CREATE INDEX " + table + "_source_account_id_idx ON " + t + " (source_account_id)");
        sql.add("CREATE INDEX " + table + "_tenant_id_idx ON " + t + " (tenant_id)");
        sql.add("CREATE INDEX " + table + "_active_idx ON " + t + " (id) WHERE deleted_at IS NULL");
        sql.add("CREATE TRIGGER " + table + "_updated_at BEFORE UPDATE ON " + t + " FOR EACH ROW EXECUTE FUNCTION public.np_set_updated_at()");
        if (s.tenant()) {
            String check = "tenant_id = NULLIF(current_setting('" + Rls.SETTING + "', true), '')";
            sql.add("ALTER TABLE " + t + " ENABLE ROW LEVEL SECURITY");
            sql.add("ALTER TABLE " + t + " FORCE ROW LEVEL SECURITY");
            sql.add("CREATE POLICY " + Rls.POLICY + " ON " + t + " USING (" + check + ") WITH CHECK (" + check + ")");
            sql.add("COMMENT ON POLICY " + Rls.POLICY + " ON " + t + " IS 'pgbox tenant column: tenant_id'");
        }
        sql.add("COMMENT ON TABLE " + t + " IS " + SqlText.literal("pgbox memory collection " + n + ": " + s.dim() + "-d "
                + s.metric().label() + ", model " + s.model() + (s.tenant() ? ", row-level security by tenant_id" : "")));
        return sql;
    }
}
