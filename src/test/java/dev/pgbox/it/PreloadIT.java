package dev.pgbox.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pgbox.config.Setting;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * POSTGRES_SHARED_PRELOAD_LIBRARIES on a real server: the user's libraries are loaded after pgbox's
 * own, a change waits for a restart as the catalogue says, a bad name or a library that does not
 * exist is refused with exit 3; and the catalogue's restart-or-reload of every parameter pgbox
 * writes matches the running server's pg_settings.context.
 */
@Timeout(300)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PreloadIT {
    static PgboxProject project;

    @BeforeAll
    static void start() throws Exception {
        project = PgboxProject.create("preload", "BACKUP_ARCHIVE=off", "PGBOX_AGENT=off",
                "POSTGRES_SHARED_PRELOAD_LIBRARIES=auto_explain");
        project.ok("start");
    }

    @AfterAll
    static void stop() {
        if (project != null) {
            project.close();
        }
    }

    /** As the superuser: the app role may not read shared_preload_libraries (pg_read_all_settings). */
    private static String preloaded() {
        return project.admin().value("postgres", "SHOW shared_preload_libraries");
    }

    @Test
    @Order(1)
    void theUsersLibraryIsLoadedAfterPgboxsOwn() {
        assertThat(preloaded()).isEqualTo("pg_stat_statements,pg_cron,auto_explain");
        // loaded, not just listed: auto_explain's own parameter exists only when the library is in the server
        assertThat(project.admin().value("postgres", "SHOW auto_explain.log_min_duration")).isEqualTo("-1");
        assertThat(project.admin().value("app", "SELECT count(*) >= 0 FROM pg_stat_statements")).isEqualTo("t");
    }

    @Test
    @Order(2)
    void configExplainShowsTheSettingAsNeedingARestart() throws Exception {
        String text = project.ok("config", "--explain").stdout();
        String line = text.lines().filter(l -> l.strip().startsWith("POSTGRES_SHARED_PRELOAD_LIBRARIES ")).findFirst().orElseThrow();
        assertThat(java.util.Arrays.stream(line.split("\\|")).map(String::strip).toList())
                .containsExactly("POSTGRES_SHARED_PRELOAD_LIBRARIES", "auto_explain", ".env.dev", "", "restart");
        JsonNode rows = new ObjectMapper().readTree(project.ok("config", "--explain", "--json").stdout());
        JsonNode row = null;
        for (JsonNode r : rows) {
            if (r.get("name").asText().equals("POSTGRES_SHARED_PRELOAD_LIBRARIES")) {
                row = r;
            }
        }
        assertThat(row).isNotNull();
        assertThat(row.get("applies").asText()).isEqualTo("restart");
        assertThat(row.get("value").asText()).isEqualTo("auto_explain");
    }

    @Test
    @Order(3)
    void theCatalogueAgreesWithPostgresOnEveryParameterPgboxWrites() throws Exception {
        Map<String, String> context = new HashMap<>();
        for (List<String> r : project.admin().rows("postgres", "SELECT name, context FROM pg_settings")) {
            context.put(r.get(0), r.get(1));
        }
        List<String> written = Files.readAllLines(project.dataDir().resolve("pgbox.conf")).stream()
                .filter(l -> !l.isBlank() && !l.startsWith("#")).map(l -> l.substring(0, l.indexOf(" = "))).toList();
        assertThat(written).contains("shared_preload_libraries", "shared_buffers", "work_mem", "cron.database_name");
        for (String guc : written) {
            assertThat(context).as("pg_settings has " + guc).containsKey(guc);
            assertThat(Setting.applyOf(guc)).as(guc + " (pg_settings.context " + context.get(guc) + ")")
                    .isEqualTo(Setting.applyOfContext(context.get(guc)));
        }
        for (String guc : Setting.fixedGucs()) {
            assertThat(Setting.applyOf(guc)).as(guc).isEqualTo(Setting.applyOfContext(context.get(guc)));
        }
    }

    @Test
    @Order(4)
    void aBadNameIsRefusedBeforeAnythingChanges() {
        PgboxProject.Run r = project.pgboxAs(null, Map.of("POSTGRES_SHARED_PRELOAD_LIBRARIES", "auto_explain,../x"), "start");
        assertThat(r.exitCode()).as(r.all()).isEqualTo(3);
        assertThat(r.stderr()).contains("POSTGRES_SHARED_PRELOAD_LIBRARIES", "letters, digits, _ and -",
                "POSTGRES_SHARED_PRELOAD_LIBRARIES=auto_explain");
    }

    @Test
    @Order(5)
    void aLibraryThatDoesNotExistIsRefusedAndTheServerKeepsRunning() throws Exception {
        long pid = project.pid();
        String conf = Files.readString(project.dataDir().resolve("pgbox.conf"));
        PgboxProject.Run r = project.pgboxAs(null, Map.of("POSTGRES_SHARED_PRELOAD_LIBRARIES", "auto_explain,no_such_library"), "restart");
        assertThat(r.exitCode()).as(r.all()).isEqualTo(3);
        assertThat(r.stderr()).contains("could not access file \"no_such_library\"")
                .contains("change POSTGRES_SHARED_PRELOAD_LIBRARIES=auto_explain,no_such_library in the environment");
        assertThat(project.pid()).isEqualTo(pid);
        assertThat(Files.readString(project.dataDir().resolve("pgbox.conf"))).isEqualTo(conf);
        assertThat(preloaded()).isEqualTo("pg_stat_statements,pg_cron,auto_explain");
    }

    @Test
    @Order(6)
    void aChangeWaitsForARestart() throws Exception {
        Files.writeString(project.dir().resolve(".env.dev"), "POSTGRES_SHARED_PRELOAD_LIBRARIES=pg_cron,auto_explain,pg_prewarm\n",
                StandardOpenOption.APPEND);
        String started = project.ok("start").all();
        assertThat(started).contains("restart needed for: ").contains("shared_preload_libraries");
        assertThat(preloaded()).isEqualTo("pg_stat_statements,pg_cron,auto_explain");
        project.ok("restart");
        assertThat(preloaded()).isEqualTo("pg_stat_statements,pg_cron,auto_explain,pg_prewarm");
    }
}
