package dev.pgbox.ha;

import dev.pgbox.ErrorKind;
import dev.pgbox.PgboxException;
import dev.pgbox.Progress;
import dev.pgbox.cluster.HttpCall;
import dev.pgbox.cluster.Layout;
import dev.pgbox.cluster.OwnedFiles;
import dev.pgbox.cluster.PatroniSupervisor;
import dev.pgbox.cluster.Server;
import dev.pgbox.cluster.Standby;
import dev.pgbox.component.AgentComponent;
import dev.pgbox.component.EtcdComponent;
import dev.pgbox.component.HaMember;
import dev.pgbox.component.PatroniComponent;
import dev.pgbox.component.Project;
import dev.pgbox.config.Scram;
import dev.pgbox.config.Secrets;
import dev.pgbox.config.EnvFile;
import dev.pgbox.config.Setting;
import dev.pgbox.config.Settings;
import dev.pgbox.install.Installer;
import dev.pgbox.install.Requirement;
import dev.pgbox.sql.SqlDoor;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The HA commands: {@link #init} turns a pgbox project into the first member of a Patroni cluster (a
 * local etcd member beside it: the one-box trial), {@link #status} reports the cluster as Patroni and
 * etcd see it.
 */
public final class HaService {
    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_]{0,62}");
    /** The functions pg_rewind calls as a non-superuser (PostgreSQL's documented minimum). */
    private static final List<String> REWIND_FUNCTIONS = List.of("pg_catalog.pg_ls_dir(text, boolean, boolean)",
            "pg_catalog.pg_stat_file(text, boolean)", "pg_catalog.pg_read_binary_file(text)",
            "pg_catalog.pg_read_binary_file(text, bigint, bigint, boolean)");
    private static final List<Setting> SECRETS = List.of(Setting.PGBOX_REPLICATION_PASSWORD, Setting.PATRONI_REWIND_PASSWORD,
            Setting.PATRONI_RESTAPI_PASSWORD);

    private HaService() {
    }

    /**
     * Makes this project the first member of an HA cluster: Patroni and etcd installed if missing, the
     * HA secrets generated into .env.secrets when absent, PATRONI_CLUSTER and PATRONI_MEMBER written
     * to the environment's .env file, the replication and rewind roles made on the server, then the
     * server stopped and started again by Patroni (with a local etcd member), waiting until Patroni
     * reports this member as the running leader. Run again on a member, it renders the configurations
     * again and starts what is down.
     *
     * @param cluster null for PATRONI_CLUSTER when set, else the project folder's name
     * @param member null for PATRONI_MEMBER when set, else the host name
     */
    public static HaInitReport init(Settings requested, String cluster, String member, Progress progress) {
        Server server = Server.open(requested);
        Layout layout = server.layout();
        if (!layout.initialized()) {
            throw new PgboxException(ErrorKind.NOT_RUNNING, "cannot make this project an HA member: it has no cluster yet",
                    "no PostgreSQL data in " + layout.dataDir(), "run 'pgbox start' first, then 'pgbox ha init'");
        }
        if (Standby.is(layout)) {
            throw new PgboxException(ErrorKind.CONFIG, "cannot make a replica the first HA member",
                    "this project streams from another primary ('pgbox db replica')", "run 'pgbox ha init' in the primary's project");
        }
        boolean already = PatroniSupervisor.isMember(layout);
        List<String> actions = new ArrayList<>();
        Settings s = names(requested, cluster, member, actions);
        HaMember me = HaMember.of(s, EtcdComponent.hostName());
        requireReachable(me, "127.0.0.2", "init");

        if (!haRequirements().stream().allMatch(Requirement::present)) {
            progress.step("installing Patroni and etcd");
            // each call reads the files again: the installer checks what it installed with a fresh look
            Installer.ensure(layout.pg(), HaService::haRequirements, progress);
            actions.add("installed Patroni and etcd");
        }

        Path secretsFile = s.projectDir().resolve(Settings.SECRETS_FILE);
        List<String> generated = new ArrayList<>();
        for (Setting secret : SECRETS) {
            if (!s.isSet(secret)) {
                String value = Scram.generatePassword(32);
                Secrets.put(secretsFile, secret.name(), value);
                s = s.with(secret, value, Settings.SECRETS_FILE + " (generated)");
                generated.add(secret.name());
            }
        }
        if (!generated.isEmpty()) {
            actions.add("generated " + String.join(", ", generated) + " into " + secretsFile);
        }
        if (!s.isSet(Setting.PATRONI_CLUSTER_CERT)) {
            // every member presents this certificate (its data is a copy of this one's): they verify each other against it
            String cert = Base64.getEncoder().encodeToString(OwnedFiles.read(layout.dataDir().resolve("server.crt"))
                    .getBytes(StandardCharsets.US_ASCII));
            Secrets.put(secretsFile, Setting.PATRONI_CLUSTER_CERT.name(), cert);
            s = s.with(Setting.PATRONI_CLUSTER_CERT, cert, Settings.SECRETS_FILE);
            actions.add("the cluster's certificate (this server's) saved as PATRONI_CLUSTER_CERT in " + secretsFile);
        }

        Duration timeout = Duration.ofMillis(s.millis(Setting.PGBOX_START_TIMEOUT));
        Server current = Server.of(s, layout);
        if (!current.running()) {
            progress.step("starting PostgreSQL to create the replication and rewind roles");
            current.launch(timeout, true);
        }
        progress.step("creating the roles " + PatroniComponent.REPLICATION_ROLE + " and " + PatroniComponent.REWIND_ROLE);
        roles(current.admin(), s);
        actions.add("roles " + PatroniComponent.REPLICATION_ROLE + " (replication) and " + PatroniComponent.REWIND_ROLE + " (pg_rewind) set up");

        Project project = Project.of(s, layout);
        if (!already) {
            progress.step("stopping PostgreSQL (" + current.supervisor().kind() + ") to hand it to Patroni");
            actions.add("stopped PostgreSQL (" + current.stop() + " shutdown) under " + current.supervisor().kind());
        }
        EtcdComponent.writeConfig(project);
        PatroniComponent.writeConfig(project);
        OwnedFiles.write(PatroniSupervisor.memberFile(layout), PatroniSupervisor.memberText(me.cluster(), me.name(), true), layout.osUser(),
                "rw-r--r--");
        progress.step("starting etcd and Patroni (member '" + me.name() + "' of '" + me.cluster() + "')");
        Server underPatroni = Server.of(s, layout);
        try {
            if (!underPatroni.running() || PatroniSupervisor.running(layout, PatroniSupervisor.PATRONI).isEmpty()) {
                underPatroni.launch(timeout, true);
            }
            awaitLeader(s, me, timeout);
        } catch (PgboxException e) {
            if (!already) {
                rollBack(s, layout, progress);
            }
            throw e;
        }
        actions.add("Patroni runs PostgreSQL as the leader of '" + me.cluster() + "', with a local etcd member");
        // the agent learns its server's supervisor is now Patroni (its watchdog leaves restarts to Patroni)
        actions.addAll(new AgentComponent().reconcile(Project.of(s, layout), progress).actions());
        return new HaInitReport(me.cluster(), me.name(), me.address(), restUrl(s, me), etcdEndpoints(s, me).get(0), already, generated,
                actions, secretsFile.toString(), PatroniSupervisor.folder(layout).toString());
    }

    /** The cluster and member names: options, else the settings, else defaults; written to the .env file when new. */
    private static Settings names(Settings s, String cluster, String member, List<String> actions) {
        String c = cluster != null ? cluster : !s.source(Setting.PATRONI_CLUSTER).equals(Settings.DEFAULT_SOURCE) ? s.get(Setting.PATRONI_CLUSTER)
                : name(s.projectDir().getFileName() == null ? "pgbox" : s.projectDir().getFileName().toString());
        String m = member != null ? member : s.isSet(Setting.PATRONI_MEMBER) ? s.get(Setting.PATRONI_MEMBER) : name(EtcdComponent.hostName());
        checkName(c);
        checkName(m);
        Path envFile = envFile(s);
        Settings out = s;
        if (!c.equals(s.get(Setting.PATRONI_CLUSTER)) || s.source(Setting.PATRONI_CLUSTER).equals(Settings.DEFAULT_SOURCE)) {
            EnvFile.set(envFile, Setting.PATRONI_CLUSTER.name(), c);
            out = out.with(Setting.PATRONI_CLUSTER, c, envFile.getFileName().toString());
            actions.add("PATRONI_CLUSTER=" + c + " written to " + envFile);
        }
        if (!m.equals(s.get(Setting.PATRONI_MEMBER))) {
            EnvFile.set(envFile, Setting.PATRONI_MEMBER.name(), m);
            out = out.with(Setting.PATRONI_MEMBER, m, envFile.getFileName().toString());
            actions.add("PATRONI_MEMBER=" + m + " written to " + envFile);
        }
        return out;
    }

    /** Refuses a member address the other members (and Patroni itself) cannot use. */
    static void requireReachable(HaMember me, String trialAddress, String command) {
        if (me.address().equals("127.0.0.1") || me.address().equals("::1")) {
            throw new PgboxException(ErrorKind.CONFIG, "an HA member cannot be reached at " + me.address(),
                    "Patroni refuses 127.0.0.1 as a member's connect address, and other members could not reach it there",
                    "set POSTGRES_LISTEN to this host's address (on a one-box trial another loopback address works: "
                            + "POSTGRES_LISTEN=" + trialAddress + "), then run 'pgbox ha " + command + "' again");
        }
    }

    /** Refuses a cluster or member name Patroni and etcd would not take the same way everywhere. */
    static void checkName(String n) {
        if (!NAME.matcher(n).matches()) {
            throw new PgboxException(ErrorKind.USAGE, "invalid cluster or member name '" + n + "'",
                    "a name has 1 to 63 lowercase letters, digits and underscores and starts with a letter",
                    "e.g. pgbox ha init --cluster shop --member a");
        }
    }

    /** The environment's settings file (.env.dev, .env.prod, ...) that the HA names are written to. */
    static Path envFile(Settings s) {
        return s.projectDir().resolve(s.envName().equals("dev") ? Settings.DEV_FILE : ".env." + s.envName());
    }

    /** A folder or host name as a cluster or member name. Pure. */
    static String name(String raw) {
        String n = raw.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_]", "_");
        if (n.isEmpty() || !Character.isLetter(n.charAt(0))) {
            n = "m" + n;
        }
        return n.length() > 63 ? n.substring(0, 63) : n;
    }

    /** The replication and rewind roles: LOGIN, their SCRAM verifiers only (the plain passwords never reach the server). */
    private static void roles(SqlDoor admin, Settings s) {
        for (String role : List.of(PatroniComponent.REPLICATION_ROLE, PatroniComponent.REWIND_ROLE)) {
            if (!"t".equals(admin.value("postgres", "SELECT EXISTS (SELECT FROM pg_roles WHERE rolname = $1)", role))) {
                admin.execute("postgres", "CREATE ROLE " + role);
            }
        }
        admin.execute("postgres", "ALTER ROLE " + PatroniComponent.REPLICATION_ROLE + " WITH LOGIN REPLICATION NOSUPERUSER NOCREATEDB "
                + "NOCREATEROLE NOBYPASSRLS NOINHERIT CONNECTION LIMIT 10 PASSWORD $1", Scram.verifier(s.get(Setting.PGBOX_REPLICATION_PASSWORD)));
        admin.execute("postgres", "ALTER ROLE " + PatroniComponent.REWIND_ROLE + " WITH LOGIN NOREPLICATION NOSUPERUSER NOCREATEDB "
                + "NOCREATEROLE NOBYPASSRLS CONNECTION LIMIT 5 PASSWORD $1", Scram.verifier(s.get(Setting.PATRONI_REWIND_PASSWORD)));
        for (String f : REWIND_FUNCTIONS) {
            admin.execute("postgres", "GRANT EXECUTE ON FUNCTION " + f + " TO " + PatroniComponent.REWIND_ROLE);
        }
        // pgbox revokes CONNECT on postgres from PUBLIC; pg_rewind and Patroni's check of a new leader log in there as this role
        admin.execute("postgres", "GRANT CONNECT ON DATABASE postgres TO " + PatroniComponent.REWIND_ROLE);
    }

    /** After a failed hand-over: Patroni and etcd stopped, the member file removed, so the project is a plain one again. */
    private static void rollBack(Settings s, Layout layout, Progress progress) {
        progress.step("Patroni did not take over: stopping it and etcd; the project stays a plain server (stopped)");
        PatroniSupervisor.stopPatroni(layout, Duration.ofMillis(s.millis(Setting.PGBOX_STOP_TIMEOUT)).plusSeconds(30));
        PatroniSupervisor.stopEtcd(layout);
        try {
            Files.deleteIfExists(PatroniSupervisor.memberFile(layout));
        } catch (IOException e) {
            // status shows it still as a member; 'pgbox ha init' again retries
        }
        if (Server.of(s, layout).running()) {
            Server.of(s, layout).stop();
        }
    }

    private static void awaitLeader(Settings s, HaMember me, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = "no answer from " + restUrl(s, me);
        while (System.nanoTime() < deadline) {
            HttpCall.Answer a = PatroniApi.get(restUrl(s, me) + "/cluster", s, Duration.ofSeconds(3));
            if (a.status() == 200) {
                List<HaStatus.Member> members = PatroniCluster.members(a.body());
                HaStatus.Member mine = members.stream().filter(m -> m.name().equals(me.name())).findFirst().orElse(null);
                if (mine != null && mine.role().equals("leader") && mine.state().equals("running")) {
                    return;
                }
                last = mine == null ? "Patroni lists no member '" + me.name() + "' yet" : "member '" + me.name() + "' is " + mine.role()
                        + ", " + mine.state();
            }
            sleep(500);
        }
        throw new PgboxException(ErrorKind.TIMEOUT, "Patroni did not report '" + me.name() + "' as the running leader within "
                + timeout.toSeconds() + "s", last, "read the Patroni and etcd logs in the log folder; 'pgbox ha status' shows the cluster");
    }

    /** The cluster as this member's Patroni and the etcd endpoints see it: see {@link HaStatusService#status}. */
    public static HaStatus status(Settings s) {
        return HaStatusService.status(s);
    }

    static List<String> etcdEndpoints(Settings s, HaMember me) {
        return s.isSet(Setting.ETCD_ENDPOINTS) ? Settings.list(s.get(Setting.ETCD_ENDPOINTS))
                : List.of(me.url(Integer.parseInt(s.get(Setting.ETCD_CLIENT_PORT))));
    }

    static String restUrl(Settings s, HaMember me) {
        return me.url(Integer.parseInt(s.get(Setting.PATRONI_REST_PORT)));
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** What an HA member needs installed, as the files show it now. */
    static List<Requirement> haRequirements() {
        List<Requirement> needed = new ArrayList<>(Requirement.patroni());
        needed.addAll(Requirement.etcd());
        return needed;
    }
}
