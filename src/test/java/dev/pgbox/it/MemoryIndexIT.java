package dev.pgbox.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pgbox.apps.AppName;
import dev.pgbox.sql.AdminSql;
import java.sql.Connection;
import java.sql.Statement;
import java.util.Properties;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * 'memory index' and 'memory tune' on a real server: a 32-d cosine collection of 5,000 random unit
 * vectors (no model needed), a server whose maintenance_work_mem (1MB) is far too small for the graph,
 * the dry run, the concurrent rebuild with progress, tuning to a reachable and to an unreachable target.
 */
@Timeout(300)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MemoryIndexIT {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String INDEX = "np_docs_embedding_idx";
    static PgboxProject project;
    static AdminSql admin;
    /** What the dry run said the build needs (the server has 1MB). */
    static String buildMemory;

    @BeforeAll
    static void start() throws Exception {
        project = PgboxProject.create("memindex", "POSTGRES_MAINTENANCE_WORK_MEM=1MB");
        project.ok("start");
        project.ok("app", "create", "mem");
        admin = project.admin();
        AppName app = new AppName("mem");
        Properties asOwner = new Properties();
        asOwner.setProperty("options", "-c role=mem_owner");
        project.ok("memory", "create", "mem", "docs", "--model", "external", "--dim", "32");
        try (Connection c = project.connect("127.0.0.1", "mem", "mem", project.settings().appSecret(app.passwordVariable()), asOwner);
             Statement st = c.createStatement()) {
            // filled without the vector index (inserting into an HNSW graph row by row is slow), then a small one made
            // quickly (the registry still says hnsw): the index 'memory index' replaces. Random unit vectors (the correlated
            // subquery draws new numbers for each row); a few soft-deleted rows stay out of the index.
            st.execute("SET statement_timeout = 0");
            st.execute("SET maintenance_work_mem = '64MB'");
            st.execute("DROP INDEX public." + INDEX);
            st.execute("INSERT INTO public.np_docs (content, embedding, deleted_at) SELECT 'doc ' || g,"
                    + " l2_normalize(ARRAY(SELECT random() - 0.5 FROM generate_series(1, 32) WHERE g > 0)::vector),"
                    + " CASE WHEN g % 1000 = 0 THEN now() END FROM generate_series(1, 5000) g");
            st.execute("CREATE INDEX " + INDEX + " ON public.np_docs USING ivfflat (embedding vector_ip_ops) WITH (lists = 1)"
                    + " WHERE deleted_at IS NULL");
            st.execute("ANALYZE public.np_docs");
        }
    }

    @AfterAll
    static void stop() {
        if (project != null) {
            project.close();
        }
    }

    static String q(String sql) {
        return admin.value("mem", sql);
    }

    @Test
    @Order(1)
    void dryRunShowsTheChoiceAndTheMemoryCheckAndBuildsNothing() throws Exception {
        String oid = q("SELECT '" + INDEX + "'::regclass::oid");
        JsonNode r = JSON.readTree(project.ok("memory", "index", "mem", "docs", "--dry-run", "--json").stdout());
        assertThat(r.path("built").asBoolean()).isFalse();
        assertThat(r.path("type").asText() + r.path("m").asInt() + "/" + r.path("ef_construction").asInt()).isEqualTo("hnsw16/64");
        assertThat(r.path("reasons").toString()).contains("m 16: 4,995 rows (below a million)");
        assertThat(r.path("memory_rule").asText()).contains("RAM plan", "(pgbox plan)");
        assertThat(r.path("rows").asLong()).isEqualTo(4995);
        assertThat(r.path("server_maintenance_work_mem").asText()).isEqualTo("1MB");
        assertThat(r.path("memory_raised").asBoolean()).isTrue();
        assertThat(r.path("memory_fits").asBoolean()).isTrue();
        // 4,995 x about 906 bytes, plus 15 % in whole MB
        long estimate = r.path("estimated_bytes").asLong();
        assertThat(estimate).isBetween(4_400_000L, 4_700_000L);
        buildMemory = r.path("maintenance_work_mem").asText();
        assertThat(buildMemory).isEqualTo((estimate * 115 / 100 + (1 << 20) - 1) / (1 << 20) + "MB");
        assertThat(q("SELECT '" + INDEX + "'::regclass::oid")).isEqualTo(oid);
    }

    @Test
    @Order(2)
    void anIvfflatBuildReplacesTheIndexAndDropsALeftover() throws Exception {
        String oid = q("SELECT '" + INDEX + "'::regclass::oid");
        // a leftover of a killed run: dropped first
        admin.run("mem", "SET ROLE mem_owner; CREATE INDEX np_docs_embedding_idx_new ON np_docs (id);");
        PgboxProject.Run run = project.ok("memory", "index", "mem", "docs", "--type", "ivfflat");
        assertThat(run.stderr()).contains("dropping np_docs_embedding_idx_new, left behind by an earlier run");
        // pgvector refuses an IVFFlat build whose k-means does not fit: the 1MB of the server would not do
        assertThat(run.stderr()).contains("maintenance_work_mem raised for this build from 1MB to 2MB");
        assertThat(run.stdout()).contains("built " + INDEX + ": ivfflat lists=4 over 4995 rows", "lists 4: rows / 1000");
        assertThat(q("SELECT '" + INDEX + "'::regclass::oid")).isNotEqualTo(oid);
        assertThat(q("SELECT pg_get_indexdef('" + INDEX + "'::regclass)")).contains("USING ivfflat (embedding vector_ip_ops)",
                "lists='4'", "WHERE (deleted_at IS NULL)");
        assertThat(q("SELECT count(*) FROM pg_class WHERE relname LIKE 'np_docs_embedding_idx_%'")).isEqualTo("0");
        assertThat(q("SELECT index_type FROM pgbox.memory_collections WHERE name = 'docs'")).isEqualTo("ivfflat");
    }

    @Test
    @Order(3)
    void tuneFindsAProbesValueMeetingTheTarget() throws Exception {
        JsonNode r = JSON.readTree(project.ok("memory", "tune", "mem", "docs", "--recall", "0.9", "--samples", "30", "--json").stdout());
        assertThat(r.path("setting").asText()).isEqualTo("ivfflat.probes");
        assertThat(r.path("met").asBoolean()).isTrue();
        assertThat(r.path("recall").asDouble()).isGreaterThanOrEqualTo(0.9);
        int chosen = r.path("chosen").asInt();
        assertThat(q("SELECT probes FROM pgbox.memory_collections WHERE name = 'docs'")).isEqualTo(Integer.toString(chosen));
        JsonNode steps = r.path("steps");
        assertThat(steps.get(0).path("value").asInt()).isEqualTo(1);
        // one probe of 4 lists searches about a quarter of the rows: far from exact
        assertThat(steps.get(0).path("recall").asDouble()).isLessThan(0.9);
        assertThat(steps.get(steps.size() - 1).path("value").asInt()).isEqualTo(chosen);
        // a value is chosen when the lower end of its recall's confidence interval meets the target: every earlier one fell short
        for (int i = 0; i < steps.size() - 1; i++) {
            assertThat(steps.get(i).path("recall_lower_bound").asDouble()).isLessThan(0.9);
        }
        assertThat(steps.get(steps.size() - 1).path("recall_lower_bound").asDouble()).isGreaterThanOrEqualTo(0.9);
    }

    @Test
    @Order(4)
    void anHnswBuildRunsConcurrentlyWithProgressAndTheRaisedMemory() throws Exception {
        String oid = q("SELECT '" + INDEX + "'::regclass::oid");
        PgboxProject.Run run = project.ok("memory", "index", "mem", "docs", "--type", "hnsw", "--ef-construction", "40");
        assertThat(run.stderr()).contains("building np_docs_embedding_idx_new concurrently: hnsw m=16 ef_construction=40,"
                + " maintenance_work_mem " + buildMemory, "building index: loading tuples", "putting the new index in place of the old one");
        assertThat(run.stdout()).contains("built " + INDEX + ": hnsw m=16 ef_construction=40", "ef_construction 40: given",
                "raised for this build from 1MB to " + buildMemory);
        // pgvector says so when the graph outgrows maintenance_work_mem (it would at the server's 1MB); the raised value held it
        assertThat(run.all()).doesNotContain("no longer fits");
        assertThat(q("SELECT '" + INDEX + "'::regclass::oid")).isNotEqualTo(oid);
        assertThat(q("SELECT indisvalid FROM pg_index WHERE indexrelid = '" + INDEX + "'::regclass")).isEqualTo("t");
        assertThat(q("SELECT pg_get_indexdef('" + INDEX + "'::regclass)")).contains("USING hnsw (embedding vector_ip_ops)",
                "m='16'", "ef_construction='40'", "WHERE (deleted_at IS NULL)");
        assertThat(q("SELECT count(*) FROM pg_class WHERE relname LIKE 'np_docs_embedding_idx_%'")).isEqualTo("0");
        assertThat(q("SELECT relowner::regrole FROM pg_class WHERE relname = '" + INDEX + "'")).isEqualTo("mem_owner");
        // the probes of the ivfflat index do not apply any more; the server's own value is untouched
        assertThat(q("SELECT index_type || ' ' || coalesce(probes::text, 'none') FROM pgbox.memory_collections WHERE name = 'docs'"))
                .isEqualTo("hnsw none");
        assertThat(q("SHOW maintenance_work_mem")).isEqualTo("1MB");
    }

    @Test
    @Order(5)
    void tuneSetsTheLowestEfSearchMeetingTheTargetAndReportsAnUnreachableOne() throws Exception {
        JsonNode first = JSON.readTree(project.ok("memory", "tune", "mem", "docs", "--recall", "0.9", "--samples", "40", "--json").stdout());
        // measured through the index, not exactly: an HNSW scan with ef_search 10 returns 10 rows, one of them the query's own
        // row, so at most 9 of its 10 true neighbours
        assertThat(first.path("steps").get(0).path("value").asInt()).isEqualTo(10);
        assertThat(first.path("steps").get(0).path("recall").asDouble()).isLessThanOrEqualTo(0.9);
        PgboxProject.Run text = project.ok("memory", "tune", "mem", "docs", "--recall", "0.9", "--samples", "40");
        assertThat(text.stdout()).contains("hnsw.ef_search", "recall@10", "mean ms", "set hnsw.ef_search = ");
        String ef = q("SELECT ef_search FROM pgbox.memory_collections WHERE name = 'docs'");
        assertThat(text.stdout()).contains("set hnsw.ef_search = " + ef + " for mem/docs");
        assertThat(Double.parseDouble(q("SELECT tuned_recall FROM pgbox.memory_collections WHERE name = 'docs'"))).isGreaterThanOrEqualTo(0.9);
        assertThat(text.stderr()).contains("exact 10 nearest neighbours of 40 queries");

        // an HNSW scan returns at most ef_search (at most 1000) rows, one of them the query's own: recall@1000 of 1.0 is out of reach
        PgboxProject.Run none = project.pgbox("memory", "tune", "mem", "docs", "--recall", "1.0", "--k", "1000", "--samples", "5", "--json");
        assertThat(none.exitCode()).as(none.all()).isEqualTo(11);
        JsonNode r = JSON.readTree(none.stdout());
        assertThat(r.path("met").asBoolean()).isFalse();
        assertThat(r.has("chosen")).isFalse();
        assertThat(r.path("recall").asDouble()).isLessThan(1.0);
        assertThat(r.path("suggestion").asText()).contains("pgbox memory index mem docs --m 32 --ef-construction 256");
        assertThat(q("SELECT ef_search FROM pgbox.memory_collections WHERE name = 'docs'")).isEqualTo(ef);
    }
}
