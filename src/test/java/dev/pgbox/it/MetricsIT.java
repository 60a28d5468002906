package dev.pgbox.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The agent collects metrics from the server and every app database, serves them on /metrics as
 * Prometheus text that Prometheus' own linter accepts, keeps a history in pgbox.metric_samples, and
 * keeps answering while the server is killed.
 */
@Timeout(300)
class MetricsIT {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    record Answer(int code, String body) {
    }

    static Answer get(int port, String path) throws IOException, InterruptedException {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        return new Answer(r.statusCode(), r.body());
    }

    /** Scrapes until the body passes {@code until} (the agent collects every second) and returns that body. */
    static String scrapeUntil(int port, Predicate<String> until) throws Exception {
        String body = "";
        for (int i = 0; i < 120; i++) {
            try {
                body = get(port, "/metrics").body();
                if (until.test(body)) {
                    return body;
                }
            } catch (IOException e) {
                body = e.toString(); // not listening yet
            }
            Thread.sleep(500); // waiting for the agent's next collection, not synchronising
        }
        return body;
    }

    static double value(String body, String series) {
        return body.lines().filter(l -> l.startsWith(series + " ")).map(l -> Double.parseDouble(l.substring(series.length() + 1)))
                .findFirst().orElse(Double.NaN);
    }

