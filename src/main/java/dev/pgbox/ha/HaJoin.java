package dev.pgbox.ha;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pgbox.ErrorKind;
import dev.pgbox.PgboxException;
import dev.pgbox.Progress;
import dev.pgbox.cluster.Layout;
import dev.pgbox.cluster.OwnedFiles;
import dev.pgbox.cluster.PatroniSupervisor;
import dev.pgbox.cluster.Server;
import dev.pgbox.cluster.Standby;
import dev.pgbox.cluster.Startup;
import dev.pgbox.component.AgentComponent;
import dev.pgbox.component.EtcdComponent;
import dev.pgbox.component.HaMember;
import dev.pgbox.component.PatroniComponent;
import dev.pgbox.component.PostgresComponent;
import dev.pgbox.component.Project;
import dev.pgbox.config.EnvFile;
import dev.pgbox.config.Secrets;
import dev.pgbox.config.Setting;
import dev.pgbox.config.Settings;
import dev.pgbox.install.Installer;
import dev.pgbox.install.Requirement;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * {@code pgbox ha join}: makes a new project folder (on another host, or on another address of this one)
 * a member of an existing Patroni cluster. It finds the cluster and its leader in etcd, checks that the
 * leader lets this host replicate before changing anything, adds this host's etcd member to the etcd
 * cluster (unless told not to), renders patroni.yml from pgbox's catalogue, and starts Patroni, which
 * copies the leader's data (pg_basebackup) and streams from it. A join that fails undoes itself: the
 * etcd member it added is removed, Patroni and etcd stopped, the copied data and the member file deleted.
 */
public final class HaJoin {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The HA secrets every member shares (the roles' passwords are the leader's, copied with its data). */
    private static final List<Setting> SHARED = List.of(Setting.PGBOX_REPLICATION_PASSWORD, Setting.PATRONI_REWIND_PASSWORD,
            Setting.PATRONI_RESTAPI_PASSWORD);

    private HaJoin() {
    }

    /** What {@code pgbox ha join} did; {@code leader} is the member it copied its data from. */
    public record Report(String cluster, String member, String address, String leader, String role, String patroniApi,
                         List<String> etcdEndpoints, boolean etcdMember, boolean alreadyMember, List<String> actions, String secretsFile,
                         String configFolder) {
    }

    /** Where the cluster stands, as Patroni's keys in etcd say: its leader and the members' PostgreSQL addresses. */
    record Found(String leader, String leaderHost, int leaderPort, Set<String> members) {
    }

