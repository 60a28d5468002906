package dev.pgbox.service;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pgbox.Json;
import dev.pgbox.cluster.LiveFacts;
import dev.pgbox.component.Health;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The --json of start, status and install --check comes from the models under the names scripts read. */
class ReportJsonTest {
    private static final StatusReport.Supervision SUPERVISION = new StatusReport.Supervision("agent", false, "pg_ctl; the agent restarts it",
            2, "2024-05-01T10:00:00Z", "watchdog", "/s/log/crashes.log", "/s/log", "/s/log/agent.log");

    @Test
    void runningStatusKeepsEveryLegacyFieldNameAndFlattensTheLiveFacts() {
        StatusReport r = new StatusReport("/p", "dev", "primary", "/s/data", "/s/run", "localhost", 6543, true, true, 77L, true, SUPERVISION, 42L,
                new LiveFacts("15.8", "2024-05-01 10:00:00+00", 125, 3, 100, "app", 7_000_000, false, "on", "127.0.0.1",
                        List.of(new LiveFacts.Extension("vector", "0.8.0"))),
                "postgresql://app@127.0.0.1:6543/app", new StatusReport.BackupFacts(true, 12, "0000000100000000000000AB", 1714557600,
                0, "", 0, true, null, "2024-05-01T11:00:00Z", 1.5, 2, "20240501-100000F", "full", "2024-05-01T10:00:05Z"),
                List.of(new StatusReport.App("shop", 9000, 1, 20)),
                List.of(Health.up("postgresql", "running"), Health.off("agent", "PGBOX_AGENT=off")), null, 2);
        JsonNode j = Json.tree(r);
        assertThat(j.fieldNames()).toIterable().containsExactly("project", "env", "role", "data_dir", "socket_dir", "host", "port", "running",
                "agent_running", "agent_pid", "initialized", "supervision", "pid", "version", "started_at", "uptime_seconds",
                "connections", "max_connections", "database", "database_bytes", "in_recovery", "ssl", "listen_addresses", "extensions",
                "url", "backups", "apps", "components", "alerts_firing");
        assertThat(j.path("agent_pid").asLong()).isEqualTo(77);
        assertThat(j.path("uptime_seconds").asLong()).isEqualTo(125);
        assertThat(j.path("extensions").get(0).path("name").asText()).isEqualTo("vector");
        assertThat(j.path("supervision").fieldNames()).toIterable().containsExactly("supervisor", "starts_at_boot", "how",
                "crash_restarts", "last_crash_at", "last_crash_restarted_by", "crash_log", "server_log_dir", "agent_log");
        assertThat(j.path("backups").fieldNames()).toIterable().containsExactly("archiving", "archived_count", "last_archived_wal",
                "last_archived_epoch", "failed_count", "last_failed_wal", "last_failed_epoch", "archiver_ok", "last_verified_at",
                "last_verified_rto_seconds", "physical_backups", "last_backup", "last_backup_type", "last_backup_at");
        assertThat(j.path("backups").path("last_verified_rto_seconds").asDouble()).isEqualTo(1.5);
        assertThat(j.path("apps").get(0).fieldNames()).toIterable().containsExactly("name", "size_bytes", "connections", "connection_limit");
        assertThat(j.path("components").get(0).path("component").asText()).isEqualTo("postgresql");
        assertThat(j.path("components").get(0).path("state").asText()).isEqualTo("UP");
        assertThat(j.path("components").get(1).path("state").asText()).isEqualTo("OFF");
    }

    @Test
    void stoppedStatusLeavesOutWhatOnlyARunningServerHas() {
        StatusReport r = new StatusReport("/p", "dev", "primary", "/s/data", "/s/run", "localhost", 6543, false, false, null, false,
                new StatusReport.Supervision("agent", false, "pg_ctl", 0, null, null, "/c", "/l", "/a"), null, null, null, null, null,
                List.of(new Health("postgresql", Health.State.DOWN, "stopped", "run 'pgbox start'")), null, null);
        JsonNode j = Json.tree(r);
        assertThat(j.fieldNames()).toIterable().containsExactly("project", "env", "role", "data_dir", "socket_dir", "host", "port", "running",
                "agent_running", "initialized", "supervision", "components");
        assertThat(j.path("supervision").has("last_crash_at")).isFalse();
        assertThat(Json.render(r)).contains("\"running\" : false");
        assertThat(j.path("components").get(0).path("fix").asText()).isEqualTo("run 'pgbox start'");
    }

    @Test
    void startReportNamesItsFactsInSnakeCase() {
        JsonNode j = Json.tree(new StartReport(List.of("started PostgreSQL 15"), false, 42, "postgresql://u@h:1/d", "jdbc:postgresql://h:1/d",
                "u", "/p/.env.secrets", "/s/run", "postgres", "/s/data", "/s/log"));
        assertThat(j.fieldNames()).toIterable().containsExactly("actions", "already_running", "pid", "url", "jdbc_url", "user",
                "password_file", "socket_dir", "os_user", "data_dir", "log_dir");
        assertThat(j.path("actions").get(0).asText()).isEqualTo("started PostgreSQL 15");
    }

    @Test
    void installCheckKeepsItsFieldsAndNamesEachEntrysComponent() {
        InstallReport r = new InstallReport(15, false, List.of(
                new InstallReport.Entry("PostgreSQL 15 server", true, List.of("postgresql-15"), "postgresql"),
                new InstallReport.Entry("pgBackRest (backups, WAL archiving)", false, List.of("pgbackrest"), "pgbackrest")),
                List.of("apt-get install -y pgbackrest"));
        JsonNode j = Json.tree(r);
        assertThat(j.path("postgres_major").asInt()).isEqualTo(15);
        assertThat(j.path("complete").asBoolean()).isFalse();
        JsonNode entry = j.path("components").get(1);
        assertThat(entry.fieldNames()).toIterable().containsExactlyInAnyOrder("name", "present", "packages", "component");
        assertThat(entry.path("component").asText()).isEqualTo("pgbackrest");
        assertThat(entry.path("present").asBoolean()).isFalse();
        assertThat(r.missing()).extracting(InstallReport.Entry::component).containsExactly("pgbackrest");
        assertThat(Json.tree(new InstallReport(15, true, List.of(), null)).has("install_commands")).isFalse();
    }
}
