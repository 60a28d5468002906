package dev.pgbox.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

class SearchSqlTest {
    static final SearchSql.Scope NONE = new SearchSql.Scope(null, null);
    static final SearchSql.Scope NARROW = new SearchSql.Scope("t1", "{\"kind\":\"note\"}");

    static Collection collection(String metric, boolean tenant, String indexType, Integer efSearch, Integer probes) {
        return new Collection("shop", "notes", "public.np_notes", 3, metric, tenant, "all-minilm-l6-v2-q", "english", indexType, efSearch,
                probes, null, "2026-12-02T00:00:00Z");
    }

    static final Collection COSINE = collection("cosine", false, "hnsw", null, null);

    static long placeholders(String sql) {
        return sql.chars().filter(ch -> ch == '?').count();
    }

    @Test
    void nearestOrdersByTheIndexOperatorOverLiveRowsAndThresholdsOutside() {
        SearchSql.Statement s = SearchSql.nearest(COSINE, NONE, "[1,0,0]", 10, null, false);
        assertThat(s.sql()).contains("embedding <#> ?::vector AS raw", "FROM public.np_notes", "WHERE deleted_at IS NULL",
                "ORDER BY raw\n  LIMIT ?").doesNotContain("tenant_id = ?", "@>", "raw <= ?", "embedding::text");
        assertThat(s.params()).containsExactly("[1,0,0]", 10);

        SearchSql.Statement narrowed = SearchSql.nearest(COSINE, NARROW, "[1,0,0]", 40, -0.5, true);
        assertThat(narrowed.sql()).contains("deleted_at IS NULL AND tenant_id = ? AND metadata @> ?::jsonb", "embedding::text AS embedding",
                ") nearest\nWHERE raw <= ?\nORDER BY raw, id");
        assertThat(narrowed.params()).containsExactly("[1,0,0]", "t1", "{\"kind\":\"note\"}", 40, -0.5);
        assertThat(placeholders(narrowed.sql())).isEqualTo(narrowed.params().size());

        assertThat(SearchSql.nearest(collection("l2", false, "hnsw", null, null), NONE, "[1,0,0]", 10, null, false).sql())
                .contains("embedding <-> ?::vector");
    }

    @Test
    void textMatchesWithTheCollectionsConfigurationAndRanksByCoverDensity() {
        SearchSql.Statement s = SearchSql.text(COSINE, NARROW, "backup \"point in time\"", 5);
        assertThat(s.sql()).contains("websearch_to_tsquery(?::regconfig, ?) AS q", "content_tsv @@ q", "ts_rank_cd(content_tsv, q) AS rank",
                "ORDER BY rank DESC, id", "deleted_at IS NULL AND tenant_id = ? AND metadata @> ?::jsonb");
        assertThat(s.params()).containsExactly("english", "backup \"point in time\"", "t1", "{\"kind\":\"note\"}", 5);
        assertThat(placeholders(s.sql())).isEqualTo(s.params().size());
    }

    @Test
    void hybridFusesBothRankingsInOneStatementWithItsParametersInOrder() {
        SearchSql.Statement s = SearchSql.hybrid(COSINE, NARROW, "[1,0,0]", "backups", 40, 60, -0.6, 10);
        assertThat(s.sql()).startsWith("WITH by_vector AS").contains("by_text AS", "FULL OUTER JOIN",
                "coalesce(1.0::float8 / (?::int + by_vector.r), 0) + coalesce(1.0::float8 / (?::int + by_text.r), 0) AS score",
                "WHERE raw <= ?", "ORDER BY score DESC").endsWith("LIMIT ?");
        assertThat(s.params()).containsExactly("[1,0,0]", "t1", "{\"kind\":\"note\"}", 40, "english", "backups", "t1", "{\"kind\":\"note\"}",
                40, 60, 60, "[1,0,0]", -0.6, 10);
        assertThat(placeholders(s.sql())).isEqualTo(s.params().size());
        SearchSql.Statement plain = SearchSql.hybrid(COSINE, NONE, "[1,0,0]", "backups", 40, 60, null, 10);
        assertThat(plain.params()).containsExactly("[1,0,0]", 40, "english", "backups", 40, 60, 60, "[1,0,0]", 10);
        assertThat(plain.sql()).doesNotContain("raw <= ?");
    }

    @Test
    void scoresAreHigherForNearerHits() {
        assertThat(Search.score(Metric.COSINE, -0.8)).isCloseTo(0.8, within(1e-12));
        assertThat(Search.score(Metric.IP, -3.0)).isCloseTo(3.0, within(1e-12));
        assertThat(Search.score(Metric.L2, 1.0)).isCloseTo(0.5, within(1e-12));
        assertThat(Search.score(Metric.L2, 0.0)).isEqualTo(1.0);
        // cosine: score and shown distance add up to 1
        assertThat(Search.score(Metric.COSINE, -0.3) + Metric.COSINE.shownDistance(-0.3)).isCloseTo(1.0, within(1e-12));
    }

