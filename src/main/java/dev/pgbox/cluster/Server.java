package dev.pgbox.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pgbox.ErrorKind;
import dev.pgbox.PgboxException;
import dev.pgbox.Progress;
import dev.pgbox.config.Secrets;
import dev.pgbox.config.Setting;
import dev.pgbox.config.Settings;
import dev.pgbox.exec.Command;
import dev.pgbox.exec.OsUser;
import dev.pgbox.exec.ProcessRunner;
import dev.pgbox.install.Installer;
import dev.pgbox.install.PgInstallation;
import dev.pgbox.sql.AdminSql;
import dev.pgbox.tune.MachineProbe;
import dev.pgbox.tune.TuningPlan;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * One project's PostgreSQL server: start (install, init, configure, start, bootstrap), stop, status
 * and applying configuration. All checks that can refuse run before anything is changed.
 */
public final class Server {
    private final Settings settings;
    private final Layout layout;

    private Server(Settings settings, Layout layout) {
        this.settings = settings;
        this.layout = layout;
    }

    /** For commands that need the installed server but must not install anything. */
    public static Server open(Settings s) {
        Installer.Plan plan = Installer.check(s);
        return new Server(s, Layout.resolve(s, plan.pg()));
    }

    public Layout layout() {
        return layout;
    }

    public Settings settings() {
        return settings;
    }

    public int port() {
        return settings.integer(Setting.POSTGRES_PORT);
    }

    /** The project's server as an instance: where it listens, its folders, its supervisor. */
    public Instance instance() {
        return Instance.primary(settings, layout);
    }

    public AdminSql admin() {
        return instance().admin();
    }

    public boolean running() {
        return instance().running();
    }

    public TuningPlan plan() {
        return MachineProbe.plan(settings, layout.dataDir());
    }

    /** What start did, for the report. */
    public record StartResult(List<String> actions, boolean alreadyRunning, Layout layout, Settings settings, long pid) {
        /** The running server, for what comes after start (backups). */
        public Server server() {
            return new Server(settings, layout);
        }
    }

    /** Brings the server up, doing only what is missing. */
    public static StartResult start(Settings requested, Progress progress) {
        List<String> actions = new ArrayList<>();
        Installer.Plan check = Installer.check(requested);
        PgInstallation pg = check.pg();
        if (!check.complete()) {
            pg = Installer.ensure(requested, progress);
            actions.add("installed " + String.join(", ", check.missing().stream().map(c -> c.name()).toList()));
        }
        Layout layout = Layout.resolve(requested, pg);
        checkOsUser(layout);
        if (layout.stateFallback()) {
            progress.step("the '" + layout.osUser() + "' OS user cannot reach " + layout.projectDir()
                    + "; keeping server state in " + layout.stateDir() + " instead");
        }
        if (layout.initialized()) {
            checkOwner(layout.dataDir(), layout.osUser());
        } else {
            checkFreshDataDir(layout);
        }
        Server server = new Server(requested, layout);
        if (server.running()) {
            // a postmaster just (re)started by its supervisor may still be starting up or recovering
            server.awaitWritable(Duration.ofMillis(requested.millis(Setting.PGBOX_START_TIMEOUT)));
            server.prepareFolders(); // creates only what is missing; an upgraded project gets its folders shared with the agent
            if (!Files.exists(layout.wantedFile())) {
                server.markWanted(); // started before pgbox had a watchdog: guard it from now on
            }
            // judged and written before anything else changes (a new password), so a refused value changes nothing
            List<String> changed = server.writeConfig(layout.dataDir());
            Settings s = Secrets.ensurePassword(requested);
            server = new Server(s, layout);
            if (!requested.isSet(Setting.POSTGRES_PASSWORD) || !server.roleAndDatabaseExist()) {
                // a new password (the secrets file was gone) or a renamed role/database: apply it now
                Bootstrap.apply(server.admin(), s.get(Setting.POSTGRES_USER), s.get(Setting.POSTGRES_DB), s.get(Setting.POSTGRES_PASSWORD));
                actions.add("set up role '" + s.get(Setting.POSTGRES_USER) + "' and database '" + s.get(Setting.POSTGRES_DB) + "'");
            }
            if (!changed.isEmpty()) {
                PgCtl.reload(layout, layout.dataDir());
                actions.add("reloaded changed configuration (" + String.join(", ", changed) + ")");
                List<String> pending = server.pendingRestart();
                if (!pending.isEmpty()) {
                    actions.add("restart needed for: " + String.join(", ", pending) + " (run 'pgbox restart')");
                }
            }
            return new StartResult(actions, actions.isEmpty(), layout, s, PgCtl.pid(layout.dataDir()).orElse(-1));
        }
        boolean crashed = layout.initialized() && PgCtl.clearCrashed(layout, layout.dataDir());
        Supervisor supervisor = Instance.primary(requested, layout).supervisor();
        if (!(supervisor instanceof SystemdSupervisor sd && Systemctl.enabled(sd.unit()))) {
            // an enabled unit may be bringing the server back right now: it owns the port, systemd reports a clash
            DebianClusters.clearPort(requested, progress);
            checkPortFree(requested);
        }
        Settings s = Secrets.ensurePassword(requested);
        server = new Server(s, layout);
        server.prepareFolders();
        if (!layout.initialized()) {
            server.init(progress);
            actions.add("initialized a new cluster in " + layout.dataDir());
        } else {
            server.writeConfig(layout.dataDir());
        }
        if (crashed) {
            progress.step("the server had crashed (its postmaster died without a clean stop): crash recovery runs now");
            if (!"systemd".equals(supervisor.kind())) { // systemd's ExecStopPost recorded it already
                CrashLog.record(layout, "start", "postmaster gone, found by 'pgbox start'");
            }
        }
        progress.step("starting PostgreSQL " + pg.major() + " on " + s.get(Setting.POSTGRES_HOST) + ":" + server.port()
                + " (" + supervisor.kind() + ")");
        server.launch(Duration.ofMillis(s.millis(Setting.PGBOX_START_TIMEOUT)), true);
        actions.add((crashed ? "recovered from a crash and started PostgreSQL " : "started PostgreSQL ") + pg.major());
        progress.step("checking roles, database and extensions");
        Bootstrap.apply(server.admin(), s.get(Setting.POSTGRES_USER), s.get(Setting.POSTGRES_DB), s.get(Setting.POSTGRES_PASSWORD));
        return new StartResult(actions, false, layout, s, PgCtl.pid(layout.dataDir()).orElse(-1));
    }

