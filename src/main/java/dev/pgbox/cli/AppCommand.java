package dev.pgbox.cli;

import dev.pgbox.ErrorKind;
import dev.pgbox.Json;
import dev.pgbox.apps.AppName;
import dev.pgbox.apps.AppUrls;
import dev.pgbox.apps.Apps;
import dev.pgbox.cluster.Server;
import dev.pgbox.config.Settings;
import dev.pgbox.config.Size;
import dev.pgbox.service.AppRemoval;
import dev.pgbox.apps.Connections;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "app", mixinStandardHelpOptions = true,
        description = {"Many apps on one server: each gets its own database, a NOLOGIN owner role, a LOGIN role that may",
                "only read and write data (password in .env.secrets), and a NOLOGIN read-only role. No app can connect to",
                "another app's database."},
        subcommands = {AppCommand.Create.class, AppCommand.ListApps.class, AppCommand.Url.class, AppCommand.Rotate.class,
                AppCommand.Drop.class})
final class AppCommand extends BaseCommand implements Runnable {
    @Override
    public void run() {
        spec.commandLine().usage(out());
    }

    @Command(name = "create", mixinStandardHelpOptions = true,
            description = {"Create app NAME: database NAME with every pgbox extension, roles NAME (LOGIN), NAME_owner and",
                    "NAME_readonly, per-role limits. Creating an existing app re-checks its privileges and changes nothing else",
                    "unless limits are given. Migrations run as the owner: 'pgbox app url NAME --owner' (or SET ROLE NAME_owner)."})
    static final class Create extends BaseCommand implements Callable<Integer> {
        @Parameters(paramLabel = "NAME", description = "Lowercase letters, digits and _, starting with a letter.")
        String name;

        @Option(names = "--statement-timeout", paramLabel = "DURATION",
                description = "statement_timeout of the login role (default PGBOX_APP_STATEMENT_TIMEOUT).")
        String statementTimeout;

        @Option(names = "--idle-timeout", paramLabel = "DURATION",
                description = "idle_in_transaction_session_timeout of the login role (default PGBOX_APP_IDLE_TIMEOUT).")
        String idleTimeout;

        @Option(names = "--connection-limit", paramLabel = "N",
                description = "Most sessions the login role may hold, -1 for no limit; kept as apps come and go (default: PGBOX_APP_CONNECTION_LIMIT "
                        + "when set, else the app's share of the RAM plan, re-shared when apps are created or dropped).")
        String connectionLimit;

        @Override
        public Integer call() {
            // every value is checked before the settings are read or the server is asked anything
            AppName app = new AppName(name);
            String statement = statementTimeout != null ? Apps.duration("--statement-timeout", statementTimeout) : null;
            String idle = idleTimeout != null ? Apps.duration("--idle-timeout", idleTimeout) : null;
            Integer connections = connectionLimit != null ? Apps.connectionLimit("--connection-limit", connectionLimit) : null;
            Settings s = settings();
            Apps.Limits defaults = Apps.defaults(s);
            // only the limits given change on an existing app; a new app takes the rest from the defaults and the plan
            Apps.Limits limits = statement != null || idle != null || connections != null ? new Apps.Limits(statement, idle, connections) : null;
            Console console = console();
            Apps.Created c = new Apps(Server.open(s)).create(app, limits, defaults, console);
            dev.pgbox.jobs.DefaultJobs.sync(Server.open(s), app, console); // a re-checked app with tables gets their jobs at once
            if (c.existed()) {
                out().println("app '" + app + "' exists already; privileges checked" + (limits != null ? ", limits updated" : "")
                        + (c.passwordGenerated() ? ", new password saved (the old one was not in .env.secrets)" : "; nothing else changed"));
            } else {
                out().printf("created app '%s': database %s, roles %s (login), %s, %s  [%.1fs]%n", app, app, app.loginRole(),
                        app.ownerRole(), app.readonlyRole(), console.seconds());
                out().println("  password: " + app.passwordVariable() + " in .env.secrets (not shown; pgbox app url " + app
                        + " --show-password)");
                out().println("  migrations: pgbox app url " + app + " --owner (logs in as " + app.loginRole() + ", runs as "
                        + app.ownerRole() + ")");
            }
            return 0;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "Apps with size, connections now/limit, timeouts and roles.")
    static final class ListApps extends BaseCommand implements Callable<Integer> {
        @Option(names = "--json", description = "Print as JSON.")
        boolean json;

