package dev.pgbox.ha;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

class EtcdLeaseTest {

    @Test
    void theRangeRequestAsksForPatronisLeaderKeyBase64Encoded() {
        assertThat(EtcdLease.leaderKey("shop")).isEqualTo("/service/shop/leader");
        String body = EtcdLease.rangeRequest(EtcdLease.leaderKey("shop"));
        String key = body.replaceAll(".*\"key\":\"([^\"]+)\".*", "$1");
        assertThat(new String(Base64.getDecoder().decode(key), StandardCharsets.UTF_8)).isEqualTo("/service/shop/leader");
        assertThat(EtcdLease.timeToLiveRequest(7587873987651390980L)).isEqualTo("{\"ID\":\"7587873987651390980\"}");
    }

    @Test
    void readsTheHolderAndLeaseIdOfTheLeaderKey() throws IOException {
        // as etcd 3.4's gateway writes it: int64s as strings, bytes as base64
        String answer = "{\"header\":{\"cluster_id\":\"1\",\"revision\":\"9\"},\"kvs\":[{\"key\":\"L3NlcnZpY2Uvc2hvcC9sZWFkZXI=\","
                + "\"create_revision\":\"5\",\"mod_revision\":\"9\",\"version\":\"3\",\"value\":\"YQ==\",\"lease\":\"7587873987651390980\"}],"
                + "\"count\":\"1\"}";
        assertThat(EtcdLease.parseRange(answer)).isEqualTo(new EtcdLease.LeaderKey("a", 7587873987651390980L));
        // no kvs: nobody holds the key
        assertThat(EtcdLease.parseRange("{\"header\":{\"revision\":\"9\"}}")).isNull();
    }

    @Test
    void readsTheSecondsLeftAndTreatsAnExpiredLeaseAsUnknown() throws IOException {
        assertThat(EtcdLease.parseTimeToLive("{\"header\":{},\"ID\":\"7587873987651390980\",\"TTL\":\"17\",\"grantedTTL\":\"20\"}"))
                .isEqualTo(17L);
        assertThat(EtcdLease.parseTimeToLive("{\"ID\":\"1\",\"TTL\":\"-1\"}")).isNull();
        assertThat(EtcdLease.parseTimeToLive("{\"ID\":\"1\",\"TTL\":12}")).isEqualTo(12L);
    }

    @Test
    void etcdDownOrWithoutQuorumIsNamedWithWhatPatroniDoes() {
        HaStatus.Endpoint down = new HaStatus.Endpoint("http://127.0.0.2:2379", false, "no answer");
        HaStatus.Endpoint noQuorum = new HaStatus.Endpoint("http://127.0.0.3:2379", false, "{\"health\":\"false\"}");
        HaStatus.Endpoint fine = new HaStatus.Endpoint("http://127.0.0.4:2379", true, "healthy");
        assertThat(HaStatusService.etcdProblem(List.of(down), 20)).startsWith("etcd is unreachable")
                .contains("no member can take or keep the leader lease", "demotes", "20s");
        assertThat(HaStatusService.etcdProblem(List.of(down, noQuorum), 20)).startsWith("etcd has no quorum");
        assertThat(HaStatusService.etcdProblem(List.of(down, fine), 20)).isNull();
    }
}