    private boolean roleAndDatabaseExist() {
        String role = settings.get(Setting.POSTGRES_USER);
        String db = settings.get(Setting.POSTGRES_DB);
        return "t".equals(admin().value("postgres", "SELECT EXISTS (SELECT FROM pg_roles WHERE rolname = "
                + dev.pgbox.sql.SqlText.literal(role) + ") AND EXISTS (SELECT FROM pg_database WHERE datname = "
                + dev.pgbox.sql.SqlText.literal(db) + ")"));
    }

    /**
     * Stops the server: fast, then immediate after PGBOX_STOP_TIMEOUT; it stays stopped (also across a
     * reboot, and the watchdog leaves it alone) until the next start. Returns the mode used.
     */
    public String stop() {
        if (!running()) {
            throw notRunning("stop");
        }
        deleteWanted();
        return supervisor().stop(Duration.ofMillis(settings.millis(Setting.PGBOX_STOP_TIMEOUT)));
    }

    /** What keeps this server up: systemd units, or pg_ctl with the agent's watchdog. */
    public Supervisor supervisor() {
        return instance().supervisor();
    }

    /**
     * Starts the postmaster of an initialized data dir through its supervisor, then waits until it
     * accepts writes, or with {@code untilWritable} false (a recovery to run first) only until it answers.
     */
    public void launch(Duration timeout, boolean untilWritable) {
        markWanted();
        supervisor().start(timeout);
        if (untilWritable) {
            awaitWritable(timeout);
        }
    }

    private void markWanted() {
        CrashLog.ensure(layout);
        OwnedFiles.write(layout.wantedFile(), "started by pgbox at " + java.time.Instant.now() + "\n", layout.osUser(), "rw-r--r--");
    }

    private void deleteWanted() {
        try {
            Files.deleteIfExists(layout.wantedFile());
        } catch (IOException e) {
            throw new PgboxException(ErrorKind.PERMISSION, "cannot remove " + layout.wantedFile(), e.toString(),
                    "check the owner of " + layout.runDir());
        }
    }

    /** Throws the not-running error for {@code verb} unless the server runs. */
    public Server requireRunning(String verb) {
        if (!running()) {
            throw notRunning(verb);
        }
        return this;
    }

    public PgboxException notRunning(String verb) {
        return new PgboxException(ErrorKind.NOT_RUNNING, "cannot " + verb + ": the server is not running",
                layout.initialized() ? "no live postmaster for " + layout.dataDir() : "no cluster in " + layout.dataDir() + " yet",
                "run 'pgbox start'");
    }

