package dev.pgbox.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * pgbox plan against a real server (POSTGRES_MEMORY=2GB): its numbers are the server's, a new app gets its connection
 * limit, and a configuration whose worst case exceeds RAM is refused by start, restart and tune --apply with the server
 * left running as it was, then accepted with PGBOX_PLAN_FORCE=on.
 */
@Timeout(180)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PlanIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The example on the project's 2GB: 500 connections x 64MB x 2 sorts alone is 62 GB. */
    private static final Map<String, String> OVER_RAM = Map.of("POSTGRES_MAX_CONNECTIONS", "500", "POSTGRES_WORK_MEM", "64MB");
    static PgboxProject project;

    @BeforeAll
    static void start() throws Exception {
        project = PgboxProject.create("plan", "BACKUP_ARCHIVE=off", "PGBOX_AGENT=off");
        project.ok("start");
    }

    @AfterAll
    static void stop() {
        if (project != null) {
            project.close();
        }
    }

    private static JsonNode plan(Map<String, String> env) throws Exception {
        PgboxProject.Run r = project.pgboxAs(null, env, "plan", "--json");
        assertThat(r.exitCode()).as(r.all()).isZero();
        return JSON.readTree(r.stdout());
    }

    private static String show(String guc) {
        return project.admin().value("postgres", "SHOW " + guc);
    }

    @Test
    @Order(1)
    void thePlansNumbersAreTheServersAndItsWorstCaseFits() throws Exception {
        JsonNode p = plan(Map.of());
        assertThat(p.path("ram_bytes").asLong()).isEqualTo(2L << 30);
        assertThat(p.path("fits").asBoolean()).isTrue();
        assertThat(p.path("warnings")).isEmpty();
        long sum = 0;
        for (JsonNode l : p.path("lines")) {
            sum += l.path("bytes").asLong();
            assertThat(l.path("reason").asText()).as(l.path("name").asText()).isNotBlank();
        }
        assertThat(p.path("worst_bytes").asLong()).isEqualTo(sum).isLessThanOrEqualTo(2L << 30);
        for (Map.Entry<String, JsonNode> e : p.path("settings").properties()) {
            assertThat(show(e.getKey())).as(e.getKey()).isEqualTo(e.getValue().asText());
        }
        // the connections line is max_connections x (work_mem x 2 sorts of the web profile + 6MB), with the server's values
        long conns = Long.parseLong(show("max_connections"));
        long workMem = dev.pgbox.config.Size.parse(show("work_mem"));
        long line = 0;
        for (JsonNode l : p.path("lines")) {
            if (l.path("name").asText().equals("connections")) {
                line = l.path("bytes").asLong();
            }
        }
        assertThat(line).isEqualTo(conns * (2 * workMem + (6L << 20)));
        assertThat(project.ok("plan").stdout()).contains("worst case", "headroom", "PgBouncer per app");
    }

    @Test
    @Order(2)
    void aNewAppGetsThePlannedConnectionLimit() throws Exception {
        JsonNode p = plan(Map.of());
        int limit = p.path("next_app_connection_limit").asInt();
        int room = p.path("app_room").asInt();
        assertThat(limit).isEqualTo(room / (p.path("apps").asInt() + 1));
        project.ok("app", "create", "shop");
        assertThat(connLimit("shop")).isEqualTo(limit);

        // a second app: both now hold room/3 (the main database counts as one), so together they never pass the room
        int databases = p.path("apps").asInt() + 1;
        assertThat(project.ok("app", "create", "blog").all()).contains("now " + room / (databases + 1) + " each");
        assertThat(connLimit("shop")).isEqualTo(room / (databases + 1));
        assertThat(connLimit("blog")).isEqualTo(room / (databases + 1));

        // a limit given by hand stays when apps come and go; a timeout alone leaves the connection limit as it was
        project.ok("app", "create", "shop", "--connection-limit", "7");
        project.ok("app", "create", "blog", "--statement-timeout", "5s");
        assertThat(connLimit("blog")).isEqualTo(room / (databases + 1));
        assertThat(project.admin().value("postgres", "SELECT array_to_string(setconfig, ',') FROM pg_db_role_setting "
                + "WHERE setrole = 'blog'::regrole AND setdatabase = 0")).contains("statement_timeout=5s", "idle_in_transaction_session_timeout=");
        project.ok("app", "create", "news", "--statement-timeout", "10s");
        assertThat(connLimit("news")).isEqualTo(room / (databases + 2));
        assertThat(connLimit("blog")).isEqualTo(room / (databases + 2));
        assertThat(connLimit("shop")).isEqualTo(7);

        // dropping an app gives its share back
        project.ok("app", "drop", "news", "--yes");
        assertThat(connLimit("blog")).isEqualTo(room / (databases + 1));
        assertThat(connLimit("shop")).isEqualTo(7);
    }

    private int connLimit(String role) {
        return Integer.parseInt(project.admin().value("postgres", "SELECT rolconnlimit FROM pg_roles WHERE rolname = '" + role + "'"));
    }

    @Test
    @Order(3)
    void anOverRamConfigurationIsRefusedAndTheServerKeepsRunningAsItWas() throws Exception {
        JsonNode p = plan(OVER_RAM);
        assertThat(p.path("fits").asBoolean()).isFalse();
        assertThat(p.path("warnings").get(0).asText()).contains("exceeds the 2.0 GB of RAM");
        long pid = project.pid();
        String before = show("max_connections");
        for (String[] args : new String[][] {{"start"}, {"restart"}, {"tune", "--apply"}}) {
            PgboxProject.Run r = project.pgboxAs(null, OVER_RAM, args);
            assertThat(r.exitCode()).as(r.all()).isEqualTo(3);
            assertThat(r.stderr()).as(r.all()).contains("exceeds the 2.0 GB of RAM", "max_connections 500 x (work_mem 64MB",
                    "PGBOX_PLAN_FORCE=on");
            assertThat(project.pid()).isEqualTo(pid);
            assertThat(show("max_connections")).isEqualTo(before);
            assertThat(show("work_mem")).isNotEqualTo("64MB");
        }
    }

    @Test
    @Order(4)
    void forcedItIsAccepted() throws Exception {
        Map<String, String> forced = new java.util.HashMap<>(OVER_RAM);
        forced.put("PGBOX_PLAN_FORCE", "on");
        assertThat(plan(forced).path("forced").asBoolean()).isTrue();
        PgboxProject.Run r = project.pgboxAs(null, forced, "restart");
        assertThat(r.exitCode()).as(r.all()).isZero();
        assertThat(show("max_connections")).isEqualTo("500");
        assertThat(show("work_mem")).isEqualTo("64MB");
        // the start after a plan change gives the planned apps their new share (main, shop, blog: three databases)
        int share = plan(forced).path("app_room").asInt() / 3;
        assertThat(r.all()).contains("following the RAM plan is now " + share + " each");
        assertThat(connLimit("blog")).isEqualTo(share);
        assertThat(connLimit("shop")).isEqualTo(7);
    }
}
