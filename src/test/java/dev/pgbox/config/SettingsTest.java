package dev.pgbox.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pgbox.PgboxException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SettingsTest {
    @TempDir
    Path dir;

    private Settings load(String dev, Map<String, String> env) throws IOException {
        Files.writeString(dir.resolve(".env.dev"), dev);
        return Settings.load(dir, null, env);
    }

    @Test
    void layersDefaultsDevProdSecretsAndEnvironmentInThatOrder() throws IOException {
        Files.writeString(dir.resolve(".env.prod"), "POSTGRES_PORT=6000\nPOSTGRES_WORK_MEM=32MB\n");
        Files.writeString(dir.resolve(".env.secrets"), "POSTGRES_PASSWORD=abc\n");
        Files.writeString(dir.resolve(".env.dev"), "POSTGRES_PORT=5433\nPOSTGRES_DB=shop\nPOSTGRES_WORK_MEM=16MB\n");
        Settings s = Settings.load(dir, "prod", Map.of("POSTGRES_WORK_MEM", "64mb", "UNRELATED", "x"));
        assertThat(s.get(Setting.POSTGRES_PORT)).isEqualTo("6000");
        assertThat(s.source(Setting.POSTGRES_PORT)).isEqualTo(".env.prod");
        assertThat(s.get(Setting.POSTGRES_DB)).isEqualTo("shop");
        assertThat(s.get(Setting.POSTGRES_WORK_MEM)).isEqualTo("64MB");
        assertThat(s.source(Setting.POSTGRES_WORK_MEM)).isEqualTo("env");
        assertThat(s.get(Setting.POSTGRES_USER)).isEqualTo("app");
        assertThat(s.source(Setting.POSTGRES_USER)).isEqualTo("default");
        assertThat(s.shown(Setting.POSTGRES_PASSWORD)).isEqualTo("********");
        assertThat(s.envName()).isEqualTo("prod");
    }

    @Test
    void unitsAreNormalizedToPostgresForm() throws IOException {
        Settings s = load("POSTGRES_SHARED_BUFFERS=1gb\nPOSTGRES_MAINTENANCE_WORK_MEM=524288kB\n"
                + "POSTGRES_LOG_MIN_DURATION_STATEMENT=1000ms\nPOSTGRES_RANDOM_PAGE_COST=1.10\n", Map.of());
        assertThat(s.get(Setting.POSTGRES_SHARED_BUFFERS)).isEqualTo("1GB");
        assertThat(s.bytes(Setting.POSTGRES_MAINTENANCE_WORK_MEM)).isEqualTo(512L * 1024 * 1024);
        assertThat(s.get(Setting.POSTGRES_MAINTENANCE_WORK_MEM)).isEqualTo("512MB");
        assertThat(s.get(Setting.POSTGRES_LOG_MIN_DURATION_STATEMENT)).isEqualTo("1s");
        assertThat(s.get(Setting.POSTGRES_RANDOM_PAGE_COST)).isEqualTo("1.1");
    }

    @Test
    void invalidUnitNamesTheVariableAndTheAllowedForm() {
        assertThatThrownBy(() -> load("POSTGRES_SHARED_BUFFERS=1gigabyte\n", Map.of()))
                .isInstanceOf(PgboxException.class)
                .hasMessageContaining("POSTGRES_SHARED_BUFFERS").hasMessageContaining(".env.dev:1")
                .satisfies(t -> assertThat(((PgboxException) t).reason()).contains("kB, MB, GB or TB"));
        assertThatThrownBy(() -> load("POSTGRES_LOG_MIN_DURATION_STATEMENT=200\n", Map.of()))
                .hasMessageContaining("POSTGRES_LOG_MIN_DURATION_STATEMENT");
        assertThatThrownBy(() -> load("POSTGRES_PORT=70000\n", Map.of())).hasMessageContaining("POSTGRES_PORT");
        assertThatThrownBy(() -> load("POSTGRES_RAM_SHARE=0\n", Map.of())).hasMessageContaining("POSTGRES_RAM_SHARE");
        assertThatThrownBy(() -> load("POSTGRES_TUNE_PROFILE=gaming\n", Map.of()))
                .satisfies(t -> assertThat(((PgboxException) t).reason()).contains("web, oltp, mixed, analytics"));
    }

    @Test
    void unknownVariableSuggestsTheNearestName() {
        assertThatThrownBy(() -> load("POSTGRES_PROT=5432\n", Map.of()))
                .hasMessageContaining("unknown variable POSTGRES_PROT")
                .satisfies(t -> assertThat(((PgboxException) t).fix()).contains("POSTGRES_PORT"));
        assertThatThrownBy(() -> load("POSTGRES_SHARED_BUFFER=1GB\n", Map.of()))
                .satisfies(t -> assertThat(((PgboxException) t).fix()).contains("POSTGRES_SHARED_BUFFERS"));
    }

    @Test
    void otherToolsVariablesAreLeftAlone() throws IOException {
        Settings s = load("HASURA_GRAPHQL_ADMIN_SECRET=x\nNGINX_PORT=80\n", Map.of());
        assertThat(s.get(Setting.POSTGRES_PORT)).isEqualTo("5432");
    }

    @Test
    void secretsAreRefusedInCommittedFiles() {
        assertThatThrownBy(() -> load("POSTGRES_PASSWORD=hunter2\n", Map.of()))
                .hasMessageContaining("POSTGRES_PASSWORD is set in .env.dev:1")
                .satisfies(t -> assertThat(((PgboxException) t).render()).doesNotContain("hunter2"));
    }

    @Test
    void onlyLoopbackHostsAndLowercaseIdentifiers() {
        assertThatThrownBy(() -> load("POSTGRES_HOST=0.0.0.0\n", Map.of())).hasMessageContaining("POSTGRES_HOST");
        assertThatThrownBy(() -> load("POSTGRES_DB=Shop\n", Map.of())).hasMessageContaining("POSTGRES_DB");
        assertThatThrownBy(() -> load("POSTGRES_USER=a\"b\n", Map.of())).hasMessageContaining("POSTGRES_USER");
    }

    @Test
    void selectedEnvironmentFileMustExist() throws IOException {
        Files.writeString(dir.resolve(".env.dev"), "");
        assertThatThrownBy(() -> Settings.load(dir, "prod", Map.of())).hasMessageContaining(".env.prod is missing");
        assertThatThrownBy(() -> Settings.load(dir, "staging", Map.of())).hasMessageContaining("unknown environment");
    }

    @Test
    void secretsFileIsCreatedOwnerOnlyAndIgnoredByGit() throws IOException {
        Settings s = Secrets.ensurePassword(load("", Map.of()));
        Path file = dir.resolve(".env.secrets");
        assertThat(Files.getPosixFilePermissions(file)).isEqualTo(Secrets.OWNER_ONLY);
        assertThat(s.get(Setting.POSTGRES_PASSWORD)).hasSize(32);
        assertThat(Files.readString(file)).contains("POSTGRES_PASSWORD=" + s.get(Setting.POSTGRES_PASSWORD));
        assertThat(Files.readAllLines(dir.resolve(".gitignore"))).contains(".env.secrets", ".pgbox/");
        Settings again = Secrets.ensurePassword(Settings.load(dir, null, Map.of()));
        assertThat(again.get(Setting.POSTGRES_PASSWORD)).isEqualTo(s.get(Setting.POSTGRES_PASSWORD));
        assertThat(Files.readAllLines(dir.resolve(".gitignore"))).containsOnlyOnce(".env.secrets");
    }

    @Test
    void remoteAccessNeedsValidAddressesAndBothSettings() throws IOException {
        Settings s = load("POSTGRES_LISTEN=10.0.0.5, 10.0.0.6\nPOSTGRES_ALLOWED_CIDRS=10.0.0.0/24,192.168.1.7\n", Map.of());
        assertThat(s.get(Setting.POSTGRES_LISTEN)).isEqualTo("10.0.0.5,10.0.0.6");
        assertThat(Settings.list(s.get(Setting.POSTGRES_ALLOWED_CIDRS))).containsExactly("10.0.0.0/24", "192.168.1.7");
        assertThatThrownBy(() -> load("POSTGRES_LISTEN=10.0.0.5\nPOSTGRES_ALLOWED_CIDRS=10.0.0.0/33\n", Map.of()))
                .hasMessageContaining("POSTGRES_ALLOWED_CIDRS");
        assertThatThrownBy(() -> load("POSTGRES_LISTEN=myhost.example\n", Map.of())).hasMessageContaining("POSTGRES_LISTEN");
        assertThatThrownBy(() -> load("POSTGRES_ALLOWED_CIDRS=10.0.0.0/24\n", Map.of()))
                .hasMessageContaining("POSTGRES_LISTEN is empty");
        assertThat(load("POSTGRES_LISTEN=*\nPOSTGRES_ALLOWED_CIDRS=0.0.0.0/0\n", Map.of()).get(Setting.POSTGRES_LISTEN)).isEqualTo("*");
    }

    @Test
    void appPasswordsAreSecretsOnly() throws IOException {
        Files.writeString(dir.resolve(".env.secrets"), "PGBOX_APP_SHOP_PASSWORD=abc\n");
        assertThat(load("", Map.of()).appSecret("PGBOX_APP_SHOP_PASSWORD")).isEqualTo("abc");
        assertThatThrownBy(() -> load("PGBOX_APP_SHOP_PASSWORD=abc\n", Map.of())).hasMessageContaining("is set in .env.dev:1");
        Secrets.put(dir.resolve(".env.secrets"), "PGBOX_APP_SHOP_PASSWORD", "xyz");
        Secrets.put(dir.resolve(".env.secrets"), "PGBOX_APP_BLOG_PASSWORD", "q");
        assertThat(Files.readString(dir.resolve(".env.secrets"))).isEqualTo("PGBOX_APP_SHOP_PASSWORD=xyz\nPGBOX_APP_BLOG_PASSWORD=q\n");
        Secrets.remove(dir.resolve(".env.secrets"), "PGBOX_APP_SHOP_PASSWORD");
        assertThat(Files.readString(dir.resolve(".env.secrets"))).isEqualTo("PGBOX_APP_BLOG_PASSWORD=q\n");
        assertThat(Files.getPosixFilePermissions(dir.resolve(".env.secrets"))).isEqualTo(Secrets.OWNER_ONLY);
    }

    @Test
    void connectionsMustLeaveOneSlotBeyondTheSuperuserReserve() throws IOException {
        for (String bad : new String[] {"0", "3", "262144"}) {
            assertThatThrownBy(() -> load("POSTGRES_MAX_CONNECTIONS=" + bad + "\n", Map.of()))
                    .isInstanceOf(PgboxException.class)
                    .hasMessageContaining("POSTGRES_MAX_CONNECTIONS")
                    .satisfies(t -> assertThat(((PgboxException) t).reason()).contains("from 4 to 262143", "superuser_reserved_connections"))
                    .satisfies(t -> assertThat(((PgboxException) t).kind()).isEqualTo(dev.pgbox.ErrorKind.CONFIG));
        }
        assertThat(load("POSTGRES_MAX_CONNECTIONS=4\n", Map.of()).integer(Setting.POSTGRES_MAX_CONNECTIONS)).isEqualTo(4);
        assertThat(load("POSTGRES_MAX_CONNECTIONS=262143\n", Map.of()).integer(Setting.POSTGRES_MAX_CONNECTIONS)).isEqualTo(262143);
    }

    @Test
    void countsThatMeanNothingCanWorkAreRefused() {
        for (String line : new String[] {"POSTGRES_CPUS=0", "POSTGRES_AUTOVACUUM_MAX_WORKERS=0", "POSTGRES_MAX_WORKER_PROCESSES=0",
                "PGBOX_APP_CONNECTION_LIMIT=0", "BACKUP_RETENTION_FULL=0", "BACKUP_RETENTION_DIFF=0", "BACKUP_DUMP_RETENTION=0",
                "BACKUP_PROCESS_MAX=0", "BACKUP_PROCESS_MAX=1000"}) {
            String name = line.substring(0, line.indexOf('='));
            assertThatThrownBy(() -> load(line + "\n", Map.of())).as(line).hasMessageContaining(name);
        }
    }

    @Test
    void portsOutsideOneTo65535AreRefused() throws IOException {
        assertThatThrownBy(() -> load("POSTGRES_PORT=0\n", Map.of())).hasMessageContaining("POSTGRES_PORT");
        assertThatThrownBy(() -> load("POSTGRES_PORT=65536\n", Map.of())).hasMessageContaining("POSTGRES_PORT");
        assertThat(load("POSTGRES_PORT=65535\n", Map.of()).integer(Setting.POSTGRES_PORT)).isEqualTo(65535);
    }

    @Test
    void memorySettingsMustFitTheRam() throws IOException {
        long gb = Size.GB;
        // shared_buffers: at most 80% of 2GB = 1638.4MB
        assertThatThrownBy(() -> load("POSTGRES_SHARED_BUFFERS=1700MB\n", Map.of()).checkMemory(2 * gb, "detected"))
                .isInstanceOf(PgboxException.class)
                .hasMessageContaining("POSTGRES_SHARED_BUFFERS=1700MB in .env.dev is too big for 2.0 GB of RAM (detected)")
                .satisfies(t -> assertThat(((PgboxException) t).fix()).contains("lower POSTGRES_SHARED_BUFFERS"));
        load("POSTGRES_SHARED_BUFFERS=1600MB\n", Map.of()).checkMemory(2 * gb, "detected");
        // per-operation memory must stay below all of RAM
        for (String line : new String[] {"POSTGRES_WORK_MEM=2GB", "POSTGRES_MAINTENANCE_WORK_MEM=3GB", "POSTGRES_WAL_BUFFERS=2GB"}) {
            String name = line.substring(0, line.indexOf('='));
            assertThatThrownBy(() -> load(line + "\n", Map.of()).checkMemory(2 * gb, "detected")).as(line).hasMessageContaining(name);
        }
        load("POSTGRES_WORK_MEM=1GB\nPOSTGRES_MAINTENANCE_WORK_MEM=1GB\n", Map.of()).checkMemory(2 * gb, "detected");
        // a planner hint may equal RAM but not exceed it
        load("POSTGRES_EFFECTIVE_CACHE_SIZE=2GB\n", Map.of()).checkMemory(2 * gb, "detected");
        assertThatThrownBy(() -> load("POSTGRES_EFFECTIVE_CACHE_SIZE=3GB\n", Map.of()).checkMemory(2 * gb, "detected"))
                .hasMessageContaining("POSTGRES_EFFECTIVE_CACHE_SIZE");
        // values from the environment say so
        assertThatThrownBy(() -> load("", Map.of("POSTGRES_WORK_MEM", "4GB")).checkMemory(2 * gb, "POSTGRES_MEMORY"))
                .hasMessageContaining("in the environment");
    }
}
