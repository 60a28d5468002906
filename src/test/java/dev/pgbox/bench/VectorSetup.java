package dev.pgbox.bench;

import dev.pgbox.sql.Jdbc;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One way to search the same rows: a table, its vector index, the operator the search orders by and
 * the hnsw.ef_search it runs with. Searches return the 10 nearest ids with their cosine distance
 * (every vector is unit length, so inner product and cosine rank alike), and recall@10 counts the hits
 * no farther than the exact 10th neighbour, so exact ties between equal vectors do not count as misses.
 */
final class VectorSetup {
    static final int K = 10;
    /** Distances this close to the exact 10th count as ties (pgvector and Java round floats differently). */
    static final double TIE = 1e-5;

    private final String name;
    private final String table;
    private final String where;
    private final String operator;
    private String index = "?";
    private int efSearch = 40;

    /**
     * @param where "" or a WHERE clause matching the partial index's predicate
     * @param operator {@code <=>} (cosine distance) or {@code <#>} (negative inner product)
     */
    VectorSetup(String name, String table, String where, String operator) {
        this.name = name;
        this.table = table;
        this.where = where;
        this.operator = operator;
    }

    String name() {
        return name;
    }

    String table() {
        return table;
    }

    String operator() {
        return operator;
    }

    String index() {
        return index;
    }

    void index(String description) {
        this.index = description;
    }

    int efSearch() {
        return efSearch;
    }

    void efSearch(int ef) {
        this.efSearch = ef;
    }

    /** The search: ids and raw distances of the K nearest live rows. */
    String sql() {
        return sql("id::text");
    }

    /** The search returning what an API hit holds too (content, metadata, tenant, created_at). */
    String fullSql() {
        return sql("id::text, content, metadata::text, tenant_id, created_at::text");
    }

    private String sql(String columns) {
        return "SELECT " + columns + ", embedding " + operator + " ?::vector AS d FROM " + table + " " + where + " ORDER BY d LIMIT " + K;
    }

    /** The operator's value as cosine distance. */
    double cosine(double raw) {
        return "<#>".equals(operator) ? 1 + raw : raw;
    }

    /** The exact K nearest cosine distances of each query, by a sequential scan (no index). */
    List<double[]> exact(Jdbc.Target login, String[] queries) throws SQLException {
        try (Connection c = Jdbc.connect(login)) {
            try (Statement st = c.createStatement()) {
                st.execute("SET enable_indexscan = off");
                st.execute("SET enable_bitmapscan = off");
                try (ResultSet rs = st.executeQuery("EXPLAIN " + sql().replace("?::vector", "'" + queries[0] + "'::vector"))) {
                    StringBuilder plan = new StringBuilder();
                    while (rs.next()) {
                        plan.append(rs.getString(1)).append('\n');
                    }
                    if (!plan.toString().contains("Seq Scan")) {
                        throw new IllegalStateException("the exact search does not scan sequentially:\n" + plan);
                    }
                }
            }
            List<double[]> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(sql())) {
                for (String q : queries) {
                    out.add(distances(ps, q));
                }
            }
            return out;
        }
    }

    /** Recall@K of this setup at {@code ef} against {@code exact}, and the mean time per query (one client). */
    double[] recall(Jdbc.Target login, int ef, String[] queries, List<double[]> exact) throws SQLException {
        try (Connection c = Jdbc.connect(login)) {
            setEf(c, ef);
            try (PreparedStatement ps = c.prepareStatement(sql())) {
                double sum = 0;
                long t0 = System.nanoTime();
                for (int i = 0; i < queries.length; i++) {
                    sum += recallOf(distances(ps, queries[i]), exact.get(i));
                }
                double ms = (System.nanoTime() - t0) / 1e6 / queries.length;
                return new double[] {sum / queries.length, ms};
            }
        }
    }

    /** What the planner does with the search (to show that the index is used). */
    String plan(Jdbc.Target login, String query) throws SQLException {
        try (Connection c = Jdbc.connect(login); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("EXPLAIN " + sql().replace("?::vector", "'" + query + "'::vector"))) {
            List<String> lines = new ArrayList<>();
            while (rs.next()) {
                lines.add(rs.getString(1).strip());
            }
            // the query vector's 384 numbers say nothing about the plan
            return String.join(" / ", lines).replaceAll("'\\[[^']*\\]'", "'[...]'");
        }
    }

    /** Clients for {@link QueryLoad}: one connection each, the search prepared, ef_search set for the session. */
    QueryLoad.Clients clients(Jdbc.Target login, String[] queries, boolean full) {
        return () -> {
            Connection c = Jdbc.connect(login);
            setEf(c, efSearch);
            PreparedStatement ps = c.prepareStatement(full ? fullSql() : sql());
            int columns = full ? 6 : 2;
            return new QueryLoad.Client() {
                @Override
                public void search(int i) throws SQLException {
                    ps.setString(1, queries[i]);
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            for (int col = 1; col <= columns; col++) {
                                rs.getString(col);
                            }
                        }
                    }
                }

                @Override
                public void close() throws SQLException {
                    c.close();
                }
            };
        };
    }

    /** The fraction of {@code got}'s distances within the exact K-th distance (ties count). */
    static double recallOf(double[] got, double[] exact) {
        if (exact.length == 0) {
            return 1;
        }
        // float rounding differs between pgvector and the in-memory brute force by ~1e-7
        double limit = exact[exact.length - 1] + TIE;
        int hits = 0;
        for (double d : got) {
            if (d <= limit) {
                hits++;
            }
        }
        return Math.min(hits, exact.length) / (double) exact.length;
    }

    static void setEf(Connection c, int ef) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute("SET hnsw.ef_search = " + ef);
        }
    }

    private double[] distances(PreparedStatement ps, String q) throws SQLException {
        ps.setString(1, q);
        double[] d = new double[K];
        int n = 0;
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                d[n++] = cosine(rs.getDouble("d"));
            }
        }
        return Arrays.copyOf(d, n);
    }
}
