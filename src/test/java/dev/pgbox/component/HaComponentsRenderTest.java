package dev.pgbox.component;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pgbox.ErrorKind;
import dev.pgbox.PgboxException;
import dev.pgbox.cluster.Layout;
import dev.pgbox.config.Settings;
import dev.pgbox.tune.TuningPlan;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Patroni's and etcd's configuration renderers on fixed settings, folders and machine: no I/O, no process. */
class HaComponentsRenderTest {
    static final String SECRETS = "PGBOX_REPLICATION_PASSWORD=repl-secret-1\nPATRONI_REWIND_PASSWORD=rewind-secret-2\n"
            + "PATRONI_RESTAPI_PASSWORD=rest-secret-3\nPOSTGRES_PASSWORD=app-secret-4\n";

    @TempDir
    Path dir;

    private Settings settings(String env, String secrets) throws IOException {
        return RenderFixture.settings(dir, env, secrets);
    }

    private Layout layout() {
        return RenderFixture.layout(dir);
    }

    private static TuningPlan plan() {
        return RenderFixture.plan();
    }

    private String patroni(Settings s) {
        return PatroniComponent.render(s, layout(), plan(), HaMember.of(s, "Node-1.example")).get("patroni.yml");
    }

    @Test
    void patroniYmlCarriesSecurityTuningAndArchivingOver() throws IOException {
        Settings s = settings("POSTGRES_LISTEN=10.0.0.5\nPOSTGRES_PORT=6543\nPATRONI_CLUSTER=shop\nPATRONI_MEMBER=db1\n"
                + "PATRONI_REPLICATION_CIDRS=10.0.0.0/24\nETCD_ENDPOINTS=http://10.0.0.1:2379,http://10.0.0.2:2379\n", SECRETS);
        String y = patroni(s);
        assertThat(y).contains("scope: 'shop'\n", "name: 'db1'\n", "  listen: '10.0.0.5:8008'\n", "  connect_address: '10.0.0.5:8008'\n",
                "  hosts:\n    - '10.0.0.1:2379'\n    - '10.0.0.2:2379'\n  protocol: 'http'\n",
                "  listen: '127.0.0.1,10.0.0.5:6543'\n", "  connect_address: '10.0.0.5:6543'\n",
                "  data_dir: '" + dir.resolve("st/data") + "'\n", "  bin_dir: '/usr/lib/postgresql/15/bin'\n",
                "      use_pg_rewind: true\n", "      use_slots: true\n",
                "    ssl: 'on'\n", "    ssl_cert_file: 'server.crt'\n", "    password_encryption: 'scram-sha-256'\n",
                "    shared_buffers: '1GB'\n", "    hot_standby: 'on'\n", "    wal_log_hints: 'on'\n",
                "    superuser:\n      username: 'postgres'\n",
                "      username: 'pgbox_replication'\n      password: 'repl-secret-1'\n      sslmode: 'require'\n",
                "      username: 'pgbox_rewind'\n      password: 'rewind-secret-2'\n");
        // pgBackRest archives WAL from whichever member is primary
        assertThat(y).containsPattern("archive_command: '/usr/bin/pgbackrest --config=\\S+pgbackrest.conf --stanza=main archive-push %p'");
        // restart-only parameters every member must share live in etcd, not in the local section
        assertThat(y.substring(y.indexOf("bootstrap:"), y.indexOf("\npostgresql:"))).contains("max_connections:", "wal_level: 'replica'");
        // Patroni sets listen_addresses and port from 'listen' itself
        assertThat(y).doesNotContain("listen_addresses", "    port:");
        assertThat(y).doesNotContain("app-secret-4");
    }