    /**
     * Rewrites pgbox.conf, pg_hba.conf and pg_ident.conf in {@code dataDir}, after PostgreSQL has
     * judged the whole candidate (ConfigGuard): a refused one leaves every file as it was. Returns the
     * names of the files whose content changed.
     */
    List<String> writeConfig(Path dataDir) {
        Map<String, String> candidate = checkConfig(dataDir, dataDir.equals(layout.dataDir()) && running());
        List<String> changed = new ArrayList<>();
        candidate.forEach((name, text) -> writeIfChanged(dataDir.resolve(name), text, "0600", changed));
        publishCertificate(dataDir);
        return changed;
    }

    /**
     * The files pgbox would write into {@code dataDir}, judged by ConfigGuard (with the running
     * server's own parsers when {@code live}); throws a CONFIG error when refused.
     */
    Map<String, String> checkConfig(Path dataDir, boolean live) {
        Layout at = new Layout(layout.projectDir(), layout.stateDir(), dataDir, layout.runDir(), layout.logDir(),
                layout.osUser(), layout.pg(), layout.stateFallback());
        TuningPlan plan = plan();
        Map<String, String> files = new LinkedHashMap<>();
        files.put(Layout.CONF_FILE, ServerConf.render(settings, at, plan));
        files.put("pg_hba.conf", HbaFile.render(Settings.list(settings.get(Setting.POSTGRES_ALLOWED_CIDRS))));
        files.put("pg_ident.conf", HbaFile.renderIdent(layout.osUser()));
        String conf = OwnedFiles.read(dataDir.resolve("postgresql.conf"));
        if (!conf.contains(ServerConf.INCLUDE_LINE)) {
            files.put("postgresql.conf", conf + (conf.endsWith("\n") ? "" : "\n") + "\n" + ServerConf.INCLUDE_LINE + "\n");
        }
        ConfigGuard.check(settings, at, files, plan.machine(), live ? admin() : null);
        return files;
    }

    /** Applies the current settings and tuning to a running server; returns parameters still needing a restart. */
    public List<String> applyConfig() {
        if (!running()) {
            throw notRunning("apply the configuration");
        }
        writeConfig(layout.dataDir());
        PgCtl.reload(layout, layout.dataDir());
        return pendingRestart();
    }

    /** Parameters whose new value waits for a restart (pg_settings.pending_restart). */
    public List<String> pendingRestart() {
        // the postmaster re-reads files asynchronously after SIGHUP; give it a moment
        List<String> pending = List.of();
        for (int i = 0; i < 10; i++) {
            sleep(100);
            pending = admin().rows("postgres", "SELECT name FROM pg_settings WHERE pending_restart ORDER BY name")
                    .stream().map(r -> r.get(0)).toList();
            if (!pending.isEmpty()) {
                break;
            }
        }
        return pending;
    }

    private void writeIfChanged(Path file, String text, String mode, List<String> changed) {
        if (!OwnedFiles.read(file).equals(text)) {
            OwnedFiles.write(file, text, layout.osUser(), mode.equals("0600") ? "rw-------" : "rw-r--r--");
            changed.add(file.getFileName().toString());
        }
    }

