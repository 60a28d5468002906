package dev.pgbox.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * Bad configuration values given to 'pgbox start' (on a running server), 'pgbox restart' and 'pgbox
 * tune --apply': each is refused with exit 3 and PostgreSQL's own words where PostgreSQL caught it,
 * and afterwards the same postmaster still runs, a row written before is still there, the old values
 * are still in force and pgbox.conf is unchanged.
 */
@Timeout(300)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ConfigSafetyIT {
    /** Parameters whose running values must not move when a candidate is refused. */
    private static final List<String> WATCHED = List.of("max_connections", "work_mem", "shared_buffers", "effective_io_concurrency",
            "checkpoint_completion_target", "wal_level", "superuser_reserved_connections");

    static PgboxProject project;
    static long pid;
    static Map<String, String> shown;
    static String pgboxConf;

    @BeforeAll
    static void start() throws Exception {
        project = PgboxProject.create("confsafety", "BACKUP_ARCHIVE=off", "PGBOX_AGENT=off");
        project.ok("start");
        project.admin().run("app", "CREATE TABLE keep (v text); INSERT INTO keep VALUES ('written before');");
        pid = project.pid();
        shown = show();
        pgboxConf = Files.readString(conf());
        assertThat(shown.get("max_connections")).isEqualTo(new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(project.ok("plan", "--json").stdout()).path("settings").path("max_connections").asText()); // the RAM plan's
        assertThat(shown.get("wal_level")).isEqualTo("replica");
    }

    @AfterAll
    static void stop() {
        if (project != null) {
            project.close();
        }
    }

    private static Path conf() {
        return project.dataDir().resolve("pgbox.conf");
    }

    private static Map<String, String> show() {
        Map<String, String> m = new LinkedHashMap<>();
        for (String p : WATCHED) {
            m.put(p, project.admin().value("postgres", "SHOW " + p));
        }
        return m;
    }

    private static PgboxProject.Run withEnv(Map<String, String> env, String... args) {
        return project.pgboxAs(null, env, args);
    }

    private static void superuser(String sql) {
        project.admin().run("postgres", sql);
    }

    /** Refused with exit 3 and these words; then the same server runs on the old configuration with the data. */
    private static void assertRefusedAndIntact(PgboxProject.Run r, String... words) throws Exception {
        assertThat(r.exitCode()).as(r.all()).isEqualTo(3);
        assertThat(r.stderr()).as(r.all()).contains(words);
        assertSameServerAndOldConfig();
    }

    private static void assertSameServerAndOldConfig() throws Exception {
        assertThat(project.pid()).as("postmaster PID").isEqualTo(pid);
        assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive)).contains(true);
        assertDataAndConfig();
    }

    private static void assertDataAndConfig() throws Exception {
        assertThat(project.admin().value("app", "SELECT string_agg(v, ',') FROM keep")).isEqualTo("written before");
        assertThat(show()).isEqualTo(shown);
        assertThat(Files.readString(conf())).isEqualTo(pgboxConf);
    }

    @Test
    @Order(1)
    void zeroConnectionsIsCaughtByTheCatalogueOnStartAndRestart() throws Exception {
        assertRefusedAndIntact(withEnv(Map.of("POSTGRES_MAX_CONNECTIONS", "0"), "start"),
                "POSTGRES_MAX_CONNECTIONS", "from 4 to 262143", "superuser_reserved_connections");
        // the case: restart used to stop the server and leave it down
        assertRefusedAndIntact(withEnv(Map.of("POSTGRES_MAX_CONNECTIONS", "0"), "restart"), "POSTGRES_MAX_CONNECTIONS");
    }

    @Test
    @Order(2)
    void workMemBelowPostgresMinimumIsRefusedByPostgresOnStart() throws Exception {
        assertRefusedAndIntact(withEnv(Map.of("POSTGRES_WORK_MEM", "32kB"), "start"),
                "32 kB is outside the valid range for parameter \"work_mem\" (64 .. 2147483647)",
                "server keeps running", "change POSTGRES_WORK_MEM=32kB in the environment");
    }

    @Test
    @Order(3)
    void outOfRangeValuesAreRefusedByPostgresOnTuneApply() throws Exception {
        assertRefusedAndIntact(withEnv(Map.of("POSTGRES_EFFECTIVE_IO_CONCURRENCY", "5000"), "tune", "--apply"),
                "5000 is outside the valid range for parameter \"effective_io_concurrency\" (0 .. 1000)",
                conf().toString(), "POSTGRES_EFFECTIVE_IO_CONCURRENCY");
        assertRefusedAndIntact(withEnv(Map.of("POSTGRES_CHECKPOINT_COMPLETION_TARGET", "2"), "tune", "--apply"),
                "2 is outside the valid range for parameter \"checkpoint_completion_target\" (0 .. 1)",
                "POSTGRES_CHECKPOINT_COMPLETION_TARGET");
    }

    @Test
    @Order(4)
    void sharedBuffersNearAllOfRamIsCaughtByTheCatalogueOnTuneApply() throws Exception {
        // the project plans for POSTGRES_MEMORY=2GB
        assertRefusedAndIntact(withEnv(Map.of("POSTGRES_SHARED_BUFFERS", "1900MB"), "tune", "--apply"),
                "POSTGRES_SHARED_BUFFERS=1900MB", "too big for 2.0 GB of RAM");
    }

    @Test
    @Order(5)
    void alterSystemConflictsOnlyPostgresSeesAreRefusedBeforeRestartStops() throws Exception {
        superuser("ALTER SYSTEM SET superuser_reserved_connections = 200");
        try {
            assertRefusedAndIntact(project.pgbox("restart"),
                    "superuser_reserved_connections (200) must be less than max_connections (" + shown.get("max_connections") + ")",
                    "ALTER SYSTEM RESET superuser_reserved_connections");
        } finally {
            superuser("ALTER SYSTEM RESET superuser_reserved_connections");
        }
        superuser("ALTER SYSTEM SET wal_level = 'minimal'");
        try {
            assertRefusedAndIntact(project.pgbox("restart"), "requires wal_level \"replica\" or \"logical\"",
                    "postgresql.auto.conf");
        } finally {
            superuser("ALTER SYSTEM RESET wal_level");
        }
    }

    @Test
    @Order(6)
    void sharedMemoryAboveRamFromAlterSystemIsRefusedBeforeRestartStops() throws Exception {
        superuser("ALTER SYSTEM SET shared_buffers = '3GB'");
        try {
            assertRefusedAndIntact(project.pgbox("restart"), "of shared memory, more than the 2.0 GB of RAM",
                    "ALTER SYSTEM RESET shared_buffers");
        } finally {
            superuser("ALTER SYSTEM RESET shared_buffers");
        }
    }

    @Test
    @Order(7)
    void aRestartThatStillFailsPutsThePreviousConfigurationBackAndStartsAgain() throws Exception {
        // overstating the RAM lets 100GB of shared_buffers pass every check; the kernel then refuses the memory
        Assumptions.assumeFalse(Files.readString(Path.of("/proc/sys/vm/overcommit_memory")).strip().equals("1"),
                "with vm.overcommit_memory=1 the kernel grants any shared memory, so this start would not fail");
        PgboxProject.Run r = withEnv(Map.of("POSTGRES_MEMORY", "1000GB", "POSTGRES_SHARED_BUFFERS", "100GB"), "restart");
        assertThat(r.exitCode()).as(r.all()).isEqualTo(3);
        assertThat(r.stderr()).as(r.all()).contains("restart failed", "runs again with its previous configuration",
                "could not map anonymous shared memory");
        long now = project.pid();
        assertThat(now).isPositive().isNotEqualTo(pid);
        assertThat(r.stderr()).contains("(pid " + now + ")");
        pid = now;
        assertSameServerAndOldConfig();
    }

    @Test
    @Order(8)
    void aGoodChangeStillGoesThrough() throws Exception {
        PgboxProject.Run r = withEnv(Map.of("POSTGRES_WORK_MEM", "8MB"), "tune", "--apply");
        assertThat(r.exitCode()).as(r.all()).isZero();
        assertThat(project.admin().value("postgres", "SHOW work_mem")).isEqualTo("8MB");
        assertThat(project.pid()).isEqualTo(pid);
    }
}
