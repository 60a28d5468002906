package dev.pgbox.component;

import dev.pgbox.ErrorKind;
import dev.pgbox.PgboxException;
import dev.pgbox.Progress;
import dev.pgbox.cluster.HbaFile;
import dev.pgbox.cluster.Layout;
import dev.pgbox.cluster.OwnedFiles;
import dev.pgbox.cluster.PatroniSupervisor;
import dev.pgbox.cluster.ServerConf;
import dev.pgbox.config.Setting;
import dev.pgbox.config.Settings;
import dev.pgbox.install.Requirement;
import dev.pgbox.sql.AdminSql;
import dev.pgbox.tune.TunedSetting;
import dev.pgbox.tune.TuningPlan;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Patroni: runs this member's PostgreSQL, holds the leader lease in etcd, promotes a standby when the
 * primary is lost and rewinds an old primary back into the cluster. Its patroni.yml is rendered from
 * pgbox's catalogue, so tuning, security (TLS, scram, pg_hba), logging and pgBackRest's archiving carry
 * over from a plain pgbox server. Runs only on an HA member ('pgbox ha init'), as its {@link PatroniSupervisor};
 * not in the start order, so a plain project never sees it.
 */
public final class PatroniComponent implements Component {
    private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();
    public static final String NAME = "patroni";
    public static final String CONF_FILE = "patroni.yml";
    /** The role members stream WAL as (LOGIN REPLICATION only); the same name as a simple replica's. */
    public static final String REPLICATION_ROLE = "pgbox_replication";
    /** The role pg_rewind logs in as when an old primary rejoins (Patroni grants it the functions it needs). */
    public static final String REWIND_ROLE = "pgbox_rewind";
    /** The user of the changing calls of Patroni's REST API. */
    public static final String RESTAPI_USER = "pgbox";
    /**
     * Parameters Patroni keeps equal on every member through etcd (its CMDLINE_OPTIONS): a standby
     * cannot run with fewer connections, workers or locks than its primary. They go into bootstrap.dcs.
     */
    static final Set<String> CLUSTER_WIDE = Set.of("max_connections", "max_locks_per_transaction", "max_worker_processes",
            "max_prepared_transactions", "wal_level", "track_commit_timestamp", "max_wal_senders", "max_replication_slots",
            "wal_keep_size", "wal_log_hints", "hot_standby");
    /** Parameters Patroni sets itself from postgresql.listen; never in its parameter lists. */
    static final Set<String> PATRONI_OWNS = Set.of("listen_addresses", "port");
    /** Lag (bytes) beyond which a standby is not promoted (Patroni's default: 1 MB). */
    static final long MAXIMUM_LAG_ON_FAILOVER = 1024 * 1024;

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public List<Requirement> requirements(Project project) {
        return Requirement.patroni();
    }

    @Override
    public Map<String, String> render(Project project) {
        return render(project.settings(), project.layout(), project.plan(), HaMember.of(project.settings(), EtcdComponent.hostName()));
    }

    /** patroni.yml from the settings, the layout, the tuning plan and the member. Pure. */
    public static Map<String, String> render(Settings s, Layout layout, TuningPlan plan, HaMember member) {
        return Map.of(CONF_FILE, config(s, layout, plan, member));
    }

