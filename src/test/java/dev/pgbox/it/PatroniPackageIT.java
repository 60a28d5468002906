package dev.pgbox.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pgbox.Progress;
import dev.pgbox.cluster.Instance;
import dev.pgbox.cluster.Layout;
import dev.pgbox.component.EtcdComponent;
import dev.pgbox.component.HaMember;
import dev.pgbox.component.Health;
import dev.pgbox.component.PatroniComponent;
import dev.pgbox.component.Project;
import dev.pgbox.config.Settings;
import dev.pgbox.install.DebianEtcd;
import dev.pgbox.install.Installer;
import dev.pgbox.install.PatroniSource;
import dev.pgbox.install.PgInstallation;
import dev.pgbox.install.Requirement;
import dev.pgbox.install.Tools;
import dev.pgbox.tune.Machine;
import dev.pgbox.tune.Profile;
import dev.pgbox.tune.Tuner;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The HA packages for real: Patroni from trixie's source package installed where pgbox puts it (once;
 * idempotent), Debian's etcd, one etcd member from EtcdComponent's config running as the postgres user
 * on random loopback ports, and Patroni judging the patroni.yml PatroniComponent renders against it.
 */
@Timeout(600)
class PatroniPackageIT {
    /** A loopback address that is not 127.0.0.1: Patroni refuses 127.0.0.1 as a connect address. */
    private static final String MEMBER_ADDRESS = "127.0.0.2";
    private Path dir;
    private Process etcd;
    private Process patroni;

