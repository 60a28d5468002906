package dev.pgbox.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * Every {@code pgbox report} against conditions made for real: a slow statement called several times,
 * an unused index, foreign keys with and without a supporting index, a table whose values live in TOAST,
 * a session waiting for a lock another holds, an idle-in-transaction session, dead tuples on a table with
 * autovacuum off; then the errors (unknown app, bad --limit, stopped server).
 */
@Timeout(300)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ReportIT {
    static final ObjectMapper JSON = new ObjectMapper();
    static PgboxProject project;

    @BeforeAll
    static void start() throws Exception {
        project = PgboxProject.create("report");
        project.ok("start");
        project.ok("app", "create", "shop");
        try (Connection c = project.connectApp(); Statement st = c.createStatement()) {
            st.execute("""
                    CREATE TABLE customers (id int PRIMARY KEY, email text UNIQUE);
                    CREATE TABLE orders (id int PRIMARY KEY, customer_id int REFERENCES customers (id), note text);
                    CREATE INDEX orders_note_unused ON orders (note);
                    CREATE TABLE lines (order_id int REFERENCES orders (id), n int, PRIMARY KEY (order_id, n));
                    CREATE TABLE notes (order_id int REFERENCES orders (id), n int);
                    CREATE INDEX notes_n_then_order ON notes (n, order_id);
                    CREATE TABLE docs (id int PRIMARY KEY, body text);
                    INSERT INTO customers SELECT g, 'c' || g || '@example.com' FROM generate_series(1, 100) g;
                    INSERT INTO orders SELECT g, 1 + g % 100, repeat('x', 100) FROM generate_series(1, 2000) g;
                    INSERT INTO docs SELECT g, (SELECT string_agg(md5(random()::text || g || i), '') FROM generate_series(1, 400) i)
                      FROM generate_series(1, 20) g;
                    ANALYZE;
                    """);
        }
    }

    @AfterAll
    static void stop() {
        if (project != null) {
            project.close();
        }
    }

    static JsonNode json(String... args) throws Exception {
        List<String> all = new ArrayList<>(List.of("report"));
        all.addAll(List.of(args));
        all.add("--json");
        return JSON.readTree(project.ok(all.toArray(String[]::new)).stdout());
    }

    static List<JsonNode> rows(JsonNode report, String field) {
        List<JsonNode> out = new ArrayList<>();
        report.path(field).forEach(out::add);
        return out;
    }

    static JsonNode find(List<JsonNode> rows, Predicate<JsonNode> p) {
        return rows.stream().filter(p).findFirst().orElseThrow(() -> new AssertionError("no such row in " + rows));
    }

    static int pid(Connection c) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT pg_backend_pid()")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    @Test
    @Order(1)
    void slowQueriesShowAStatementCalledSeveralTimes() throws Exception {
        try (Connection c = project.connectApp(); Statement st = c.createStatement()) {
            for (int i = 0; i < 5; i++) {
                st.execute("SELECT count(*) FROM pg_sleep(0.05) AS report_slow_marker");
            }
        }
        JsonNode r = json("slow-queries");
        assertThat(r.path("available").asBoolean()).isTrue();
        JsonNode q = find(rows(r, "queries"), n -> n.path("query").asText().contains("report_slow_marker"));
        assertThat(q.path("calls").asLong()).isGreaterThanOrEqualTo(5);
        assertThat(q.path("database").asText()).isEqualTo("app");
        assertThat(q.path("total_ms").asDouble()).isGreaterThanOrEqualTo(5 * 50 * 0.9);
        assertThat(q.has("mean_ms") && q.has("stddev_ms") && q.has("rows")).isTrue();
        assertThat(project.ok("report", "slow-queries").stdout()).contains("report_slow_marker").contains("total ms");
        // pgbox's own administration (the superuser's statements) only with --superuser
        assertThat(rows(r, "queries")).noneMatch(n -> n.path("user").asText().equals("postgres"));
        assertThat(rows(json("slow-queries", "--superuser", "--limit", "100"), "queries"))
                .anyMatch(n -> n.path("user").asText().equals("postgres"));
        // another app's view leaves the main database's statements out
        assertThat(json("slow-queries", "--app", "shop").toString()).doesNotContain("report_slow_marker");

        project.admin().run("shop", "DROP EXTENSION pg_stat_statements;");
        JsonNode missing = json("slow-queries", "--app", "shop");
        assertThat(missing.path("available").asBoolean()).isFalse();
        assertThat(project.ok("report", "slow-queries", "--app", "shop").stdout()).contains("pg_stat_statements is not installed");
    }

    @Test
    @Order(2)
    void unusedIndexesLeaveOutThoseBehindConstraints() throws Exception {
        List<JsonNode> idx = rows(json("unused-indexes"), "indexes");
        JsonNode unused = find(idx, n -> n.path("index").asText().equals("orders_note_unused"));
        assertThat(unused.path("fix").asText()).isEqualTo("DROP INDEX CONCURRENTLY public.orders_note_unused;");
        assertThat(unused.path("size_bytes").asLong()).isPositive();
        assertThat(idx).noneMatch(n -> n.path("index").asText().endsWith("_pkey") || n.path("index").asText().endsWith("_key"));
        assertThat(project.ok("report", "unused-indexes").stdout()).contains("orders_note_unused").contains("no scans since");
    }

    @Test
    @Order(3)
    void missingFkIndexesCompareColumnPositions() throws Exception {
        List<JsonNode> fks = rows(json("missing-fk-indexes"), "foreign_keys");
        JsonNode orders = find(fks, n -> n.path("constraint").asText().equals("orders_customer_id_fkey"));
        assertThat(orders.path("fix").asText()).isEqualTo("CREATE INDEX CONCURRENTLY ON orders (customer_id);");
        assertThat(orders.path("references").asText()).isEqualTo("customers");
        // notes.order_id is in an index, but second: no help for lookups by order_id
        find(fks, n -> n.path("constraint").asText().equals("notes_order_id_fkey"));
        // lines.order_id leads the primary key
        assertThat(fks).noneMatch(n -> n.path("table").asText().equals("lines"));
        assertThat(project.ok("report", "missing-fk-indexes").stdout()).contains("CREATE INDEX CONCURRENTLY ON orders (customer_id);");
        assertThat(project.ok("report", "missing-fk-indexes", "--app", "shop").stdout()).contains("every foreign key in shop has");

        // the fix works: run it, and the foreign key is no longer reported
        project.admin().run("app", "CREATE INDEX CONCURRENTLY ON orders (customer_id);");
        assertThat(rows(json("missing-fk-indexes"), "foreign_keys")).noneMatch(n -> n.path("table").asText().equals("orders"));
    }

    @Test
    @Order(4)
    void tableSizesSplitDataIndexesAndToast() throws Exception {
        JsonNode r = json("table-sizes");
        JsonNode docs = find(rows(r, "tables"), n -> n.path("table").asText().equals("docs"));
        assertThat(docs.path("toast_bytes").asLong()).isGreaterThan(50_000).isGreaterThan(docs.path("data_bytes").asLong());
        assertThat(docs.path("index_bytes").asLong()).isPositive();
        assertThat(docs.path("total_bytes").asLong()).isEqualTo(docs.path("data_bytes").asLong() + docs.path("index_bytes").asLong()
                + docs.path("toast_bytes").asLong());
        assertThat(docs.path("rows_estimate").asLong()).isEqualTo(20);
        assertThat(rows(json("table-sizes", "--limit", "1"), "tables")).hasSize(1);
        assertThat(project.ok("report", "table-sizes").stdout()).contains("public.docs").contains("toast");
    }

    @Test
    @Order(5)
    void locksShowTheWaiterWithItsBlockerAndActivityTheSessions() throws Exception {
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try (Connection holder = project.connectApp(); Connection waiter = project.connectApp()) {
            int holderPid = pid(holder);
            int waiterPid = pid(waiter);
            holder.setAutoCommit(false);
            try (Statement st = holder.createStatement()) {
                st.execute("LOCK TABLE customers IN ACCESS EXCLUSIVE MODE");
            }
            Future<?> blocked = pool.submit(() -> {
                try (Statement st = waiter.createStatement()) {
                    st.execute("SELECT count(*) FROM customers AS report_waiting_marker");
                }
                return null;
            });
            JsonNode locks = null;
            for (int i = 0; i < 60; i++) {
                locks = json("locks");
                if (rows(locks, "locks").stream().anyMatch(n -> n.path("pid").asInt() == waiterPid && !n.path("granted").asBoolean())) {
                    break;
                }
                Thread.sleep(500);
            }
            List<JsonNode> all = rows(locks, "locks");
            JsonNode waiting = find(all, n -> n.path("pid").asInt() == waiterPid && !n.path("granted").asBoolean());
            assertThat(waiting.path("blocked_by").get(0).asInt()).isEqualTo(holderPid);
            assertThat(waiting.path("target").asText()).isEqualTo("customers");
            assertThat(waiting.path("query").asText()).contains("report_waiting_marker");
            assertThat(locks.path("waiting").asInt()).isGreaterThanOrEqualTo(1);
            JsonNode held = find(all, n -> n.path("pid").asInt() == holderPid && n.path("target").asText().equals("customers"));
            assertThat(held.path("granted").asBoolean()).isTrue();
            assertThat(held.path("mode").asText()).isEqualTo("AccessExclusiveLock");
            assertThat(project.ok("report", "locks").stdout()).contains("WAITING").contains(Integer.toString(holderPid));

            List<JsonNode> sessions = rows(json("activity"), "sessions");
            JsonNode h = find(sessions, n -> n.path("pid").asInt() == holderPid);
            assertThat(h.path("state").asText()).isEqualTo("idle in transaction");
            assertThat(h.has("xact_age_seconds")).isTrue();
            JsonNode w = find(sessions, n -> n.path("pid").asInt() == waiterPid);
            assertThat(w.path("state").asText()).isEqualTo("active");
            assertThat(w.path("wait_event_type").asText()).isEqualTo("Lock");
            assertThat(w.path("database").asText()).isEqualTo("app");
            assertThat(rows(json("activity", "--app", "shop"), "sessions")).isEmpty();
            assertThat(project.ok("report", "activity").stdout()).contains("idle in transaction").contains("report_waiting_marker");

            holder.rollback();
            blocked.get(30, TimeUnit.SECONDS);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    @Order(6)
    void vacuumBloatAndCacheSeeDeadTuplesWithAutovacuumOff() throws Exception {
        try (Connection c = project.connectApp(); Statement st = c.createStatement()) {
            st.execute("ALTER TABLE orders SET (autovacuum_enabled = false)");
            st.execute("DELETE FROM lines; DELETE FROM notes; DELETE FROM orders WHERE id % 4 <> 0");
            st.execute("SELECT count(*) FROM orders");
        } // closing the session sends its statistics
        JsonNode orders = null;
        for (int i = 0; i < 40; i++) {
            orders = find(rows(json("vacuum"), "tables"), n -> n.path("table").asText().equals("orders"));
            if (orders.path("dead_tuples").asLong() > 0) {
                break;
            }
            Thread.sleep(500);
        }
        assertThat(orders.path("dead_tuples").asLong()).isEqualTo(1500);
        assertThat(orders.path("autovacuum_enabled").asBoolean()).isFalse();
        assertThat(orders.path("dead_percent").asDouble()).isEqualTo(75.0);
        assertThat(orders.path("xid_age").asLong()).isPositive();
        assertThat(project.ok("report", "vacuum").stdout()).contains("OFF");

        project.admin().run("app", "ANALYZE orders;");
        JsonNode bloat = find(rows(json("bloat"), "tables"), n -> n.path("table").asText().equals("orders"));
        assertThat(bloat.path("bloat_bytes").asLong()).isPositive();
        assertThat(bloat.path("bloat_percent").asDouble()).isGreaterThan(30.0);
        assertThat(bloat.path("dead_tuples").asLong()).isEqualTo(1500);

        JsonNode cache = json("cache");
        assertThat(rows(cache, "databases")).anyMatch(n -> n.path("database").asText().equals("app") && n.has("hit_percent"));
        assertThat(rows(cache, "tables")).anyMatch(n -> n.path("table").asText().equals("orders") && n.path("heap_hit").asLong() > 0);
        assertThat(rows(json("cache", "--app", "shop"), "databases")).extracting(n -> n.path("database").asText()).containsExactly("shop");
    }

    @Test
    @Order(7)
    void unknownAppAndBadLimitAreRefused() {
        PgboxProject.Run unknown = project.pgbox("report", "table-sizes", "--app", "nope");
        assertThat(unknown.exitCode()).as(unknown.all()).isEqualTo(3);
        assertThat(unknown.stderr()).contains("no app named 'nope'");
        assertThat(project.pgbox("report", "activity", "--limit", "0").exitCode()).isEqualTo(2);
    }

    @Test
    @Order(99)
    void aStoppedServerIsTheNotRunningErrorForReportsAndTop() {
        project.ok("stop");
        for (String report : List.of("slow-queries", "locks", "vacuum")) {
            PgboxProject.Run r = project.pgbox("report", report);
            assertThat(r.exitCode()).as(r.all()).isEqualTo(4);
            assertThat(r.stderr()).contains("the server is not running");
        }
        PgboxProject.Run top = project.pgbox("top", "--once");
        assertThat(top.exitCode()).as(top.all()).isEqualTo(4);
    }
}