    /**
     * Joins this project to {@code cluster}.
     *
     * @param etcd the client URLs of the cluster's etcd members (at least one reachable)
     * @param member null for PATRONI_MEMBER when set, else the host name
     * @param secretsFrom a copy of the first member's .env.secrets to take the shared secrets from, or null when they are set here
     * @param etcdMember whether this host runs an etcd member too (the production shape: three hosts, each with one)
     */
    public static Report join(Settings requested, String cluster, List<String> etcd, String member, Path secretsFrom, boolean etcdMember,
                              Progress progress) {
        Server server = Server.open(requested);
        Layout layout = server.layout();
        HaService.checkName(cluster);
        String name = member != null ? member : requested.isSet(Setting.PATRONI_MEMBER) ? requested.get(Setting.PATRONI_MEMBER)
                : HaService.name(EtcdComponent.hostName());
        HaService.checkName(name);
        List<String> endpoints = endpoints(etcd);
        if (PatroniSupervisor.isMember(layout)) {
            return again(requested, layout, cluster, name, progress);
        }
        if (layout.initialized() || server.running()) {
            throw new PgboxException(ErrorKind.CONFIG, "refusing to join '" + cluster + "' from a project that has its own data",
                    "a joining member starts from a copy of the leader's data; " + layout.dataDir() + " would be replaced",
                    "run 'pgbox ha join' in a new project folder (its own .env.dev), or 'pgbox ha init' here to start a cluster from this data");
        }
        List<String> actions = new ArrayList<>();
        Settings s = requested;
        Path secrets = s.projectDir().resolve(Settings.SECRETS_FILE);
        List<EnvFile.Entry> copied = secretsFrom == null ? List.of() : readSecrets(secretsFrom);
        s = withSecrets(s, copied); // written to .env.secrets only once the checks below pass
        for (Setting shared : SHARED) {
            if (!s.isSet(shared)) {
                throw new PgboxException(ErrorKind.CONFIG, shared.name() + " is not set in this project",
                        "every member of a cluster shares the HA passwords the first member's 'pgbox ha init' generated",
                        "copy the first member's .env.secrets to this host and pass it with --secrets-from FILE");
            }
        }
        s = s.with(Setting.PATRONI_CLUSTER, cluster, "--cluster").with(Setting.PATRONI_MEMBER, name, "--member");
        HaMember me = HaMember.of(s, EtcdComponent.hostName());
        HaService.requireReachable(me, "127.0.0.3", "join");

        progress.step("looking up cluster '" + cluster + "' in etcd at " + String.join(", ", endpoints));
        EtcdApi api = new EtcdApi(endpoints);
        Found found = find(api, cluster);
        if (found.members().contains(name)) {
            throw new PgboxException(ErrorKind.CONFIG, "cluster '" + cluster + "' already has a member named '" + name + "'",
                    "member names must be unique in a cluster", "pick another name with --member");
        }
        progress.step("checking that the leader '" + found.leader() + "' at " + found.leaderHost() + ":" + found.leaderPort()
                + " lets this host replicate");
        Optional<String> refused = login(layout, found, s);
        if (refused.isPresent()) {
            throw refusal(found, me, refused.get());
        }

        if (!haRequirementsPresent()) {
            progress.step("installing Patroni and etcd");
            Installer.ensure(layout.pg(), HaService::haRequirements, progress);
            actions.add("installed Patroni and etcd");
        }

        for (EnvFile.Entry e : copied) {
            Secrets.put(secrets, e.name(), e.value());
        }
        if (!copied.isEmpty()) {
            actions.add("copied the cluster's secrets from " + secretsFrom + " into " + secrets);
        }
        Path env = HaService.envFile(s);
        EtcdApi.Member added = null;
        List<String> memberEndpoints = new ArrayList<>();
        String clientUrl = me.url(s.integer(Setting.ETCD_CLIENT_PORT));
        try {
            if (etcdMember) {
                String peerUrl = me.url(s.integer(Setting.ETCD_PEER_PORT));
                progress.step("adding this host's etcd member '" + name + "' (" + peerUrl + ") to the etcd cluster");
                List<EtcdApi.Member> before = api.members();
                if (before.stream().anyMatch(m -> m.peerUrls().contains(peerUrl))) {
                    throw new PgboxException(ErrorKind.CONFIG, "the etcd cluster already has a member at " + peerUrl,
                            "an earlier join from this address did not finish, or another member uses that address and ETCD_PEER_PORT",
                            "remove it first: etcdctl --endpoints=" + endpoints.get(0) + " member remove ID (from 'etcdctl member list')");
                }
                List<EtcdApi.Member> after = add(api, peerUrl, progress);
                added = after.stream().filter(m -> m.peerUrls().contains(peerUrl)).findFirst().orElse(null);
                String initial = initialCluster(after, peerUrl, name);
                s = set(s, env, Setting.ETCD_INITIAL_CLUSTER, initial, actions);
                if (after.size() % 2 == 0) {
                    actions.add("note: etcd now has " + after.size() + " members and needs " + (after.size() / 2 + 1)
                            + " of them up; an odd count (three hosts) survives losing one: join one more member with its etcd member");
                }
                s = set(s, env, Setting.ETCD_INITIAL_CLUSTER_STATE, "existing", actions);
                memberEndpoints.add(clientUrl);
            }
            for (String e : endpoints) {
                if (!memberEndpoints.contains(e)) {
                    memberEndpoints.add(e);
                }
            }
            s = set(s, env, Setting.PATRONI_CLUSTER, cluster, actions);
            s = set(s, env, Setting.PATRONI_MEMBER, name, actions);
            s = set(s, env, Setting.ETCD_ENDPOINTS, String.join(",", memberEndpoints), actions);

            Project project = Project.of(s, layout);
            if (etcdMember) {
                EtcdComponent.writeConfig(project);
            }
            PatroniComponent.writeConfig(project);
            OwnedFiles.write(PatroniSupervisor.memberFile(layout), PatroniSupervisor.memberText(cluster, name, etcdMember), layout.osUser(),
                    "rw-r--r--");
            Startup.member(s, layout, progress);
        } catch (RuntimeException e) {
            rollBack(s, layout, api, added, progress);
            throw e;
        }
        actions.add("member '" + name + "' copied the leader's data and runs as a replica under Patroni");
        actions.addAll(new AgentComponent().reconcile(Project.of(s, layout), progress).actions());
        return new Report(cluster, name, me.address(), found.leader(), "replica", HaService.restUrl(s, me), memberEndpoints, etcdMember,
                false, actions, secrets.toString(), PatroniSupervisor.folder(layout).toString());
    }