        @Override
        public Integer call() {
            List<Apps.AppInfo> apps = new Apps(Server.open(settings())).list();
            if (json) {
                out().println(Json.render(apps));
                return 0;
            }
            out().println(Tables.aligned(List.of("app", "size", "connections", "statement_timeout", "idle_timeout", "roles"),
                    apps.stream().map(a -> List.of(a.name(), Size.human(a.bytes()),
                            a.connections() + " / " + (a.connectionLimit() < 0 ? "unlimited" : Integer.toString(a.connectionLimit())),
                            a.statementTimeout(), a.idleInTransactionTimeout(), String.join(", ", a.roles()))).toList()));
            return 0;
        }
    }

    @Command(name = "url", mixinStandardHelpOptions = true,
            description = {"Connection URLs of app NAME (libpq and JDBC forms), without the password unless asked. With --owner",
                    "they log in as NAME and run as NAME_owner (options=-c role=NAME_owner): for migrations."})
    static final class Url extends BaseCommand implements Callable<Integer> {
        @Parameters(paramLabel = "NAME")
        String name;

        @Option(names = "--show-password", description = "Put the password into the URLs (they end up in your terminal's history).")
        boolean showPassword;

        @Option(names = "--owner", description = "Log in as the login role and run every statement as NAME_owner (for ORM migrations).")
        boolean owner;

        @Option(names = "--ha", description = {"On an HA member: URLs listing every member; the client picks the writable primary",
                "(target_session_attrs=read-write, targetServerType=primary), so it finds a new primary after a failover."})
        boolean ha;

        @Option(names = "--read-only", description = "With --ha: prefer a standby (prefer-standby, preferSecondary), for reads.")
        boolean readOnly;

        @Option(names = "--pooled", description = {"URLs through PgBouncer (127.0.0.1:PGBOUNCER_PORT, 'pgbox pool enable'): the app's",
                "transaction pool; JDBC with prepareThreshold=0. Use SET LOCAL, not SET, for per-request settings."})
        boolean pooled;

        @Option(names = "--session", description = "With --pooled: the app's session pool (LISTEN/NOTIFY, session state, prepared statements).")
        boolean session;

        @Override
        public Integer call() {
            Connections.As as = new Connections.As(new AppName(name), owner);
            if (session && !pooled) {
                throw new dev.pgbox.PgboxException(ErrorKind.USAGE, "--session needs --pooled", "it picks PgBouncer's session pool",
                        "pgbox app url " + name + " --pooled --session");
            }
            if (pooled) {
                if (ha) {
                    throw new dev.pgbox.PgboxException(ErrorKind.USAGE, "--pooled does not go with --ha",
                            "PgBouncer runs on this machine in front of this server only", "pgbox app url " + name + " --ha, or --pooled alone");
                }
                return pooledUrls(as);
            }
            if (readOnly && !ha) {
                throw new dev.pgbox.PgboxException(ErrorKind.USAGE, "--read-only needs --ha", "it picks a standby among the HA members",
                        "pgbox app url " + name + " --ha --read-only");
            }
            if (ha) {
                return haUrls(as);
            }
            Server server = Server.open(settings());
            AppUrls urls = Connections.urls(server, as);
            String password = showPassword ? Connections.appPassword(server.settings(), as.app()) : null;
            out().println("libpq: " + urls.libpq(password));
            out().println("jdbc:  " + urls.jdbc(password));
            if (!showPassword) {
                out().println("password: " + as.app().passwordVariable() + " in .env.secrets (--show-password to include it)");
            }
            if (owner) {
                out().println("role:  logs in as " + urls.user() + ", runs as " + urls.runAs()
                        + " (creates and alters tables; use the plain URL for the running app)");
            }
            return 0;
        }