    @Test
    void patroniHbaHasNoTrustAndOnlyTlsScramForMembers() throws IOException {
        Settings s = settings("POSTGRES_LISTEN=10.0.0.5\nPATRONI_REPLICATION_CIDRS=10.0.0.0/24,10.9.0.7\n", SECRETS);
        List<String> hba = PatroniComponent.hba(s, HaMember.of(s, "h"));
        assertThat(hba).noneMatch(l -> l.contains("trust") || l.contains("md5") || l.contains(" password"))
                .allMatch(l -> l.endsWith("scram-sha-256") || l.endsWith("peer map=pgbox"))
                .contains("local all postgres peer map=pgbox",
                        "hostssl replication pgbox_replication 10.0.0.0/24 scram-sha-256",
                        "hostssl postgres pgbox_rewind 10.0.0.0/24 scram-sha-256",
                        "hostssl replication pgbox_replication 10.9.0.7/32 scram-sha-256",
                        // Patroni's own replication connection to its server, over localhost
                        "hostssl replication pgbox_replication 127.0.0.1/32 scram-sha-256");
        assertThat(hba.stream().filter(l -> l.contains("replication"))).allMatch(l -> l.startsWith("hostssl "));
        assertThat(patroni(s)).contains("  pg_hba:\n    - 'local all postgres peer map=pgbox'\n", "  pg_ident:\n    - 'pgbox postgres postgres'\n");
        assertThat(patroni(s)).doesNotContain("pgbox_pooler");
    }

    @Test
    void withPgBouncerOnAMemberLetsItsLookupRoleInByPeerAfterTheSuperuser() throws IOException {
        Settings s = settings("POSTGRES_LISTEN=10.0.0.5\nPGBOUNCER_ENABLED=on\n", SECRETS);
        List<String> hba = PatroniComponent.hba(s, HaMember.of(s, "h"));
        assertThat(hba).contains("local all pgbox_pooler peer map=pgbox", "local all all scram-sha-256")
                .noneMatch(l -> l.contains("trust") || l.contains("md5"));
        // the superuser's peer line comes first: it still logs in by peer only
        assertThat(hba.indexOf("local all postgres peer map=pgbox")).isLessThan(hba.indexOf("local all all scram-sha-256"));
        assertThat(patroni(s)).contains("  pg_ident:\n    - 'pgbox postgres postgres'\n    - 'pgbox postgres pgbox_pooler'\n");
    }

    @Test
    void aOneBoxTrialUsesLoopbackAndItsOwnEtcd() throws IOException {
        Settings s = settings("", SECRETS);
        String y = patroni(s);
        assertThat(y).contains("name: 'node_1_example'\n", "scope: 'pgbox'\n", "  hosts:\n    - '127.0.0.1:2379'\n",
                "  connect_address: '127.0.0.1:5432'\n");
        assertThat(PatroniComponent.hba(s, HaMember.of(s, "h"))).contains("hostssl replication pgbox_replication 127.0.0.1/32 scram-sha-256");
    }

    @Test
    void timingsAndSynchronousModeFollowTheSettings() throws IOException {
        String y = patroni(settings("PATRONI_TTL=30\nPATRONI_LOOP_WAIT=5\nPATRONI_RETRY_TIMEOUT=10\nPOSTGRES_SYNC_REPLICATION=on\n", SECRETS));
        assertThat(y).contains("    ttl: 30\n", "    loop_wait: 5\n", "    retry_timeout: 10\n", "    synchronous_mode: true\n",
                "    synchronous_mode_strict: true\n");
        String defaults = patroni(settings("", SECRETS));
        assertThat(defaults).contains("    ttl: 20\n", "    loop_wait: 2\n", "    retry_timeout: 4\n", "    synchronous_mode: true\n",
                "    synchronous_mode_strict: false\n");
        assertThat(patroni(settings("POSTGRES_SYNC_REPLICATION=off\n", SECRETS))).contains("    synchronous_mode: false\n",
                "    synchronous_mode_strict: false\n");
    }

