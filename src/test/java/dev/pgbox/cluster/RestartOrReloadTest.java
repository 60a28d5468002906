package dev.pgbox.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pgbox.config.Apply;
import dev.pgbox.config.Setting;
import dev.pgbox.config.Settings;
import dev.pgbox.install.PgInstallation;
import dev.pgbox.tune.Machine;
import dev.pgbox.tune.Profile;
import dev.pgbox.tune.TunedSetting;
import dev.pgbox.tune.Tuner;
import dev.pgbox.tune.TuningPlan;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Whether a parameter needs a restart is known once, in the settings catalogue: every parameter the
 * server config and the tuning plan write gets its restart-or-reload from there.
 */
class RestartOrReloadTest {
    @TempDir
    Path dir;

    private TuningPlan plan() {
        return Tuner.plan(new Machine(8L << 30, 4, true, 0, "t", "t"), Profile.WEB, 50, Map.of());
    }

    /** The parameter names of every assignment line in pgbox.conf as rendered. */
    private List<String> renderedGucs() throws IOException {
        Files.writeString(dir.resolve(".env.dev"), "POSTGRES_SHARED_PRELOAD_LIBRARIES=auto_explain\nBACKUP_ARCHIVE=on\n");
        Settings s = Settings.load(dir, null, Map.of());
        Layout l = new Layout(dir, dir.resolve("st"), dir.resolve("st/data"), dir.resolve("st/run"), dir.resolve("st/log"),
                "postgres", PgInstallation.of(15), false);
        List<String> gucs = new ArrayList<>();
        for (String line : ServerConf.render(s, l, plan()).split("\n")) {
            if (!line.isBlank() && !line.startsWith("#")) {
                gucs.add(line.substring(0, line.indexOf(" = ")));
            }
        }
        return gucs;
    }

    @Test
    void everyParameterPgboxWritesIsInTheCatalogue() throws IOException {
        List<String> gucs = renderedGucs();
        assertThat(gucs).contains("shared_preload_libraries", "archive_command", "shared_buffers", "work_mem");
        for (String guc : gucs) {
            assertThat(Setting.applyOf(guc)).as(guc).isIn(Apply.RESTART, Apply.RELOAD);
        }
        // the fixed table lists only what pgbox writes, and never a parameter a setting already stands for
        assertThat(gucs).containsAll(Setting.fixedGucs());
        for (String guc : Setting.fixedGucs()) {
            assertThat(Setting.byGuc(guc)).as(guc + " is in the fixed table and has a setting").isEmpty();
        }
    }

    @Test
    void everyTunedParameterTakesItsRestartFlagFromItsSetting() {
        TuningPlan plan = plan();
        assertThat(plan.settings()).hasSizeGreaterThan(10);
        for (TunedSetting t : plan.settings()) {
            Setting setting = Setting.byGuc(t.guc()).orElseThrow(() -> new AssertionError(t.guc() + " has no setting"));
            assertThat(t.apply()).as(t.guc()).isEqualTo(setting.apply());
            assertThat(t.restart()).as(t.guc()).isEqualTo(setting.apply() == Apply.RESTART);
        }
        assertThat(plan.get("shared_buffers").orElseThrow().restart()).isTrue();
        assertThat(plan.get("max_connections").orElseThrow().restart()).isTrue();
        assertThat(plan.get("work_mem").orElseThrow().restart()).isFalse();
    }

    @Test
    void theParametersThatMatterMost() {
        for (String guc : List.of("shared_buffers", "max_connections", "shared_preload_libraries", "wal_level",
                "archive_mode", "logging_collector", "port")) {
            assertThat(Setting.applyOf(guc)).as(guc).isEqualTo(Apply.RESTART);
        }
        for (String guc : List.of("work_mem", "archive_command", "log_min_duration_statement", "ssl")) {
            assertThat(Setting.applyOf(guc)).as(guc).isEqualTo(Apply.RELOAD);
        }
        assertThat(Setting.POSTGRES_SHARED_PRELOAD_LIBRARIES.apply()).isEqualTo(Apply.RESTART);
        assertThat(Setting.applyOfContext("postmaster")).isEqualTo(Apply.RESTART);
        assertThat(Setting.applyOfContext("sighup")).isEqualTo(Apply.RELOAD);
    }

    @Test
    void aParameterTheCatalogueDoesNotKnowCannotEnterAPlan() {
        assertThatThrownBy(() -> Setting.applyOf("huge_pages")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("huge_pages");
        assertThatThrownBy(() -> new TunedSetting("huge_pages", "on", "why", "tuned")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void everySettingWithAParameterIsRestartOrReload() {
        for (Setting s : Setting.values()) {
            if (s.guc() != null) {
                assertThat(s.apply()).as(s.name()).isIn(Apply.RESTART, Apply.RELOAD);
            }
        }
    }
}