    /** promtool check metrics: exit code and what it said. */
    static PgboxProject.Run promtool(String body) throws Exception {
        Process pr = new ProcessBuilder("/usr/bin/promtool", "check", "metrics").start();
        try (OutputStream in = pr.getOutputStream()) {
            in.write(body.getBytes(StandardCharsets.UTF_8));
        }
        assertThat(pr.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new PgboxProject.Run(pr.exitValue(), new String(pr.getInputStream().readAllBytes(), StandardCharsets.UTF_8),
                new String(pr.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
    }

    @Test
    void everyAppDatabaseIsServedLintCleanKeptInTheHistoryAndTheEndpointOutlivesAServerKill() throws Exception {
        int metricsPort = PgboxProject.freePort();
        try (PgboxProject p = PgboxProject.create("metrics", "PGBOX_METRICS_PORT=" + metricsPort, "PGBOX_METRICS_INTERVAL=1s",
                "PGBOX_DOCTOR_INTERVAL=1s", "PGBOX_METRICS_HISTORY=1h", "PGBOX_METRICS_HISTORY_EVERY=0", "BACKUP_SCHEDULE=", "BACKUP_PHYSICAL_SCHEDULE=", "VERIFY_SCHEDULE=")) {
            p.ok("start");
            p.ok("app", "create", "shop");
            p.ok("app", "create", "blog");

            // a new database's series can read 0 for a moment: PostgreSQL flushes a backend's counters at most once a second
            String body = scrapeUntil(metricsPort, b -> Stream.of("app", "shop", "blog")
                    .allMatch(db -> value(b, "pg_stat_database_xact_commit{datname=\"" + db + "\"}") > 0) && b.contains("pgbox_doctor_findings{"));
            PgboxProject.Run lint = promtool(body);
            assertThat(lint.exitCode()).as("promtool check metrics: " + lint.all()).isZero();
            assertThat(lint.all()).isBlank();
            assertThat(body).contains("# TYPE pg_up gauge\npg_up 1\n");
            for (String db : new String[] {"app", "shop", "blog"}) {
                assertThat(value(body, "pg_stat_database_xact_commit{datname=\"" + db + "\"}")).as(db).isGreaterThan(0);
                assertThat(value(body, "pg_database_size_bytes{datname=\"" + db + "\"}")).as(db).isGreaterThan(0);
                assertThat(body).contains("pg_stat_activity_count{datname=\"" + db + "\",state=\"idle\"}",
                        "pg_locks_count{datname=\"" + db + "\",mode=\"accessexclusivelock\"}");
            }
            assertThat(value(body, "pg_replication_lag")).isZero();
            assertThat(value(body, "pg_settings_max_connections")).isGreaterThan(0);
            assertThat(body).contains("pgbox_doctor_findings{severity=\"ok\"}", "pgbox_doctor_findings{severity=\"warn\"}",
                    "pgbox_doctor_findings{severity=\"critical\"}", "# TYPE pg_stat_bgwriter_checkpoints_req_total counter");
            // the first full backup was taken by 'pgbox start'; no restore drill ran, so its age is left out
            assertThat(value(body, "pgbox_last_backup_age_seconds")).isGreaterThanOrEqualTo(0);
            assertThat(body).doesNotContain("pgbox_last_drill_age_seconds");

            Answer other = get(metricsPort, "/");
            assertThat(other.code()).isEqualTo(404);

            JsonNode status = new ObjectMapper().readTree(p.ok("status", "--json").stdout());
            assertThat(status.path("metrics_url").asText()).isEqualTo("http://127.0.0.1:" + metricsPort + "/metrics");
            assertThat(p.ok("status").stdout()).contains("metrics      http://127.0.0.1:" + metricsPort + "/metrics");

            // the history: every collection in pgbox.metric_samples of the postgres database, closed to the apps
            assertThat(Long.parseLong(p.admin().value("postgres", "SELECT count(*) FROM pgbox.metric_samples "
                    + "WHERE name = 'pg_stat_database_xact_commit' AND labels->>'datname' = 'shop'"))).isGreaterThan(0);
            assertThat(Long.parseLong(p.admin().value("postgres", "SELECT count(*) FROM pgbox.metric_samples "
                    + "WHERE name = 'pgbox_doctor_findings' AND labels->>'severity' = 'ok'"))).isGreaterThan(0);
            assertThat(p.admin().value("postgres", "SELECT nspowner::regrole::text || ' ' || has_schema_privilege('shop', oid, 'USAGE') "
                    + "FROM pg_namespace WHERE nspname = 'pgbox'")).isEqualTo("postgres false");
            // unlogged: samples cost no WAL, archive space or backup time
            assertThat(p.admin().value("postgres", "SELECT relpersistence FROM pg_class WHERE oid = 'pgbox.metric_samples'::regclass"))
                    .isEqualTo("u");
            // rows older than PGBOX_METRICS_HISTORY go at the next collection
            p.admin().execute("postgres", "INSERT INTO pgbox.metric_samples VALUES (now() - interval '2 hours', 'pg_up', '{}', 1)");
            String old = "SELECT count(*) FROM pgbox.metric_samples WHERE at < now() - interval '1 hour'";
            for (int i = 0; i < 60 && !p.admin().value("postgres", old).equals("0"); i++) {
                Thread.sleep(500); // waiting for the agent's next collection
            }
            assertThat(p.admin().value("postgres", old)).isEqualTo("0");

            // a killed server: the endpoint keeps answering (pg_up 0 while it is down), the watchdog brings it back
            long agentPid = status.path("agent_pid").asLong();
            double before = value(get(metricsPort, "/metrics").body(), "pgbox_metrics_collections_total");
            ProcessHandle.of(p.pid()).orElseThrow().destroyForcibly();
            String after = scrapeUntil(metricsPort, b -> b.contains("\npg_up 1\n") && value(b, "pgbox_metrics_collections_total") > before + 2
                    && !b.contains("pg_up 0"));
            assertThat(after).contains("\npg_up 1\n");
            assertThat(ProcessHandle.of(agentPid).map(ProcessHandle::isAlive).orElse(false)).isTrue();
            Path agentLog = p.dir().resolve(".pgbox/log/agent.log");
            assertThat(Files.readString(agentLog)).contains("metrics: serving http://127.0.0.1:" + metricsPort + "/metrics");
        }
    }

    @Test
    void aTakenPortIsLoggedAndTheAgentRunsOn() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress());
             PgboxProject p = PgboxProject.create("metricsport", "PGBOX_METRICS_PORT=" + taken.getLocalPort(), "BACKUP_ARCHIVE=off",
                     "BACKUP_SCHEDULE=", "BACKUP_PHYSICAL_SCHEDULE=", "VERIFY_SCHEDULE=")) {
            p.ok("start");
            Path agentLog = p.dir().resolve(".pgbox/log/agent.log");
            for (int i = 0; i < 60 && !(Files.exists(agentLog) && Files.readString(agentLog).contains("metrics: cannot serve")); i++) {
                Thread.sleep(250); // waiting for the agent to start
            }
            assertThat(Files.readString(agentLog)).contains("metrics: cannot serve /metrics on 127.0.0.1:" + taken.getLocalPort(),
                    "in use", "fix: set PGBOX_METRICS_PORT");
            JsonNode status = new ObjectMapper().readTree(p.ok("status", "--json").stdout());
            assertThat(status.path("agent_running").asBoolean()).isTrue();
        }
    }