        private int pooledUrls(Connections.As as) {
            Server server = Server.open(settings());
            dev.pgbox.apps.PooledUrls urls = Connections.pooledUrls(server, as, session);
            String password = showPassword ? Connections.appPassword(server.settings(), as.app()) : null;
            out().println("libpq: " + urls.libpq(password));
            out().println("jdbc:  " + urls.jdbc(password));
            if (!showPassword) {
                out().println("password: " + as.app().passwordVariable() + " in .env.secrets (--show-password to include it)");
            }
            out().println(session
                    ? "pool:  session pool " + urls.urls().database() + " (one server connection per client: LISTEN/NOTIFY, session state)"
                    : "pool:  transaction pool " + urls.urls().database() + " (a server connection per transaction: SET LOCAL, not SET;"
                    + " no LISTEN; JDBC prepareThreshold=0)");
            return 0;
        }

        private int haUrls(Connections.As as) {
            dev.pgbox.apps.MultiHostUrls urls = dev.pgbox.ha.HaUrls.of(settings(), as, readOnly);
            String password = showPassword ? Connections.appPassword(settings(), as.app()) : null;
            out().println("libpq: " + urls.libpq(password));
            out().println("jdbc:  " + urls.jdbc(password));
            if (!showPassword) {
                out().println("password: " + as.app().passwordVariable() + " in .env.secrets (--show-password to include it)");
            }
            out().println("hosts: " + urls.hosts().size() + " member(s); the client connects to the "
                    + (readOnly ? "first standby, else the primary" : "one that is writable (the primary)")
                    + (urls.sslmode().equals("verify-ca") ? "; sslmode=verify-ca: the pinned certificate proves the server's key, "
                    + "but does not name the members' addresses" : ""));
            if (owner) {
                out().println("role:  logs in as " + urls.user() + ", runs as " + urls.runAs() + " (migrations: run them on the primary)");
            }
            return 0;
        }
    }

    @Command(name = "rotate-password", mixinStandardHelpOptions = true,
            description = "Give app NAME's login role a new password (set on the server first, then saved to .env.secrets).")
    static final class Rotate extends BaseCommand implements Callable<Integer> {
        @Parameters(paramLabel = "NAME")
        String name;

        @Override
        public Integer call() {
            AppName app = new AppName(name);
            new Apps(Server.open(settings())).rotatePassword(app);
            out().println("new password for '" + app + "' saved as " + app.passwordVariable()
                    + " in .env.secrets; open sessions keep working, new ones need it");
            return 0;
        }
    }

    @Command(name = "drop", mixinStandardHelpOptions = true,
            description = {"Drop app NAME: its database and its three roles. Asks first (or --yes); refuses while sessions",
                    "are open unless --force."})
    static final class Drop extends BaseCommand implements Callable<Integer> {
        @Parameters(paramLabel = "NAME")
        String name;

        @Option(names = "--yes", description = "Do not ask.")
        boolean yes;

        @Option(names = "--force", description = "End the app's open sessions first.")
        boolean force;

        @Override
        public Integer call() {
            AppName app = new AppName(name);
            Server server = Server.open(settings());
            AppRemoval.check(server, app, force);
            if (!yes && !Confirm.ask("dropping app '" + app + "'",
                    "This deletes database '" + app + "' and all its data. Type the app name to confirm: ", app.value())) {
                out().println("not dropped");
                return ErrorKind.USAGE.exitCode();
            }
            AppRemoval.Dropped d = AppRemoval.drop(server, app, force, console());
            out().println("dropped app '" + d.app() + "' (database and roles " + String.join(", ", d.roles()) + ")"
                    + (d.finalDump() != null ? "; final dump in " + d.finalDump() : ""));
            return 0;
        }
    }
}
