package dev.pgbox.backup;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pgbox.Json;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The backup models print the field names 'db backup --list --json' and 'db verify --json' always printed. */
class BackupModelsTest {
    private static final BackupSet FULL = RecoveryTargetTest.set("20260507-100000F", "full", "2026-05-07T10:00:00Z", "2026-05-07T10:05:00Z");

    static JsonNode dumpSet(String path, String createdAt) throws Exception {
        return new ObjectMapper().readTree("""
                {"kind": "pgbox logical dump", "created_at": "%s", "server_version": "15.8", "format": "custom",
                 "duration_ms": 4500, "path": "%s",
                 "databases": [{"name": "app", "bytes": 1000}, {"name": "shop", "bytes": 234}]}
                """.formatted(createdAt, path));
    }

    @Test
    void theBackupListMergesBothKindsInTimeOrderWithTheLegacyNames() throws Exception {
        BackupCatalogue.BackupList list = BackupCatalogue.merge(List.of(dumpSet("/b/20260507-110000-000", "2026-05-07T11:00:00Z")),
                List.of(FULL), Map.of("20260507-100000F", "2026-05-07T12:00:00Z"));
        JsonNode json = Json.tree(list.backups());
        assertThat(json).hasSize(2);
        JsonNode physical = json.get(0);
        assertThat(physical.path("kind").asText()).isEqualTo("physical");
        assertThat(physical.path("id").asText()).isEqualTo("20260507-100000F");
        assertThat(physical.path("type").asText()).isEqualTo("full");
        assertThat(physical.path("started_at").asText()).isEqualTo("2026-05-07T10:00:00Z");
        assertThat(physical.path("finished_at").asText()).isEqualTo("2026-05-07T10:05:00Z");
        assertThat(physical.path("duration_seconds").asLong()).isEqualTo(300);
        assertThat(physical.path("size_bytes").asLong()).isEqualTo(100);
        assertThat(physical.path("repo_bytes").asLong()).isEqualTo(10);
        assertThat(physical.path("apps").asText()).isEqualTo("all");
        assertThat(physical.path("wal_start").asText()).isEqualTo("000000010000000000000001");
        assertThat(physical.path("wal_stop").asText()).isEqualTo("000000010000000000000002");
        assertThat(physical.path("last_verified_at").asText()).isEqualTo("2026-05-07T12:00:00Z");
        assertThat(physical.has("server_version")).isFalse();

        JsonNode logical = json.get(1);
        assertThat(logical.path("kind").asText()).isEqualTo("logical");
        assertThat(logical.path("id").asText()).isEqualTo("/b/20260507-110000-000");
        assertThat(logical.path("type").asText()).isEqualTo("custom");
        assertThat(logical.path("finished_at").asText()).isEqualTo("2026-05-07T11:00:04.500Z");
        assertThat(logical.path("duration_seconds").asLong()).isEqualTo(4);
        assertThat(logical.path("size_bytes").asLong()).isEqualTo(1234);
        assertThat(logical.path("repo_bytes").asLong()).isEqualTo(1234);
        assertThat(logical.path("apps").asText()).isEqualTo("app,shop");
        assertThat(logical.path("server_version").asText()).isEqualTo("15.8");
        assertThat(logical.has("last_verified_at")).isFalse(); // never verified: left out
        assertThat(logical.has("wal_start")).isFalse();
    }

    @Test
    void anEmptyCatalogueIsAnEmptyArray() {
        assertThat(Json.tree(BackupCatalogue.merge(List.of(), List.of(), Map.of()).backups()).isArray()).isTrue();
        assertThat(Json.tree(BackupCatalogue.merge(List.of(), List.of(), Map.of()).backups())).isEmpty();
    }

    @Test
    void aDrillReportHasTheVerifyNames() {
        JsonNode json = Json.tree(new DrillReport(false, "20260507-100000F", "/b/set", 2.5, 12, 7, List.of("app.public.t: differs")));
        assertThat(json.path("ok").asBoolean()).isFalse();
        assertThat(json.path("physical_backup").asText()).isEqualTo("20260507-100000F");
        assertThat(json.path("dump_set").asText()).isEqualTo("/b/set");
        assertThat(json.path("restore_seconds").asDouble()).isEqualTo(2.5);
        assertThat(json.path("tables_read").asInt()).isEqualTo(12);
        assertThat(json.path("tables_compared").asInt()).isEqualTo(7);
        assertThat(json.path("problems").get(0).asText()).isEqualTo("app.public.t: differs");
        assertThat(json).hasSize(7);
    }

    @Test
    void aDumpIsWhereItWasUploadedOrItsFolder() {
        assertThat(new LogicalBackup.Dumped("/b/set", null, List.of("app"), 1, List.of()).location()).isEqualTo("/b/set");
        assertThat(new LogicalBackup.Dumped(null, "s3://bucket/p/set", List.of("app"), 1, List.of()).location())
                .isEqualTo("s3://bucket/p/set");
        JsonNode json = Json.tree(new LogicalBackup.Dumped(null, "s3://bucket/p/set", List.of("app", "shop"), 9, List.of()));
        assertThat(json.path("url").asText()).isEqualTo("s3://bucket/p/set");
        assertThat(json.path("databases")).hasSize(2);
        assertThat(json.has("folder")).isFalse();
    }

    @Test
    void onlyTimeAndRestorePointRestoresRewindTheWholeCluster() {
        Instant t = Instant.parse("2026-05-07T10:00:00Z");
        assertThat(new Restores.Request(t, null, null, false, null, null, false).wholeCluster()).isTrue();
        assertThat(new Restores.Request(null, "before-deploy", null, false, null, null, false).wholeCluster()).isTrue();
        assertThat(new Restores.Request(t, null, null, false, "shop", null, false).wholeCluster()).isFalse();
        assertThat(new Restores.Request(null, null, Path.of("/d/shop.dump"), false, "shop", null, true).wholeCluster()).isFalse();
        assertThat(new Restores.Request(null, null, null, true, null, null, false).wholeCluster()).isFalse();
    }

    @Test
    void aRecoveryReportCarriesNoJavaTime() {
        JsonNode json = Json.tree(new Pitr.Recovered("restore point x", "20260507-100000F", 1500, "2"));
        assertThat(json.path("took_millis").asLong()).isEqualTo(1500);
        assertThat(json.path("timeline").asText()).isEqualTo("2");
    }
}
