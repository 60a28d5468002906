package dev.pgbox.ha;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pgbox.Json;
import dev.pgbox.PgboxException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class PatroniClusterTest {

    private static String fixture() throws IOException {
        try (InputStream in = PatroniClusterTest.class.getResourceAsStream("/ha/patroni-cluster.json")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void readsEveryMemberOfPatronisClusterAnswer() throws IOException {
        List<HaStatus.Member> members = PatroniCluster.members(fixture());
        assertThat(members).extracting(HaStatus.Member::name).containsExactly("a", "b", "c");
        assertThat(members.get(0)).isEqualTo(new HaStatus.Member("a", "leader", "running", "10.0.0.1", 5432, 3, null, false));
        // the replay lag, in bytes; the sync standby flagged
        assertThat(members.get(1)).isEqualTo(new HaStatus.Member("b", "sync_standby", "streaming", "10.0.0.2", 5432, 3, 4096L, true));
        // "unknown" lag and a missing timeline are absent, not zero
        assertThat(members.get(2).lag()).isNull();
        assertThat(members.get(2).timeline()).isNull();
        assertThat(members.get(2).state()).isEqualTo("starting");
    }

    @Test
    void anAnswerThatIsNotJsonIsAClearError() {
        assertThatThrownBy(() -> PatroniCluster.members("<html>")).isInstanceOf(PgboxException.class)
                .hasMessageContaining("not JSON");
    }

    @Test
    void statusJsonHasSnakeCaseNamesAndLeavesUnknownsOut() throws IOException {
        HaStatus s = new HaStatus("shop", "a", List.of(new HaStatus.Endpoint("http://10.0.0.1:2379", true, "healthy")),
                "http://10.0.0.1:8008", null, PatroniCluster.members(fixture()), null, null, null);
        JsonNode j = Json.tree(s);
        assertThat(j.path("cluster").asText()).isEqualTo("shop");
        assertThat(j.path("patroni_api").asText()).isEqualTo("http://10.0.0.1:8008");
        assertThat(j.has("patroni_error")).isFalse();
        assertThat(j.has("leader_lease_seconds")).isFalse();
        assertThat(j.has("etcd_problem")).isFalse();
        assertThat(j.path("etcd").get(0).path("healthy").asBoolean()).isTrue();
        JsonNode b = j.path("members").get(1);
        assertThat(b.path("role").asText()).isEqualTo("sync_standby");
        assertThat(b.path("sync_standby").asBoolean()).isTrue();
        assertThat(b.path("lag").asLong()).isEqualTo(4096);
        assertThat(j.path("members").get(0).has("lag")).isFalse();
        assertThat(s.leader().name()).isEqualTo("a");
    }

    @Test
    void folderAndHostNamesBecomeValidMemberNames() {
        assertThat(HaService.name("pgbox-it-ha-123")).isEqualTo("pgbox_it_ha_123");
        assertThat(HaService.name("9box")).isEqualTo("m9box");
        assertThat(HaService.name("Db.Example")).isEqualTo("db_example");
    }
}