    /** Joined before: the configurations rendered again and whatever is down started ('pgbox start' does the same). */
    private static Report again(Settings s, Layout layout, String cluster, String name, Progress progress) {
        if (!cluster.equals(s.get(Setting.PATRONI_CLUSTER)) || !name.equals(s.get(Setting.PATRONI_MEMBER))) {
            throw new PgboxException(ErrorKind.CONFIG, "this project is already member '" + s.get(Setting.PATRONI_MEMBER) + "' of cluster '"
                    + s.get(Setting.PATRONI_CLUSTER) + "'", "a project is a member of one cluster, under one name",
                    "run 'pgbox ha join' for another cluster or name in a new project folder");
        }
        boolean local = PatroniSupervisor.localEtcd(layout);
        // what 'pgbox start' does on a member: configurations rendered again, whatever is down started
        List<String> actions = new ArrayList<>(new PostgresComponent().reconcile(Project.of(s, layout), progress).actions());
        HaMember me = HaMember.of(s, EtcdComponent.hostName());
        List<String> endpoints = HaService.etcdEndpoints(s, me);
        return new Report(cluster, name, me.address(), null, null, HaService.restUrl(s, me), endpoints, local, true, actions,
                s.projectDir().resolve(Settings.SECRETS_FILE).toString(), PatroniSupervisor.folder(layout).toString());
    }

