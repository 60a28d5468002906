package dev.pgbox.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pgbox.component.EtcdComponent;
import dev.pgbox.component.HaMember;
import dev.pgbox.component.PatroniComponent;
import dev.pgbox.config.Settings;
import dev.pgbox.install.PgInstallation;
import dev.pgbox.tune.Machine;
import dev.pgbox.tune.Profile;
import dev.pgbox.tune.Tuner;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the supervisor reads back from the rendered configs, and when a project counts as an HA member. */
class PatroniSupervisorTest {
    @TempDir
    Path dir;

    @Test
    void readsTheAddressesItWaitsOnFromTheRenderedConfigs() throws IOException {
        Files.writeString(dir.resolve(".env.dev"), "POSTGRES_LISTEN=10.0.0.5\nPOSTGRES_PORT=6543\nPATRONI_CLUSTER=shop\nPATRONI_MEMBER=db1\n"
                + "PATRONI_REST_PORT=8111\nETCD_CLIENT_PORT=2391\n");
        Files.writeString(dir.resolve(".env.secrets"), "PGBOX_REPLICATION_PASSWORD=a\nPATRONI_REWIND_PASSWORD=b\nPATRONI_RESTAPI_PASSWORD=c\n");
        Settings s = Settings.load(dir, null, Map.of());
        Layout l = new Layout(dir, dir.resolve("st"), dir.resolve("st/data"), dir.resolve("st/run"), dir.resolve("st/log"), "postgres",
                PgInstallation.of(15), false);
        HaMember member = HaMember.of(s, "ignored");
        Files.createDirectories(PatroniSupervisor.folder(l));
        Files.writeString(PatroniSupervisor.etcdConf(l), EtcdComponent.render(s, l, member).get(EtcdComponent.CONF_FILE));
        Files.writeString(PatroniSupervisor.patroniConf(l), PatroniComponent.render(s, l,
                Tuner.plan(new Machine(8L << 30, 2, true, 0, "t", "t"), Profile.WEB, 50, Map.of()), member).get(PatroniComponent.CONF_FILE));

        assertThat(PatroniSupervisor.clientUrl(l)).isEqualTo("http://10.0.0.5:2391");
        // restapi's connect address, not postgresql's (which comes later in the file)
        assertThat(PatroniSupervisor.restAddress(l)).isEqualTo("10.0.0.5:8111");

        assertThat(PatroniSupervisor.memberName(l)).isEqualTo("db1");

        assertThat(PatroniSupervisor.isMember(l)).isFalse();
        assertThat(Supervisor.of(s, l)).isNotInstanceOf(PatroniSupervisor.class);
        Files.writeString(PatroniSupervisor.memberFile(l), "cluster=shop\nmember=db1\n");
        assertThat(Supervisor.of(s, l)).isInstanceOf(PatroniSupervisor.class);
        assertThat(Supervisor.of(s, l).kind()).isEqualTo("patroni");
    }

    @Test
    void aReplicaIsDoneWaitingOnlyWhenAnotherMemberLeads() {
        String meLeading = "{\"members\": [{\"name\": \"a\", \"role\": \"leader\", \"state\": \"starting\"}], \"scope\": \"t\"}";
        String bLeading = "{\"members\": [{\"name\": \"b\", \"role\": \"leader\", \"state\": \"running\"}, "
                + "{\"name\": \"a\", \"role\": \"replica\", \"state\": \"streaming\"}]}";
        assertThat(PatroniSupervisor.ledByAnother(meLeading, "a")).isFalse();
        assertThat(PatroniSupervisor.ledByAnother(bLeading, "a")).isTrue();
        assertThat(PatroniSupervisor.ledByAnother("{\"members\": []}", "a")).isFalse();
        assertThat(PatroniSupervisor.ledByAnother("", "a")).isFalse();
    }
}