    /** A copy of the certificate clients can pin (sslrootcert), outside the 0700 data dir. */
    private void publishCertificate(Path dataDir) {
        Path cert = dataDir.resolve("server.crt");
        Path pub = layout.runDir().resolve("server.crt");
        try {
            if (Files.exists(cert) && (!Files.exists(pub) || Files.mismatch(cert, pub) != -1)) {
                Files.copy(cert, pub, StandardCopyOption.REPLACE_EXISTING);
                Files.setPosixFilePermissions(pub, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
            }
        } catch (IOException e) {
            throw new PgboxException(ErrorKind.PERMISSION, "cannot publish the server certificate to " + pub, e.toString(),
                    "check that " + layout.runDir() + " is writable");
        }
    }

    /** The certificate file clients use to verify the server. */
    public Path clientCertificate() {
        return instance().clientCertificate();
    }

    private void prepareFolders() {
        String user = layout.osUser();
        if (!Files.isDirectory(layout.stateDir())) {
            try {
                Files.createDirectories(layout.stateDir());
                Files.setPosixFilePermissions(layout.stateDir(), java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
            } catch (IOException e) {
                throw new PgboxException(ErrorKind.PERMISSION, "cannot create " + layout.stateDir(), e.toString(),
                        "make " + layout.stateDir().getParent() + " writable, or set PGBOX_STATE_DIR");
            }
        }
        if (!layout.explicitStateDir()) {
            // pgbox's own state dir (.pgbox, or the /var/lib/pgbox fallback) belongs to the OS user the
            // agent runs as, so its jobs can make scratch clusters and record drills (earlier pgbox left it to root)
            OwnedFiles.adopt(layout.stateDir(), user);
        }
        for (Path shared : List.of(layout.backupDir(), layout.scratchDir())) {
            // the agent (as the OS user) records drills and makes scratch clusters here, as the CLI does
            if (!OwnedFiles.directory(shared, user, "rwxr-xr-x") && !layout.explicitStateDir()) {
                OwnedFiles.adopt(shared, user);
            }
        }
        // a folder the user named gets pgbox's own subfolder (Layout chose it); only what pgbox creates gets a mode and owner
        folder(Setting.PGBOX_RUN_DIR, layout.runDir(), user, "rwxr-xr-x");
        folder(Setting.PGBOX_LOG_DIR, layout.logDir(), user, "rwxr-x---");
        if (layout.dataDir().getParent() != null && !Files.isDirectory(layout.dataDir().getParent())) {
            OwnedFiles.directory(layout.dataDir().getParent(), user, "rwxr-xr-x");
        }
    }

    private void folder(Setting setting, Path dir, String user, String mode) {
        if (settings.isSet(setting)) {
            OwnedFiles.ownedDirectory(dir, user, mode);
        } else {
            OwnedFiles.directory(dir, user, mode);
        }
    }

    /**
     * initdb into a sibling folder, configure, start it on the socket only, bootstrap, stop, then
     * rename into place: a failure at any step leaves no half-made data dir behind.
     */
    private void init(Progress progress) {
        Path data = layout.dataDir();
        Path staging = data.resolveSibling(data.getFileName() + ".initializing");
        OwnedFiles.deleteTree(staging);
        OwnedFiles.directory(staging, layout.osUser(), "rwx------");
        boolean done = false;
        try {
            progress.step("initdb (data checksums, UTF-8, scram-sha-256) in " + data);
            ProcessRunner.runChecked(Command.of(layout.pg().bin("initdb"), "-D", staging.toString(), "-U", AdminSql.SUPERUSER,
                            "--auth-local=peer", "--auth-host=scram-sha-256", "-E", "UTF8", "--locale=C.UTF-8",
                            "--data-checksums")
                    .runAs(layout.osUser()).env("LC_ALL", "C.UTF-8").timeout(Duration.ofMinutes(5)).build(),
                    "initdb failed", "check free disk space and that " + layout.osUser() + " can write " + staging.getParent());
            progress.step("making a self-signed TLS certificate");
            Tls.makeCertificate(layout, staging);
            // no WAL archiving while bootstrapping: the backup stanza is made after the first real start
            Server quiet = new Server(settings.with(Setting.BACKUP_ARCHIVE, "off", "init"), layout);
            quiet.writeConfig(staging);
            progress.step("creating role '" + settings.get(Setting.POSTGRES_USER) + "', database '"
                    + settings.get(Setting.POSTGRES_DB) + "' and extensions");
            Duration timeout = Duration.ofMillis(settings.millis(Setting.PGBOX_START_TIMEOUT));
            PgCtl.start(layout, staging, timeout);
            try {
                Bootstrap.apply(admin(), settings.get(Setting.POSTGRES_USER), settings.get(Setting.POSTGRES_DB),
                        settings.get(Setting.POSTGRES_PASSWORD));
            } finally {
                PgCtl.stop(layout, staging, timeout);
            }
            writeConfig(staging);
            if (Files.isDirectory(data)) {
                Files.delete(data); // checked empty and ours before anything started
            }
            Files.move(staging, data, StandardCopyOption.ATOMIC_MOVE);
            done = true;
        } catch (IOException e) {
            throw new PgboxException(ErrorKind.PERMISSION, "cannot move the new cluster into " + data, e.toString(),
                    "check that " + data.getParent() + " is writable");
        } finally {
            if (!done) {
                if (PgCtl.running(layout, staging)) {
                    PgCtl.stop(layout, staging, Duration.ofSeconds(10));
                }
                OwnedFiles.deleteTree(staging);
            }
        }
    }

    /** Waits until a real query answers and the server accepts writes (pg_ctl -w returns during recovery). */
    void awaitWritable(Duration timeout) {
        AdminSql.NotWritable why = admin().awaitWritable(timeout, this::running);
        if (why != null) {
            throw new PgboxException(ErrorKind.TIMEOUT, "the server started but did not accept writes within " + timeout.toSeconds() + "s",
                    why.lastState(), "read the log in " + layout.logDir() + "; raise PGBOX_START_TIMEOUT for long recoveries");
        }
    }

    private static void checkOsUser(Layout l) {
        if (OsUser.byName(l.osUser()).isEmpty()) {
            throw new PgboxException(ErrorKind.PERMISSION, "the OS user '" + l.osUser() + "' does not exist",
                    "PostgreSQL refuses to run as root, so pgbox runs it as '" + l.osUser() + "'",
                    "install PostgreSQL ('pgbox install' creates the postgres user), or set PGBOX_OS_USER to an existing user");
        }
        if ("root".equals(l.osUser())) {
            throw new PgboxException(ErrorKind.PERMISSION, "PGBOX_OS_USER is root", "PostgreSQL refuses to run as root",
                    "remove PGBOX_OS_USER so pgbox uses the postgres OS user");
        }
    }

    private static void checkOwner(Path dir, String osUser) {
        try {
            String owner = Files.getOwner(dir).getName();
            if (!owner.equals(osUser)) {
                throw new PgboxException(ErrorKind.PERMISSION, "the data dir " + dir + " is owned by '" + owner + "'",
                        "pgbox runs PostgreSQL as '" + osUser + "', which must own its data dir",
                        "chown -R " + osUser + ": " + dir + "   (or set PGBOX_OS_USER=" + owner + ")");
            }
        } catch (IOException e) {
            throw new PgboxException(ErrorKind.PERMISSION, "cannot read the owner of " + dir, e.toString(), "check the path");
        }
    }

    private static void checkFreshDataDir(Layout l) {
        Path data = l.dataDir();
        if (!Files.exists(data)) {
            return;
        }
        checkOwner(data, l.osUser());
        try (Stream<Path> s = Files.list(data)) {
            if (s.findAny().isPresent()) {
                throw new PgboxException(ErrorKind.CONFIG, "the data dir " + data + " is not empty and holds no cluster",
                        "there is no PG_VERSION file in it, so it is not a PostgreSQL data directory",
                        "move its files away, or set PGBOX_DATA_DIR to an empty or new folder");
            }
        } catch (IOException e) {
            throw new PgboxException(ErrorKind.PERMISSION, "cannot read " + data, e.toString(), "check its mode");
        }
    }

    static void checkPortFree(Settings s) {
        String host = ServerConf.listenAddress(s.get(Setting.POSTGRES_HOST));
        int port = s.integer(Setting.POSTGRES_PORT);
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(InetAddress.getByName(host), port));
        } catch (IOException e) {
            throw new PgboxException(ErrorKind.PORT_IN_USE, "cannot start on port " + port + ": " + host + ":" + port + " is in use",
                    e.getMessage() + " (another process listens there)",
                    "stop the other server on " + port + ", or set POSTGRES_PORT in " + Settings.DEV_FILE);
        }
    }

