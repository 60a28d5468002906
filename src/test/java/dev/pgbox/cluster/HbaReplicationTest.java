package dev.pgbox.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pgbox.PgboxException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** pg_hba.conf's replication lines: the replication role only, one host each, TLS and scram only. */
class HbaReplicationTest {

    @Test
    void oneHostsslLinePerReplicaForTheReplicationRoleOnly() {
        String hba = HbaFile.render(List.of(), List.of("127.0.0.1", "10.0.0.6", "fd00::6"));
        List<String> lines = hba.lines().filter(l -> !l.startsWith("#") && l.contains("replication")).toList();
        assertThat(lines).containsExactly(
                "hostssl replication pgbox_replication 127.0.0.1/32 scram-sha-256",
                "hostssl replication pgbox_replication 10.0.0.6/32 scram-sha-256",
                "hostssl replication pgbox_replication fd00::6/128 scram-sha-256");
        assertThat(hba.lines().filter(l -> !l.startsWith("#"))).noneMatch(l -> l.contains("trust") || l.contains("md5"));
    }

    @Test
    void withoutReplicasThereIsNoReplicationLine() {
        assertThat(HbaFile.render(List.of("10.0.0.0/24"), List.of())).isEqualTo(HbaFile.render(List.of("10.0.0.0/24")))
                .doesNotContain("replication");
    }

    @Test
    void aNetworkOrEveryAddressIsRefused() {
        for (String bad : List.of("*", "10.0.0.0/24")) {
            assertThatThrownBy(() -> HbaFile.replicationLine(bad)).as(bad).isInstanceOf(PgboxException.class)
                    .hasMessageContaining("invalid replica address");
        }
    }
}
