package dev.pgbox.memory;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pgbox.ErrorKind;
import dev.pgbox.PgboxException;
import dev.pgbox.apps.AppName;
import dev.pgbox.memory.embed.Embedders;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * The search modes: vector, text, hybrid (RRF) and MMR, with filters, tenancy and a distance threshold.
 * A request is checked first ({@link SearchPlan}), then the collection is read, the query embedded
 * (unless the caller gave its vector), and the search runs in one read-only transaction scoped to the
 * tenant (SET LOCAL, so a pooled connection keeps nothing), with the collection's search settings and,
 * for narrowed searches, pgvector's iterative index scan set for that transaction only.
 */
final class Search {
    /** pgvector's default hnsw.ef_search: an HNSW scan returns at most this many rows unless raised. */
    static final int PGVECTOR_EF_SEARCH = 40;
    /** pgvector's largest hnsw.ef_search. */
    static final int MAX_EF_SEARCH = 1000;

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Memories memories;

    Search(Memories memories) {
        this.memories = memories;
    }

    SearchResult run(AppName app, CollectionName name, SearchRequest request) {
        long started = System.nanoTime();
        SearchPlan plan = SearchPlan.of(request, SearchPlan.Defaults.of(memories.settings()));
        return memories.sessions().withConnection(app, false, c -> {
            Collection col = Registry.require(c, app, name);
            plan.checkAgainst(col);
            // embedded before the transaction starts: no snapshot or locks held while the model runs
            float[] vector = plan.mode() == SearchMode.TEXT ? null : queryVector(col, plan);
            c.setReadOnly(true);
            try {
                MemorySql.begin(c, plan.tenant());
                Knobs knobs = knobs(col, plan);
                knobs.apply(c);
                List<Hit> hits = switch (plan.mode()) {
                    case VECTOR -> nearest(c, col, plan, vector);
                    case TEXT -> text(c, col, plan);
                    case HYBRID -> hybrid(c, col, plan, vector);
                    case MMR -> mmr(c, col, plan, vector);
                };
                MemorySql.commit(c);
                boolean fused = plan.mode() == SearchMode.HYBRID;
                boolean candidates = fused || plan.mode() == SearchMode.MMR;
                return new SearchResult(app.value(), name.value(), plan.mode().label(), plan.limit(), hits, knobs.efSearch(),
                        (System.nanoTime() - started) / 1_000_000, col.metric(), plan.tenant(), candidates ? plan.fetchK() : null,
                        fused ? plan.rrfK() : null, plan.mode() == SearchMode.MMR ? plan.lambda() : null, knobs.probes(),
                        knobs.iterativeScan());
            } catch (SQLException e) {
                MemorySql.rollback(c);
                throw MemorySql.failure(e, "search of collection '" + name + "' in app '" + app + "'");
            } catch (RuntimeException e) {
                MemorySql.rollback(c);
                throw e;
            } finally {
                c.setReadOnly(false);
            }
        });
    }

    /** The query's vector: the caller's (checked, normalised for cosine) or the collection's model's embedding of the text. */
    static float[] queryVector(Collection col, SearchPlan plan) {
        float[] v = plan.vector();
        if (v == null) {
            if (!col.embedsText()) {
                throw new PgboxException(ErrorKind.USAGE, "collection '" + col.name() + "' needs the query's vector",
                        "its vectors come from the caller (model external), so pgbox cannot embed the query text",
                        "pass the query's embedding of " + col.dim() + " numbers: --vector '[0.1, ...]' (\"vector\" in the API)");
            }
            v = Embedders.named(col.model()).embed(plan.query());
        }
        return MemoryChecks.storedVector(v, col);
    }

    /**
     * The search settings of this transaction. HNSW returns at most ef_search rows, so it is raised to
     * the rows the search needs; a tenant or a filter narrows the search after the index scan, so the
     * iterative scan reads on until enough rows pass.
     */
    static Knobs knobs(Collection col, SearchPlan plan, String iterativeScan) {
        boolean ivfflat = "ivfflat".equals(col.indexType());
        if (plan.mode() == SearchMode.TEXT) {
            // no vector index is read
            return new Knobs(null, null, null, ivfflat);
        }
        boolean narrowed = plan.tenant() != null || plan.filter() != null || col.tenant();
        String iterative = narrowed && !"off".equals(iterativeScan) ? iterativeScan : null;
        if (ivfflat) {
            // ivfflat knows relaxed_order only
            return new Knobs(null, col.probes(), iterative == null ? null : "relaxed_order", true);
        }
        int rows = plan.mode() == SearchMode.HYBRID || plan.mode() == SearchMode.MMR ? plan.fetchK() : plan.limit();
        int base = col.efSearch() == null ? PGVECTOR_EF_SEARCH : col.efSearch();
        int ef = Math.min(MAX_EF_SEARCH, Math.max(base, rows));
        Integer efSearch = col.efSearch() == null && ef == PGVECTOR_EF_SEARCH ? null : ef;
        return new Knobs(efSearch, null, iterative, false);
    }

    private Knobs knobs(Collection col, SearchPlan plan) {
        return knobs(col, plan, plan.defaults().iterativeScan());
    }