    static String config(Settings s, Layout layout, TuningPlan plan, HaMember member) {
        String replicationPassword = secret(s, Setting.PGBOX_REPLICATION_PASSWORD);
        String rewindPassword = secret(s, Setting.PATRONI_REWIND_PASSWORD);
        String restapiPassword = secret(s, Setting.PATRONI_RESTAPI_PASSWORD);
        int pgPort = Integer.parseInt(s.get(Setting.POSTGRES_PORT));
        int restPort = Integer.parseInt(s.get(Setting.PATRONI_REST_PORT));

        Map<String, Object> c = new LinkedHashMap<>();
        c.put("scope", member.cluster());
        c.put("name", member.name());

        Map<String, Object> restapi = new LinkedHashMap<>();
        restapi.put("listen", member.hostPort(restPort));
        restapi.put("connect_address", member.hostPort(restPort));
        restapi.put("authentication", credentials(RESTAPI_USER, restapiPassword));
        c.put("restapi", restapi);
        c.put("ctl", Map.of("authentication", credentials(RESTAPI_USER, restapiPassword)));

        c.put("etcd3", etcd(s, member));

        Map<String, String> local = new LinkedHashMap<>();
        Map<String, Object> clusterWide = new LinkedHashMap<>();
        parameters(s, layout, plan).forEach((k, v) -> {
            if (CLUSTER_WIDE.contains(k)) {
                clusterWide.put(k, v);
            } else {
                local.put(k, v);
            }
        });

        Map<String, Object> dcs = new LinkedHashMap<>(dynamic(s));
        dcs.put("maximum_lag_on_failover", MAXIMUM_LAG_ON_FAILOVER);
        Map<String, Object> dcsPg = new LinkedHashMap<>();
        dcsPg.put("use_pg_rewind", true);
        dcsPg.put("use_slots", true);
        dcsPg.put("parameters", clusterWide);
        dcs.put("postgresql", dcsPg);
        c.put("bootstrap", Map.of("dcs", dcs));

        Map<String, Object> pg = new LinkedHashMap<>();
        pg.put("listen", listen(s) + ":" + pgPort);
        pg.put("connect_address", member.hostPort(pgPort));
        pg.put("data_dir", layout.dataDir().toString());
        pg.put("bin_dir", layout.pg().binDir().toString());
        pg.put("pgpass", pgpass(layout).toString());
        // the superuser only over the socket, by peer authentication as the OS user Patroni runs as
        pg.put("use_unix_socket", true);
        pg.put("use_unix_socket_repl", false);
        Map<String, Object> auth = new LinkedHashMap<>();
        auth.put("superuser", Map.of("username", AdminSql.SUPERUSER));
        auth.put("replication", tlsCredentials(REPLICATION_ROLE, replicationPassword, s, layout));
        auth.put("rewind", tlsCredentials(REWIND_ROLE, rewindPassword, s, layout));
        pg.put("authentication", auth);
        pg.put("parameters", local);
        pg.put("pg_hba", hba(s, member));
        pg.put("pg_ident", rules(HbaFile.renderIdent(layout.osUser(), pooler(s))));
        c.put("postgresql", pg);

        Map<String, Object> tags = new LinkedHashMap<>();
        tags.put("nofailover", false);
        tags.put("noloadbalance", false);
        tags.put("clonefrom", false);
        tags.put("nosync", false);
        c.put("tags", tags);

        return "# Written by pgbox for the member '" + member.name() + "' of the HA cluster '" + member.cluster()
                + "'. pgbox owns this file (mode 0600: it holds\n# passwords); set PATRONI_*, ETCD_* and POSTGRES_* in .env.dev or "
                + ".env.prod instead ('pgbox config --explain').\n" + Yaml.render(c);
    }

