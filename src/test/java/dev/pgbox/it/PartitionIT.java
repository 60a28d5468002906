package dev.pgbox.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pgbox.sql.AdminSql;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * pg_partman partition sets on a real server: made ahead (premake), remade by maintenance, dropped
 * after retention; the listing and its default-partition warning; refusals; and a live table converted
 * while two writers insert, update (moving rows across partitions) and delete, checked row for row
 * against a shadow table the same transactions wrote.
 */
@Timeout(600)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PartitionIT {
    static PgboxProject project;
    static AdminSql admin;
    static final ObjectMapper JSON = new ObjectMapper();
    static final DateTimeFormatter MONTH = DateTimeFormatter.ofPattern("yyyy_MM");

    @BeforeAll
    static void start() throws Exception {
        project = PgboxProject.create("partition");
        project.ok("start");
        project.ok("app", "create", "shop");
        admin = project.admin();
    }

    @AfterAll
    static void stop() {
        if (project != null) {
            project.close();
        }
    }

    static String q(String sql) {
        return admin.value("shop", sql);
    }

    static boolean exists(String table) {
        return q("SELECT to_regclass('public." + table + "') IS NOT NULL").equals("t");
    }

    static String month(LocalDate d) {
        return d.withDayOfMonth(1).format(MONTH);
    }

    @Test
    @Order(1)
    void createMakesPartitionsAheadMaintenanceRemakesThemAndRetentionDropsOldOnes() throws Exception {
        admin.run("shop", "SET ROLE shop_owner; CREATE TABLE events (id uuid NOT NULL DEFAULT gen_random_uuid(), kind text NOT NULL,"
                + " created_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (id, created_at)) PARTITION BY RANGE (created_at);");
        LocalDate today = LocalDate.parse(q("SELECT current_date"));
        LocalDate start = today.minusMonths(18).withDayOfMonth(1);
        JsonNode made = JSON.readTree(project.ok("partition", "create", "shop", "events", "--column", "created_at", "--interval",
                "monthly", "--premake", "3", "--start", start.toString(), "--json").stdout());
        assertThat(made.path("already_managed").asBoolean()).isFalse();
        assertThat(made.path("interval").asText()).isEqualTo("monthly");
        // from --start up to three months ahead of this one
        assertThat(made.path("partitions").asLong()).isEqualTo(18 + 1 + 3);
        assertThat(exists("events_p" + month(start))).isTrue();
        for (int ahead = 0; ahead <= 3; ahead++) {
            assertThat(exists("events_p" + month(today.plusMonths(ahead)))).as("partition %d months ahead", ahead).isTrue();
        }
        assertThat(exists("events_p" + month(today.plusMonths(4)))).isFalse();
        assertThat(exists("events_default")).isTrue();
        assertThat(q("SELECT infinite_time_partitions::text || retention_keep_table::text || premake FROM partman.part_config"
                + " WHERE parent_table = 'public.events'")).isEqualTo("truefalse3");
        assertThat(q("SELECT relowner::regrole FROM pg_class WHERE relname = 'events_p" + month(start) + "'")).isEqualTo("shop_owner");

        // rows in the past land in their own partitions
        admin.run("shop", "INSERT INTO events (kind, created_at) VALUES ('old', now() - interval '17 months'),"
                + " ('recent', now() - interval '1 month'), ('now', now());");
        assertThat(q("SELECT count(*) FROM ONLY events_default")).isEqualTo("0");

        // time passes: the newest partitions are missing as they would be three months on; maintenance makes them again
        admin.run("shop", "SET ROLE shop_owner; DROP TABLE events_p" + month(today.plusMonths(3)) + ", events_p" + month(today.plusMonths(2)) + ";");
        assertThat(exists("events_p" + month(today.plusMonths(3)))).isFalse();
        admin.run("shop", "SET ROLE shop_owner; SELECT partman.run_maintenance(p_parent_table => 'public.events');");
        assertThat(exists("events_p" + month(today.plusMonths(2)))).isTrue();
        assertThat(exists("events_p" + month(today.plusMonths(3)))).isTrue();

        // retention: running create again changes it and applies it at once, as the scheduled maintenance would
        PgboxProject.Run again = project.ok("partition", "create", "shop", "events", "--interval", "monthly", "--premake", "3",
                "--retention", "6 months");
        assertThat(again.stdout()).contains("updated public.events", "retention 6 months");
        assertThat(exists("events_p" + month(start))).isFalse();
        assertThat(exists("events_p" + month(today.minusMonths(8)))).isFalse();
        assertThat(exists("events_p" + month(today.minusMonths(5)))).isTrue();
        assertThat(q("SELECT string_agg(kind, ',' ORDER BY created_at) FROM events")).isEqualTo("recent,now");

        // time passes: six months on, pg_partman's retention (as maintenance runs it) drops last month's partition too
        admin.run("shop", "SET ROLE shop_owner; SELECT partman.drop_partition_time('public.events',"
                + " p_reference_timestamp => now() + interval '6 months');");
        assertThat(exists("events_p" + month(today.minusMonths(1)))).isFalse();
        assertThat(exists("events_p" + month(today))).isTrue();
        assertThat(q("SELECT string_agg(kind, ',' ORDER BY created_at) FROM events")).isEqualTo("now");

        // changing the interval of an existing set is refused
        PgboxProject.Run other = project.pgboxInProcess("partition", "create", "shop", "events", "--interval", "daily");
        assertThat(other.exitCode()).isEqualTo(3);
        assertThat(other.stderr()).contains("already partitioned by pg_partman every 1 mon");
    }

    @Test
    @Order(2)
    void listShowsEverySetAndWarnsAboutRowsInTheDefaultPartition() throws Exception {
        admin.run("shop", "INSERT INTO events (kind, created_at) VALUES ('far future', now() + interval '10 years');");
        PgboxProject.Run text = project.ok("partition", "list", "shop");
        assertThat(text.stdout()).contains("public.events", "created_at", "1 mon", "6 months")
                .contains("warning: public.events_default holds 1 rows", "partman.partition_data_proc('public.events')");
        JsonNode sets = JSON.readTree(project.ok("partition", "list", "shop", "--json").stdout()).path("sets");
        assertThat(sets).hasSize(1);
        JsonNode e = sets.get(0);
        assertThat(e.path("table").asText()).isEqualTo("public.events");
        assertThat(e.path("premake").asInt()).isEqualTo(3);
        assertThat(e.path("retention").asText()).isEqualTo("6 months");
        assertThat(e.path("default_rows").asLong()).isEqualTo(1);
        assertThat(e.path("partitions").asLong()).isEqualTo(Long.parseLong(q("SELECT count(*) - 1 FROM pg_inherits"
                + " WHERE inhparent = 'events'::regclass")));
        assertThat(e.path("bytes").asLong()).isPositive();
        assertThat(e.path("newest").asText()).startsWith(LocalDate.parse(q("SELECT current_date")).plusMonths(4).withDayOfMonth(1).toString());
        admin.run("shop", "DELETE FROM events WHERE kind = 'far future';");
    }

    @Test
    @Order(3)
    void refusalsSayWhatToDoAndChangeNothing() {
        admin.run("shop", "SET ROLE shop_owner; CREATE TABLE plain (id bigint PRIMARY KEY, created_at timestamptz NOT NULL);"
                + " CREATE TABLE customers (id bigint PRIMARY KEY, created_at timestamptz NOT NULL DEFAULT now());"
                + " CREATE TABLE invoices (id bigint PRIMARY KEY, customer bigint REFERENCES customers, created_at timestamptz NOT NULL);"
                + " CREATE TABLE loose (id bigint PRIMARY KEY, created_at timestamptz);");
        PgboxProject.Run plain = project.pgboxInProcess("partition", "create", "shop", "plain");
        assertThat(plain.exitCode()).isEqualTo(3);
        assertThat(plain.stderr()).contains("public.plain is a plain table", "pgbox partition convert shop public.plain");
        PgboxProject.Run missing = project.pgboxInProcess("partition", "create", "shop", "nosuch");
        assertThat(missing.exitCode()).isEqualTo(3);
        assertThat(missing.stderr()).contains("no table public.nosuch", "PARTITION BY RANGE (created_at)");
        assertThat(project.pgboxInProcess("partition", "create", "shop", "events", "--interval", "fortnightly").exitCode()).isEqualTo(2);
        assertThat(project.pgboxInProcess("partition", "create", "shop", "events", "--retention", "1 day").stderr())
                .contains("shorter than one partition");
        assertThat(project.pgboxInProcess("partition", "create", "shop", "events; drop table x").exitCode()).isEqualTo(2);

        PgboxProject.Run referenced = project.pgboxInProcess("partition", "convert", "shop", "customers");
        assertThat(referenced.exitCode()).isEqualTo(3);
        assertThat(referenced.stderr()).contains("other tables reference it by foreign key: invoices (invoices_customer_fkey)");
        PgboxProject.Run nullable = project.pgboxInProcess("partition", "convert", "shop", "loose");
        assertThat(nullable.exitCode()).isEqualTo(3);
        assertThat(nullable.stderr()).contains("allows NULL", "NOT VALID");
        assertThat(exists("customers_pgbox_new")).isFalse();
        assertThat(q("SELECT relkind FROM pg_class WHERE relname = 'customers'")).isEqualTo("r");
    }

    @Test
    @Order(4)
    void aFailedConvertLeavesTheTableAsItWas() {
        // a CHECK constraint added NOT VALID over rows that break it: the copy enforces it, so the copy fails midway
        admin.run("shop", "SET ROLE shop_owner; CREATE TABLE readings (id bigint PRIMARY KEY, v int NOT NULL, created_at timestamptz NOT NULL);"
                + " INSERT INTO readings SELECT g, g, now() - g * interval '1 hour' FROM generate_series(1, 5000) g;"
                + " ALTER TABLE readings ADD CONSTRAINT small_v CHECK (v < 4000) NOT VALID;");
        String before = q("SELECT count(*) || md5(string_agg(id || ':' || v || ':' || created_at, ',' ORDER BY id)) FROM readings");
        PgboxProject.Run r = project.pgbox("partition", "convert", "shop", "readings", "--batch-rows", "500");
        assertThat(r.exitCode()).as(r.all()).isNotZero();
        assertThat(r.stderr()).contains("dropping the copy and the mirror trigger", "small_v");
        assertThat(q("SELECT count(*) || md5(string_agg(id || ':' || v || ':' || created_at, ',' ORDER BY id)) FROM readings"))
                .isEqualTo(before);
        assertThat(q("SELECT relkind FROM pg_class WHERE relname = 'readings'")).isEqualTo("r");
        assertThat(exists("readings_pgbox_new")).isFalse();
        assertThat(q("SELECT count(*) FROM pg_trigger WHERE tgrelid = 'readings'::regclass")).isEqualTo("0");
        assertThat(q("SELECT count(*) FROM pg_proc WHERE proname LIKE 'readings_pgbox_mirror%'")).isEqualTo("0");
        assertThat(q("SELECT count(*) FROM partman.part_config WHERE parent_table LIKE 'public.readings%'")).isEqualTo("0");
    }

    static final String CHECKSUM = "SELECT count(*) || ' ' || coalesce(md5(string_agg(id || '|' || customer || '|' || amount || '|'"
            + " || created_at || '|' || coalesce(note, ''), ',' ORDER BY id)), '') FROM ";

    @Test
    @Order(5)
    void convertKeepsEveryRowWhileTheAppWrites() throws Exception {
        admin.run("shop", "SET ROLE shop_owner;"
                + " CREATE TABLE orders (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, customer int NOT NULL, amount numeric NOT NULL,"
                + " note text, created_at timestamptz NOT NULL DEFAULT now(), CHECK (amount >= 0));"
                + " CREATE INDEX orders_customer_idx ON orders (customer, created_at);"
                + " COMMENT ON TABLE orders IS 'every order';"
                + " INSERT INTO orders (customer, amount, note, created_at) SELECT g % 97, g % 1000, CASE WHEN g % 3 = 0 THEN 'n' || g END,"
                + " now() - (g % 240) * interval '1 day' - g * interval '1 second' FROM generate_series(1, 60000) g;"
                + " CREATE TABLE orders_truth AS SELECT id, customer, amount, note, created_at FROM orders;"
                + " ALTER TABLE orders_truth ADD PRIMARY KEY (id);");
        String password = project.settings().appSecret("PGBOX_APP_SHOP_PASSWORD");
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong ops = new AtomicLong();
        ConcurrentLinkedQueue<String> errors = new ConcurrentLinkedQueue<>();
        List<Thread> writers = List.of(new Thread(() -> write(password, stop, ops, errors)), new Thread(() -> write(password, stop, ops, errors)));
        writers.forEach(Thread::start);
        try {
            while (ops.get() < 20) {
                Thread.sleep(50);
            }
            long opsBefore = ops.get();
            PgboxProject.Run r = project.ok("partition", "convert", "shop", "orders", "--column", "created_at", "--interval", "monthly",
                    "--premake", "2", "--batch-rows", "1000");
            long during = ops.get() - opsBefore;
            Thread.sleep(300);
            stop.set(true);
            for (Thread w : writers) {
                w.join(30_000);
            }
            assertThat(errors).as("the app's writes during the convert").isEmpty();
            assertThat(during).as("writes while the convert ran").isGreaterThan(10);
            assertThat(r.stdout()).contains("converted public.orders in shop", "the swap held the lock",
                    "the primary key is now (id, created_at)", "DROP TABLE public.orders_pre_partition;");
            assertThat(r.stderr()).contains("copying about", "rows copied", "swapped on try");
        } finally {
            stop.set(true);
        }
        assertThat(q("SELECT relkind FROM pg_class WHERE oid = 'orders'::regclass")).isEqualTo("p");
        assertThat(q(CHECKSUM + "orders")).isEqualTo(q(CHECKSUM + "orders_truth"));
        assertThat(q("SELECT count(*) FROM ONLY orders_default")).isEqualTo("0");
        assertThat(Long.parseLong(q("SELECT count(*) FROM pg_inherits WHERE inhparent = 'orders'::regclass"))).isGreaterThanOrEqualTo(10);
        assertThat(exists("orders_p" + q("SELECT to_char(min(created_at), 'YYYY_MM') FROM orders_pre_partition"))).isTrue();
        assertThat(q("SELECT string_agg(conname, ',' ORDER BY conname) FROM pg_constraint WHERE conrelid = 'orders'::regclass AND contype = 'p'"))
                .isEqualTo("orders_pkey");
        assertThat(q("SELECT pg_get_indexdef('orders_customer_idx'::regclass)")).contains("ON ONLY public.orders ");
        assertThat(q("SELECT obj_description('orders'::regclass, 'pg_class')")).isEqualTo("every order");
        assertThat(q("SELECT has_table_privilege('shop', 'orders', 'INSERT') AND has_table_privilege('shop_readonly', 'orders', 'SELECT')"))
                .isEqualTo("t");
        assertThat(q("SELECT parent_table || ' ' || retention_keep_table FROM partman.part_config WHERE parent_table LIKE '%orders%'"))
                .isEqualTo("public.orders false");
        assertThat(exists("orders_pre_partition")).isTrue();
        assertThat(q("SELECT count(*) FROM pg_trigger WHERE tgrelid = 'orders_pre_partition'::regclass")).isEqualTo("0");
        // the identity goes on from the old table's sequence
        String maxId = q("SELECT max(id) FROM orders_pre_partition");
        try (Connection c = project.connect("127.0.0.1", "shop", "shop", password, null);
             ResultSet rs = c.createStatement().executeQuery("INSERT INTO orders (customer, amount) VALUES (1, 1) RETURNING id")) {
            rs.next();
            assertThat(rs.getLong(1)).isGreaterThan(Long.parseLong(maxId));
        }
        // convert is now refused: the table is partitioned
        assertThat(project.pgboxInProcess("partition", "convert", "shop", "orders").stderr()).contains("already a partitioned table");
    }

    /** One writer: each transaction changes orders and the plain shadow table alike, so they must end equal. */
    static void write(String password, AtomicBoolean stop, AtomicLong ops, ConcurrentLinkedQueue<String> errors) {
        ThreadLocalRandom rnd = ThreadLocalRandom.current();
        try (Connection c = project.connect("127.0.0.1", "shop", "shop", password, null)) {
            c.setAutoCommit(false);
            while (!stop.get()) {
                long id = rnd.nextLong(1, 60_000);
                int kind = rnd.nextInt(3);
                try {
                    if (kind == 0) {
                        try (PreparedStatement ps = c.prepareStatement("INSERT INTO orders (customer, amount, note, created_at)"
                                + " VALUES (?, ?, 'w', now() - ? * interval '1 day') RETURNING id, created_at")) {
                            ps.setInt(1, rnd.nextInt(97));
                            ps.setInt(2, rnd.nextInt(1000));
                            ps.setInt(3, rnd.nextInt(200));
                            try (ResultSet rs = ps.executeQuery();
                                 PreparedStatement t = c.prepareStatement("INSERT INTO orders_truth (id, customer, amount, note, created_at)"
                                         + " SELECT id, customer, amount, note, created_at FROM orders WHERE id = ?")) {
                                rs.next();
                                t.setLong(1, rs.getLong(1));
                                t.executeUpdate();
                            }
                        }
                    } else if (kind == 1) {
                        // every other update moves the row to another month's partition
                        String set = "SET amount = amount + 1, note = 'u', created_at = CASE WHEN id % 2 = 1 THEN created_at"
                                + " WHEN created_at > now() - interval '200 days' THEN created_at - interval '35 days'"
                                + " ELSE created_at + interval '35 days' END WHERE id = ?";
                        try (PreparedStatement ps = c.prepareStatement("UPDATE orders " + set);
                             PreparedStatement t = c.prepareStatement("UPDATE orders_truth " + set)) {
                            ps.setLong(1, id);
                            t.setLong(1, id);
                            ps.executeUpdate();
                            t.executeUpdate();
                        }
                    } else {
                        try (PreparedStatement ps = c.prepareStatement("DELETE FROM orders WHERE id = ?");
                             PreparedStatement t = c.prepareStatement("DELETE FROM orders_truth WHERE id = ?")) {
                            ps.setLong(1, id);
                            t.setLong(1, id);
                            ps.executeUpdate();
                            t.executeUpdate();
                        }
                    }
                    c.commit();
                    ops.incrementAndGet();
                } catch (SQLException e) {
                    c.rollback();
                    errors.add(e.getSQLState() + " " + e.getMessage());
                }
            }
        } catch (SQLException e) {
            errors.add("connection: " + e.getMessage());
        }
    }
}