    /**
     * SET LOCAL values for one search; null leaves pgvector's default.
     *
     * @param iterativeScan relaxed_order or strict_order when the scan is narrowed, else null
     */
    record Knobs(Integer efSearch, Integer probes, String iterativeScan, boolean ivfflat) {
        void apply(Connection c) throws SQLException {
            String prefix = ivfflat ? "ivfflat." : "hnsw.";
            if (efSearch != null) {
                set(c, "hnsw.ef_search", Integer.toString(efSearch));
            }
            if (probes != null) {
                set(c, "ivfflat.probes", Integer.toString(probes));
            }
            if (iterativeScan != null) {
                set(c, prefix + "iterative_scan", iterativeScan);
            }
        }

        private static void set(Connection c, String name, String value) throws SQLException {
            try (PreparedStatement ps = c.prepareStatement("SELECT set_config(?, ?, true)")) {
                ps.setString(1, name);
                ps.setString(2, value);
                ps.execute();
            }
        }
    }

    private static SearchSql.Scope scope(SearchPlan plan) {
        return new SearchSql.Scope(plan.tenant(), plan.filter());
    }

    private static Double maxRaw(Collection col, SearchPlan plan) {
        return plan.maxDistance() == null ? null : col.metricKind().rawDistance(plan.maxDistance());
    }

    private static List<Hit> nearest(Connection c, Collection col, SearchPlan plan, float[] vector) throws SQLException {
        SearchSql.Statement st = SearchSql.nearest(col, scope(plan), Vectors.literal(vector), plan.limit(), maxRaw(col, plan), false);
        List<Hit> hits = new ArrayList<>();
        query(c, st, rs -> {
            double raw = rs.getDouble("raw");
            hits.add(hit(rs, score(col.metricKind(), raw), col.metricKind().shownDistance(raw), null, null));
        });
        return hits;
    }

    private static List<Hit> text(Connection c, Collection col, SearchPlan plan) throws SQLException {
        List<Hit> hits = new ArrayList<>();
        query(c, SearchSql.text(col, scope(plan), plan.query(), plan.limit()), rs -> hits.add(hit(rs, rs.getDouble("rank"), null, null, null)));
        return hits;
    }

    private static List<Hit> hybrid(Connection c, Collection col, SearchPlan plan, float[] vector) throws SQLException {
        SearchSql.Statement st = SearchSql.hybrid(col, scope(plan), Vectors.literal(vector), plan.query(), plan.fetchK(), plan.rrfK(),
                maxRaw(col, plan), plan.limit());
        List<Hit> hits = new ArrayList<>();
        query(c, st, rs -> hits.add(hit(rs, rs.getDouble("score"), col.metricKind().shownDistance(rs.getDouble("raw")),
                integerOrNull(rs, "vector_rank"), integerOrNull(rs, "text_rank"))));
        return hits;
    }

    private static List<Hit> mmr(Connection c, Collection col, SearchPlan plan, float[] vector) throws SQLException {
        SearchSql.Statement st = SearchSql.nearest(col, scope(plan), Vectors.literal(vector), plan.fetchK(), maxRaw(col, plan), true);
        List<Hit> candidates = new ArrayList<>();
        List<float[]> vectors = new ArrayList<>();
        query(c, st, rs -> {
            double raw = rs.getDouble("raw");
            candidates.add(hit(rs, score(col.metricKind(), raw), col.metricKind().shownDistance(raw), null, null));
            vectors.add(Vectors.parse(rs.getString("embedding")));
        });
        return Mmr.select(vector, vectors, plan.lambda(), plan.limit()).stream().map(candidates::get).toList();
    }

    /**
     * A vector hit's score, higher is better: the cosine similarity (1 - cosine distance) for cosine,
     * the inner product for ip, and 1 / (1 + Euclidean distance) for l2 (1 for the same vector,
     * towards 0 far away).
     */
    static double score(Metric metric, double raw) {
        return switch (metric) {
            case COSINE, IP -> -raw;
            case L2 -> 1 / (1 + raw);
        };
    }

    private interface Row {
        void read(ResultSet rs) throws SQLException;
    }

    private static void query(Connection c, SearchSql.Statement st, Row row) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(st.sql())) {
            for (int i = 0; i < st.params().size(); i++) {
                ps.setObject(i + 1, st.params().get(i));
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    row.read(rs);
                }
            }
        }
    }

    private static Hit hit(ResultSet rs, double score, Double distance, Integer vectorRank, Integer textRank) throws SQLException {
        return new Hit(rs.getString("id"), rs.getString("content"), metadata(rs.getString("metadata")), rs.getString("tenant_id"), score,
                distance, vectorRank, textRank, rs.getString("created_at"));
    }

    private static Integer integerOrNull(ResultSet rs, String column) throws SQLException {
        int v = rs.getInt(column);
        return rs.wasNull() ? null : v;
    }

    private static JsonNode metadata(String text) {
        try {
            return JSON.readTree(text);
        } catch (JsonProcessingException e) {
            // jsonb's own text form always parses
            throw new IllegalStateException("metadata from the server is not JSON: " + e.getOriginalMessage(), e);
        }
    }
}