    /** Live facts for pgbox status, read in one superuser query. */
    public JsonNode liveStatus() {
        String db = settings.get(Setting.POSTGRES_DB).replace("'", "''");
        String json = admin().value("postgres", """
                SELECT json_build_object(
                  'version', current_setting('server_version'),
                  'started_at', pg_postmaster_start_time(),
                  'uptime_seconds', floor(extract(epoch FROM now() - pg_postmaster_start_time())),
                  'connections', (SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend'),
                  'max_connections', current_setting('max_connections')::int,
                  'database', '%1$s',
                  'database_bytes', (SELECT pg_database_size(datname) FROM pg_database WHERE datname = '%1$s'),
                  'in_recovery', pg_is_in_recovery(),
                  'ssl', current_setting('ssl'),
                  'listen_addresses', current_setting('listen_addresses'))
                """.formatted(db));
        try {
            var node = (com.fasterxml.jackson.databind.node.ObjectNode) new ObjectMapper().readTree(json);
            var ext = node.putArray("extensions");
            for (List<String> row : admin().rows(settings.get(Setting.POSTGRES_DB),
                    "SELECT extname, extversion FROM pg_extension WHERE extname <> 'plpgsql' ORDER BY extname")) {
                ext.addObject().put("name", row.get(0)).put("version", row.get(1));
            }
            return node;
        } catch (IOException e) {
            throw new PgboxException(ErrorKind.FAILURE, "cannot read the server status", e.getMessage(), null);
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
