package dev.pgbox.replication;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pgbox.Json;
import dev.pgbox.PgboxException;
import dev.pgbox.cluster.Standby;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The replica status model's JSON names, and the pure parsing of --primary and --allow. */
class ReplicaReportTest {

    @Test
    void primarySideNamesEveryFactInSnakeCase() {
        ReplicaReport r = new ReplicaReport("primary", null, List.of(new ReplicaReport.Replica("replica_one", "127.0.0.1", "streaming",
                "0/3000148", "0/3000148", "0/3000148", "0/3000060", 232L, 0.5, "replica_one", true, "async")));
        JsonNode j = Json.tree(r);
        assertThat(j.fieldNames()).toIterable().containsExactly("role", "replicas");
        assertThat(j.path("replicas").get(0).fieldNames()).toIterable().containsExactly("name", "client_address", "state", "sent_lsn",
                "write_lsn", "flush_lsn", "replay_lsn", "lag_bytes", "lag_seconds", "slot", "slot_active", "sync_state");
        assertThat(j.path("replicas").get(0).path("lag_bytes").asLong()).isEqualTo(232);
        assertThat(j.path("replicas").get(0).path("slot_active").asBoolean()).isTrue();
    }

    @Test
    void replicaSideNamesItsUpstreamAndLeavesOutWhatOnlyThePrimaryKnows() {
        ReplicaReport r = new ReplicaReport("replica", "127.0.0.1:5432", List.of(new ReplicaReport.Replica("replica_one", null,
                "streaming", "0/3000148", "0/3000148", "0/3000148", "0/3000148", 0L, 0.0, "replica_one", null, null)));
        JsonNode j = Json.tree(r);
        assertThat(j.path("upstream").asText()).isEqualTo("127.0.0.1:5432");
        assertThat(j.path("replicas").get(0).has("sync_state")).isFalse();
        assertThat(j.path("replicas").get(0).has("client_address")).isFalse();
        assertThat(j.path("replicas").get(0).path("lag_seconds").asDouble()).isZero();
    }

    @Test
    void primaryAddressIsHostColonPort() {
        Standby.Upstream up = Replicas.upstream("10.0.0.5:5433", "secret", Path.of("/p/primary.crt"));
        assertThat(up.host()).isEqualTo("10.0.0.5");
        assertThat(up.port()).isEqualTo(5433);
        assertThat(Replicas.upstream("[::1]:6000", "s", Path.of("/c")).host()).isEqualTo("::1");
        for (String bad : List.of("10.0.0.5", "10.0.0.5:", ":5432", "10.0.0.5:99999", "host name:5432", "a;b:5432")) {
            assertThatThrownBy(() -> Replicas.upstream(bad, "s", Path.of("/c"))).as(bad).isInstanceOf(PgboxException.class);
        }
    }

    @Test
    void conninfoPinsTheCertificateAndNeverHoldsThePassword() {
        Standby.Upstream up = Replicas.upstream("10.0.0.5:5433", "s3cret-pw", Path.of("/p/it's.crt"));
        String c = up.conninfo("replica_one");
        assertThat(c).contains("host='10.0.0.5'").contains("port=5433").contains("user=pgbox_replication")
                .contains("sslmode=verify-full").contains("sslrootcert='/p/it\\'s.crt'").contains("application_name='replica_one'")
                .doesNotContain("s3cret-pw").doesNotContain("password");
    }

    @Test
    void allowTakesOneHostOnly() {
        assertThat(Replicas.singleHost(" 10.0.0.6 ")).isEqualTo("10.0.0.6");
        assertThat(Replicas.singleHost("fd00::6")).isEqualTo("fd00::6");
        for (String bad : List.of("10.0.0.0/24", "*", "replica.example", "300.1.1.1", "")) {
            assertThatThrownBy(() -> Replicas.singleHost(bad)).as(bad).isInstanceOf(PgboxException.class);
        }
    }

    @Test
    void slotNamesArePostgresPhysicalSlotNames() {
        assertThat(Standby.SLOT_NAME.matcher("pgbox_replica_ab12cd34").matches()).isTrue();
        assertThat(Standby.SLOT_NAME.matcher("Replica-1").matches()).isFalse();
        assertThat(Standby.SLOT_NAME.matcher("x; DROP").matches()).isFalse();
    }
}