    @AfterEach
    void cleanUp() throws Exception {
        if (patroni != null && patroni.isAlive()) {
            ProcessHandle.of(patroni.pid()).ifPresent(ProcessHandle::destroy);
            if (!patroni.waitFor(60, TimeUnit.SECONDS)) {
                patroni.destroyForcibly();
            }
        }
        if (etcd != null && etcd.isAlive()) {
            ProcessHandle.of(etcd.pid()).ifPresent(ProcessHandle::destroy);
            if (!etcd.waitFor(20, TimeUnit.SECONDS)) {
                etcd.destroyForcibly();
            }
        }
        if (dir != null) {
            try (Stream<Path> s = Files.walk(dir)) {
                s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /**
     * A pgbox server, stopped, taken over by Patroni with the rendered patroni.yml: Patroni starts it as
     * the leader with pgbox's security (TLS, scram-only pg_hba with the members' hostssl lines), and
     * stops it again.
     */
    @Test
    void patroniRunsAPgboxServerFromTheRenderedConfig() throws Exception {
        Installer.ensure(PgInstallation.of(15), PatroniPackageIT::haRequirements, Progress.SILENT);
        dir = Files.createTempDirectory("pgbox-ha-");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        int client = PgboxProject.freePort();
        int peer = PgboxProject.freePort();
        int rest = PgboxProject.freePort();
        try (PgboxProject p = PgboxProject.create("patroni", "POSTGRES_LISTEN=" + MEMBER_ADDRESS, "PATRONI_MEMBER=a", "PATRONI_CLUSTER=it",
                "PATRONI_REST_PORT=" + rest, "ETCD_CLIENT_PORT=" + client, "ETCD_PEER_PORT=" + peer, "PGBOX_AGENT=off", "BACKUP_ARCHIVE=off")) {
            Files.writeString(p.dir().resolve(".env.secrets"), "PGBOX_REPLICATION_PASSWORD=r-pw\nPATRONI_REWIND_PASSWORD=w-pw\n"
                    + "PATRONI_RESTAPI_PASSWORD=a-pw\n");
            p.ok("start");
            p.ok("stop");
            Settings s = p.settings();
            Layout layout = Layout.resolve(s, PgInstallation.of(15));
            HaMember member = HaMember.of(s, "ignored");
            Path etcdState = dir.resolve("state");
            startEtcd(s, new Layout(dir, etcdState, etcdState.resolve("data"), etcdState.resolve("run"), etcdState.resolve("log"), "postgres",
                    PgInstallation.of(15), false), member, client);

            Project project = Project.of(s, layout);
            Path conf = dir.resolve("patroni");
            Files.createDirectories(conf);
            Path yml = conf.resolve(PatroniComponent.CONF_FILE);
            Files.writeString(yml, new PatroniComponent().render(project).get(PatroniComponent.CONF_FILE));
            Files.createDirectories(PatroniComponent.pgpass(layout).getParent());
            run("/usr/bin/chown", "-R", "postgres:postgres", conf.toString(), PatroniComponent.pgpass(layout).getParent().toString());
            run("/usr/bin/chmod", "0600", yml.toString());
            ProcessBuilder pb = new ProcessBuilder("/usr/bin/setpriv", "--reuid=postgres", "--regid=postgres", "--init-groups",
                    PatroniSource.PATRONI.toString(), yml.toString()).redirectErrorStream(true).redirectOutput(dir.resolve("patroni.log").toFile());
            pb.environment().keySet().removeIf(k -> k.startsWith("PATRONI") || k.startsWith("PG"));
            // as postgres: a working folder and HOME it can enter (a clone under /root is not one; libpq looks in HOME)
            pb.directory(dir.toFile()).environment().put("HOME", dir.toString());
            patroni = pb.start();
            Health.State state = Health.State.DOWN;
            for (int i = 0; i < 120 && state != Health.State.UP && patroni.isAlive(); i++) {
                Thread.sleep(500);
                state = new PatroniComponent().health(project).state();
            }
            assertThat(state).as("Patroni's log:\n" + Files.readString(dir.resolve("patroni.log"))).isEqualTo(Health.State.UP);
            String list = run("/usr/sbin/runuser", "-u", "postgres", "--", PatroniSource.PATRONICTL.toString(), "-c", yml.toString(), "list");
            assertThat(list).contains("Cluster: it", "| a ", "Leader", "running");
            var admin = Instance.primary(s, layout).admin();
            assertThat(admin.value("postgres", "SHOW ssl")).isEqualTo("on");
            assertThat(admin.value("postgres", "SHOW wal_log_hints")).isEqualTo("on");
            assertThat(admin.value("postgres", "SELECT count(*) FROM pg_hba_file_rules WHERE auth_method IN ('trust', 'md5', 'password')"))
                    .isEqualTo("0");
            assertThat(admin.value("postgres", "SELECT string_agg(type || ' ' || array_to_string(database, ',') || ' '"
                    + " || array_to_string(user_name, ','), '; ') FROM pg_hba_file_rules WHERE type = 'hostssl'"))
                    .contains("hostssl replication pgbox_replication", "hostssl postgres pgbox_rewind");

            ProcessHandle.of(patroni.pid()).ifPresent(ProcessHandle::destroy);
            assertThat(patroni.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(Instance.primary(s, layout).running()).isFalse();
        }
    }

    /** The policy-rc.d pgbox puts in place while apt installs etcd-server refuses etcd's starts (101) and no other service's. */
    @Test
    void theInstallGuardRefusesOnlyEtcd() throws Exception {
        dir = Files.createTempDirectory("pgbox-ha-");
        Path policy = dir.resolve("policy-rc.d");
        Files.writeString(policy, DebianEtcd.POLICY_TEXT);
        // invoke-rc.d passes the init script name, deb-systemd-invoke the unit name
        assertThat(exit("/bin/sh", policy.toString(), "etcd", "start")).isEqualTo(101);
        assertThat(exit("/bin/sh", policy.toString(), "--quiet", "etcd.service", "start")).isEqualTo(101);
        assertThat(exit("/bin/sh", policy.toString(), "postgresql", "start")).isZero();
        assertThat(exit("/bin/sh", policy.toString(), "etcd-backup", "start")).isZero();
    }

    private static List<Requirement> haRequirements() {
        List<Requirement> all = new ArrayList<>(Requirement.patroni());
        all.addAll(Requirement.etcd());
        return all;
    }

    @Test
    void patroniFromTrixieSourceAndALocalEtcdMemberWork() throws Exception {
        Installer.ensure(PgInstallation.of(15), PatroniPackageIT::haRequirements, new Progress() {
            @Override
            public void step(String what) {
                System.out.println("install: " + what);
            }
        });
        assertThat(haRequirements()).allMatch(Requirement::present);
        String version = PatroniSource.installedVersion().orElseThrow();
        assertThat(PatroniSource.home()).contains(PatroniSource.ROOT.resolve("patroni-" + version));

        assertThat(run(PatroniSource.PATRONI.toString(), "--version").strip()).isEqualTo("patroni " + version);
        assertThat(version).isEqualTo("4.0.7");
        // as the OS user Patroni runs as: the unpacked source must be readable and byte-compiled for it
        assertThat(run("/usr/sbin/runuser", "-u", "postgres", "--", PatroniSource.PATRONICTL.toString(), "version").strip())
                .isEqualTo("patronictl version " + version);
        assertThat(run(Tools.ETCD, "--version")).startsWith("etcd Version: 3.4.");
        assertThat(run(Tools.ETCDCTL, "version")).contains("API version: 3.");

        dir = Files.createTempDirectory("pgbox-ha-");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        int client = PgboxProject.freePort();
        int peer = PgboxProject.freePort();
        int rest = PgboxProject.freePort();
        int pgPort = PgboxProject.freePort();
        Files.writeString(dir.resolve(".env.dev"), "POSTGRES_LISTEN=" + MEMBER_ADDRESS + "\nPOSTGRES_PORT=" + pgPort + "\nPATRONI_MEMBER=a\n"
                + "PATRONI_CLUSTER=it\nPATRONI_REST_PORT=" + rest + "\nETCD_CLIENT_PORT=" + client + "\nETCD_PEER_PORT=" + peer + "\n");
        Files.writeString(dir.resolve(".env.secrets"), "PGBOX_REPLICATION_PASSWORD=r-pw\nPATRONI_REWIND_PASSWORD=w-pw\n"
                + "PATRONI_RESTAPI_PASSWORD=a-pw\n");
        Settings s = Settings.load(dir, null, Map.of());
        Path state = dir.resolve("state");
        Layout layout = new Layout(dir, state, state.resolve("data"), state.resolve("run"), state.resolve("log"), "postgres",
                PgInstallation.of(15), false);
        HaMember member = HaMember.of(s, "ignored");

        // etcd: the rendered config, the postgres user, a data dir only it may enter
        String endpoint = startEtcd(s, layout, member, client);
        assertThat(run(Tools.ETCDCTL, "--endpoints", endpoint, "member", "list")).contains(", a, http://" + MEMBER_ADDRESS + ":" + peer);
        assertThat(Files.getOwner(state.resolve("etcd")).getName()).isEqualTo("postgres");
        Project project = new Project(s, layout, Instance.primary(s, layout));
        assertThat(new EtcdComponent().health(project).state()).isEqualTo(Health.State.UP);
        assertThat(new PatroniComponent().health(project).state()).isEqualTo(Health.State.DOWN);

        // Patroni judges the rendered patroni.yml (with the etcd above reachable) and accepts it
        Path patroniYml = dir.resolve(PatroniComponent.CONF_FILE);
        String yml = PatroniComponent.render(s, layout, Tuner.plan(new Machine(4L << 30, 2, true, 0, "t", "t"), Profile.WEB, 50, Map.of()),
                member).get(PatroniComponent.CONF_FILE);
        Files.writeString(patroniYml, yml);
        ProcessBuilder validate = new ProcessBuilder(PatroniSource.PATRONI.toString(), "--validate-config", patroniYml.toString())
                .redirectErrorStream(true);
        Process v = validate.start();
        String out = new String(v.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(v.waitFor()).as(out).isZero();

        // and refuses it once etcd is gone: the check above did reach the member
        ProcessHandle.of(etcd.pid()).ifPresent(ProcessHandle::destroy);
        assertThat(etcd.waitFor(20, TimeUnit.SECONDS)).isTrue();
        Process gone = validate.start();
        String goneOut = new String(gone.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(gone.waitFor()).isNotZero();
        assertThat(goneOut).contains("etcd3.hosts", "not reachable");
        assertThat(new EtcdComponent().health(project).state()).isEqualTo(Health.State.DOWN);
    }

    /** Starts one etcd member from EtcdComponent's config as the postgres user; returns its client URL once healthy. */
    private String startEtcd(Settings s, Layout layout, HaMember member, int client) throws Exception {
        Path etcdYml = dir.resolve(EtcdComponent.CONF_FILE);
        Files.writeString(etcdYml, EtcdComponent.render(s, layout, member).get(EtcdComponent.CONF_FILE));
        Files.createDirectories(layout.stateDir());
        run("/usr/bin/chown", "postgres:postgres", layout.stateDir().toString());
        ProcessBuilder pb = new ProcessBuilder("/usr/bin/setpriv", "--reuid=postgres", "--regid=postgres", "--init-groups",
                Tools.ETCD, "--config-file", etcdYml.toString()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("etcd.log").toFile());
        pb.environment().keySet().removeIf(k -> k.startsWith("ETCD"));
        pb.directory(dir.toFile()).environment().put("HOME", dir.toString());
        etcd = pb.start();
        String endpoint = "http://" + MEMBER_ADDRESS + ":" + client;
        boolean healthy = false;
        for (int i = 0; i < 60 && !healthy && etcd.isAlive(); i++) {
            healthy = exit(Tools.ETCDCTL, "--endpoints", endpoint, "endpoint", "health") == 0;
            if (!healthy) {
                Thread.sleep(500);
            }
        }
        assertThat(healthy).as("etcd healthy; log:\n" + Files.readString(dir.resolve("etcd.log"))).isTrue();
        return endpoint;
    }

    private static String run(String... argv) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(String.join(" ", argv) + ": " + out).isZero();
        return out;
    }

    private static int exit(String... argv) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(argv).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (!p.waitFor(10, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return -1;
        }
        return p.exitValue();
    }
}