    static SearchPlan plan(SearchMode mode, Integer limit, String filter, String tenant) {
        return SearchPlan.of(new SearchRequest("q", null, mode, limit, filter == null ? null : json(filter), tenant, null, null, null, null),
                SearchPlanTest.DEFAULTS);
    }

    static com.fasterxml.jackson.databind.JsonNode json(String text) {
        try {
            return SearchPlanTest.JSON.readTree(text);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void iterativeScanOnlyForNarrowedSearchesAndEfSearchCoversTheRowsNeeded() {
        // plain vector search at pgvector's defaults: nothing set
        assertThat(Search.knobs(COSINE, plan(SearchMode.VECTOR, 10, null, null), "relaxed_order"))
                .isEqualTo(new Search.Knobs(null, null, null, false));
        // a filter or a tenant narrows the scan; 'off' keeps it off
        assertThat(Search.knobs(COSINE, plan(SearchMode.VECTOR, 10, "{\"a\":1}", null), "relaxed_order").iterativeScan()).isEqualTo("relaxed_order");
        assertThat(Search.knobs(COSINE, plan(SearchMode.VECTOR, 10, null, "t1"), "strict_order").iterativeScan()).isEqualTo("strict_order");
        assertThat(Search.knobs(COSINE, plan(SearchMode.VECTOR, 10, "{\"a\":1}", null), "off").iterativeScan()).isNull();
        // a tenancy collection is always narrowed (by its policy)
        Collection tenancy = collection("cosine", true, "hnsw", null, null);
        assertThat(Search.knobs(tenancy, plan(SearchMode.MMR, 10, null, "t1"), "relaxed_order").iterativeScan()).isEqualTo("relaxed_order");
        // text search reads no vector index: nothing to set
        assertThat(Search.knobs(tenancy, plan(SearchMode.TEXT, 1000, "{\"a\":1}", "t1"), "relaxed_order"))
                .isEqualTo(new Search.Knobs(null, null, null, false));
        // HNSW returns at most ef_search rows: raised to the candidates hybrid fetches (4 x 30)
        assertThat(Search.knobs(COSINE, plan(SearchMode.HYBRID, 30, null, null), "relaxed_order").efSearch()).isEqualTo(120);
        assertThat(Search.knobs(COSINE, plan(SearchMode.VECTOR, 1000, null, null), "relaxed_order").efSearch()).isEqualTo(1000);
        // the tuned value stands when it is larger
        Collection tuned = collection("cosine", false, "hnsw", 80, null);
        assertThat(Search.knobs(tuned, plan(SearchMode.VECTOR, 10, null, null), "relaxed_order").efSearch()).isEqualTo(80);
        // ivfflat: probes, and relaxed_order is the only iterative scan it has
        Collection ivf = collection("cosine", false, "ivfflat", null, 7);
        assertThat(Search.knobs(ivf, plan(SearchMode.VECTOR, 10, "{\"a\":1}", null), "strict_order"))
                .isEqualTo(new Search.Knobs(null, 7, "relaxed_order", true));
    }

    @Test
    void theQueryVectorIsCheckedAndNormalisedForCosine() {
        SearchPlan p = SearchPlan.of(new SearchRequest(null, new float[] {3, 0, 4}, SearchMode.VECTOR, null, null, null, null, null, null, null),
                SearchPlanTest.DEFAULTS);
        assertThat(Search.queryVector(COSINE, p)).containsExactly(0.6f, 0f, 0.8f);
        assertThat(Search.queryVector(collection("l2", false, "hnsw", null, null), p)).containsExactly(3f, 0f, 4f);
        SearchPlan wrong = SearchPlan.of(new SearchRequest(null, new float[] {1, 0}, SearchMode.VECTOR, null, null, null, null, null, null, null),
                SearchPlanTest.DEFAULTS);
        SearchPlanTest.usage(() -> Search.queryVector(COSINE, wrong), "the vector has 2 dimensions, collection 'notes' has 3");
        Collection external = new Collection("shop", "ext", "public.np_ext", 3, "cosine", false, "external", "english", "hnsw", null, null,
                null, "2026-12-02T00:00:00Z");
        SearchPlanTest.usage(() -> Search.queryVector(external, plan(SearchMode.VECTOR, 10, null, null)), "needs the query's vector");
        assertThat(List.of(Search.queryVector(external, p))).hasSize(1);
    }
}
