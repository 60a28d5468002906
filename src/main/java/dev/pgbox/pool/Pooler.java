package dev.pgbox.pool;

import dev.pgbox.ErrorKind;
import dev.pgbox.PgboxException;
import dev.pgbox.Progress;
import dev.pgbox.cluster.HbaFile;
import dev.pgbox.cluster.Instance;
import dev.pgbox.cluster.Layout;
import dev.pgbox.cluster.OwnedFiles;
import dev.pgbox.cluster.Server;
import dev.pgbox.cluster.Standby;
import dev.pgbox.config.Setting;
import dev.pgbox.config.Settings;
import dev.pgbox.sql.AdminSql;
import dev.pgbox.tune.MachineProbe;
import dev.pgbox.tune.RamPlan;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * PgBouncer for one project, brought to its wanted state: with PGBOUNCER_ENABLED=on, the lookup role and
 * function on the server, the configuration written (only when it changed), and the process started, or
 * reloaded (SIGHUP: clients stay) when it runs; with off, stopped. Also what an app's creation or removal
 * calls, so that its pools appear or go at once.
 */
public final class Pooler {
    /** The comment 'pgbox app create' puts on an app's database (apps.Apps.MARKER): the databases pooled besides POSTGRES_DB. */
    static final String APP_MARKER = "pgbox app";
    /** pgbouncer.ini settings PgBouncer reads only at its start: a change to one of them needs a restart, not a reload. */
    static final List<String> STARTUP_ONLY = List.of("listen_addr", "listen_port", "unix_socket_dir", "pidfile", "max_client_conn");

    private Pooler() {
    }

    public static boolean enabled(Settings s) {
        return "on".equals(s.get(Setting.PGBOUNCER_ENABLED));
    }

    /** Brings PgBouncer to the wanted state; returns what was done, in words (nothing when all was in place). */
    public static List<String> reconcile(Settings s, Layout l, Instance instance, Progress progress) {
        if (!enabled(s)) {
            return stop(l) ? List.of("PgBouncer stopped (PGBOUNCER_ENABLED=off)") : List.of();
        }
        if (!instance.running()) {
            throw new PgboxException(ErrorKind.NOT_RUNNING, "cannot set up PgBouncer: the server is not running",
                    "PgBouncer's pools and logins are set up on the running server", "run 'pgbox start'");
        }
        List<String> actions = new ArrayList<>();
        AdminSql admin = instance.admin();
        List<String> databases = databases(admin, s);
        if (!Standby.is(l)) {
            actions.addAll(PoolerAuth.ensure(admin, databases)); // a replica gets role and function from its primary
        } else if (!"t".equals(admin.value("postgres", "SELECT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = $1)", PoolerAuth.ROLE))) {
            actions.add("warning: PgBouncer's lookup role " + PoolerAuth.ROLE + " is not on this replica yet, so its pools refuse logins: "
                    + "run 'pgbox pool enable' on the primary (the HA leader); the role and its lookup function reach replicas by streaming");
        }
        actions.addAll(serverHba(s, l));
        RamPlan.PoolSizing sizing = RamPlan.poolSizing(s, MachineProbe.plan(s, l.dataDir()), databases.size());
        Map<String, String> files = PgBouncerConfig.render(s, l, databases, sizing);
        PgBouncerFiles f = PgBouncerFiles.of(l);
        String before = OwnedFiles.read(f.ini());
        boolean changed = write(l, f, files);
        int port = s.integer(Setting.PGBOUNCER_PORT);
        OptionalLong pid = PgBouncerProcess.running(l);
        if (pid.isPresent() && changed && !startupSettings(before).equals(startupSettings(files.get(PgBouncerFiles.INI)))) {
            PgBouncerProcess.stop(l);
            long started = PgBouncerProcess.start(s, l, port);
            actions.add("restarted PgBouncer for settings it reads only at start (pid " + started + ", 127.0.0.1:" + port + ")");
        } else if (pid.isPresent() && changed) {
            PgBouncerProcess.reload(l, pid.getAsLong());
            actions.add("PgBouncer reloaded its configuration (" + databases.size() + " database(s), each a transaction and a session pool)");
        } else if (pid.isEmpty()) {
            actions.addAll(DebianPgBouncer.clearPort(s));
            progress.step("starting PgBouncer on 127.0.0.1:" + port);
            long started = PgBouncerProcess.start(s, l, port);
            actions.add("started PgBouncer (pid " + started + ", as OS user " + l.osUser() + ", 127.0.0.1:" + port
                    + " with TLS, " + databases.size() + " database(s) pooled, log " + f.log() + ")");
        }
        OwnedFiles.write(f.wanted(), "PgBouncer should run: written by 'pgbox start', removed by 'pgbox stop'.\n", l.osUser(), "rw-r--r--");
        return actions;
    }

