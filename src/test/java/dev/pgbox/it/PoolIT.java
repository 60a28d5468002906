package dev.pgbox.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pgbox.cluster.Layout;
import dev.pgbox.config.Setting;
import dev.pgbox.config.Settings;
import dev.pgbox.install.PgInstallation;
import dev.pgbox.sql.AdminSql;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

/**
 * PgBouncer in front of one real server, through the URLs 'pgbox app url --pooled' prints: a thousand
 * concurrent clients share a few server connections; SET LOCAL does not leak from one pooled client
 * to the next while plain SET does; the session pool carries LISTEN/NOTIFY; pool status shows waiting
 * clients; disable stops it and the pooled URL is then refused; an unknown plugin is refused.
 */
@Timeout(90)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PoolIT {
    static final int CLIENTS = 1000;
    static final ObjectMapper JSON = new ObjectMapper();
    static PgboxProject project;
    static AdminSql admin;
    static String jdbcTransactionPool;
    static String jdbcSessionPool;

    @BeforeAll
    static void start() throws Exception {
        // a small pool and room for a thousand clients (pool sizes otherwise come from the RAM plan)
        project = PgboxProject.create("pool", "PGBOUNCER_MAX_CLIENT_CONN=1200", "PGBOUNCER_DEFAULT_POOL_SIZE=5");
        project.ok("start");
        project.ok("app", "create", "shop");
        admin = project.admin();
        PgboxProject.Run on = project.ok("pool", "enable");
        assertThat(on.stdout()).contains("PgBouncer is on").contains("PGBOUNCER_ENABLED=on");
        assertThat(project.ok("pool", "enable").stdout()).contains("PgBouncer is already on; nothing to do");
        jdbcTransactionPool = jdbcLine(project.ok("app", "url", "shop", "--pooled", "--show-password"));
        jdbcSessionPool = jdbcLine(project.ok("app", "url", "shop", "--pooled", "--session", "--show-password"));
    }

    @AfterAll
    static void stop() {
        if (project != null) {
            project.close();
        }
    }

    static String jdbcLine(PgboxProject.Run r) {
        return r.stdout().lines().filter(l -> l.startsWith("jdbc:")).map(l -> l.substring("jdbc:".length()).strip()).findFirst()
                .orElseThrow(() -> new AssertionError("no jdbc line in:\n" + r.stdout()));
    }

    /** A connection by the printed URL; a long connect timeout, for a thousand logins queued on a busy box. */
    static Connection pooled(String url) throws SQLException {
        java.util.Properties p = new java.util.Properties();
        p.setProperty("connectTimeout", "120");
        return DriverManager.getConnection(url, p);
    }

    /** PgBouncer's own console (SHOW DATABASES etc.), rows by column name. */
    static List<Map<String, String>> console(String show) {
        Settings s = project.settings();
        Layout l = Layout.resolve(s, PgInstallation.of(PgInstallation.newestInstalled().orElseThrow()));
        AdminSql door = new AdminSql(new AdminSql.Endpoint(l.pg().bin("psql"), l.runDir(), s.integer(Setting.PGBOUNCER_PORT), l.osUser()));
        List<List<String>> t = door.console(l.osUser(), "pgbouncer", show + ";");
        List<Map<String, String>> rows = new ArrayList<>();
        for (List<String> row : t.subList(1, t.size())) {
            Map<String, String> m = new HashMap<>();
            for (int i = 0; i < row.size(); i++) {
                m.put(t.get(0).get(i), row.get(i));
            }
            rows.add(m);
        }
        return rows;
    }

    /** The most server connections the shop transaction pool may open: pool_size + reserve_pool, as PgBouncer has them. */
    static int poolCap() {
        Map<String, String> shop = console("SHOW DATABASES").stream().filter(r -> "shop".equals(r.get("name"))).findFirst().orElseThrow();
        return Integer.parseInt(shop.get("pool_size")) + Integer.parseInt(shop.get("reserve_pool"));
    }

    /** Server connections of the app's login role in the shop database, counted by the server itself. */
    static int serverConnections() {
        return Integer.parseInt(admin.value("postgres", "SELECT count(*) FROM pg_stat_activity WHERE datname = $1 AND usename = $2"
                + " AND backend_type = 'client backend'", "shop", "shop"));
    }

    @Test
    @Order(1)
    // a thousand TLS handshakes and scram logins through one single-threaded PgBouncer: about 40 s on a quiet
    // 2-CPU box, minutes on a loaded one (no timing is asserted; the limit only stops a hang)
    @Timeout(300)
    void aThousandConcurrentClientsAreAllAnsweredOverAFewServerConnections() throws Exception {
        int cap = poolCap();
        assertThat(cap).as("a small pool, so the test means something").isLessThan(CLIENTS / 20);
        AtomicInteger answered = new AtomicInteger();
        ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
        AtomicLong mostSeen = new AtomicLong();
        AtomicBoolean running = new AtomicBoolean(true);
        Thread sampler = new Thread(() -> {
            while (running.get()) {
                mostSeen.accumulateAndGet(serverConnections(), Math::max);
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        sampler.start();
        ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);
        CountDownLatch go = new CountDownLatch(1);
        CountDownLatch connected = new CountDownLatch(CLIENTS);
        // at most 50 logins (TLS + scram) in flight: PgBouncer closes a login still unfinished after client_login_timeout
        // (60 s), which a thousand at once reach on a loaded 2-CPU box; once all are in, all query at once
        java.util.concurrent.Semaphore logins = new java.util.concurrent.Semaphore(50);
        try {
            for (int i = 0; i < CLIENTS; i++) {
                int n = i;
                pool.submit(() -> {
                    Connection c = null;
                    try {
                        logins.acquire();
                        try {
                            c = pooled(jdbcTransactionPool);
                        } finally {
                            logins.release();
                            connected.countDown();
                        }
                        go.await();
                        try (PreparedStatement ps = c.prepareStatement("SELECT ?::int + 1, pg_sleep(0.05)")) {
                            ps.setInt(1, n);
                            try (ResultSet rs = ps.executeQuery()) {
                                rs.next();
                                if (rs.getInt(1) == n + 1) {
                                    answered.incrementAndGet();
                                } else {
                                    failures.add(n + ": wrong answer " + rs.getInt(1));
                                }
                            }
                        }
                    } catch (Exception e) {
                        failures.add(n + ": " + e);
                    } finally {
                        if (c != null) {
                            c.close();
                        }
                    }
                    return null;
                });
            }
            assertThat(connected.await(240, TimeUnit.SECONDS)).as("every client logged in").isTrue();
            go.countDown();
            pool.shutdown();
            assertThat(pool.awaitTermination(60, TimeUnit.SECONDS)).as("every client finished (%d answered, %d failed)",
                    answered.get(), failures.size()).isTrue();
        } finally {
            // a client still queued in PgBouncer would hold the queue for the next tests: interrupting does not end
            // a blocked socket read, so the connections are left to the server's and PgBouncer's timeouts only on failure
            pool.shutdownNow();
            running.set(false);
            sampler.join();
        }
        assertThat(failures).as("clients that failed").isEmpty();
        assertThat(answered.get()).isEqualTo(CLIENTS);
        assertThat(mostSeen.get()).as("server connections seen while %d clients ran", CLIENTS).isPositive().isLessThanOrEqualTo(cap);
    }

    /** The pid of the backend this transaction runs on, and the tenant it sees; the connection is left in its transaction. */
    static String[] backendAndTenant(Connection c) throws SQLException {
        c.setAutoCommit(false);
        try (Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT pg_backend_pid(), coalesce(current_setting('app.tenant_id', true), '')")) {
            rs.next();
            return new String[] {rs.getString(1), rs.getString(2)};
        }
    }

    /**
     * What a new pooled client sees on backend {@code pid}: opens transactions (each holds its backend, so
     * the next one gets another idle backend) until one lands on {@code pid}.
     */
    static String tenantSeenOn(String pid) throws SQLException {
        List<Connection> held = new ArrayList<>();
        try {
            for (int i = 0; i < 10; i++) {
                Connection c = pooled(jdbcTransactionPool);
                held.add(c);
                String[] seen = backendAndTenant(c);
                if (seen[0].equals(pid)) {
                    return seen[1];
                }
            }
            throw new AssertionError("no pooled transaction landed on backend " + pid);
        } finally {
            for (Connection c : held) {
                c.rollback();
                c.close();
            }
        }
    }

    @Test
    @Order(2)
    void setLocalTenantContextDoesNotLeakToTheNextClientButPlainSetDoes() throws Exception {
        String pid;
        try (Connection a = pooled(jdbcTransactionPool)) {
            a.setAutoCommit(false);
            try (Statement st = a.createStatement()) {
                st.execute("SET LOCAL app.tenant_id = '42'");
                assertThat(backendAndTenant(a)[1]).isEqualTo("42");
                pid = backendAndTenant(a)[0];
            }
            a.commit();
        }
        assertThat(tenantSeenOn(pid)).as("a later client on the same backend after SET LOCAL").isEmpty();

        String pidAfterSet;
        try (Connection a = pooled(jdbcTransactionPool)) {
            a.setAutoCommit(false);
            try (Statement st = a.createStatement()) {
                st.execute("SET app.tenant_id = '7'");
                pidAfterSet = backendAndTenant(a)[0];
            }
            a.commit();
        }
        // why pgbox says SET LOCAL: a plain SET stays on the server connection for whoever gets it next
        assertThat(tenantSeenOn(pidAfterSet)).as("a later client on the same backend after plain SET").isEqualTo("7");
    }

    @Test
    @Order(3)
    void theSessionPoolCarriesListenAndNotify() throws Exception {
        // only the listener needs the session pool: a NOTIFY is sent at commit, so the app's transaction pool sends it
        try (Connection listener = pooled(jdbcSessionPool); Connection notifier = pooled(jdbcTransactionPool)) {
            try (Statement st = listener.createStatement()) {
                st.execute("LISTEN pgbox_orders");
            }
            try (Statement st = notifier.createStatement()) {
                st.execute("NOTIFY pgbox_orders, 'order 17 paid'");
            }
            List<String> got = new ArrayList<>();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (got.isEmpty() && System.nanoTime() < deadline) {
                PGNotification[] ns = listener.unwrap(PGConnection.class).getNotifications(1000);
                if (ns != null) {
                    for (PGNotification n : ns) {
                        got.add(n.getName() + ":" + n.getParameter());
                    }
                }
            }
            assertThat(got).containsExactly("pgbox_orders:order 17 paid");
        }
    }

    @Test
    @Order(4)
    @Timeout(180)
    void poolStatusShowsClientsWaitingWhileEveryServerConnectionIsBusy() throws Exception {
        int cap = poolCap();
        List<Connection> holders = new ArrayList<>();
        ExecutorService threads = Executors.newCachedThreadPool();
        try {
            // cap transactions hold every server connection the pool may open (the reserve ones after reserve_pool_timeout)
            for (int i = 0; i < cap; i++) {
                Connection c = pooled(jdbcTransactionPool);
                holders.add(c);
                threads.submit(() -> backendAndTenant(c));
            }
            Connection waiter = pooled(jdbcTransactionPool);
            holders.add(waiter);
            threads.submit(() -> backendAndTenant(waiter));
            JsonNode shop = null;
            JsonNode status = null;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (System.nanoTime() < deadline) {
                status = JSON.readTree(project.ok("pool", "status", "--json").stdout());
                assertThat(status.path("enabled").asBoolean()).isTrue();
                for (JsonNode p : status.path("report").path("pools")) {
                    // the app's own pool: the same database also has a pool for PgBouncer's login lookups (user pgbox_pooler)
                    if (p.path("database").asText().equals("shop") && p.path("user").asText().equals("shop")
                            && p.path("sv_active").asLong() > 0) {
                        shop = p;
                    }
                }
                if (shop != null && shop.path("cl_waiting").asLong() > 0) {
                    break;
                }
                Thread.sleep(500);
            }
            assertThat(shop).as("the shop pool with busy server connections in pool status --json: %s", status).isNotNull();
            assertThat(shop.path("cl_waiting").asLong()).as("clients waiting in the busy shop pool: %s", shop).isPositive();
            assertThat(status.path("report").path("clients_waiting").asLong()).isPositive();
            assertThat(shop.path("pool_mode").asText()).isEqualTo("transaction");
            assertThat(project.ok("status").stdout()).containsPattern("pooler +PgBouncer 127\\.0\\.0\\.1:\\d+ · \\d+ pools · \\d+ clients active · \\d+ waiting");
        } finally {
            threads.shutdownNow();
            for (Connection c : holders) {
                try {
                    c.close();
                } catch (SQLException e) {
                    // the waiter may still be waiting; closing it is all we want
                }
            }
        }
    }

    @Test
    @Order(5)
    void disableStopsItThePooledUrlIsThenRefusedAndAnUnknownPluginChangesNothing() throws Exception {
        PgboxProject.Run off = project.ok("pool", "disable");
        assertThat(off.stdout()).contains("PgBouncer is off").contains("PGBOUNCER_ENABLED=off");
        assertThat(project.ok("pool", "disable").stdout()).contains("PgBouncer is already off; nothing to do");
        try (Connection c = pooled(jdbcTransactionPool)) {
            throw new AssertionError("PgBouncer still answers after pool disable: " + c.getMetaData().getURL());
        } catch (SQLException expected) {
            assertThat(expected.getSQLState()).isEqualTo("08001");
        }
        PgboxProject.Run url = project.pgbox("app", "url", "shop", "--pooled");
        assertThat(url.exitCode()).isEqualTo(3);
        assertThat(url.stderr()).contains("PgBouncer is off").contains("pgbox pool enable");
        assertThat(project.ok("app", "url", "shop").stdout()).doesNotContain("prepareThreshold");

        String envBefore = java.nio.file.Files.readString(project.dir().resolve(".env.dev"));
        PgboxProject.Run nope = project.pgbox("plugin", "install", "nope");
        assertThat(nope.exitCode()).isEqualTo(2);
        assertThat(nope.stderr()).contains("unknown plugin 'nope'").contains("pgbox plugin install pgbouncer");
        assertThat(java.nio.file.Files.readString(project.dir().resolve(".env.dev"))).isEqualTo(envBefore);
    }
}
