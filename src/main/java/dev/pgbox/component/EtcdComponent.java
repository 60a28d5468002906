package dev.pgbox.component;

import dev.pgbox.Progress;
import dev.pgbox.cluster.Layout;
import dev.pgbox.cluster.OwnedFiles;
import dev.pgbox.cluster.PatroniSupervisor;
import dev.pgbox.config.Setting;
import dev.pgbox.config.Settings;
import dev.pgbox.install.Requirement;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * This host's etcd member (Debian's etcd-server, 3.4), the store Patroni keeps its leader lease in.
 * One member is a one-box trial; three members on three hosts are the production shape (any one may
 * be lost). Runs only on an HA member ('pgbox ha init'), started and stopped with Patroni by
 * {@link PatroniSupervisor}; not in the start order, so a plain project never sees it.
 */
public final class EtcdComponent implements Component {
    public static final String NAME = "etcd";
    public static final String CONF_FILE = "etcd.yml";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public List<Requirement> requirements(Project project) {
        return Requirement.etcd();
    }

    @Override
    public Map<String, String> render(Project project) {
        return render(project.settings(), project.layout(), HaMember.of(project.settings(), hostName()));
    }

    /** The member's data, beside PostgreSQL's in the state dir. */
    public static Path dataDir(Layout layout) {
        return layout.stateDir().resolve("etcd");
    }

    /** etcd.yml (etcd's --config-file) for this member. Pure. */
    public static Map<String, String> render(Settings s, Layout layout, HaMember member) {
        return Map.of(CONF_FILE, config(s, dataDir(layout), member));
    }

    /** The config file text for a member whose data lives in {@code dataDir}. Pure. */
    public static String config(Settings s, Path dataDir, HaMember member) {
        int client = Integer.parseInt(s.get(Setting.ETCD_CLIENT_PORT));
        int peer = Integer.parseInt(s.get(Setting.ETCD_PEER_PORT));
        String clientUrl = member.url(client);
        String listenClients = clientUrl;
        if (!loopback(member.address())) {
            listenClients += ",http://127.0.0.1:" + client; // etcdctl on this host, without naming the address
        }
        String initialCluster = s.isSet(Setting.ETCD_INITIAL_CLUSTER) ? s.get(Setting.ETCD_INITIAL_CLUSTER)
                : member.name() + "=" + member.url(peer);
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("name", member.name());
        c.put("data-dir", dataDir.toString());
        c.put("listen-peer-urls", member.url(peer));
        c.put("listen-client-urls", listenClients);
        c.put("initial-advertise-peer-urls", member.url(peer));
        c.put("advertise-client-urls", clientUrl);
        c.put("initial-cluster", initialCluster);
        c.put("initial-cluster-state", s.get(Setting.ETCD_INITIAL_CLUSTER_STATE));
        // the token keeps members of another pgbox cluster on the same network from joining this one
        c.put("initial-cluster-token", "pgbox-" + member.cluster());
        c.put("enable-v2", false);
        // Patroni talks to etcd 3 through its HTTP gateway (/v3): on by default as a flag, but off when a
        // config file leaves it out
        c.put("enable-grpc-gateway", true);
        // Patroni rewrites its keys every loop: compact the history hourly so the store does not grow without end
        c.put("auto-compaction-mode", "periodic");
        c.put("auto-compaction-retention", "1h");
        c.put("logger", "zap");
        c.put("log-outputs", List.of("stderr"));
        return "# Written by pgbox for the etcd member '" + member.name() + "' of the HA cluster '" + member.cluster()
                + "'. pgbox owns this file;\n# set ETCD_* and PATRONI_* in .env.dev or .env.prod instead.\n" + Yaml.render(c);
    }

    static boolean loopback(String address) {
        return address.startsWith("127.") || address.equals("::1");
    }

    /**
     * On an HA member ('pgbox ha init' made it one): etcd.yml rendered again from the settings and this
     * host's etcd member started unless it runs. Nothing on any other project.
     */
    @Override
    public Reconciled reconcile(Project project, Progress progress) {
        Layout l = project.layout();
        if (!PatroniSupervisor.isMember(l) || !PatroniSupervisor.localEtcd(l)) {
            return new Reconciled(project, List.of());
        }
        writeConfig(project);
        boolean was = PatroniSupervisor.running(l, PatroniSupervisor.ETCD).isPresent();
        long pid = PatroniSupervisor.startEtcd(l, Duration.ofMillis(project.settings().millis(Setting.PGBOX_START_TIMEOUT)));
        return new Reconciled(project, was ? List.of() : List.of("started etcd (pid " + pid + ", log "
                + PatroniSupervisor.logFile(l, PatroniSupervisor.ETCD) + ")"));
    }

    /** Writes etcd.yml (0600, the server's OS user's) and makes the member's data dir (0700) where etcd expects them. */
    public static void writeConfig(Project project) {
        Layout l = project.layout();
        OwnedFiles.directory(PatroniSupervisor.folder(l), l.osUser(), "rwx------");
        OwnedFiles.directory(dataDir(l), l.osUser(), "rwx------");
        OwnedFiles.write(PatroniSupervisor.etcdConf(l), EtcdComponent.render(project.settings(), l,
                HaMember.of(project.settings(), hostName())).get(CONF_FILE), l.osUser(), "rw-------");
    }

    @Override
    public List<String> stop(Project project) {
        return PatroniSupervisor.stopEtcd(project.layout()) ? List.of("etcd stopped") : List.of();
    }

    @Override
    public Health health(Project project) {
        HaMember member = HaMember.of(project.settings(), hostName());
        String url = member.url(Integer.parseInt(project.settings().get(Setting.ETCD_CLIENT_PORT))) + "/health";
        var answer = HaHttp.get(url);
        if (answer.isEmpty()) {
            return new Health(NAME, Health.State.DOWN, "no etcd member answers at " + url, "start this host's etcd member");
        }
        if (answer.get().status() == 200 && answer.get().body().contains("\"health\":\"true\"")) {
            return Health.up(NAME, "member " + member.name() + " healthy at " + url);
        }
        return new Health(NAME, Health.State.DEGRADED, "member " + member.name() + " answers " + answer.get().status() + ": "
                + answer.get().body().strip(), "check that a majority of the etcd members run");
    }

    /** This machine's host name (the default member name). */
    public static String hostName() {
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.net.UnknownHostException e) {
            return "pgbox";
        }
    }
}