    @Test
    void statementTimeoutIsLeftToPostgresqlUnlessSet() throws IOException {
        // Patroni's own sessions run with 2s: a '0' it manages reads as a change at each dynamic-config reload
        assertThat(patroni(settings("", SECRETS))).doesNotContain("statement_timeout");
        assertThat(patroni(settings("POSTGRES_STATEMENT_TIMEOUT=30s\n", SECRETS))).contains("statement_timeout: '30s'");
    }

    @Test
    void withoutArchivingNoArchiveCommand() throws IOException {
        assertThat(patroni(settings("BACKUP_ARCHIVE=off\n", SECRETS))).contains("archive_mode: 'off'").doesNotContain("archive_command");
    }

    @Test
    void missingHaPasswordsAreAConfigError() throws IOException {
        Settings s = settings("", "PGBOX_REPLICATION_PASSWORD=x\n");
        assertThatThrownBy(() -> patroni(s)).isInstanceOfSatisfying(PgboxException.class, e -> {
            assertThat(e.kind()).isEqualTo(ErrorKind.CONFIG);
            assertThat(e.getMessage()).contains("PATRONI_REWIND_PASSWORD");
        });
    }

    @Test
    void aWildcardListenNamesNoMemberAddress() throws IOException {
        Settings s = settings("POSTGRES_LISTEN=*\n", SECRETS);
        assertThatThrownBy(() -> HaMember.of(s, "h")).isInstanceOf(PgboxException.class).hasMessageContaining("POSTGRES_LISTEN");
    }

    @Test
    void etcdConfigForOneLocalMember() throws IOException {
        Settings s = settings("ETCD_CLIENT_PORT=12379\nETCD_PEER_PORT=12380\nPATRONI_MEMBER=a\n", "");
        String e = EtcdComponent.render(s, layout(), HaMember.of(s, "h")).get("etcd.yml");
        assertThat(e).contains("name: 'a'\n", "data-dir: '" + dir.resolve("st/etcd") + "'\n",
                "listen-peer-urls: 'http://127.0.0.1:12380'\n", "listen-client-urls: 'http://127.0.0.1:12379'\n",
                "initial-advertise-peer-urls: 'http://127.0.0.1:12380'\n", "advertise-client-urls: 'http://127.0.0.1:12379'\n",
                "initial-cluster: 'a=http://127.0.0.1:12380'\n", "initial-cluster-state: 'new'\n",
                "initial-cluster-token: 'pgbox-pgbox'\n", "enable-v2: false\n", "enable-grpc-gateway: true\n");
    }

    @Test
    void etcdConfigForAMemberOfThree() throws IOException {
        Settings s = settings("POSTGRES_LISTEN=10.0.0.2\nPATRONI_MEMBER=b\nPATRONI_CLUSTER=shop\nETCD_INITIAL_CLUSTER_STATE=existing\n"
                + "ETCD_INITIAL_CLUSTER=a=http://10.0.0.1:2380,b=http://10.0.0.2:2380,c=http://10.0.0.3:2380\n", "");
        String e = EtcdComponent.render(s, layout(), HaMember.of(s, "h")).get("etcd.yml");
        assertThat(e).contains("listen-peer-urls: 'http://10.0.0.2:2380'\n",
                "listen-client-urls: 'http://10.0.0.2:2379,http://127.0.0.1:2379'\n", "advertise-client-urls: 'http://10.0.0.2:2379'\n",
                "initial-cluster: 'a=http://10.0.0.1:2380,b=http://10.0.0.2:2380,c=http://10.0.0.3:2380'\n",
                "initial-cluster-state: 'existing'\n", "initial-cluster-token: 'pgbox-shop'\n");
    }

    @Test
    void yamlQuotesEveryString() {
        assertThat(Yaml.render(Map.of("k", "it's: #not a comment"))).isEqualTo("k: 'it''s: #not a comment'\n");
        assertThatThrownBy(() -> Yaml.scalar("a\nb")).isInstanceOf(IllegalArgumentException.class);
    }
}