    /**
     * etcd's member add, waiting while etcd answers "unhealthy cluster": it refuses a new member until every
     * member it has is connected, which takes a few seconds after the previous join.
     */
    private static List<EtcdApi.Member> add(EtcdApi api, String peerUrl, Progress progress) {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        boolean told = false;
        while (true) {
            try {
                return api.add(peerUrl);
            } catch (PgboxException e) {
                // the add may have landed although its answer was lost: then the member is there
                List<EtcdApi.Member> now = membersOrEmpty(api);
                if (now.stream().anyMatch(m -> m.peerUrls().contains(peerUrl))) {
                    return now;
                }
                if (!(e.reason().contains("unhealthy cluster") || e.reason().contains(EtcdApi.REFUSED)) || System.nanoTime() > deadline) {
                    throw e;
                }
                if (!told) {
                    progress.step("etcd is not ready for another member yet (" + e.reason() + "): waiting");
                    told = true;
                }
                try {
                    Thread.sleep(1000);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }

    private static List<EtcdApi.Member> membersOrEmpty(EtcdApi api) {
        try {
            return api.members();
        } catch (PgboxException e) {
            return List.of();
        }
    }

    /** The --etcd URLs, checked: http(s)://HOST:PORT each. */
    static List<String> endpoints(List<String> etcd) {
        if (etcd == null || etcd.isEmpty()) {
            throw new PgboxException(ErrorKind.USAGE, "no etcd endpoint given", "a joining member finds its cluster in etcd",
                    "pass --etcd with the client URL of one or more etcd members, e.g. --etcd http://10.0.0.1:2379");
        }
        List<String> out = new ArrayList<>();
        for (String raw : etcd) {
            for (String url : Settings.list(raw)) {
                URI u;
                try {
                    u = URI.create(url);
                } catch (IllegalArgumentException e) {
                    u = null;
                }
                if (u == null || u.getHost() == null || !Set.of("http", "https").contains(u.getScheme()) || u.getPort() <= 0
                        || !(u.getPath() == null || u.getPath().isEmpty()) || u.getQuery() != null || u.getUserInfo() != null) {
                    throw new PgboxException(ErrorKind.USAGE, "invalid etcd endpoint '" + url + "'",
                            "--etcd takes etcd client URLs (scheme, host and port, nothing else) separated by commas",
                            "e.g. --etcd http://10.0.0.1:2379,http://10.0.0.2:2379");
                }
                out.add(url);
            }
        }
        return out;
    }

    /** The leader and members of {@code cluster} from Patroni's keys (namespace /service). */
    static Found find(EtcdApi api, String cluster) {
        String prefix = "/service/" + cluster + "/";
        List<EtcdApi.Kv> keys = api.prefix(prefix);
        if (keys.isEmpty()) {
            throw new PgboxException(ErrorKind.CONFIG, "no HA cluster '" + cluster + "' in etcd at " + String.join(", ", api.endpoints()),
                    "Patroni keeps a cluster's state under " + prefix + " and there is nothing there",
                    "check the cluster's name (PATRONI_CLUSTER on the first member, 'pgbox ha status' there) and the etcd URLs");
        }
        return found(keys, prefix, cluster);
    }

    /** Reads the keys of one cluster. Pure. */
    static Found found(List<EtcdApi.Kv> keys, String prefix, String cluster) {
        String leader = keys.stream().filter(k -> k.key().equals(prefix + "leader")).map(EtcdApi.Kv::value).findFirst().orElse(null);
        if (leader == null) {
            throw new PgboxException(ErrorKind.NOT_RUNNING, "cluster '" + cluster + "' has no leader right now",
                    "a new member copies its data from the leader", "wait for a leader ('pgbox ha status' on a member) and join again");
        }
        Set<String> members = new LinkedHashSet<>();
        String host = null;
        int port = 0;
        for (EtcdApi.Kv k : keys) {
            if (!k.key().startsWith(prefix + "members/")) {
                continue;
            }
            String n = k.key().substring((prefix + "members/").length());
            members.add(n);
            if (n.equals(leader)) {
                try {
                    JsonNode m = JSON.readTree(k.value());
                    URI conn = URI.create(m.path("conn_url").asText());
                    host = conn.getHost();
                    port = conn.getPort() > 0 ? conn.getPort() : 5432;
                } catch (IOException | IllegalArgumentException e) {
                    host = null;
                }
            }
        }
        if (host == null) {
            throw new PgboxException(ErrorKind.NOT_RUNNING, "the leader '" + leader + "' of cluster '" + cluster + "' has not published its address",
                    "its Patroni has no member key in etcd (it may be restarting)", "wait a few seconds and join again");
        }
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        return new Found(leader, host, port, members);
    }

    /** ETCD_INITIAL_CLUSTER for the new member: every member's name and first peer URL, this one's by its name. Pure. */
    static String initialCluster(List<EtcdApi.Member> members, String peerUrl, String name) {
        List<String> parts = new ArrayList<>();
        for (EtcdApi.Member m : members) {
            String n = m.peerUrls().contains(peerUrl) ? name : m.name();
            if (n.isEmpty()) {
                throw new PgboxException(ErrorKind.CONFIG, "the etcd cluster has a member that never started (" + m.peerUrls() + ")",
                        "an earlier join did not finish; etcd counts that member in its quorum",
                        "remove it: etcdctl --endpoints=URL member remove " + Long.toHexString(m.id()) + ", then join again");
            }
            parts.add(n + "=" + m.peerUrls().get(0));
        }
        return String.join(",", parts);
    }

    /** The replication login to the leader, verified against the cluster's certificate when there is one. */
    private static Optional<String> login(Layout layout, Found found, Settings s) {
        if (!s.isSet(Setting.PATRONI_CLUSTER_CERT)) {
            return Standby.replicationLogin(layout, found.leaderHost(), found.leaderPort(), s.get(Setting.PGBOX_REPLICATION_PASSWORD), null);
        }
        Path cert = null;
        try {
            cert = Files.createTempFile("pgbox-cluster-", ".crt");
            Files.writeString(cert, PatroniComponent.clusterCertPem(s));
            return Standby.replicationLogin(layout, found.leaderHost(), found.leaderPort(), s.get(Setting.PGBOX_REPLICATION_PASSWORD), cert);
        } catch (IOException e) {
            throw new PgboxException(ErrorKind.PERMISSION, "cannot write a temporary file for the cluster's certificate", e.toString(),
                    "check that " + System.getProperty("java.io.tmpdir") + " is writable");
        } finally {
            if (cert != null) {
                try {
                    Files.deleteIfExists(cert);
                } catch (IOException e) {
                    // a public certificate left in the temp folder
                }
            }
        }
    }

    /** A refused replication login as one error naming the fix. */
    private static PgboxException refusal(Found f, HaMember me, String said) {
        String what = "the leader '" + f.leader() + "' at " + f.leaderHost() + ":" + f.leaderPort() + " does not let this member replicate";
        String cause = said.lines().filter(x -> !x.isBlank()).map(x -> x.replaceFirst("^psql: (error: )?", "")).reduce((a, b) -> a + "; " + b)
                .orElse(said);
        if (said.contains("no pg_hba.conf entry")) {
            return new PgboxException(ErrorKind.CONFIG, what, cause, "on every member, add this member's address (" + me.address()
                    + ") to PATRONI_REPLICATION_CIDRS (e.g. the members' network, 10.0.0.0/24) and run 'pgbox start' there; then join again");
        }
        if (said.contains("certificate verify failed") || said.contains("SSL error")) {
            return new PgboxException(ErrorKind.CONFIG, what + ": its TLS certificate is not the cluster's", cause,
                    "pass the first member's .env.secrets with --secrets-from FILE (its PATRONI_CLUSTER_CERT); if this is the "
                            + "cluster you meant, check that " + f.leaderHost() + " is its member and not another server");
        }
        if (said.contains("password authentication failed")) {
            return new PgboxException(ErrorKind.CONFIG, what + ": the replication password was refused", cause,
                    "pass the first member's .env.secrets with --secrets-from FILE");
        }
        return new PgboxException(ErrorKind.NOT_RUNNING, "cannot reach the leader '" + f.leader() + "' at " + f.leaderHost() + ":"
                + f.leaderPort(), cause, "check that this host reaches that address and port (routes, firewall) and that the leader runs");
    }

    /** The lines of another member's .env.secrets. */
    private static List<EnvFile.Entry> readSecrets(Path from) {
        if (!Files.isReadable(from)) {
            throw new PgboxException(ErrorKind.USAGE, "cannot read --secrets-from " + from, "the file is missing or unreadable",
                    "copy the first member's .env.secrets to this host (scp, keep it 0600) and pass its path");
        }
        return EnvFile.read(from);
    }

    /** The settings with the copied secrets in them (known settings and application passwords). */
    private static Settings withSecrets(Settings s, List<EnvFile.Entry> entries) {
        Settings out = s;
        for (EnvFile.Entry e : entries) {
            Optional<Setting> known = Stream.of(Setting.values()).filter(x -> x.name().equals(e.name())).findFirst();
            if (known.isPresent()) {
                out = out.with(known.get(), e.value(), Settings.SECRETS_FILE);
            } else if (Settings.APP_SECRET.matcher(e.name()).matches()) {
                out = out.withAppSecret(e.name(), e.value());
            }
        }
        return out;
    }

    private static Settings set(Settings s, Path env, Setting setting, String value, List<String> actions) {
        EnvFile.set(env, setting.name(), value);
        actions.add(setting.name() + "=" + value + " written to " + env);
        return s.with(setting, value, env.getFileName().toString());
    }

    /** Undoes a failed join: the etcd member it added removed, Patroni and etcd stopped, its files and copied data deleted. */
    private static void rollBack(Settings s, Layout layout, EtcdApi api, EtcdApi.Member added, Progress progress) {
        progress.step("the join failed: undoing it (this project is left without data, the cluster as it was)");
        PatroniSupervisor.stopPatroni(layout, Duration.ofSeconds(60));
        PatroniSupervisor.stopEtcd(layout);
        if (Server.of(s, layout).running()) {
            Server.of(s, layout).stop();
        }
        if (added != null) {
            try {
                api.remove(added.id());
            } catch (PgboxException e) {
                progress.step("could not remove this host's etcd member again: " + e.reason());
            }
        }
        for (Path p : List.of(PatroniSupervisor.memberFile(layout), layout.dataDir(), EtcdComponent.dataDir(layout))) {
            delete(p);
        }
    }

    private static void delete(Path p) {
        if (!Files.exists(p)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(p)) {
            for (Path q : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(q);
            }
        } catch (IOException e) {
            // left behind; the next join refuses a non-empty data dir and names it
        }
    }

    private static boolean haRequirementsPresent() {
        return HaService.haRequirements().stream().allMatch(Requirement::present);
    }
}
