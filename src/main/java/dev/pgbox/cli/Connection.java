package dev.pgbox.cli;

import dev.pgbox.ErrorKind;
import dev.pgbox.PgboxException;
import dev.pgbox.cluster.Layout;
import dev.pgbox.config.Setting;
import dev.pgbox.config.Settings;
import dev.pgbox.sql.Jdbc;
import java.nio.file.Path;

/** How an application reaches the project's database: URLs without the password, and a JDBC target. */
record Connection(String host, int port, String database, String user, Path cert) {

    static Connection of(Settings s, Layout l) {
        String host = s.get(Setting.POSTGRES_HOST).equals("localhost") ? "127.0.0.1" : s.get(Setting.POSTGRES_HOST);
        return new Connection(host, s.integer(Setting.POSTGRES_PORT), s.get(Setting.POSTGRES_DB),
                s.get(Setting.POSTGRES_USER), l.runDir().resolve("server.crt"));
    }

    /** The login role of a pgbox app, in its own database. */
    static Connection forApp(Settings s, Layout l, String app) {
        Connection main = of(s, l);
        return new Connection(main.host(), main.port(), app, app, main.cert());
    }

    String hostForUrl() {
        return host.contains(":") ? "[" + host + "]" : host;
    }

    String libpqUrl() {
        return "postgresql://" + user + "@" + hostForUrl() + ":" + port + "/" + database + "?sslmode=verify-full&sslrootcert=" + cert;
    }

    String jdbcUrl() {
        return "jdbc:postgresql://" + hostForUrl() + ":" + port + "/" + database + "?user=" + user
                + "&sslmode=verify-full&sslrootcert=" + cert;
    }

    Jdbc.Target target(Settings s) {
        if (!s.isSet(Setting.POSTGRES_PASSWORD)) {
            throw new PgboxException(ErrorKind.CONFIG, "no password for " + user,
                    "POSTGRES_PASSWORD is not in .env.secrets or the environment", "run 'pgbox start' once; it generates one");
        }
        return new Jdbc.Target(host, port, database, user, s.get(Setting.POSTGRES_PASSWORD), cert);
    }

    /** The target for whichever role owns this connection: the main app, or a pgbox app with its own secret. */
    static Jdbc.Target targetFor(Settings s, Layout l, String database) {
        if (database.equals(s.get(Setting.POSTGRES_DB))) {
            return of(s, l).target(s);
        }
        dev.pgbox.apps.AppName app = new dev.pgbox.apps.AppName(database);
        String password = s.appSecret(app.passwordVariable());
        if (password == null) {
            throw new PgboxException(ErrorKind.CONFIG, "no password for app '" + database + "'",
                    app.passwordVariable() + " is not in .env.secrets or the environment",
                    "pgbox app rotate-password " + database + " sets a new one");
        }
        Connection c = forApp(s, l, database);
        return new Jdbc.Target(c.host(), c.port(), database, app.loginRole(), password, c.cert());
    }
}
