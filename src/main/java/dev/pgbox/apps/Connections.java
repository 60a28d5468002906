package dev.pgbox.apps;

import dev.pgbox.ErrorKind;
import dev.pgbox.PgboxException;
import dev.pgbox.cluster.Server;
import dev.pgbox.config.Setting;
import dev.pgbox.config.Settings;
import dev.pgbox.pool.PoolerAddress;
import dev.pgbox.sql.Jdbc;

/**
 * Which database and role a front end connects as (db query, db shell, app url, rls test), and with
 * which password: the main database as POSTGRES_USER, or an app's database as its login role,
 * optionally running as the app's owner role. Checks what can be checked before anything connects.
 */
public final class Connections {
    private Connections() {
    }

    /**
     * Whom to connect as.
     *
     * @param app an app name (checked like 'pgbox app create' checks it), or null for the main database
     * @param owner run as the app's owner role (only with an app)
     */
    public record As(AppName app, boolean owner) {
        /** The main database as POSTGRES_USER. */
        public static final As MAIN = new As(null, false);

        public As {
            if (owner && app == null) {
                throw new PgboxException(ErrorKind.USAGE, "--owner needs --app NAME",
                        "--owner runs as an app's owner role (NAME_owner); the main database has none",
                        "pass the app too: --app NAME --owner (see 'pgbox app list')");
            }
        }

        /** From the command-line options: {@code app} null for the main database. */
        public static As of(String app, boolean owner) {
            if (app == null) {
                return new As(null, owner);
            }
            return new As(new AppName(app), owner);
        }
    }

    /** A way in and the password that opens it (kept out of toString, argv and logs). */
    public record Login(AppUrls urls, String password, String passwordVariable) {
        public Jdbc.Target target() {
            return urls.target(password);
        }

        @Override
        public String toString() {
            return urls.libpq();
        }
    }

    /** The URLs for {@code as} on the running server; the app must be a pgbox app. */
    public static AppUrls urls(Server server, As as) {
        server.requireRunning("connect");
        if (as.app() == null) {
            return AppUrls.main(server.settings(), server.instance());
        }
        new Apps(server).requirePgboxApp(as.app());
        return AppUrls.app(server.instance(), as.app(), as.owner());
    }

    /**
     * The URLs of an app's pool on PgBouncer (its transaction pool, or the session pool with {@code session});
     * refused while PGBOUNCER_ENABLED=off, and for --owner, whose startup option PgBouncer does not pass on.
     */
    public static PooledUrls pooledUrls(Server server, As as, boolean session) {
        Settings s = server.settings();
        if (!"on".equals(s.get(Setting.PGBOUNCER_ENABLED))) {
            throw new PgboxException(ErrorKind.CONFIG, "no pooled URL: PgBouncer is off (PGBOUNCER_ENABLED=off)",
                    "a pooled URL points at PgBouncer on 127.0.0.1:" + s.get(Setting.PGBOUNCER_PORT) + ", which pgbox does not run",
                    "pgbox pool enable (then run this again), or drop --pooled to connect directly");
        }
        if (as.owner()) {
            throw new PgboxException(ErrorKind.USAGE, "--pooled does not go with --owner",
                    "PgBouncer does not pass the startup option -c role=" + as.app().ownerRole() + " on to the server",
                    "run migrations over the direct URL: pgbox app url " + as.app() + " --owner");
        }
        server.requireRunning("connect");
        new Apps(server).requirePgboxApp(as.app());
        return AppUrls.pooled(server.instance(), PoolerAddress.of(s, server.layout()), as.app(), session);
    }

    /** The URLs and the password for {@code as}; fails with CONFIG when the password is not in .env.secrets. */
    public static Login login(Server server, As as) {
        AppUrls urls = urls(server, as);
        Settings s = server.settings();
        if (as.app() == null) {
            if (!s.isSet(Setting.POSTGRES_PASSWORD)) {
                throw new PgboxException(ErrorKind.CONFIG, "no password for " + urls.user(),
                        "POSTGRES_PASSWORD is not in .env.secrets or the environment", "run 'pgbox start' once; it generates one");
            }
            return new Login(urls, s.get(Setting.POSTGRES_PASSWORD), "POSTGRES_PASSWORD");
        }
        return new Login(urls, appPassword(s, as.app()), as.app().passwordVariable());
    }

    /** The login role's password of app {@code app}; fails with CONFIG when .env.secrets has none. */
    public static String appPassword(Settings s, AppName app) {
        String password = s.appSecret(app.passwordVariable());
        if (password == null) {
            throw new PgboxException(ErrorKind.CONFIG, "no password for app '" + app + "'",
                    app.passwordVariable() + " is not in .env.secrets or the environment",
                    "pgbox app rotate-password " + app + " sets a new one");
        }
        return password;
    }

    /** The JDBC target of whichever role owns {@code database}: the main database's role, or a pgbox app's login role. */
    public static Jdbc.Target targetFor(Server server, String database) {
        As as = database.equals(server.settings().get(Setting.POSTGRES_DB)) ? As.MAIN : As.of(database, false);
        return login(server, as).target();
    }
}
