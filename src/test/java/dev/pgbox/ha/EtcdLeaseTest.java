package dev.pgbox.ha;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class EtcdLeaseTest {

    @Test
    void theLeaderKeyNamesTheHolderAndItsLeaseGivesTheSecondsLeft() {
        assertThat(EtcdLease.leaderKey("shop")).isEqualTo("/service/shop/leader");
        List<EtcdApi.Kv> kvs = List.of(new EtcdApi.Kv("/service/shop/leader", "a", 7587873987651390980L));
        assertThat(EtcdLease.of(kvs, "shop", id -> id == 7587873987651390980L ? 17 : -1)).isEqualTo(new EtcdLease.Lease("a", 17L));
        // an expired lease is unknown, not zero or negative
        assertThat(EtcdLease.of(kvs, "shop", id -> -1)).isEqualTo(new EtcdLease.Lease("a", null));
        // no leader key: nobody leads
        assertThat(EtcdLease.of(List.of(), "shop", id -> 17)).isEqualTo(new EtcdLease.Lease(null, null));
        // another cluster's key under the same prefix is not ours
        assertThat(EtcdLease.of(List.of(new EtcdApi.Kv("/service/shop/leaderx", "b", 9)), "shop", id -> 17).holder()).isNull();
    }

    @Test
    void etcdDownOrWithoutQuorumIsNamedWithWhatPatroniDoes() {
        HaStatus.Endpoint down = new HaStatus.Endpoint("http://127.0.0.2:2379", false, "no answer");
        HaStatus.Endpoint noQuorum = new HaStatus.Endpoint("http://127.0.0.3:2379", false, "{\"health\":\"false\"}");
        HaStatus.Endpoint fine = new HaStatus.Endpoint("http://127.0.0.4:2379", true, "healthy");
        assertThat(HaStatusService.etcdProblem(List.of(down), 20, false)).startsWith("etcd is unreachable")
                .contains("no member can take or keep the leader lease", "failsafe mode off", "demotes itself", "20s",
                        "no replica is promoted");
        assertThat(HaStatusService.etcdProblem(List.of(down), 20, true))
                .contains("failsafe mode on", "stays writable while every other member's Patroni answers", "no replica is promoted");
        assertThat(HaStatusService.etcdProblem(List.of(down, noQuorum), 20, true)).startsWith("etcd has no quorum");
        assertThat(HaStatusService.etcdProblem(List.of(down, fine), 20, true)).isNull();
    }
}
