package dev.pgbox.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pgbox.config.Settings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigGuardTest {
    @TempDir
    Path dir;

    /** Recorded from postgres -C (PostgreSQL 15) on a copy with max_connections = 0 in pgbox.conf. */
    static final String RANGE_ERROR = """
            2026-12-01 14:54:54.910 UTC [6310] LOG:  0 is outside the valid range for parameter "max_connections" (1 .. 262143)
            2026-12-01 14:54:54.910 UTC [6310] FATAL:  configuration file "/tmp/pgbox-confcheck-123/pgbox.conf" contains errors
            """;

    @Test
    void keepsPostgresWordsWithoutPrefixAndNamesTheRealFile() {
        var lines = ConfigGuard.postgresLines(RANGE_ERROR, Path.of("/tmp/pgbox-confcheck-123"), Path.of("/srv/p/.pgbox/data"));
        assertThat(lines).containsExactly("0 is outside the valid range for parameter \"max_connections\" (1 .. 262143)",
                "configuration file \"/srv/p/.pgbox/data/pgbox.conf\" contains errors");
    }

    @Test
    void startOnlyChecksPrintedWithoutALevelAreKept() {
        var lines = ConfigGuard.postgresLines("postgres: superuser_reserved_connections (200) must be less than max_connections (100)\n",
                null, null);
        assertThat(lines).containsExactly("superuser_reserved_connections (200) must be less than max_connections (100)");
    }

    @Test
    void fixPointsAtTheVariableOrTheFileThatSetsTheParameterLast() throws Exception {
        Files.writeString(dir.resolve(".env.dev"), "POSTGRES_MAX_CONNECTIONS=50\n");
        Settings s = Settings.load(dir, null, Map.of());
        Layout at = new Layout(dir, dir, dir.resolve("data"), dir, dir, "postgres", null, false);
        Map<String, String> files = Map.of("postgresql.conf", "max_connections = 100\n", "pgbox.conf",
                "max_connections = '50'\nwork_mem = '4MB'\n", "postgresql.auto.conf", "superuser_reserved_connections = '200'\n");
        String fix = ConfigGuard.fixes(s, at, files,
                java.util.List.of("superuser_reserved_connections (200) must be less than max_connections (50)"));
        assertThat(fix).contains("ALTER SYSTEM RESET superuser_reserved_connections", dir.resolve("data/postgresql.auto.conf").toString(),
                "change POSTGRES_MAX_CONNECTIONS=50 in .env.dev");
        // a parameter set last in postgresql.auto.conf is fixed there, not in .env.dev
        String auto = ConfigGuard.fixes(s, at, Map.of("pgbox.conf", "work_mem = '4MB'\n", "postgresql.auto.conf", "work_mem = '1kB'\n"),
                java.util.List.of("1 kB is outside the valid range for parameter \"work_mem\" (64 .. 2147483647)"));
        assertThat(auto).contains("ALTER SYSTEM RESET work_mem").doesNotContain("POSTGRES_WORK_MEM");
    }
}
