package dev.pgbox.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pgbox.PgboxException;
import org.junit.jupiter.api.Test;

class PatroniRestTest {
    /** A /cluster answer as Patroni 4.0.7 gives it for a paused two-member cluster. */
    private static final String PAUSED = """
            {"members": [
              {"name": "a", "role": "leader", "state": "running", "api_url": "http://127.0.0.2:8008/patroni",
               "host": "127.0.0.2", "port": 5432, "timeline": 3},
              {"name": "b", "role": "sync_standby", "state": "streaming", "api_url": "http://127.0.0.3:8009/patroni",
               "host": "127.0.0.3", "port": 5433, "timeline": 3, "lag": 0}
            ], "pause": true}
            """;

    @Test
    void readsMembersTheirApiBaseAndThePause() {
        PatroniRest.Cluster c = PatroniRest.parseCluster(PAUSED);
        assertThat(c.paused()).isTrue();
        assertThat(c.leader().name()).isEqualTo("a");
        assertThat(c.member("b").api()).isEqualTo("http://127.0.0.3:8009");
        assertThat(c.member("b").leader()).isFalse();
        assertThat(c.member("b").timeline()).isEqualTo(3);
        assertThat(c.member("c")).isNull();
    }

    @Test
    void aClusterWithoutLeaderOrPauseSaysSo() {
        PatroniRest.Cluster c = PatroniRest.parseCluster("{\"members\": [{\"name\": \"a\", \"role\": \"replica\", \"state\": \"stopped\"}]}");
        assertThat(c.paused()).isFalse();
        assertThat(c.leader()).isNull();
        assertThat(c.member("a").timeline()).isNull();
    }

    @Test
    void anAnswerThatIsNotJsonIsAClearError() {
        assertThatThrownBy(() -> PatroniRest.parseCluster("<html>")).isInstanceOf(PgboxException.class)
                .hasMessageContaining("not JSON");
    }

    @Test
    void readsTheHistoryWithAndWithoutTimestamps() {
        var h = PatroniRest.parseHistory("[[1, 83886240, \"no recovery target specified\"],"
                + "[2, 150995104, \"no recovery target specified\", \"2026-12-01T21:03:10.123456+00:00\", \"a\"]]");
        assertThat(h).hasSize(2);
        assertThat(h.get(0).timeline()).isEqualTo(1);
        assertThat(h.get(0).at()).isNull();
        assertThat(h.get(1).lsn()).isEqualTo(150995104L);
        assertThat(h.get(1).at()).isEqualTo(java.time.Instant.parse("2026-12-01T21:03:10.123456Z"));
    }
}
