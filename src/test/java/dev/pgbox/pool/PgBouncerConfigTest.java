package dev.pgbox.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pgbox.cluster.HbaFile;
import dev.pgbox.cluster.Layout;
import dev.pgbox.cluster.SystemdUnits;
import dev.pgbox.config.Settings;
import dev.pgbox.install.PgInstallation;
import dev.pgbox.tune.RamPlan;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** PgBouncer's three files from fixed settings, layout, databases and plan sizes. */
class PgBouncerConfigTest {
    /** Sizes no default has, so each can be traced to the plan. */
    static final RamPlan.PoolSizing SIZING = new RamPlan.PoolSizing(7, 3, 4, 15, 1234);

    @TempDir
    Path dir;

    Settings settings(String env) throws IOException {
        Files.writeString(dir.resolve(".env.dev"), "POSTGRES_PORT=5544\nPGBOUNCER_PORT=6544\nPGBOUNCER_ENABLED=on\n" + env);
        return Settings.load(dir, null, Map.of());
    }

    Layout layout() {
        return new Layout(dir, dir.resolve("st"), dir.resolve("st/data"), dir.resolve("st/run"), dir.resolve("st/log"),
                "postgres", PgInstallation.of(15), false);
    }

    Map<String, String> render(String env, List<String> dbs) throws IOException {
        return PgBouncerConfig.render(settings(env), layout(), dbs, SIZING);
    }

    static List<String> lines(String text) {
        return text.lines().filter(l -> !l.isBlank() && !l.startsWith(";") && !l.startsWith("#")).toList();
    }

    @Test
    void listensOnLoopbackWithTlsRequiredAndTheRunDirSocket() throws IOException {
        String ini = render("", List.of("app")).get(PgBouncerFiles.INI);
        Path st = dir.resolve("st");
        assertThat(lines(ini)).contains("listen_addr = 127.0.0.1", "listen_port = 6544", "unix_socket_dir = " + st.resolve("run"),
                "client_tls_sslmode = require", "client_tls_cert_file = " + st.resolve("data/server.crt"),
                "client_tls_key_file = " + st.resolve("data/server.key"), "auth_type = hba",
                "auth_hba_file = " + st.resolve("pgbouncer/pgbouncer_hba.conf"), "admin_users = postgres", "stats_users = postgres",
                "pidfile = " + st.resolve("run/pgbouncer.pid"), "ignore_startup_parameters = extra_float_digits",
                "pool_mode = transaction", "server_reset_query = DISCARD ALL");
    }

    @Test
    void looksClientsUpThroughTheSecurityDefinerFunctionAsThePoolerRole() throws IOException {
        String ini = render("", List.of("app", "shop")).get(PgBouncerFiles.INI);
        assertThat(lines(ini)).contains("auth_query = SELECT usename, passwd FROM pgbox_pool.lookup($1)");
        assertThat(lines(ini).stream().filter(l -> l.contains("dbname="))).hasSize(4).allMatch(l -> l.contains(" auth_user=pgbox_pooler"));
        // no global auth_user: the admin console would otherwise queue logins behind a lookup that can never run there
        assertThat(lines(ini)).noneMatch(l -> l.startsWith("auth_user"));
        assertThat(ini).doesNotContain("userlist", "password=");
    }

    @Test
    void eachDatabaseGetsATransactionPoolAndASessionPoolSizedByThePlan() throws IOException {
        String ini = render("", List.of("app", "shop")).get(PgBouncerFiles.INI);
        String server = "host=" + dir.resolve("st/run") + " port=5544";
        assertThat(lines(ini)).contains(
                "shop = " + server + " dbname=shop auth_user=pgbox_pooler pool_size=7 reserve_pool=3 max_db_connections=11",
                "shop-session = " + server + " dbname=shop auth_user=pgbox_pooler pool_mode=session pool_size=4 reserve_pool=0"
                        + " max_db_connections=5",
                "max_client_conn = 1234", "default_pool_size = 7", "reserve_pool_size = 3");
        assertThat(PoolerAddress.sessionDatabase("shop")).isEqualTo("shop-session");
    }

