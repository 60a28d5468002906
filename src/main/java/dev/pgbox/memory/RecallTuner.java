package dev.pgbox.memory;

import dev.pgbox.ErrorKind;
import dev.pgbox.PgboxException;
import dev.pgbox.Progress;
import dev.pgbox.apps.AppName;
import dev.pgbox.config.Setting;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * 'memory tune': the lowest ef_search (or ivfflat.probes) that meets a recall target against exact neighbours.
 *
 * <p>The queries: {@code samples} random live rows' embeddings, each moved off its row by random noise to a
 * cosine of {@link #QUERY_COSINE} with it: a new text close to a stored one, in the collection's own
 * distribution. A query sitting exactly on a stored vector is easier for the graph than a new one (the
 * memory bench measured 0.974 on such queries where held-out texts gave 0.934 at the same ef_search).
 * Each query asks for k + 1 rows and its own row is left out of both answers, so the row it came from never
 * counts (an ef_search of 10 for k 10 therefore measures a little low: 9 other rows at most; the error is
 * on the safe side). The truth: the exact k nearest by a sequential scan (index
 * scans off for that transaction). Then for each value of the {@link Ladder}, lowest first, the same
 * queries run through the index (sequential scans off, so the planner cannot answer exactly instead)
 * with SET LOCAL hnsw.ef_search (or ivfflat.probes); recall@k = the share of the true neighbours found,
 * over all queries; a value meets the target when the lower end of its 95 % confidence interval does
 * (the mean minus 1.645 standard errors of the per-query recalls), so a lucky sample of queries cannot
 * choose too small a value. The first value meeting the target is saved in the registry (searches SET LOCAL it,
 * see Search.Knobs); when none does, the registry stays as it was and the report says what to
 * rebuild.
 */
final class RecallTuner {
    private final Memories memories;

    RecallTuner(Memories memories) {
        this.memories = memories;
    }

    /** A sample query: the row it came from and the query vector (pgvector's text form). */
    record Sample(String id, String vector) {
    }

    /** The lower end of the 95 % one-sided confidence interval of a mean recall, from the per-query recalls. */
    static double lowerBound(double mean, double[] perQuery) {
        int n = perQuery.length;
        if (n < 2) {
            return mean;
        }
        double avg = 0;
        for (double r : perQuery) {
            avg += r;
        }
        avg /= n;
        double var = 0;
        for (double r : perQuery) {
            var += (r - avg) * (r - avg);
        }
        var /= n - 1;
        return mean - 1.645 * Math.sqrt(var / n);
    }

    /** How close a sample query stays to the row it came from (cosine): a new text near a stored one. */
    static final double QUERY_COSINE = 0.6;

    /**
     * {@code v} moved by Gaussian noise so that its cosine with {@code v} is about {@link #QUERY_COSINE}
     * (noise of length |v| * sqrt(1/c^2 - 1), nearly orthogonal to v in many dimensions); unit length
     * again for collections that store unit vectors.
     */
    static float[] offRow(float[] v, java.util.Random random, boolean unit) {
        double norm = Math.sqrt(Vectors.dot(v, v));
        double sigma = norm * Math.sqrt((1 / (QUERY_COSINE * QUERY_COSINE) - 1) / v.length);
        float[] q = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            q[i] = (float) (v[i] + sigma * random.nextGaussian());
        }
        return unit ? Vectors.normalised(q) : q;
    }

    TuneReport tune(AppName app, CollectionName name, TuneOptions options, Progress progress) {
        long started = System.nanoTime();
        double target = options.recall() != null ? options.recall() : Double.parseDouble(memories.settings().get(Setting.MEMORY_RECALL_TARGET));
        int wanted = options.samples() != null ? options.samples() : memories.settings().integer(Setting.MEMORY_TUNE_SAMPLES);
        int k = options.k() != null ? options.k() : TuneOptions.DEFAULT_K;
        if (target <= 0 || target > 1) {
            throw new PgboxException(ErrorKind.USAGE, "--recall " + target + " is out of range", "recall is a share of the true neighbours found",
                    "use a value above 0 and at most 1, e.g. --recall 0.95");
        }
        if (wanted < 1 || wanted > 10_000 || k < 1 || k > 1000) {
            throw new PgboxException(ErrorKind.USAGE, "--samples " + wanted + " or --k " + k + " is out of range",
                    "samples are 1 to 10000 queries, k 1 to 1000 neighbours", "e.g. --samples 100 --k 10");
        }
        return memories.sessions().withConnection(app, true, c -> {
            Collection col = Registry.require(c, app, name);
            if (col.tenant() && options.tenant() == null) {
                throw new PgboxException(ErrorKind.USAGE, "collection '" + name + "' keeps memories per tenant",
                        "row-level security shows each tenant only its own memories, also to the app's owner",
                        "tune on one tenant's memories: --tenant T");
            }
            String index = CollectionDdl.vectorIndex(name);
            String type = indexType(c, index, app, name);
            List<Sample> queries = new ArrayList<>();
            Metric metric = col.metricKind();
            progress.step("sampling " + wanted + " live rows of " + name.sql() + " as queries (each moved off its row to cosine "
                    + QUERY_COSINE + ")");
            long rows = countAndSample(c, name, wanted, options.tenant(), queries, metric.normalised());
            if (rows <= k) {
                throw new PgboxException(ErrorKind.USAGE, "collection '" + name + "' has " + rows + " live memories",
                        "measuring recall@" + k + " needs more than " + k + " rows to search", "add memories first, or use a smaller --k");
            }
            String search = "SELECT id::text FROM " + name.sql() + " WHERE deleted_at IS NULL ORDER BY embedding " + metric.operator()
                    + " ?::vector LIMIT " + (k + 1);
            progress.step("exact " + k + " nearest neighbours of " + queries.size() + " queries (sequential scans)");
            // its own text: a server-side prepared statement shared with the index searches would carry its sequential-scan plan over
            List<Set<String>> truth = exact(c, "/* pgbox memory tune: exact */ " + search, queries, k, options.tenant());
            boolean hnsw = type.equals(IndexChoice.HNSW);
            String setting = hnsw ? "hnsw.ef_search" : "ivfflat.probes";
            List<Integer> values = hnsw ? Ladder.efSearch(k) : Ladder.probes(lists(c, index));
            checkPlanUsesIndex(c, search, queries.get(0), setting, index, options.tenant());
            progress.step("measuring recall@" + k + " through " + index + " for " + setting + " " + values.get(0) + " up to "
                    + values.get(values.size() - 1) + ", until one reaches " + target);
            Ladder.Outcome outcome = Ladder.search(values, target, v -> {
                TuneReport.Step s = measure(c, search, queries, truth, k, setting, v, options.tenant());
                progress.detail(String.format(Locale.ROOT, "%s %d: recall %.3f (95%% lower bound %.3f), %.2f ms per query", setting, v,
                        s.recall(), s.recallLowerBound(), s.meanMillis()));
                return s;
            });
            Integer previous = hnsw ? col.efSearch() : col.probes();
            TuneReport.Step chosen = outcome.chosen();
            String suggestion = null;
            Double recall;
            if (chosen != null) {
                Registry.saveTuning(c, name, hnsw ? chosen.value() : null, hnsw ? null : chosen.value(), chosen.recall());
                recall = chosen.recall();
            } else {
                recall = outcome.steps().stream().mapToDouble(TuneReport.Step::recall).max().orElse(0);
                suggestion = hnsw
                        ? "rebuild the graph denser: pgbox memory index " + app + " " + name + " --m 32 --ef-construction 256, then tune again"
                        : "rebuild with more lists or use hnsw: pgbox memory index " + app + " " + name + " --type hnsw, then tune again";
            }
            return new TuneReport(app.value(), name.value(), type, target, queries.size(), k, setting, chosen == null ? null : chosen.value(),
                    recall, chosen != null, outcome.steps(), previous, suggestion, (System.nanoTime() - started) / 1_000_000);
        });
    }

    /** The kind of the collection's vector index as the catalog has it; the registry may be stale. */
    private static String indexType(Connection c, String index, AppName app, CollectionName name) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT am.amname, i.indisvalid FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid"
                + " JOIN pg_am am ON am.oid = ic.relam WHERE i.indexrelid = to_regclass(?)")) {
            ps.setString(1, "public." + index);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next() || !rs.getBoolean(2)) {
                    throw new PgboxException(ErrorKind.NOT_FOUND, "collection '" + name + "' has no valid vector index " + index,
                            "tuning measures searches through the index", "build it: pgbox memory index " + app + " " + name);
                }
                String am = rs.getString(1);
                if (!am.equals(IndexChoice.HNSW) && !am.equals(IndexChoice.IVFFLAT)) {
                    throw new PgboxException(ErrorKind.USAGE, index + " is a " + am + " index", "pgbox tunes hnsw and ivfflat indexes",
                            "rebuild it: pgbox memory index " + app + " " + name);
                }
                return am;
            }
        }
    }

    private static int lists(Connection c, String index) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT split_part(o, '=', 2)::int FROM pg_class, unnest(reloptions) o"
                + " WHERE oid = to_regclass(?) AND o LIKE 'lists=%'")) {
            ps.setString(1, "public." + index);
            try (ResultSet rs = ps.executeQuery()) {
                // pgvector's default when the index was made without WITH (lists = ...)
                return rs.next() ? rs.getInt(1) : 100;
            }
        }
    }

    /** Counts the live rows and adds {@code n} random ones to {@code out}; returns the count. */
    private static long countAndSample(Connection c, CollectionName name, int n, String tenant, List<Sample> out, boolean unit)
            throws SQLException {
        java.util.Random random = new java.util.Random(n * 31L + name.value().hashCode()); // the same queries for the same collection and size
        MemorySql.begin(c, tenant);
        try (Statement st = c.createStatement(); PreparedStatement ps = c.prepareStatement("SELECT id::text, embedding::text FROM "
                + name.sql() + " WHERE deleted_at IS NULL ORDER BY random() LIMIT ?")) {
            noTimeout(st);
            long rows;
            try (ResultSet rs = st.executeQuery("SELECT count(*) FROM " + name.sql() + " WHERE deleted_at IS NULL")) {
                rs.next();
                rows = rs.getLong(1);
            }
            ps.setInt(1, n);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new Sample(rs.getString(1), Vectors.literal(offRow(Vectors.parse(rs.getString(2)), random, unit))));
                }
            }
            MemorySql.commit(c);
            return rows;
        } catch (SQLException e) {
            MemorySql.rollback(c);
            throw e;
        }
    }

    /**
     * Exact scans of a large collection take as long as they take: the app roles' statement_timeout would
     * cancel them. And every execution is planned with the settings of its own transaction: a cached
     * generic plan ignores a later enable_seqscan or enable_indexscan.
     */
    private static void noTimeout(Statement st) throws SQLException {
        st.execute("SET LOCAL statement_timeout = 0");
        st.execute("SET LOCAL plan_cache_mode = force_custom_plan");
    }

    private static List<Set<String>> exact(Connection c, String search, List<Sample> queries, int k, String tenant) throws SQLException {
        List<Set<String>> out = new ArrayList<>();
        MemorySql.begin(c, tenant);
        try (Statement st = c.createStatement(); PreparedStatement ps = c.prepareStatement(search)) {
            noTimeout(st);
            st.execute("SET LOCAL enable_indexscan = off");
            st.execute("SET LOCAL enable_bitmapscan = off");
            for (Sample q : queries) {
                out.add(neighbours(ps, q, k));
            }
            MemorySql.commit(c);
        } catch (SQLException e) {
            MemorySql.rollback(c);
            throw e;
        }
        return out;
    }

    /** The first k ids of the answer, the query's own row left out. */
    private static Set<String> neighbours(PreparedStatement ps, Sample q, int k) throws SQLException {
        ps.setString(1, q.vector());
        Set<String> ids = new HashSet<>();
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next() && ids.size() < k) {
                String id = rs.getString(1);
                if (!id.equals(q.id())) {
                    ids.add(id);
                }
            }
        }
        return ids;
    }

    private static void setLocal(Connection c, String setting, int value, boolean noSeqScan) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT set_config(?, ?, true)"); Statement st = c.createStatement()) {
            ps.setString(1, setting);
            ps.setString(2, Integer.toString(value));
            ps.execute();
            noTimeout(st);
            if (noSeqScan) {
                st.execute("SET LOCAL enable_seqscan = off");
            }
        }
    }

    /** Refuses to measure when the planner would not search through the index (the numbers would be exact, not the index's). */
    private static void checkPlanUsesIndex(Connection c, String search, Sample q, String setting, String index, String tenant) throws SQLException {
        MemorySql.begin(c, tenant);
        StringBuilder plan = new StringBuilder();
        try (PreparedStatement ps = c.prepareStatement("EXPLAIN " + search)) {
            setLocal(c, setting, 40, true);
            ps.setString(1, q.vector());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    plan.append(rs.getString(1)).append('\n');
                }
            }
            MemorySql.commit(c);
        } catch (SQLException e) {
            MemorySql.rollback(c);
            throw e;
        }
        if (!plan.toString().contains(index)) {
            throw new PgboxException(ErrorKind.FAILURE, "searches do not use " + index, "the plan was:\n" + plan.toString().strip(),
                    "check the index with 'pgbox db query', then run 'pgbox memory index' to rebuild it");
        }
    }

    private static TuneReport.Step measure(Connection c, String search, List<Sample> queries, List<Set<String>> truth, int k, String setting,
                                           int value, String tenant) {
        try {
            MemorySql.begin(c, tenant);
            long found = 0;
            long total = 0;
            long nanos = 0;
            double[] perQuery = new double[queries.size()];
            try (PreparedStatement ps = c.prepareStatement(search)) {
                setLocal(c, setting, value, true);
                for (int i = 0; i < queries.size(); i++) {
                    long t0 = System.nanoTime();
                    Set<String> got = neighbours(ps, queries.get(i), k);
                    nanos += System.nanoTime() - t0;
                    Set<String> want = truth.get(i);
                    total += want.size();
                    long hits = 0;
                    for (String id : got) {
                        if (want.contains(id)) {
                            hits++;
                        }
                    }
                    found += hits;
                    perQuery[i] = want.isEmpty() ? 1.0 : (double) hits / want.size();
                }
                MemorySql.commit(c);
            } catch (SQLException e) {
                MemorySql.rollback(c);
                throw e;
            }
            double recall = total == 0 ? 1.0 : (double) found / total;
            return new TuneReport.Step(value, recall, lowerBound(recall, perQuery), nanos / 1e6 / queries.size());
        } catch (SQLException e) {
            throw MemorySql.failure(e, "measuring recall at " + setting + " " + value);
        }
    }
}