    /**
     * The cluster-wide settings pgbox keeps in Patroni's dynamic configuration (in etcd): bootstrap writes
     * them once, and 'pgbox start' on a member puts them back when the settings changed since. Pure.
     */
    static Map<String, Object> dynamic(Settings s) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("ttl", s.integer(Setting.PATRONI_TTL));
        d.put("loop_wait", s.integer(Setting.PATRONI_LOOP_WAIT));
        d.put("retry_timeout", s.integer(Setting.PATRONI_RETRY_TIMEOUT));
        String sync = s.get(Setting.POSTGRES_SYNC_REPLICATION);
        d.put("synchronous_mode", !sync.equals("off"));
        d.put("synchronous_mode_strict", sync.equals("on"));
        d.put("failsafe_mode", s.get(Setting.PATRONI_FAILSAFE_MODE).equals("on"));
        return d;
    }

    /**
     * Puts pgbox's cluster-wide settings into Patroni's dynamic configuration when they differ from what
     * the cluster runs with (PATCH /config through this member's REST API); returns what it did.
     */
    public static List<String> syncClusterConfig(Project project) {
        Settings s = project.settings();
        HaMember member = HaMember.of(s, EtcdComponent.hostName());
        String url = "http://" + member.hostPort(s.integer(Setting.PATRONI_REST_PORT)) + "/config";
        var current = HaHttp.get(url);
        if (current.isEmpty() || current.get().status() != 200) {
            return List.of();
        }
        Map<String, Object> wanted = dynamic(s);
        Map<String, Object> differs = new LinkedHashMap<>();
        try {
            com.fasterxml.jackson.databind.JsonNode now = JSON.readTree(current.get().body());
            wanted.forEach((k, v) -> {
                if (!now.path(k).asText("").equals(v.toString())) {
                    differs.put(k, v);
                }
            });
        } catch (java.io.IOException e) {
            return List.of();
        }
        if (differs.isEmpty()) {
            return List.of();
        }
        String body;
        try {
            body = JSON.writeValueAsString(differs);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        var answer = HaHttp.send("PATCH", url, body, RESTAPI_USER, secret(s, Setting.PATRONI_RESTAPI_PASSWORD));
        if (answer.isPresent() && answer.get().status() == 200) {
            return List.of("cluster-wide settings put into Patroni's configuration: " + differs);
        }
        return List.of("could not update Patroni's cluster-wide configuration (" + answer.map(a -> a.status() + " " + a.body().strip())
                .orElse("no answer") + "); 'pgbox start' tries again");
    }

    /** Patroni's etcd3 section: the endpoints as host:port and their one protocol. */
    static Map<String, Object> etcd(Settings s, HaMember member) {
        List<String> urls = s.isSet(Setting.ETCD_ENDPOINTS) ? Settings.list(s.get(Setting.ETCD_ENDPOINTS))
                : List.of(member.url(Integer.parseInt(s.get(Setting.ETCD_CLIENT_PORT))));
        Set<String> schemes = new LinkedHashSet<>();
        List<String> hosts = new ArrayList<>();
        for (String url : urls) {
            URI u = URI.create(url);
            schemes.add(u.getScheme());
            hosts.add(u.getHost() + ":" + (u.getPort() > 0 ? u.getPort() : 2379));
        }
        if (schemes.size() > 1) {
            throw new PgboxException(ErrorKind.CONFIG, "ETCD_ENDPOINTS mixes http and https",
                    "Patroni talks to every etcd member with one protocol", "use the same scheme for every endpoint");
        }
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("hosts", hosts);
        e.put("protocol", schemes.iterator().next());
        return e;
    }

    /**
     * Every parameter pgbox sets on a plain server (security, TLS, extensions, logging, pgBackRest's
     * archive_command, the tuning plan), as raw values for Patroni to quote, plus what a member needs:
     * hot standby, WAL hints for pg_rewind, and room for the members' WAL senders and slots.
     */
    static Map<String, String> parameters(Settings s, Layout layout, TuningPlan plan) {
        Map<String, String> p = new LinkedHashMap<>();
        ServerConf.policy(s, layout).forEach((k, v) -> {
            // Patroni's own sessions run with statement_timeout 2s, so it reads any other value it is given as a
            // change each time it applies its dynamic configuration (a pause, say) and rewrites postgresql.conf,
            // which strips recovery settings from postgresql.auto.conf: a rewind's restore_command would vanish
            // mid-replay. 0 is PostgreSQL's default: leaving it out changes nothing.
            boolean defaultTimeout = k.equals("statement_timeout") && unquote(v).equals("0");
            if (!PATRONI_OWNS.contains(k) && !defaultTimeout) {
                p.put(k, unquote(v));
            }
        });
        for (TunedSetting t : plan.settings()) {
            p.put(t.guc(), t.value());
        }
        p.put("hot_standby", "on");
        p.put("wal_log_hints", "on");
        p.putIfAbsent("max_wal_senders", "10");
        p.putIfAbsent("max_replication_slots", "10");
        return p;
    }

    /**
     * pg_hba for a member: pgbox's own lines (no trust, scram everywhere, the superuser by peer only),
     * then, for each member network (PATRONI_REPLICATION_CIDRS, else this member's own address), one
     * hostssl scram line for the replication role and one for the rewind role into the postgres database.
     */
    static List<String> hba(Settings s, HaMember member) {
        List<String> lines = new ArrayList<>(rules(HbaFile.render(Settings.list(s.get(Setting.POSTGRES_ALLOWED_CIDRS)), List.of(), pooler(s))));
        List<String> members = s.isSet(Setting.PATRONI_REPLICATION_CIDRS) ? Settings.list(s.get(Setting.PATRONI_REPLICATION_CIDRS))
                : List.of(member.address());
        for (String m : members) {
            String net = m.contains("/") ? m : m + (m.contains(":") ? "/128" : "/32");
            lines.add("hostssl replication " + REPLICATION_ROLE + " " + net + " scram-sha-256");
            lines.add("hostssl postgres " + REWIND_ROLE + " " + net + " scram-sha-256");
        }
        // Patroni reads its own server's timeline over a replication connection to localhost
        String local = "hostssl replication " + REPLICATION_ROLE + " 127.0.0.1/32 scram-sha-256";
        if (!lines.contains(local)) {
            lines.add(local);
        }
        return lines;
    }

    /** PgBouncer on this member (PGBOUNCER_ENABLED=on): its lookup role by peer and app roles over the socket, as on a single server. */
    static boolean pooler(Settings s) {
        return "on".equals(s.get(Setting.PGBOUNCER_ENABLED));
    }

    /**
     * On an HA member, PgBouncer's pg_hba lines come through Patroni (it owns pg_hba.conf): patroni.yml rendered again for
     * PGBOUNCER_ENABLED, Patroni reloaded, and, when PgBouncer is on, waited for until pg_hba.conf holds the pooler's line
     * and the server has read it. Nothing on a project that is not a member.
     */
    public static List<String> syncPoolerHba(Project project) {
        Layout l = project.layout();
        if (!PatroniSupervisor.isMember(l)) {
            return List.of();
        }
        boolean changed = writeConfig(project) && PatroniSupervisor.reload(l);
        java.nio.file.Path hba = l.dataDir().resolve("pg_hba.conf");
        if (!pooler(project.settings()) || hasPoolerLine(hba)) {
            return changed ? List.of("Patroni reloaded its changed configuration (" + PatroniSupervisor.patroniConf(l) + ")") : List.of();
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!hasPoolerLine(hba)) {
            if (System.nanoTime() > deadline) {
                throw new PgboxException(ErrorKind.TIMEOUT, "Patroni did not write PgBouncer's lines into " + hba + " within 60s",
                        "Patroni applies a changed patroni.yml on its next loop, and it has not done so",
                        "read " + PatroniSupervisor.logFile(l, PatroniSupervisor.PATRONI) + ", then run 'pgbox start' again");
            }
            sleep();
        }
        project.instance().admin().value("postgres", "SELECT pg_catalog.pg_reload_conf()"); // read at once, not at Patroni's pace
        return List.of("Patroni wrote PgBouncer's lines into pg_hba.conf (its lookup role by peer, app roles with scram-sha-256)");
    }

    /** Whether Patroni's pg_hba.conf holds the pooler's line (Patroni writes the lines as rendered: spacing collapsed). */
    private static boolean hasPoolerLine(java.nio.file.Path hba) {
        return rules(OwnedFiles.read(hba)).containsAll(rules(HbaFile.poolerLine()));
    }

    private static void sleep() {
        try {
            Thread.sleep(250);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PgboxException(ErrorKind.TIMEOUT, "interrupted while waiting for Patroni", "the command was stopped", "run it again");
        }
    }

    /** The rule lines of a pg_hba or pg_ident text, comments and blank lines left out, spacing collapsed. */
    static List<String> rules(String text) {
        return text.lines().map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("#"))
                .map(l -> l.replaceAll("\\s+", " ")).toList();
    }

    /** pgbox's listen addresses (loopback, and POSTGRES_LISTEN). */
    static String listen(Settings s) {
        String host = s.get(Setting.POSTGRES_HOST);
        String listen = host.equals("localhost") ? "127.0.0.1" : host;
        return s.isSet(Setting.POSTGRES_LISTEN) ? listen + "," + s.get(Setting.POSTGRES_LISTEN) : listen;
    }

    /** Where Patroni writes the password file it connects to other members with (its own, 0600). */
    public static java.nio.file.Path pgpass(Layout layout) {
        return layout.stateDir().resolve("patroni/pgpass");
    }

    static String unquote(String v) {
        return v.length() >= 2 && v.startsWith("'") && v.endsWith("'") ? v.substring(1, v.length() - 1).replace("''", "'") : v;
    }

    private static Map<String, Object> credentials(String user, String password) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("username", user);
        m.put("password", password);
        return m;
    }

    /**
     * A role's login over TLS (the hostssl lines accept nothing else), verifying the other member against the
     * cluster's certificate when PATRONI_CLUSTER_CERT is set (members made before it only encrypt).
     */
    private static Map<String, Object> tlsCredentials(String user, String password, Settings s, Layout layout) {
        Map<String, Object> m = credentials(user, password);
        if (s.isSet(Setting.PATRONI_CLUSTER_CERT)) {
            m.put("sslmode", "verify-ca");
            m.put("sslrootcert", clusterCert(layout).toString());
        } else {
            m.put("sslmode", "require");
        }
        return m;
    }

    /** The cluster's certificate as a file, from PATRONI_CLUSTER_CERT (written by {@link #writeConfig}). */
    public static java.nio.file.Path clusterCert(Layout layout) {
        return PatroniSupervisor.folder(layout).resolve("cluster.crt");
    }

    /** The PEM text of PATRONI_CLUSTER_CERT; a clear error when it is not base64 of a certificate. */
    public static String clusterCertPem(Settings s) {
        String pem;
        try {
            pem = new String(java.util.Base64.getDecoder().decode(s.get(Setting.PATRONI_CLUSTER_CERT).strip()),
                    java.nio.charset.StandardCharsets.US_ASCII);
        } catch (IllegalArgumentException e) {
            pem = "";
        }
        if (!pem.startsWith("-----BEGIN CERTIFICATE-----")) {
            throw new PgboxException(ErrorKind.CONFIG, "PATRONI_CLUSTER_CERT is not a certificate",
                    "it must be the base64 of the first member's server.crt (PEM), as 'pgbox ha init' wrote it",
                    "copy the PATRONI_CLUSTER_CERT line from the first member's .env.secrets");
        }
        return pem;
    }

    private static String secret(Settings s, Setting setting) {
        String v = s.get(setting);
        if (v.isEmpty()) {
            throw new PgboxException(ErrorKind.CONFIG, setting.name() + " is not set",
                    "Patroni's configuration needs the HA passwords, the same on every member",
                    "run 'pgbox ha init' on the first member (it generates them into .env.secrets), and copy them to each joining member");
        }
        return v;
    }

    /**
     * On an HA member: patroni.yml rendered again from the settings (so tuning and security changes
     * carry over) and Patroni started unless it runs; Patroni then starts PostgreSQL. Nothing on any
     * other project.
     */
    @Override
    public Reconciled reconcile(Project project, Progress progress) {
        Layout l = project.layout();
        if (!PatroniSupervisor.isMember(l)) {
            return new Reconciled(project, List.of());
        }
        List<String> actions = new ArrayList<>();
        boolean changed = writeConfig(project);
        boolean was = PatroniSupervisor.running(l, PatroniSupervisor.PATRONI).isPresent();
        if (was && changed && PatroniSupervisor.reload(l)) {
            actions.add("Patroni reloaded its changed configuration (" + PatroniSupervisor.patroniConf(l) + ")");
        }
        long pid = PatroniSupervisor.startPatroni(l);
        if (!was) {
            actions.add("started Patroni (pid " + pid + ", log " + PatroniSupervisor.logFile(l, PatroniSupervisor.PATRONI) + ")");
        }
        return new Reconciled(project, actions);
    }

    /**
     * Writes patroni.yml (0600: it holds passwords; the server's OS user's) and the folder of Patroni's
     * pgpass; true when the text changed (a running Patroni must then reload it).
     */
    public static boolean writeConfig(Project project) {
        Layout l = project.layout();
        OwnedFiles.directory(PatroniSupervisor.folder(l), l.osUser(), "rwx------");
        OwnedFiles.directory(pgpass(l).getParent(), l.osUser(), "rwx------");
        if (project.settings().isSet(Setting.PATRONI_CLUSTER_CERT)) {
            OwnedFiles.write(clusterCert(l), clusterCertPem(project.settings()), l.osUser(), "rw-r--r--");
        }
        String text = new PatroniComponent().render(project).get(CONF_FILE);
        java.nio.file.Path conf = PatroniSupervisor.patroniConf(l);
        if (java.nio.file.Files.exists(conf) && OwnedFiles.read(conf).equals(text)) {
            return false;
        }
        OwnedFiles.write(conf, text, l.osUser(), "rw-------");
        return true;
    }

    /** Stops Patroni, which stops PostgreSQL and gives up the leader lease. */
    @Override
    public List<String> stop(Project project) {
        Duration timeout = Duration.ofMillis(project.settings().millis(Setting.PGBOX_STOP_TIMEOUT)).plusSeconds(30);
        return PatroniSupervisor.stopPatroni(project.layout(), timeout) ? List.of("Patroni stopped (and PostgreSQL with it)") : List.of();
    }

    @Override
    public Health health(Project project) {
        HaMember member = HaMember.of(project.settings(), EtcdComponent.hostName());
        String url = "http://" + member.hostPort(Integer.parseInt(project.settings().get(Setting.PATRONI_REST_PORT))) + "/health";
        var answer = HaHttp.get(url);
        if (answer.isEmpty()) {
            return new Health(NAME, Health.State.DOWN, "Patroni's REST API does not answer at " + url, "start this member's Patroni");
        }
        // /health: 200 while PostgreSQL runs under Patroni (primary or standby), 503 otherwise
        if (answer.get().status() == 200) {
            return Health.up(NAME, "member " + member.name() + " of " + member.cluster() + " running");
        }
        return new Health(NAME, Health.State.DEGRADED, "member " + member.name() + ": PostgreSQL is not running under Patroni ("
                + answer.get().status() + ")", "read Patroni's log; 'patronictl list' shows the cluster");
    }
}