    @Test
    void settingsOverrideThePlanAndTimeoutsAreSeconds() throws IOException {
        String ini = render("PGBOUNCER_DEFAULT_POOL_SIZE=25\nPGBOUNCER_RESERVE_POOL_SIZE=0\nPGBOUNCER_MAX_CLIENT_CONN=5000\n"
                + "PGBOUNCER_POOL_MODE=session\nPGBOUNCER_QUERY_WAIT_TIMEOUT=2min\nPGBOUNCER_RESERVE_POOL_TIMEOUT=1500ms\n"
                + "PGBOUNCER_CLIENT_IDLE_TIMEOUT=1h\n", List.of("app")).get(PgBouncerFiles.INI);
        assertThat(lines(ini)).contains("default_pool_size = 25", "reserve_pool_size = 0", "max_client_conn = 5000", "pool_mode = session",
                "query_wait_timeout = 120", "reserve_pool_timeout = 1.500", "client_idle_timeout = 3600", "server_idle_timeout = 600");
        assertThat(ini).contains("app = ").contains(" pool_size=25 reserve_pool=0 ");
    }

    @Test
    void onlyPgboxNamesBecomeDatabasesAndBlanksInPathsAreQuoted() {
        assertThat(PgBouncerConfig.validDatabases(List.of("app", "Bad-Name", "x;y", "shop", "app"))).containsExactly("app", "shop");
        assertThat(PgBouncerConfig.value("/tmp/my project/run")).isEqualTo("'/tmp/my project/run'");
        assertThat(PgBouncerConfig.value("/tmp/run")).isEqualTo("/tmp/run");
        assertThatThrownBy(() -> PgBouncerConfig.value("/tmp/a\nlisten_addr = *")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void itsHbaTakesTlsScramOnLoopbackAndTheConsoleByPeerOnly() throws IOException {
        String hba = render("", List.of("app")).get(PgBouncerFiles.HBA);
        List<String> rules = lines(hba);
        assertThat(rules.get(0).split("\\s+")).containsExactly("local", "pgbouncer", "postgres", "peer");
        assertThat(rules.get(1).split("\\s+")).containsExactly("local", "all", "all", "reject");
        int scram = rules.indexOf(rules.stream().filter(l -> l.endsWith("scram-sha-256")).findFirst().orElseThrow());
        for (String role : List.of("postgres", "pgbox_pooler", "pgbox_replication")) {
            int reject = rules.indexOf(rules.stream().filter(l -> l.startsWith("host") && l.split("\\s+")[2].equals(role)).findFirst().orElseThrow());
            assertThat(reject).as(role + " refused before the scram line").isLessThan(scram);
            assertThat(rules.get(reject)).endsWith("reject").startsWith("hostssl");
        }
        for (String rule : rules) {
            String[] f = rule.split("\\s+");
            assertThat(f[f.length - 1]).as(rule).isIn("peer", "reject", "scram-sha-256");
            if (f[0].equals("host")) {
                assertThat(f[f.length - 1]).as("plain TCP").isEqualTo("reject");
            }
            if (f[f.length - 1].equals("scram-sha-256")) {
                assertThat(f[0]).isEqualTo("hostssl");
                assertThat(f[3]).isIn("127.0.0.1/32", "::1/128");
            }
        }
    }

    @Test
    void theConsolesUserListNamesTheOsUserWithoutAPassword() throws IOException {
        assertThat(render("", List.of("app")).get(PgBouncerFiles.USERS)).isEqualTo("\"postgres\" \"\"\n");
        assertThatThrownBy(() -> PgBouncerConfig.users("a\"b")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theFileLimitCoversEveryClientAndServerConnection() throws IOException {
        String ini = render("", List.of("app", "shop")).get(PgBouncerFiles.INI);
        // 1234 clients + (11 + 5) server connections per database + each pool's lookups + spare descriptors
        assertThat(PgBouncerConfig.fileLimit(ini)).isEqualTo(1234 + 2 * 16 + 2 * (7 + 4) + PgBouncerConfig.SPARE_FILES);
        assertThat(PgBouncerConfig.fileLimit(ini)).isGreaterThan(1024);
    }

    @Test
    void aChangedPortOrClientLimitNeedsARestartAPoolChangeOnlyAReload() throws IOException {
        String a = render("", List.of("app")).get(PgBouncerFiles.INI);
        String b = render("", List.of("app", "shop")).get(PgBouncerFiles.INI);
        String c = render("PGBOUNCER_MAX_CLIENT_CONN=10\n", List.of("app")).get(PgBouncerFiles.INI);
        assertThat(Pooler.startupSettings(a)).isEqualTo(Pooler.startupSettings(b));
        assertThat(Pooler.startupSettings(a)).isNotEqualTo(Pooler.startupSettings(c));
        assertThat(Pooler.startupSettings(a)).contains("127.0.0.1", "6544", "1234");
    }

    @Test
    void theServersHbaLetsThePoolerInByPeerOnlyWhenEnabled() {
        String off = HbaFile.render(List.of(), List.of(), false);
        String on = HbaFile.render(List.of(), List.of(), true);
        assertThat(off).doesNotContain("pgbox_pooler").doesNotContain("local   all       all");
        List<String> rules = lines(on);
        assertThat(rules).contains(HbaFile.poolerLine().strip());
        int superuser = rules.indexOf(rules.stream().filter(l -> l.contains(" postgres ")).findFirst().orElseThrow());
        int everyone = rules.indexOf(rules.stream().filter(l -> l.matches("local\\s+all\\s+all\\s+scram-sha-256")).findFirst().orElseThrow());
        assertThat(superuser).as("the superuser's peer line decides before the socket's scram line").isLessThan(everyone);
        assertThat(HbaFile.poolerLine()).contains("peer map=" + HbaFile.IDENT_MAP);
        assertThat(HbaFile.renderIdent("postgres", true)).contains("pgbox  postgres  pgbox_pooler");
        assertThat(HbaFile.renderIdent("postgres", false)).doesNotContain("pgbox_pooler");
    }

    @Test
    void theSystemdUnitRestartsAlwaysAsTheOsUserWithItsFileLimit() {
        Layout l = layout();
        String unit = SystemdUnits.renderPgBouncer(l, "/usr/sbin/pgbouncer", dir.resolve("st/pgbouncer/pgbouncer.ini"), 2000,
                dir.resolve("st/log/pgbouncer.log"));
        assertThat(unit.lines()).contains("Type=notify", "User=postgres", "Restart=always", "LimitNOFILE=2000",
                "ExecReload=/bin/kill -HUP $MAINPID", "SuccessExitStatus=1", "WantedBy=multi-user.target",
                "ExecStart=\"/usr/sbin/pgbouncer\" \"" + dir.resolve("st/pgbouncer/pgbouncer.ini") + "\"",
                "StandardError=append:" + dir.resolve("st/log/pgbouncer.log"));
        assertThat(SystemdUnits.pgbouncerUnitName(l)).isEqualTo(l.unitBase() + "-pgbouncer.service");
    }

    @Test
    void debiansPristineConfigurationIsKnownByDpkgsConffileSum() {
        String field = " /etc/pgbouncer/pgbouncer.ini 288173e2dbbb04b02e563a7f9e83cd17\n /etc/pgbouncer/userlist.txt aa\n";
        assertThat(DebianPgBouncer.parseConffiles(field, "/etc/pgbouncer/pgbouncer.ini")).contains("288173e2dbbb04b02e563a7f9e83cd17");
        assertThat(DebianPgBouncer.parseConffiles(field, "/etc/other")).isEmpty();
    }
}
