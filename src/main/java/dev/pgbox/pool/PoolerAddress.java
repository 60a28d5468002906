package dev.pgbox.pool;

import dev.pgbox.cluster.Layout;
import dev.pgbox.config.Setting;
import dev.pgbox.config.Settings;
import java.nio.file.Path;

/**
 * Where PgBouncer answers: 127.0.0.1:{@code port} for clients (TLS, scram-sha-256) and a Unix socket in the
 * server's run dir for pgbox itself (the admin console, as the OS user that runs the server, peer auth).
 *
 * @param runDir the folder of PgBouncer's Unix socket (the server's socket folder)
 * @param port PGBOUNCER_PORT
 * @param adminUser the admin console's user: the OS user that runs the server and PgBouncer
 */
public record PoolerAddress(Path runDir, int port, String adminUser) {
    /** The name of PgBouncer's admin console database. */
    public static final String CONSOLE = "pgbouncer";
    /** Ends a session pool's name: app names never hold '-', so it cannot meet another app's database. */
    static final String SESSION_SUFFIX = "-session";

    public static PoolerAddress of(Settings settings, Layout layout) {
        return new PoolerAddress(layout.runDir(), settings.integer(Setting.PGBOUNCER_PORT), layout.osUser());
    }

    /** The transaction pool of an app database: named like the database. */
    public static String database(String appDatabase) {
        return appDatabase;
    }

    /** The session pool of an app database (LISTEN/NOTIFY, session state). */
    public static String sessionDatabase(String appDatabase) {
        return appDatabase + SESSION_SUFFIX;
    }
}
