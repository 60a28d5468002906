package dev.pgbox.ha;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pgbox.ErrorKind;
import dev.pgbox.PgboxException;
import java.util.List;
import org.junit.jupiter.api.Test;

class HaControlTest {
    private static final String API = "http://10.0.0.1:8008";
    private static final HaStatus.Member A = new HaStatus.Member("a", "leader", "running", "10.0.0.1", 5432, 2, null, false);
    private static final HaStatus.Member B = new HaStatus.Member("b", "sync_standby", "streaming", "10.0.0.2", 5432, 2, 0L, true);
    private static final HaStatus.Member C = new HaStatus.Member("c", "replica", "stopped", "10.0.0.3", 5432, null, null, false);

    private static ErrorKind kindOf(Runnable r) {
        try {
            r.run();
        } catch (PgboxException e) {
            return e.kind();
        }
        throw new AssertionError("no error");
    }

    private static String rendered(Runnable r) {
        try {
            r.run();
        } catch (PgboxException e) {
            return e.render();
        }
        throw new AssertionError("no error");
    }

    @Test
    void aPlanNamesTheLeaderAndTheCandidate() {
        HaControl.Plan p = HaControl.check(HaControl.Kind.SWITCHOVER, "shop", List.of(A, B, C), "a", null, API);
        assertThat(p.leader()).isEqualTo("a");
        assertThat(p.candidate()).isNull();
        assertThat(p.describe()).isEqualTo("switchover of cluster 'shop' from leader 'a' to the healthiest replica");
        assertThat(HaControl.check(HaControl.Kind.FAILOVER, "shop", List.of(A, B, C), "a", "b", API).describe())
                .isEqualTo("failover of cluster 'shop' from leader 'a' to 'b'");
        // a failover works without a running leader
        assertThat(HaControl.check(HaControl.Kind.FAILOVER, "shop", List.of(B), null, "b", API).leader()).isNull();
    }

    @Test
    void badTargetsAreRefusedBeforePatroniIsAsked() {
        assertThatThrownBy(() -> HaControl.check(HaControl.Kind.FAILOVER, "shop", List.of(A, B), "a", "x", API))
                .hasMessageContaining("unknown member 'x'");
        assertThat(kindOf(() -> HaControl.check(HaControl.Kind.FAILOVER, "shop", List.of(A, B), "a", "x", API))).isEqualTo(ErrorKind.USAGE);
        assertThatThrownBy(() -> HaControl.check(HaControl.Kind.SWITCHOVER, "shop", List.of(A, B), "a", "a", API))
                .hasMessageContaining("'a' is already the leader");
        assertThat(kindOf(() -> HaControl.check(HaControl.Kind.FAILOVER, "shop", List.of(A, B), "a", "a", API))).isEqualTo(ErrorKind.USAGE);
        // a stopped member cannot take over
        assertThatThrownBy(() -> HaControl.check(HaControl.Kind.SWITCHOVER, "shop", List.of(A, B, C), "a", "c", API))
                .hasMessageContaining("no healthy member");
        assertThat(rendered(() -> HaControl.check(HaControl.Kind.SWITCHOVER, "shop", List.of(A, B, C), "a", "c", API)))
                .contains("member 'c' is replica, stopped");
        assertThatThrownBy(() -> HaControl.check(HaControl.Kind.SWITCHOVER, "shop", List.of(B), null, "b", API))
                .hasMessageContaining("no running leader");
    }

    @Test
    void aOneMemberClusterHasNoCandidate() {
        assertThatThrownBy(() -> HaControl.check(HaControl.Kind.SWITCHOVER, "shop", List.of(A), "a", null, API))
                .hasMessageContaining("no healthy member to take over");
        assertThat(rendered(() -> HaControl.check(HaControl.Kind.SWITCHOVER, "shop", List.of(A), "a", null, API)))
                .contains("only one member ('a')", "pgbox ha join");
        assertThat(kindOf(() -> HaControl.check(HaControl.Kind.SWITCHOVER, "shop", List.of(A), "a", null, API)))
                .isEqualTo(ErrorKind.NOT_RUNNING);
    }

    @Test
    void requestPartsAreJsonSafe() {
        assertThat(HaControl.quote("a\"b\\c")).isEqualTo("\"a\\\"b\\\\c\"");
        assertThat(HaControl.base("http://10.0.0.2:8008/patroni")).isEqualTo("http://10.0.0.2:8008");
    }
}
