package dev.pgbox.cluster;

import dev.pgbox.ErrorKind;
import dev.pgbox.PgboxException;
import dev.pgbox.config.Settings;
import dev.pgbox.exec.Command;
import dev.pgbox.exec.OsUser;
import dev.pgbox.exec.ProcessResult;
import dev.pgbox.exec.ProcessRunner;
import dev.pgbox.install.PatroniSource;
import dev.pgbox.install.Tools;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An HA member's PostgreSQL is Patroni's: start runs this host's etcd member, then Patroni (both as the
 * server's OS user, detached, tracked by PID files in the run dir), and Patroni starts PostgreSQL; stop
 * ends Patroni (which stops PostgreSQL and gives up the leader lease) and then etcd. Chosen by
 * {@link Supervisor#of} when the member file 'pgbox ha init' writes is there. The configuration files
 * (patroni.yml, etcd.yml) are rendered by the Patroni and etcd components into {@link #folder}.
 */
public record PatroniSupervisor(Layout layout, Settings settings) implements Supervisor {
    public static final String PATRONI = "patroni";
    public static final String ETCD = "etcd";
    private static final Pattern REST_ADDRESS = Pattern.compile("(?ms)^restapi:.*?^  connect_address:\\s*'?([^'\\s]+)");
    private static final Pattern NAME = Pattern.compile("(?m)^name:\\s*'?([^'\\s]+)");
    private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();
    private static final Pattern CLIENT_URL = Pattern.compile("(?m)^advertise-client-urls:\\s*['\"]?([^'\"\\s,]+)");

    /** Where an HA member's configuration lives: patroni.yml, etcd.yml, the member file, Patroni's pgpass. */
    public static Path folder(Layout l) {
        return l.stateDir().resolve("patroni");
    }

    /** Written by 'pgbox ha init': from then on Patroni runs this project's PostgreSQL. */
    public static Path memberFile(Layout l) {
        return folder(l).resolve("member");
    }

    public static boolean isMember(Layout l) {
        return Files.exists(memberFile(l));
    }

    /**
     * Whether this host runs an etcd member for the cluster: yes for a first member and for one that joined
     * with its own etcd member, no for one that joined with {@code --no-etcd-member} (its member file says
     * {@code etcd=remote}: Patroni then talks only to the other hosts' etcd members).
     */
    public static boolean localEtcd(Layout l) {
        return !OwnedFiles.read(memberFile(l)).lines().anyMatch(line -> line.strip().equals("etcd=remote"));
    }

    /** The member file's text. */
    public static String memberText(String cluster, String member, boolean localEtcd) {
        return "cluster=" + cluster + "\nmember=" + member + "\netcd=" + (localEtcd ? "local" : "remote") + "\n";
    }

    /** Asks a running Patroni to read patroni.yml again (SIGHUP), e.g. after pgbox rendered new pg_hba lines; false if it does not run. */
    public static boolean reload(Layout l) {
        OptionalLong pid = running(l, PATRONI);
        if (pid.isEmpty()) {
            return false;
        }
        ProcessResult r = ProcessRunner.run(Command.of("/bin/kill", "-HUP", Long.toString(pid.getAsLong())).build());
        return r.exitCode() == 0;
    }

    public static Path patroniConf(Layout l) {
        return folder(l).resolve("patroni.yml");
    }

    public static Path etcdConf(Layout l) {
        return folder(l).resolve("etcd.yml");
    }

    public static Path pidFile(Layout l, String program) {
        return l.runDir().resolve(program + ".pid");
    }

    public static Path logFile(Layout l, String program) {
        return l.logDir().resolve(program + ".log");
    }

    @Override
    public void start(Duration timeout) {
        if (localEtcd(layout)) {
            startEtcd(layout, timeout);
        }
        awaitPostgres(startPatroni(layout), timeout);
    }

    @Override
    public String stop(Duration fastTimeout) {
        stopPatroni(layout, fastTimeout.plusSeconds(30));
        stopEtcd(layout);
        if (PgCtl.running(layout, layout.dataDir())) {
            // Patroni was gone (killed) while PostgreSQL ran on: stop it the plain way
            return PgCtl.stop(layout, layout.dataDir(), fastTimeout);
        }
        return "fast";
    }

    @Override
    public boolean startsAtBoot() {
        return agentOn() && Supervisor.systemdWanted(settings);
    }

    private boolean agentOn() {
        return "on".equals(settings.get(dev.pgbox.config.Setting.PGBOX_AGENT));
    }

    @Override
    public String describe() {
        String etcd = localEtcd(layout) ? " and etcd" : "";
        return "Patroni (HA member" + (localEtcd(layout) ? ", with this host's etcd member" : "") + "): Patroni restarts a crashed "
                + "PostgreSQL and fails over; " + (!agentOn() ? "nothing restarts Patroni" + etcd + " (PGBOX_AGENT=off)"
                : "the agent restarts Patroni" + etcd + " when they die" + (startsAtBoot() ? ", and its systemd unit brings them back at boot"
                : "; nothing starts them at boot (systemd is not PID 1)"));
    }

    @Override
    public String kind() {
        return PATRONI;
    }

    /** The PID of {@code program} (patroni or etcd) when it runs for this project (its PID file, alive, with this project's config). */
    public static OptionalLong running(Layout l, String program) {
        Path conf = program.equals(PATRONI) ? patroniConf(l) : etcdConf(l);
        try {
            if (!Files.exists(pidFile(l, program))) {
                return OptionalLong.empty();
            }
            long pid = Long.parseLong(Files.readString(pidFile(l, program)).strip());
            boolean ours = ProcessHandle.of(pid).map(h -> h.isAlive() && h.info().commandLine().orElse("").contains(conf.toString()))
                    .orElse(false);
            return ours ? OptionalLong.of(pid) : OptionalLong.empty();
        } catch (IOException | NumberFormatException e) {
            return OptionalLong.empty();
        }
    }

    /** Starts this host's etcd member unless it runs; waits until it reports healthy. Returns its PID. */
    public static long startEtcd(Layout l, Duration timeout) {
        OptionalLong pid = running(l, ETCD);
        long p = pid.isPresent() ? pid.getAsLong() : spawn(l, ETCD, List.of(Tools.ETCD, "--config-file", etcdConf(l).toString()));
        String url = clientUrl(l) + "/health";
        long deadline = System.nanoTime() + timeout.toNanos();
        long patience = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (System.nanoTime() < deadline) {
            if (get(url).contains("\"health\":\"true\"")) {
                return p;
            }
            if (System.nanoTime() > patience && PgCtl.alive(p)) {
                // it runs but has no quorum (etcd 3.4 serves no client until it has): one of several members is
                // healthy only once a majority runs, which may take the other hosts' 'pgbox start' (after a power
                // cut each waits for the others); Patroni waits for it too
                return p;
            }
            if (!PgCtl.alive(p)) {
                break;
            }
            sleep(250);
        }
        throw new PgboxException(ErrorKind.TIMEOUT, "this host's etcd member did not become healthy at " + url,
                PgCtl.alive(p) ? "it runs (pid " + p + ") but does not report health within " + timeout.toSeconds() + "s" : "it exited",
                "read " + logFile(l, ETCD) + "; the ETCD_CLIENT_PORT and ETCD_PEER_PORT must be free");
    }

    /** Starts Patroni unless it runs; returns its PID (Patroni then starts PostgreSQL by itself). */
    public static long startPatroni(Layout l) {
        OptionalLong pid = running(l, PATRONI);
        return pid.isPresent() ? pid.getAsLong() : spawn(l, PATRONI, List.of(PatroniSource.PATRONI.toString(), patroniConf(l).toString()));
    }

    /** Stops Patroni (SIGTERM: it stops PostgreSQL and releases the leader lease); true if it ran. */
    public static boolean stopPatroni(Layout l, Duration timeout) {
        return terminate(l, PATRONI, timeout);
    }

    /** Stops this host's etcd member; true if it ran. */
    public static boolean stopEtcd(Layout l) {
        return terminate(l, ETCD, Duration.ofSeconds(20));
    }

    /**
     * Waits until Patroni serves: this member the leader (GET /primary answers 200) with PostgreSQL out of
     * recovery, or a replica (GET /replica 200) of another member that leads. Patroni starts a stopped
     * primary as a standby first and promotes it once it holds the leader lock, so answering a query is
     * not enough.
     */
    private void awaitPostgres(long patroni, Duration timeout) {
        Instance instance = new Instance("primary", null, settings.integer(dev.pgbox.config.Setting.POSTGRES_PORT), layout, this);
        String api = "http://" + restAddress(layout);
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = "PostgreSQL not started yet";
        while (System.nanoTime() < deadline) {
            if (!PgCtl.alive(patroni)) { // by PID: its command line is briefly unreadable while setsid and setpriv exec it
                throw new PgboxException(ErrorKind.TOOL_FAILED, "Patroni exited before PostgreSQL started", tail(logFile(layout, PATRONI)),
                        "read " + logFile(layout, PATRONI) + "; fix the cause and run 'pgbox start' again");
            }
            if (PgCtl.running(layout, layout.dataDir())) {
                try {
                    if (status(api + "/primary") == 200) {
                        if ("f".equals(instance.admin().value("postgres", "SELECT pg_is_in_recovery()"))) {
                            return;
                        }
                        last = "Patroni holds the leader lock; PostgreSQL is still being promoted";
                    } else if (status(api + "/replica") == 200 && ledByAnother(get(api + "/cluster"), memberName(layout))) {
                        return;
                    } else {
                        last = "Patroni reports this member neither as the leader nor as a running replica yet";
                    }
                } catch (PgboxException e) {
                    last = e.reason();
                }
            }
            sleep(300);
        }
        if (localEtcd(layout) && !get(clientUrl(layout) + "/health").contains("\"health\":\"true\"")) {
            last = "this host's etcd member is not healthy: a majority of the etcd members must run (start the other members: "
                    + "'pgbox start' on each); " + last;
        }
        throw new PgboxException(ErrorKind.TIMEOUT, "Patroni did not start PostgreSQL within " + timeout.toSeconds() + "s", last,
                "read " + logFile(layout, PATRONI) + " and the log in " + layout.logDir());
    }

    /**
     * Whether Patroni's /cluster answer names a leader other than {@code me}. Right after Patroni takes the
     * lock for this member, /replica may still answer 200 (PostgreSQL not promoted yet) while /cluster
     * already lists this member as the leader: that is not a replica to stop waiting for.
     */
    static boolean ledByAnother(String clusterJson, String me) {
        try {
            for (com.fasterxml.jackson.databind.JsonNode m : JSON.readTree(clusterJson).path("members")) {
                String role = m.path("role").asText();
                if ((role.equals("leader") || role.equals("standby_leader")) && !m.path("name").asText().equals(me)) {
                    return true;
                }
            }
            return false;
        } catch (IOException e) {
            return false;
        }
    }

    /** This member's name, as the rendered patroni.yml gives it. */
    static String memberName(Layout l) {
        Matcher m = NAME.matcher(OwnedFiles.read(patroniConf(l)));
        return m.find() ? m.group(1) : "";
    }

    /** host:port of Patroni's REST API, as the rendered patroni.yml gives it (restapi.connect_address). */
    static String restAddress(Layout l) {
        Matcher m = REST_ADDRESS.matcher(OwnedFiles.read(patroniConf(l)));
        if (!m.find()) {
            throw new PgboxException(ErrorKind.CONFIG, "no restapi.connect_address in " + patroniConf(l), "the file was not written by pgbox",
                    "run 'pgbox ha init' again to render it");
        }
        return m.group(1);
    }

    private static long spawn(Layout l, String program, List<String> argv) {
        List<String> full = new ArrayList<>();
        if (!OsUser.currentName().equals(l.osUser())) {
            // setpriv execs the program itself (runuser would stay as its parent), so the PID is the program's
            full.addAll(List.of("/usr/bin/setpriv", "--reuid=" + l.osUser(), "--regid=" + l.osUser(), "--init-groups"));
        }
        full.addAll(argv);
        // HOME: libpq looks for client certificates under ~/.postgresql, and root's home is closed to the OS user
        Command c = Command.of(full.get(0), full.subList(1, full.size()).toArray(String[]::new)).workDir(l.stateDir())
                .env("HOME", folder(l).toString()).build();
        // root's 'pgbox start' and the agent (as the OS user) both start these: the log must stay the OS user's
        OwnedFiles.appendable(logFile(l, program), l.osUser(), "rw-r-----");
        long pid = ProcessRunner.spawnDetached(c, logFile(l, program));
        OwnedFiles.write(pidFile(l, program), pid + "\n", l.osUser(), "rw-r--r--");
        return pid;
    }

    private static boolean terminate(Layout l, String program, Duration timeout) {
        OptionalLong pid = running(l, program);
        try {
            Files.deleteIfExists(pidFile(l, program));
        } catch (IOException e) {
            // the signal below stops it anyway
        }
        if (pid.isEmpty()) {
            return false;
        }
        ProcessHandle.of(pid.getAsLong()).ifPresent(h -> {
            h.destroy();
            long deadline = System.nanoTime() + timeout.toNanos();
            while (h.isAlive() && System.nanoTime() < deadline) {
                sleep(100);
            }
            if (h.isAlive()) {
                h.destroyForcibly();
            }
        });
        return true;
    }

    /** etcd's client URL, as its rendered etcd.yml advertises it. */
    static String clientUrl(Layout l) {
        Matcher m = CLIENT_URL.matcher(OwnedFiles.read(etcdConf(l)));
        if (!m.find()) {
            throw new PgboxException(ErrorKind.CONFIG, "no advertise-client-urls in " + etcdConf(l), "the file was not written by pgbox",
                    "run 'pgbox ha init' again to render it");
        }
        return m.group(1);
    }

    private static String get(String url) {
        return answer(url).body();
    }

    private static int status(String url) {
        return answer(url).status();
    }

    private static HttpCall.Answer answer(String url) {
        return HttpCall.get(url, Duration.ofSeconds(3));
    }

    private static String tail(Path log) {
        List<String> lines = OwnedFiles.read(log).lines().toList();
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 5), lines.size()));
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
