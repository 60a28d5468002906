package dev.pgbox.component;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pgbox.cluster.Layout;
import dev.pgbox.config.Settings;
import dev.pgbox.tune.TuningPlan;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each component's configuration renderer on fixed settings, folders and machine: no I/O, no server. */
class ComponentRenderTest {
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

    @Test
    void postgresRendersItsThreeFilesLockedDown() throws IOException {
        Settings s = settings("POSTGRES_PORT=6543\n", "POSTGRES_PASSWORD=pw-not-in-any-file\n");
        Map<String, String> files = PostgresComponent.render(s, layout(), plan());
        assertThat(files).containsOnlyKeys("pgbox.conf", "pg_hba.conf", "pg_ident.conf");
        assertThat(files.get("pgbox.conf")).contains("listen_addresses = '127.0.0.1'\n", "port = 6543\n", "ssl = on\n",
                "password_encryption = 'scram-sha-256'\n", "unix_socket_directories = '" + dir.resolve("st/run") + "'\n",
                "shared_buffers = '1GB'");
        String hba = files.get("pg_hba.conf");
        assertThat(rules(hba)).hasSize(3).noneMatch(l -> l.contains("trust") || l.contains("md5") || l.startsWith("hostssl"))
                .allMatch(l -> l.endsWith("scram-sha-256") || l.endsWith("peer map=pgbox"));
        assertThat(files.get("pg_ident.conf")).contains("pgbox  postgres  postgres");
        assertThat(String.join("", files.values())).doesNotContain("pw-not-in-any-file");
    }

    @Test
    void postgresOpensToAllowedNetworksOnlyOverTlsWithScram() throws IOException {
        Settings s = settings("POSTGRES_LISTEN=10.1.0.5\nPOSTGRES_ALLOWED_CIDRS=10.1.0.0/16\n", "");
        Map<String, String> files = PostgresComponent.render(s, layout(), plan());
        assertThat(files.get("pgbox.conf")).contains("listen_addresses = '127.0.0.1,10.1.0.5'\n");
        assertThat(rules(files.get("pg_hba.conf"))).contains("hostssl all       all       10.1.0.0/16     scram-sha-256")
                .noneMatch(l -> l.contains("trust"));
    }

    /** The rule lines of pg_hba.conf, without comments. */
    private static java.util.List<String> rules(String hba) {
        return hba.lines().filter(l -> !l.startsWith("#") && !l.isBlank()).toList();
    }

    @Test
    void pgbackrestRendersItsRepositoryAndTheServerItBacksUp() throws IOException {
        Settings s = settings("POSTGRES_PORT=6543\n", "");
        Map<String, String> files = PgBackRestComponent.render(s, layout());
        assertThat(files).containsOnlyKeys("pgbackrest.conf");
        assertThat(files.get("pgbackrest.conf")).contains("repo1-path=" + dir.resolve("st/backup/repo") + "\n",
                "[main]\n", "pg1-path=" + dir.resolve("st/data") + "\n", "pg1-port=6543\n",
                "pg1-socket-path=" + dir.resolve("st/run") + "\n", "log-path=" + dir.resolve("st/log/pgbackrest") + "\n");
    }

    @Test
    void agentSnapshotHoldsWhereTheServerLivesAndNeverTheAppPassword() throws IOException {
        Settings s = settings("POSTGRES_PORT=6543\nBACKUP_ENCRYPT=on\n",
                "POSTGRES_PASSWORD=app-password-123\nBACKUP_CIPHER_PASS=cipher-key-456\n");
        Map<String, String> files = AgentComponent.render(s, layout(), "agent");
        assertThat(files).containsOnlyKeys("agent.env");
        String env = files.get("agent.env");
        assertThat(env).contains("PGBOX_STATE_DIR='" + dir.resolve("st") + "'\n", "PGBOX_OS_USER='postgres'\n",
                "PGBOX_PG_VERSION='15'\n", "PGBOX_SUPERVISOR='agent'\n", "POSTGRES_PORT='6543'\n",
                // the agent's backup jobs need the cipher key; the file is 0600 and owned by the OS user
                "BACKUP_CIPHER_PASS='cipher-key-456'\n");
        assertThat(env).doesNotContain("app-password-123", "POSTGRES_PASSWORD");
    }

    @Test
    void agentSwitchedOffRendersNothing() throws IOException {
        assertThat(AgentComponent.render(settings("PGBOX_AGENT=off\n", ""), layout(), "agent")).isEmpty();
    }

    @Test
    void componentsRunInStartOrderAndEachHasItsOwnName() {
        assertThat(Components.all()).extracting(Component::name).containsExactly("postgresql", "pgbackrest", "pgbouncer", "agent");
    }
}
