package dev.pgbox.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pgbox.ErrorKind;
import dev.pgbox.PgboxException;
import dev.pgbox.config.Settings;
import dev.pgbox.install.PgInstallation;
import dev.pgbox.tune.Machine;
import dev.pgbox.tune.Profile;
import dev.pgbox.tune.Tuner;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfRenderingTest {
    @TempDir
    Path dir;

    @Test
    void hbaHasNoTrustMd5OrPasswordAndPeerOnlyForTheSuperuser() {
        String hba = HbaFile.render();
        for (String line : hba.lines().filter(l -> !l.startsWith("#") && !l.isBlank()).toList()) {
            String method = line.trim().split("\\s+")[line.startsWith("local") ? 3 : 4];
            assertThat(method).as(line).isIn("peer", "scram-sha-256");
            assertThat(line).doesNotContain("trust", "md5", " password");
            if (line.startsWith("local")) {
                assertThat(line).contains(" postgres ").contains("map=" + HbaFile.IDENT_MAP);
            } else {
                assertThat(line.split("\\s+")[3]).isIn("127.0.0.1/32", "::1/128");
            }
        }
        assertThat(HbaFile.renderIdent("postgres")).contains("pgbox  postgres  postgres");
    }

    @Test
    void serverConfLocksDownAndCarriesThePlan() throws IOException {
        Files.writeString(dir.resolve(".env.dev"), "POSTGRES_PORT=6543\nPOSTGRES_DB=shop\n");
        Settings s = Settings.load(dir, null, Map.of());
        Layout l = new Layout(dir, dir.resolve("st"), dir.resolve("st/data"), dir.resolve("st/run"), dir.resolve("st/log"),
                "postgres", PgInstallation.of(15), false);
        var plan = Tuner.plan(new Machine(8L << 30, 2, true, 0, "t", "t"), Profile.WEB, 50, Map.of());
        String conf = ServerConf.render(s, l, plan);
        assertThat(conf).startsWith("# Managed by pgbox")
                .contains("listen_addresses = '127.0.0.1'\n", "port = 6543\n", "ssl = on\n",
                        "password_encryption = 'scram-sha-256'\n",
                        "shared_preload_libraries = 'pg_stat_statements,pg_cron'\n", "wal_level = replica\n",
                        "cron.database_name = 'shop'\n", "unix_socket_directories = '" + dir.resolve("st/run") + "'\n",
                        "log_min_duration_statement = '200ms'\n", "log_checkpoints = on\n", "log_lock_waits = on\n",
                        "log_temp_files = 0\n", "idle_in_transaction_session_timeout = '1min'\n",
                        "shared_buffers = '1GB'   # 25% of the");
        assertThat(conf).doesNotContain("'*'", "0.0.0.0");
    }

    private String preloadLine(String envDev) throws IOException {
        Files.writeString(dir.resolve(".env.dev"), envDev);
        Settings s = Settings.load(dir, null, Map.of());
        Layout l = new Layout(dir, dir.resolve("st"), dir.resolve("st/data"), dir.resolve("st/run"), dir.resolve("st/log"),
                "postgres", PgInstallation.of(15), false);
        var plan = Tuner.plan(new Machine(8L << 30, 2, true, 0, "t", "t"), Profile.WEB, 50, Map.of());
        return ServerConf.render(s, l, plan).lines().filter(x -> x.startsWith("shared_preload_libraries")).findFirst().orElseThrow();
    }

    @Test
    void preloadLibrariesKeepPgboxsOwnFirstThenTheUsersOnceEach() throws IOException {
        assertThat(preloadLine("")).isEqualTo("shared_preload_libraries = 'pg_stat_statements,pg_cron'");
        assertThat(preloadLine("POSTGRES_SHARED_PRELOAD_LIBRARIES=auto_explain\n"))
                .isEqualTo("shared_preload_libraries = 'pg_stat_statements,pg_cron,auto_explain'");
        // the user's list names one of pgbox's and repeats itself: pgbox's order stays, nothing twice
        assertThat(preloadLine("POSTGRES_SHARED_PRELOAD_LIBRARIES=pg_prewarm, pg_cron,auto_explain,pg_prewarm\n"))
                .isEqualTo("shared_preload_libraries = 'pg_stat_statements,pg_cron,pg_prewarm,auto_explain'");
        // only one of pgbox's: the other is still there
        assertThat(preloadLine("POSTGRES_SHARED_PRELOAD_LIBRARIES=pg_stat_statements\n"))
                .isEqualTo("shared_preload_libraries = 'pg_stat_statements,pg_cron'");
        assertThat(ServerConf.preloadLibraries(java.util.List.of("auth-delay_2", "auto_explain")))
                .containsExactly("pg_stat_statements", "pg_cron", "auth-delay_2", "auto_explain");
    }

    @Test
    void aBadLibraryNameIsRefusedWithAConfigError() {
        for (String bad : java.util.List.of("auto_explain'; x", "$libdir/plugins/x", "../evil", "a b", "auto.explain")) {
            assertThatThrownBy(() -> ServerConf.preloadLibraries(java.util.List.of("auto_explain", bad))).as(bad)
                    .isInstanceOf(PgboxException.class)
                    .satisfies(t -> {
                        PgboxException e = (PgboxException) t;
                        assertThat(e.kind()).isEqualTo(ErrorKind.CONFIG);
                        assertThat(e.kind().exitCode()).isEqualTo(3);
                        assertThat(e.what()).contains("POSTGRES_SHARED_PRELOAD_LIBRARIES").contains(bad);
                        assertThat(e.reason()).contains("letters, digits, _ and -");
                        assertThat(e.fix()).contains("POSTGRES_SHARED_PRELOAD_LIBRARIES=auto_explain");
                    });
        }
        // the same rule when the settings are read, naming the file and line
        assertThatThrownBy(() -> preloadLine("POSTGRES_SHARED_PRELOAD_LIBRARIES=auto_explain,/tmp/x.so\n"))
                .isInstanceOf(PgboxException.class).hasMessageContaining("POSTGRES_SHARED_PRELOAD_LIBRARIES").hasMessageContaining(".env.dev:1")
                .satisfies(t -> assertThat(((PgboxException) t).kind()).isEqualTo(ErrorKind.CONFIG));
    }

    @Test
    void remoteNetworksGetHostsslScramLinesOnly() {
        String hba = HbaFile.render(java.util.List.of("10.0.0.0/24", "192.168.1.7", "2001:db8::/32"));
        assertThat(hba).contains("hostssl all       all       10.0.0.0/24     scram-sha-256",
                "hostssl all       all       192.168.1.7/32  scram-sha-256", "hostssl all       all       2001:db8::/32   scram-sha-256");
        assertThat(hba.lines().filter(l -> l.startsWith("host ")).toList()).allMatch(l -> l.contains("127.0.0.1/32") || l.contains("::1/128"));
        assertThat(HbaFile.render(java.util.List.of())).doesNotContain("hostssl");
    }
}