    /**
     * After an app was created or dropped: its pools appear or go at once (a reload, no client dropped). Nothing
     * when PgBouncer is off; never fails the app command over the pooler (it says what went wrong instead).
     */
    public static List<String> appsChanged(Server server, Progress progress) {
        Settings s = server.settings();
        if (!enabled(s)) {
            return List.of();
        }
        try {
            return reconcile(s, server.layout(), server.instance(), progress);
        } catch (PgboxException e) {
            return List.of("PgBouncer's pools are not up to date: " + e.getMessage() + " (run 'pgbox start')");
        }
    }

    /**
     * Before an app's database is dropped: PgBouncer lets go of its idle server connections to it (RECONNECT on
     * both pools), which would otherwise count as open sessions and block the drop. Clients still connected
     * through PgBouncer to those pools are refused like open sessions, unless {@code force}.
     */
    public static void releaseDatabase(Server server, String database, boolean force) {
        Layout l = server.layout();
        if (!enabled(server.settings()) || PgBouncerProcess.running(l).isEmpty()) {
            return;
        }
        List<String> pools = List.of(PoolerAddress.database(database), PoolerAddress.sessionDatabase(database));
        PoolConsole console = PoolConsole.of(server.instance(), PoolerAddress.of(server.settings(), l));
        long clients = console.pools().stream().filter(p -> pools.contains(p.database()) && !PoolerAuth.ROLE.equals(p.user()))
                .mapToLong(p -> p.clActive() + p.clWaiting()).sum();
        if (clients > 0 && !force) {
            throw new PgboxException(ErrorKind.CONFIG, "cannot drop app '" + database + "': " + clients
                    + " client(s) are connected through PgBouncer", "dropping would cut off a running application",
                    "stop the app first, or pass --force to end its sessions");
        }
        for (String pool : pools) {
            console.reconnect(pool);
        }
        // RECONNECT closes idle server connections at once; give the server a moment to see their backends end
        AdminSql admin = server.admin();
        for (int i = 0; i < 40; i++) {
            String left = admin.value("postgres", "SELECT count(*) FROM pg_catalog.pg_stat_activity WHERE datname = $1"
                    + " AND client_addr IS NULL AND backend_type = 'client backend' AND pid <> pg_catalog.pg_backend_pid()", database);
            if ("0".equals(left)) {
                return;
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** Stops PgBouncer and forgets that it should run; true when one ran. */
    public static boolean stop(Layout l) {
        try {
            Files.deleteIfExists(PgBouncerFiles.of(l).wanted());
        } catch (IOException e) {
            // the process is stopped below either way; the watchdog also needs the server's own wanted file
        }
        return PgBouncerProcess.stop(l);
    }

    /** Whether PgBouncer should run (the last start wanted it, and nothing stopped it since). */
    public static boolean wanted(Layout l) {
        return Files.exists(PgBouncerFiles.of(l).wanted()) && Files.exists(l.wantedFile());
    }

    /** The databases pooled: POSTGRES_DB first, then every app's database by name. */
    static List<String> databases(AdminSql admin, Settings s) {
        String main = s.get(Setting.POSTGRES_DB);
        List<String> out = new ArrayList<>();
        for (List<String> row : admin.rows("postgres", "SELECT datname FROM pg_catalog.pg_database WHERE datallowconn AND NOT datistemplate"
                + " AND (datname = $1 OR pg_catalog.shobj_description(oid, 'pg_database') = $2) ORDER BY datname <> $1, datname", main, APP_MARKER)) {
            out.add(row.get(0));
        }
        return PgBouncerConfig.validDatabases(out);
    }

    /**
     * The server's pg_hba.conf lets the pooler in (pgbox start writes it before PgBouncer's turn; a pool command
     * that switched PgBouncer on without a start gets it here).
     */
    private static List<String> serverHba(Settings s, Layout l) {
        String hba = OwnedFiles.read(l.dataDir().resolve("pg_hba.conf"));
        if (hba.contains(HbaFile.poolerLine().strip()) || dev.pgbox.cluster.PatroniSupervisor.isMember(l)) {
            return List.of();
        }
        Server.of(s, l).applyConfig();
        return List.of("pg_hba.conf lets " + PoolerAuth.ROLE + " in over the Unix socket (peer) and app roles with scram-sha-256");
    }

    private static boolean write(Layout l, PgBouncerFiles f, Map<String, String> files) {
        OwnedFiles.directory(f.dir(), l.osUser(), "rwx------");
        boolean changed = false;
        for (Map.Entry<String, String> e : files.entrySet()) {
            var file = f.dir().resolve(e.getKey());
            if (!OwnedFiles.read(file).equals(e.getValue())) {
                OwnedFiles.write(file, e.getValue(), l.osUser(), "rw-------");
                changed = true;
            }
        }
        return changed;
    }

    /** The values of {@link #STARTUP_ONLY} in a pgbouncer.ini, in order. */
    static List<String> startupSettings(String ini) {
        List<String> values = new ArrayList<>();
        for (String key : STARTUP_ONLY) {
            Matcher m = Pattern.compile("(?m)^" + key + " = (.*)$").matcher(ini);
            values.add(m.find() ? m.group(1) : "");
        }
        return values;
    }
}
