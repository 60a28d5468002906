package dev.pgbox.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.pgbox.exec.Command;
import dev.pgbox.exec.ProcessResult;
import dev.pgbox.exec.ProcessRunner;
import dev.pgbox.install.PgInstallation;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The rendered units say what we mean, and systemd's own checker accepts them. */
class SystemdUnitsTest {
    private static final Path ANALYZE = Path.of("/usr/bin/systemd-analyze");

    private static Layout layout(Path project) {
        Path state = project.resolve(".pgbox");
        return new Layout(project, state, state.resolve("data"), state.resolve("run"), state.resolve("log"), "postgres",
                PgInstallation.of(15), false);
    }

    @Test
    void serverUnitRunsPostgresAsTheOsUserAndRestartsItAfterACrash() {
        Layout l = layout(Path.of("/srv/My Shop 100%"));
        String unit = SystemdUnits.renderServer(l, Duration.ofSeconds(30), Duration.ofMillis(500));
        assertThat(unit).contains("Type=notify\n", "User=postgres\n", "Restart=on-failure\n", "RestartSec=500ms\n",
                "KillSignal=SIGINT\n", "KillMode=mixed\n", "TimeoutStopSec=30000ms\n", "WantedBy=multi-user.target\n",
                "ExecStart=\"/usr/lib/postgresql/15/bin/postgres\" -D \"/srv/My Shop 100%%/.pgbox/data\"\n");
        assertThat(unit).doesNotContain("RequiresMountsFor"); // blanks in the path: left out rather than split
        assertThat(SystemdUnits.serverUnitName(l)).matches("pgbox-my-shop-100-[0-9a-f]{8}\\.service");
        assertThat(SystemdUnits.agentUnitName(l)).isEqualTo(SystemdUnits.serverUnitName(l).replace(".service", "-agent.service"));
    }

    @Test
    void agentUnitRunsAsTheOsUserAndTakesTheJvmsSigtermExitAsACleanStop() {
        Layout l = layout(Path.of("/srv/shop"));
        String unit = SystemdUnits.renderAgent(l, "/usr/bin/java", List.of("-cp", "/x/pgbox.jar", "dev.pgbox.Main", "agent"));
        assertThat(unit).contains("User=postgres\n", "Restart=on-failure\n", "WantedBy=multi-user.target\n",
                "ExecStart=\"/usr/bin/java\" \"-cp\" \"/x/pgbox.jar\" \"dev.pgbox.Main\" \"agent\"\n",
                // without it 'systemctl stop' leaves the unit failed: the JVM exits 143 on SIGTERM
                "SuccessExitStatus=143\n").doesNotContain("KillMode");
        // an HA member's agent brings Patroni and etcd back: stopping the agent alone must not end them
        String member = SystemdUnits.renderAgent(l, "/usr/bin/java", List.of("agent"), true);
        assertThat(member).contains("RestartSec=5s\nKillMode=process\n\n[Install]");
    }

    @Test
    void argumentsAreQuotedForSystemdNotForAShell() {
        assertThat(SystemdUnits.arg("a b")).isEqualTo("\"a b\"");
        assertThat(SystemdUnits.arg("say \"hi\" $HOME 5%")).isEqualTo("\"say \\\"hi\\\" $$HOME 5%%\"");
        assertThat(SystemdUnits.arg("back\\slash")).isEqualTo("\"back\\\\slash\"");
    }

    @Test
    void systemdAnalyzeVerifyAcceptsBothUnitsAndRejectsABrokenOne(@TempDir Path dir) throws Exception {
        assumeTrue(Files.isExecutable(ANALYZE), "systemd-analyze is not installed");
        Path project = dir.resolve("shop");
        Files.createDirectories(project.resolve(".pgbox/data"));
        Layout l = layout(project);
        Path units = Files.createDirectories(dir.resolve("units"));
        Path server = units.resolve(SystemdUnits.serverUnitName(l));
        Files.writeString(server, SystemdUnits.renderServer(l, Duration.ofSeconds(30), Duration.ofMillis(500)));
        Path agent = units.resolve(SystemdUnits.agentUnitName(l));
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Files.writeString(agent, SystemdUnits.renderAgent(l, java, List.of("-cp", "/x/pgbox.jar", "dev.pgbox.Main", "agent"), true));

        ProcessResult ok = verify(server, agent);
        assertThat(ok.exitCode()).as(ok.stderr()).isZero();
        assertThat(ok.stderr()).doesNotContain(server.getFileName().toString(), agent.getFileName().toString());

        // the checker is not a rubber stamp: a unit whose program does not exist fails it
        Path broken = units.resolve("pgbox-broken-00000000.service");
        Files.writeString(broken, SystemdUnits.renderServer(l, Duration.ofSeconds(30), Duration.ofMillis(500))
                .replace("/usr/lib/postgresql/15/bin/postgres", "/nonexistent/postgres"));
        ProcessResult bad = verify(broken);
        assertThat(bad.exitCode()).isNotZero();
        assertThat(bad.stderr()).contains("/nonexistent/postgres");
    }

    private static ProcessResult verify(Path... units) {
        Command.Builder c = Command.of(ANALYZE.toString(), "verify");
        for (Path u : units) {
            c.args(u.toString());
        }
        return ProcessRunner.run(c.timeout(Duration.ofSeconds(60)).build());
    }
}
