package dev.pgbox.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pgbox.ErrorKind;
import dev.pgbox.PgboxException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The HA settings' rules, as settings load. */
class HaSettingsTest {
    @TempDir
    Path dir;

    private Settings load(String env) throws IOException {
        Files.writeString(dir.resolve(".env.dev"), env);
        return Settings.load(dir, null, Map.of());
    }

    private PgboxException refused(String env) {
        try {
            load(env);
        } catch (PgboxException e) {
            return e;
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        throw new AssertionError("accepted: " + env);
    }

    @Test
    void defaultsKeepPatronisRule() throws IOException {
        Settings s = load("");
        int lw = s.integer(Setting.PATRONI_LOOP_WAIT);
        int rt = s.integer(Setting.PATRONI_RETRY_TIMEOUT);
        assertThat(lw + 2 * rt).isLessThanOrEqualTo(s.integer(Setting.PATRONI_TTL));
        assertThat(s.integer(Setting.PATRONI_TTL)).isEqualTo(HaSettings.MIN_TTL);
    }

    @Test
    void exactlyTheTtlIsAccepted() throws IOException {
        assertThat(load("PATRONI_TTL=20\nPATRONI_LOOP_WAIT=2\nPATRONI_RETRY_TIMEOUT=9\n").integer(Setting.PATRONI_RETRY_TIMEOUT)).isEqualTo(9);
    }

    @Test
    void loopWaitPlusTwoRetryTimeoutsBeyondTheTtlIsAConfigError() {
        PgboxException e = refused("PATRONI_TTL=20\nPATRONI_LOOP_WAIT=3\nPATRONI_RETRY_TIMEOUT=9\n");
        assertThat(e.kind()).isEqualTo(ErrorKind.CONFIG);
        assertThat(e.kind().exitCode()).isEqualTo(3);
        assertThat(e.getMessage()).contains("PATRONI_LOOP_WAIT", "PATRONI_RETRY_TIMEOUT", "PATRONI_TTL", "21", "20");
        assertThat(e.fix()).contains("raise PATRONI_TTL to at least 21");
    }

    @Test
    void valuesBelowPatronisMinimumsAreRefusedNotQuietlyRaised() {
        assertThat(refused("PATRONI_TTL=10\n").getMessage()).contains("PATRONI_TTL=10", "20");
        assertThat(refused("PATRONI_RETRY_TIMEOUT=2\n").getMessage()).contains("PATRONI_RETRY_TIMEOUT");
        assertThat(refused("PATRONI_LOOP_WAIT=0\n").getMessage()).contains("PATRONI_LOOP_WAIT");
    }

    @Test
    void etcdEndpointsAndMembersAreChecked() throws IOException {
        assertThat(refused("ETCD_ENDPOINTS=10.0.0.1:2379\n").getMessage()).contains("ETCD_ENDPOINTS");
        assertThat(refused("ETCD_INITIAL_CLUSTER=a=http://10.0.0.1:2380,http://10.0.0.2:2380\n").getMessage()).contains("ETCD_INITIAL_CLUSTER");
        assertThat(load("ETCD_ENDPOINTS=http://10.0.0.1:2379,https://etcd-b.example:2379\n").get(Setting.ETCD_ENDPOINTS))
                .isEqualTo("http://10.0.0.1:2379,https://etcd-b.example:2379");
    }
}