    @Test
    void aReplicaServesItsLagAndWritesNoHistoryAndThePrimaryShowsTheStandby() throws Exception {
        int primaryMetrics = PgboxProject.freePort();
        int replicaMetrics = PgboxProject.freePort();
        try (PgboxProject primary = PgboxProject.create("metrics-primary", "PGBOX_METRICS_PORT=" + primaryMetrics,
                "PGBOX_METRICS_INTERVAL=1s", "BACKUP_ARCHIVE=off", "BACKUP_SCHEDULE=", "VERIFY_SCHEDULE=");
             PgboxProject replica = PgboxProject.create("metrics-replica", "PGBOX_METRICS_PORT=" + replicaMetrics,
                     "PGBOX_METRICS_INTERVAL=1s", "BACKUP_ARCHIVE=off", "BACKUP_SCHEDULE=", "VERIFY_SCHEDULE=")) {
            primary.ok("start");
            primary.ok("db", "replica", "--allow", "127.0.0.1");
            replica.ok("db", "replica", "--init", "--primary=127.0.0.1:" + primary.port(), "--primary-project", primary.dir().toString(),
                    "--slot", "metrics_one");

            String standby = scrapeUntil(replicaMetrics, b -> b.contains("\npg_replication_is_replica 1\n") && b.contains("\npg_up 1\n"));
            assertThat(standby).contains("\npg_replication_is_replica 1\n", "\npg_up 1\n");
            assertThat(value(standby, "pg_replication_lag")).isGreaterThanOrEqualTo(0);
            assertThat(value(standby, "pg_stat_database_xact_commit{datname=\"app\"}")).isGreaterThanOrEqualTo(0);
            PgboxProject.Run lint = promtool(standby);
            assertThat(lint.exitCode()).as("promtool check metrics: " + lint.all()).isZero();

            String main = scrapeUntil(primaryMetrics, b -> b.contains("pg_stat_replication_pg_wal_lsn_diff{"));
            assertThat(main).contains("pg_stat_replication_pg_wal_lsn_diff{", "\npg_replication_is_replica 0\n");

            // the history is unlogged: the replica has the table (a physical copy) but no rows of it, and writes none
            Thread.sleep(3000); // a few of the replica's collections
            assertThat(replica.admin().value("postgres", "SELECT relpersistence FROM pg_class WHERE oid = 'pgbox.metric_samples'::regclass"))
                    .isEqualTo("u");
            assertThat(Long.parseLong(primary.admin().value("postgres", "SELECT count(*) FROM pgbox.metric_samples"))).isGreaterThan(0);
            assertThat(Files.readString(replica.dir().resolve(".pgbox/log/agent.log"))).doesNotContain("history not written");

            // the doctor runs on the replica too: streaming, and caught up with a primary that writes nothing now
            PgboxProject.Run doc = replica.pgbox("doctor", "--json");
            assertThat(doc.stderr()).as(doc.all()).isBlank();
            com.fasterxml.jackson.databind.JsonNode lag = null;
            for (com.fasterxml.jackson.databind.JsonNode f : new com.fasterxml.jackson.databind.ObjectMapper().readTree(doc.stdout())
                    .path("findings")) {
                lag = f.path("check").asText().equals("replication_lag") ? f : lag;
            }
            assertThat(lag).as(doc.stdout()).isNotNull();
            assertThat(lag.path("severity").asText()).isEqualTo("ok");
            assertThat(lag.path("value").asText()).startsWith("caught up");
        }
    }
}
