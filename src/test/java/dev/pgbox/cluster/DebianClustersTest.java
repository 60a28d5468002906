package dev.pgbox.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class DebianClustersTest {

    /** Recorded on Debian 12 (postgresql-common 248): "15/main" down, "15/stockvmrec" online. */
    private static String recorded() throws IOException {
        return new String(DebianClustersTest.class.getResourceAsStream("/pg_lsclusters.json").readAllBytes(), StandardCharsets.UTF_8);
    }

    @Test
    void parsesRecordedPgLsclustersJson() throws IOException {
        List<DebianClusters.Cluster> all = DebianClusters.parse(recorded());

        assertThat(all).hasSize(2);
        DebianClusters.Cluster main = all.get(0);
        assertThat(main.id()).isEqualTo("15/main");
        assertThat(main.port()).isEqualTo(5432);
        assertThat(main.online()).isFalse();
        assertThat(main.startsAtBoot()).isTrue();
        assertThat(main.ownerUid()).isEqualTo(101);
        assertThat(main.configDir()).isEqualTo(Path.of("/etc/postgresql/15/main"));
        assertThat(main.dataDir()).isEqualTo(Path.of("/var/lib/postgresql/15/main"));
        assertThat(main.socketDir()).isEqualTo(Path.of("/var/run/postgresql"));

        DebianClusters.Cluster other = all.get(1);
        assertThat(other.id()).isEqualTo("15/stockvmrec");
        assertThat(other.port()).isEqualTo(33819);
        assertThat(other.online()).isTrue();
    }

    @Test
    void noClustersMeansEmptyList() {
        assertThat(DebianClusters.parse("")).isEmpty();
        assertThat(DebianClusters.parse("[]")).isEmpty();
    }

    @Test
    void aFreshClusterIsPristine() {
        // what CATALOG_QUERY and OBJECTS_QUERY print on a cluster pg_createcluster just made
        DebianClusters.Contents c = DebianClusters.contents("", List.of("0\n", "0\n"));

        assertThat(c.pristine()).isTrue();
        assertThat(c.describe()).isEqualTo("nothing");
    }

    @Test
    void anExtraDatabaseRoleOrTablespaceIsNotPristine() {
        DebianClusters.Contents c = DebianClusters.contents("database|shop\nrole|app\nrole|report\ntablespace|fast\n", List.of("0", "0"));

        assertThat(c.pristine()).isFalse();
        assertThat(c.databases()).containsExactly("shop");
        assertThat(c.roles()).containsExactly("app", "report");
        assertThat(c.tablespaces()).containsExactly("fast");
        assertThat(c.describe()).isEqualTo("databases: shop; roles: app, report; tablespaces: fast");
    }

    @Test
    void aTableInThePostgresDatabaseIsNotPristine() {
        // a table with a primary key: the table, its index, its row type and array type
        DebianClusters.Contents c = DebianClusters.contents("", List.of("4\n", "0\n"));

        assertThat(c.pristine()).isFalse();
        assertThat(c.describe()).isEqualTo("4 user objects (tables, indexes, types, functions, ...) in postgres/template1");
    }

    @Test
    void startConfBecomesManualKeepingDebiansComments() {
        String debian = """
                # Automatic startup configuration
                #   auto: automatically start the cluster
                # See pg_createcluster(1) for details.

                auto
                """;

        assertThat(DebianClusters.manualStartConf(debian)).isEqualTo("""
                # Automatic startup configuration
                #   auto: automatically start the cluster
                # See pg_createcluster(1) for details.

                manual
                """);
        assertThat(DebianClusters.manualStartConf("")).isEqualTo("manual\n");
    }
}
