package dev.pgbox.ha;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pgbox.PgboxException;
import java.util.List;
import org.junit.jupiter.api.Test;

class HaJoinTest {
    private static final String PREFIX = "/service/shop/";

    @Test
    void findsTheLeaderAndItsAddressFromPatronisKeys() {
        List<EtcdApi.Kv> keys = List.of(new EtcdApi.Kv(PREFIX + "config", "{}", 0), new EtcdApi.Kv(PREFIX + "leader", "a", 7),
                new EtcdApi.Kv(PREFIX + "members/a", "{\"conn_url\":\"postgres://10.0.0.1:5433/postgres\",\"api_url\":\"http://10.0.0.1:8008/patroni\"}", 7),
                new EtcdApi.Kv(PREFIX + "members/b", "{\"conn_url\":\"postgres://10.0.0.2:5433/postgres\"}", 8));
        HaJoin.Found f = HaJoin.found(keys, PREFIX, "shop");
        assertThat(f.leader()).isEqualTo("a");
        assertThat(f.leaderHost()).isEqualTo("10.0.0.1");
        assertThat(f.leaderPort()).isEqualTo(5433);
        assertThat(f.members()).containsExactly("a", "b");
    }

    @Test
    void aClusterWithoutLeaderOrWithoutTheLeadersAddressIsRefused() {
        assertThatThrownBy(() -> HaJoin.found(List.of(new EtcdApi.Kv(PREFIX + "members/a", "{}", 0)), PREFIX, "shop"))
                .isInstanceOf(PgboxException.class).hasMessageContaining("has no leader right now");
        assertThatThrownBy(() -> HaJoin.found(List.of(new EtcdApi.Kv(PREFIX + "leader", "a", 1)), PREFIX, "shop"))
                .isInstanceOf(PgboxException.class).hasMessageContaining("has not published its address");
    }

    @Test
    void theInitialClusterNamesTheNewMemberAndRefusesAMemberThatNeverStarted() {
        List<EtcdApi.Member> after = List.of(new EtcdApi.Member(1, "a", List.of("http://10.0.0.1:2380"), List.of("http://10.0.0.1:2379")),
                new EtcdApi.Member(2, "", List.of("http://10.0.0.2:2380"), List.of()));
        assertThat(HaJoin.initialCluster(after, "http://10.0.0.2:2380", "b")).isEqualTo("a=http://10.0.0.1:2380,b=http://10.0.0.2:2380");
        List<EtcdApi.Member> stale = List.of(after.get(0), new EtcdApi.Member(3, "", List.of("http://10.0.0.9:2380"), List.of()),
                after.get(1));
        assertThatThrownBy(() -> HaJoin.initialCluster(stale, "http://10.0.0.2:2380", "b")).isInstanceOf(PgboxException.class)
                .hasMessageContaining("never started");
    }

    @Test
    void etcdEndpointsMustBeBareUrls() {
        assertThat(HaJoin.endpoints(List.of("http://10.0.0.1:2379,http://10.0.0.2:2379", "https://[fd00::1]:2379")))
                .containsExactly("http://10.0.0.1:2379", "http://10.0.0.2:2379", "https://[fd00::1]:2379");
        for (String bad : List.of("10.0.0.1:2379", "http://10.0.0.1", "http://10.0.0.1:2379/v3", "ftp://10.0.0.1:2379",
                "http://u:p@10.0.0.1:2379", "http://10.0.0.1:2379?x=1")) {
            assertThatThrownBy(() -> HaJoin.endpoints(List.of(bad))).as(bad).isInstanceOf(PgboxException.class)
                    .hasMessageContaining("invalid etcd endpoint");
        }
        assertThatThrownBy(() -> HaJoin.endpoints(List.of())).isInstanceOf(PgboxException.class).hasMessageContaining("no etcd endpoint");
    }

    @Test
    void etcdsGatewayNumbersAndPrefixEndsAreRead() throws Exception {
        assertThat(EtcdApi.rangeEnd("/service/shop/")).isEqualTo("/service/shop0");
        List<EtcdApi.Member> members = EtcdApi.members(new ObjectMapper().readTree(
                "{\"members\":[{\"ID\":\"16582046896825366469\",\"name\":\"a\",\"peerURLs\":[\"http://127.0.0.5:23800\"],"
                        + "\"clientURLs\":[\"http://127.0.0.5:23790\"]},{\"ID\":\"10875366895922568612\",\"peerURLs\":[\"http://127.0.0.6:23800\"]}]}"));
        assertThat(members).hasSize(2);
        assertThat(Long.toUnsignedString(members.get(0).id())).isEqualTo("16582046896825366469");
        assertThat(members.get(1).name()).isEmpty();
        assertThat(members.get(1).clientUrls()).isEmpty();
    }
}
