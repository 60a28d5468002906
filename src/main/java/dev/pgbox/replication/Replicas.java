package dev.pgbox.replication;

import dev.pgbox.ErrorKind;
import dev.pgbox.PgboxException;
import dev.pgbox.Progress;
import dev.pgbox.cluster.HbaFile;
import dev.pgbox.cluster.Instance;
import dev.pgbox.cluster.Layout;
import dev.pgbox.cluster.Postmaster;
import dev.pgbox.cluster.Preflight;
import dev.pgbox.cluster.Server;
import dev.pgbox.cluster.Standby;
import dev.pgbox.config.EnvFile;
import dev.pgbox.config.Scram;
import dev.pgbox.config.Secrets;
import dev.pgbox.config.Setting;
import dev.pgbox.config.Settings;
import dev.pgbox.sql.SqlDoor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Streaming replicas without failover: the primary lets one replica in ({@link #allow}), a project
 * becomes a hot standby of a primary ({@link #init}), either side reports the streams ({@link #status}),
 * and a replica becomes a primary ({@link #promote}).
 */
public final class Replicas {
    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
    private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*");

    private Replicas() {
    }

    /**
     * What {@code --allow} set up on the primary.
     *
     * @param passwordGenerated true when the replication password was made now (else the existing one was kept)
     * @param certificate the primary's certificate, which the replica pins
     */
    public record Access(String role, String address, String hbaLine, boolean passwordGenerated, String secretsFile,
                         String certificate, String envFile) {
    }

    /** What {@code --init} made: the replica's data dir, cloned from {@code primary} over slot {@code slot}. */
    public record Cloned(String primary, String slot, String dataDir, String secretsFile) {
    }

    /**
     * On the primary: the replication role (LOGIN REPLICATION, its SCRAM verifier only; the password
     * generated into .env.secrets once), {@code address} added to PGBOX_REPLICA_ADDRESSES in the
     * environment's .env file, and pg_hba.conf rewritten and reloaded with one hostssl line for that
     * role and that address. Running it again refreshes the role and keeps the password.
     */
    public static Access allow(Settings settings, String address) {
        String ip = singleHost(address);
        Server server = Server.open(settings).requireRunning("allow a replica");
        Layout layout = server.layout();
        if (Standby.is(layout)) {
            throw new PgboxException(ErrorKind.CONFIG, "cannot allow a replica here: this project is itself a replica",
                    "replicas stream from the primary; this one streams from another server", "run it in the primary's project");
        }
        boolean loopback = ip.startsWith("127.") || ip.equals("::1");
        if (!loopback && settings.get(Setting.POSTGRES_LISTEN).isEmpty()) {
            throw new PgboxException(ErrorKind.CONFIG, "cannot allow the replica at " + ip + ": the primary listens on loopback only",
                    "POSTGRES_LISTEN is empty, so no other host can reach this server",
                    "set POSTGRES_LISTEN to the address the replica connects to (e.g. POSTGRES_LISTEN=10.0.0.5), run 'pgbox restart', "
                            + "then this command again");
        }
        Path secrets = settings.projectDir().resolve(Settings.SECRETS_FILE);
        boolean generated = !settings.isSet(Setting.PGBOX_REPLICATION_PASSWORD);
        String password = generated ? Scram.generatePassword(32) : settings.get(Setting.PGBOX_REPLICATION_PASSWORD);
        if (generated) {
            Secrets.put(secrets, Setting.PGBOX_REPLICATION_PASSWORD.name(), password);
        }
        SqlDoor admin = server.admin();
        if (!"t".equals(admin.value("postgres", "SELECT EXISTS (SELECT FROM pg_roles WHERE rolname = $1)", HbaFile.REPLICATION_ROLE))) {
            admin.execute("postgres", "CREATE ROLE " + HbaFile.REPLICATION_ROLE);
        }
        // the SCRAM verifier only: the plain password never reaches the server, its logs or pg_stat_statements
        admin.execute("postgres", "ALTER ROLE " + HbaFile.REPLICATION_ROLE + " WITH LOGIN REPLICATION NOSUPERUSER NOCREATEDB "
                + "NOCREATEROLE NOBYPASSRLS NOINHERIT CONNECTION LIMIT 10 PASSWORD $1", Scram.verifier(password));
        Set<String> addresses = new LinkedHashSet<>(Settings.list(settings.get(Setting.PGBOX_REPLICA_ADDRESSES)));
        addresses.add(ip);
        String value = String.join(",", addresses);
        Path envFile = settings.projectDir().resolve(settings.envName().equals("dev") ? Settings.DEV_FILE : ".env." + settings.envName());
        if (!value.equals(settings.get(Setting.PGBOX_REPLICA_ADDRESSES))) {
            EnvFile.set(envFile, Setting.PGBOX_REPLICA_ADDRESSES.name(), value);
        }
        Settings now = settings.with(Setting.PGBOX_REPLICA_ADDRESSES, value, envFile.getFileName().toString())
                .with(Setting.PGBOX_REPLICATION_PASSWORD, password, Settings.SECRETS_FILE);
        Server.of(now, layout).applyConfig(); // pg_hba.conf is read again on reload
        return new Access(HbaFile.REPLICATION_ROLE, ip, HbaFile.replicationLine(ip).strip(), generated, secrets.toString(),
                server.clientCertificate().toString(), envFile.toString());
    }

    /** The address of one host, as written in pg_hba.conf; a network, '*' or a name is refused. */
    static String singleHost(String address) {
        String a = address.strip();
        if (!(IPV4.matcher(a).matches() && List.of(a.split("\\.")).stream().allMatch(o -> Integer.parseInt(o) <= 255))
                && !IPV6.matcher(a).matches()) {
            throw new PgboxException(ErrorKind.USAGE, "invalid replica address '" + address + "'",
                    "--allow takes the IP address of one host (the one the replica connects from), not a network or a name",
                    "e.g. pgbox db replica --allow 10.0.0.6");
        }
        return a;
    }

    /**
     * On the future replica: checks everything first (slot name, an empty data dir, a free port, the
     * password and certificate, and a replication login to the primary with no slot of that name there),
     * then clones the primary into this project's data dir and saves the replication password (and,
     * from {@code primaryProject}, the application password) into .env.secrets. Starting it is
     * 'pgbox start'.
     *
     * @param primaryProject the primary's project folder when both are on this machine, else null
     * @param primaryCert the primary's server.crt when {@code primaryProject} is null
     * @param slot null for the default (derived from this project's folder)
     */
    public static Cloned init(Settings settings, String primary, Path primaryProject, Path primaryCert, String slot, Progress progress) {
        Server server = Server.open(settings);
        Layout layout = server.layout();
        String slotName = slot != null ? slot : defaultSlot(layout);
        if (!Standby.SLOT_NAME.matcher(slotName).matches()) {
            throw new PgboxException(ErrorKind.USAGE, "invalid slot name '" + slotName + "'",
                    "a replication slot name has 1 to 63 lowercase letters, digits and underscores", "e.g. --slot replica_1");
        }
        if (server.running() || !Standby.emptyOrMissing(layout.dataDir())) {
            throw new PgboxException(ErrorKind.CONFIG, "refusing to make a replica in " + layout.dataDir() + ": it is not empty",
                    server.running() ? "this project's own server runs there" : "a replica is a copy of the primary and needs an empty data dir",
                    "run --init in a new project folder (its own .env.dev and POSTGRES_PORT), or point PGBOX_DATA_DIR at an empty folder");
        }
        Preflight.portFree(settings);
        Map<String, String> fromPrimary = primaryProject == null ? Map.of() : secretsOf(primaryProject);
        String password = fromPrimary.getOrDefault(Setting.PGBOX_REPLICATION_PASSWORD.name(),
                settings.get(Setting.PGBOX_REPLICATION_PASSWORD));
        if (password.isEmpty()) {
            throw new PgboxException(ErrorKind.CONFIG, "no replication password for the primary at " + primary,
                    "PGBOX_REPLICATION_PASSWORD is set neither here nor " + (primaryProject == null ? "by --primary-project"
                            : "in " + primaryProject.resolve(Settings.SECRETS_FILE)),
                    "run 'pgbox db replica --allow ADDRESS' in the primary's project, then copy its PGBOX_REPLICATION_PASSWORD line "
                            + "into this project's .env.secrets");
        }
        Path cert = primaryCert != null ? primaryCert : primaryProject != null ? certificateOf(primaryProject) : null;
        if (cert == null || !Files.isReadable(cert)) {
            throw new PgboxException(ErrorKind.CONFIG, "no certificate to verify the primary at " + primary + " with",
                    cert == null ? "neither --primary-cert nor --primary-project was given" : cert + " is missing or unreadable",
                    "copy the primary's .pgbox/run/server.crt to this host and pass it with --primary-cert FILE");
        }
        Standby.Upstream up = upstream(primary, password, cert);
        progress.step("checking the primary at " + up.address() + " (replication login, verified TLS, slot '" + slotName + "')");
        Standby.probe(layout, up, slotName);
        Standby.clone(settings, layout, up, slotName, progress);
        Path secrets = settings.projectDir().resolve(Settings.SECRETS_FILE);
        Secrets.put(secrets, Setting.PGBOX_REPLICATION_PASSWORD.name(), password);
        String appPassword = fromPrimary.get(Setting.POSTGRES_PASSWORD.name());
        if (appPassword != null && !settings.isSet(Setting.POSTGRES_PASSWORD)) {
            // the roles are the primary's: after a promotion start keeps the application's password as it was
            Secrets.put(secrets, Setting.POSTGRES_PASSWORD.name(), appPassword);
        }
        return new Cloned(up.address(), slotName, layout.dataDir().toString(), secrets.toString());
    }

    /** The replication slot named after this project's folder, like its systemd units. */
    static String defaultSlot(Layout layout) {
        return layout.unitBase().replace('-', '_');
    }

    static Standby.Upstream upstream(String primary, String password, Path cert) {
        int colon = primary.lastIndexOf(':');
        String host = colon > 0 ? primary.substring(0, colon) : "";
        String port = colon > 0 ? primary.substring(colon + 1) : "";
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        if (host.isEmpty() || !port.matches("\\d{1,5}") || Integer.parseInt(port) < 1 || Integer.parseInt(port) > 65535) {
            throw new PgboxException(ErrorKind.USAGE, "invalid --primary '" + primary + "'",
                    "--primary takes HOST:PORT, the address and POSTGRES_PORT of the primary", "e.g. --primary=10.0.0.5:5432");
        }
        return new Standby.Upstream(host, Integer.parseInt(port), password, cert);
    }

    private static Map<String, String> secretsOf(Path project) {
        Path file = project.resolve(Settings.SECRETS_FILE);
        if (!Files.isReadable(file)) {
            throw new PgboxException(ErrorKind.CONFIG, "cannot read the primary's " + file, "the file is missing or unreadable",
                    "run 'pgbox db replica --allow ADDRESS' in " + project + " first");
        }
        Map<String, String> out = new java.util.HashMap<>();
        for (EnvFile.Entry e : EnvFile.read(file)) {
            out.put(e.name(), e.value());
        }
        return out;
    }

    private static Path certificateOf(Path project) {
        Settings s = Settings.load(project, null, Map.of());
        return Server.open(s).clientCertificate();
    }

    /** The streams as this side sees them; the server must run. */
    public static ReplicaReport status(Settings settings) {
        Server server = Server.open(settings).requireRunning("show replication");
        Instance instance = server.instance();
        return Standby.is(server.layout()) ? asReplica(instance.admin()) : asPrimary(instance.admin());
    }

    private static ReplicaReport asPrimary(SqlDoor admin) {
        List<ReplicaReport.Replica> out = new ArrayList<>();
        for (List<String> r : admin.rows("postgres", """
                SELECT coalesce(r.application_name, s.slot_name), host(r.client_addr), coalesce(r.state, 'disconnected'),
                       r.sent_lsn, r.write_lsn, r.flush_lsn, r.replay_lsn,
                       greatest(0, pg_wal_lsn_diff(pg_current_wal_lsn(), coalesce(r.replay_lsn, s.restart_lsn)))::bigint,
                       CASE WHEN r.pid IS NULL THEN NULL ELSE coalesce(extract(epoch FROM r.replay_lag), 0) END,
                       s.slot_name, s.active, r.sync_state
                FROM pg_stat_replication r
                FULL JOIN (SELECT * FROM pg_replication_slots WHERE slot_type = 'physical') s ON s.active_pid = r.pid
                ORDER BY 1""")) {
            out.add(new ReplicaReport.Replica(r.get(0), text(r.get(1)), r.get(2), text(r.get(3)), text(r.get(4)), text(r.get(5)),
                    text(r.get(6)), number(r.get(7)), decimal(r.get(8)), text(r.get(9)),
                    r.get(10).isEmpty() ? null : "t".equals(r.get(10)), text(r.get(11))));
        }
        return new ReplicaReport("primary", null, out);
    }

    private static ReplicaReport asReplica(SqlDoor admin) {
        List<List<String>> rows = admin.rows("postgres", """
                SELECT w.sender_host || ':' || w.sender_port, coalesce(w.status, 'disconnected'),
                       w.latest_end_lsn, w.written_lsn, w.flushed_lsn, pg_last_wal_replay_lsn(),
                       greatest(0, pg_wal_lsn_diff(greatest(w.latest_end_lsn, w.flushed_lsn, pg_last_wal_receive_lsn()),
                                                   pg_last_wal_replay_lsn()))::bigint,
                       CASE WHEN pg_last_wal_receive_lsn() IS NOT DISTINCT FROM pg_last_wal_replay_lsn() THEN 0
                            ELSE greatest(0, extract(epoch FROM now() - pg_last_xact_replay_timestamp())) END,
                       w.slot_name, current_setting('primary_slot_name')
                FROM (SELECT 1) one LEFT JOIN pg_stat_wal_receiver w ON true""");
        List<String> r = rows.get(0);
        String slot = r.get(8).isEmpty() ? text(r.get(9)) : r.get(8);
        ReplicaReport.Replica self = new ReplicaReport.Replica(slot, null, r.get(1), text(r.get(2)), text(r.get(3)), text(r.get(4)),
                text(r.get(5)), number(r.get(6)), decimal(r.get(7)), slot, null, null);
        return new ReplicaReport("replica", text(r.get(0)), List.of(self));
    }

    private static String text(String v) {
        return v.isEmpty() ? null : v;
    }

    private static Long number(String v) {
        return v.isEmpty() ? null : Long.parseLong(v);
    }

    private static Double decimal(String v) {
        return v.isEmpty() ? null : Double.parseDouble(v);
    }

    /**
     * On a replica: pg_promote, then waits until it accepts writes. Its slot on the old primary is left
     * there (the old primary may be gone); 'pgbox start' afterwards makes it a whole primary (backup
     * stanza and first backup).
     */
    public static Optional<String> promote(Settings settings) {
        Server server = Server.open(settings).requireRunning("promote");
        Layout layout = server.layout();
        if (!Standby.is(layout)) {
            throw new PgboxException(ErrorKind.CONFIG, "cannot promote: this project is not a replica",
                    "its server is a primary already (there is no standby.signal in " + layout.dataDir() + ")",
                    "run --promote in the replica's project");
        }
        Duration timeout = Duration.ofMillis(settings.millis(Setting.PGBOX_START_TIMEOUT));
        String slot = text(server.admin().value("postgres", "SELECT current_setting('primary_slot_name')"));
        String done = server.admin().value("postgres", "SELECT pg_promote(true, $1)", Math.max(1, timeout.toSeconds()));
        if (!"t".equals(done)) {
            throw new PgboxException(ErrorKind.TIMEOUT, "the replica did not finish promotion within " + timeout.toSeconds() + "s",
                    "pg_promote returned false", "read the log in " + layout.logDir() + "; raise PGBOX_START_TIMEOUT");
        }
        new Postmaster(settings, layout).awaitWritable(timeout);
        // promotion requests its checkpoint without waiting for it; until it ends, pg_control still names the
        // old timeline and pgBackRest refuses the first backup on the new one
        server.admin().execute("postgres", "CHECKPOINT");
        // a primary streams from nobody: drop the link (and the replication password in it) from postgresql.auto.conf,
        // so it is not in this server's backups either
        server.admin().execute("postgres", "ALTER SYSTEM RESET primary_conninfo");
        server.admin().execute("postgres", "ALTER SYSTEM RESET primary_slot_name");
        server.admin().execute("postgres", "SELECT pg_reload_conf()");
        return Optional.ofNullable(slot);
    }
}
