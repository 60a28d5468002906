package dev.pgbox.memory;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.pgbox.ErrorKind;
import dev.pgbox.PgboxException;
import dev.pgbox.apps.AppName;
import dev.pgbox.apps.Apps;
import dev.pgbox.apps.Connections;
import dev.pgbox.cluster.Server;
import dev.pgbox.config.Settings;
import dev.pgbox.sql.Jdbc;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * The agent's sessions: one small connection pool (HikariCP) per app and role, made on first use, so
 * an API call borrows a warm TLS connection instead of paying a handshake and a SCRAM login. Each
 * pool logs in as the app's login role (or runs as its owner role, {@code options=-c role=APP_owner}),
 * verified against the server's root certificate exactly like {@link Jdbc#connect}: the app's grants
 * and row-level security apply to the API as to the app itself.
 *
 * <p>The passwords come from the agent's settings snapshot. An app made after the agent started (no
 * password yet), or a rotated password the server refuses, makes it read the snapshot again once
 * ({@code reload}): 'pgbox app create' and 'app rotate-password' update that file.
 */
public final class PooledSessions implements Sessions, AutoCloseable {
    /**
     * How long a caller waits for a connection (a new one, or a busy pool's next free one). A refused
     * login (a rotated password) is known only after it: short, as a login takes milliseconds.
     */
    static final long CONNECTION_TIMEOUT_MS = 5_000;
    /** An idle connection is closed after this; the pools keep none open for apps nobody calls. */
    static final long IDLE_TIMEOUT_MS = 120_000;

    private record Key(AppName app, boolean owner) {
    }

    private final int poolSize;
    private final Supplier<Settings> reload;
    private final Map<Key, HikariDataSource> pools = new ConcurrentHashMap<>();
    private volatile Server server;
    private volatile boolean closed;

    /**
     * @param poolSize the most connections per app and role
     * @param reload reads the agent's settings again (its snapshot file), for passwords set after the start
     */
    public PooledSessions(Server server, int poolSize, Supplier<Settings> reload) {
        this.server = server;
        this.poolSize = Math.max(1, poolSize);
        this.reload = reload;
    }

    @Override
    public <T> T withConnection(AppName app, boolean owner, Work<T> work) {
        Connection c = borrow(new Key(app, owner));
        try (c) {
            return work.run(c);
        } catch (SQLException e) {
            throw MemorySql.failure(e, "memory work in app '" + app + "'");
        }
    }

    private Connection borrow(Key key) {
        HikariDataSource pool = pool(key);
        try {
            return pool.getConnection();
        } catch (SQLException e) {
            if (!"28P01".equals(state(e))) {
                throw connectFailure(e, key);
            }
            // the password was rotated since this pool was made: read the snapshot again and try once more
            drop(key, pool);
            reloadSettings();
            try {
                return pool(key).getConnection();
            } catch (SQLException again) {
                throw connectFailure(again, key);
            }
        }
    }

    private HikariDataSource pool(Key key) {
        HikariDataSource pool = pools.get(key);
        if (pool != null) {
            return pool;
        }
        synchronized (this) {
            if (closed) {
                throw new PgboxException(ErrorKind.NOT_RUNNING, "the agent is stopping", "its connection pools are closed",
                        "call again once 'pgbox start' has started the agent");
            }
            pool = pools.get(key);
            if (pool == null) {
                pool = new HikariDataSource(config(target(key), poolSize, poolName(key)));
                pools.put(key, pool);
            }
            return pool;
        }
    }

    /** The login for an app and role: checks that the server runs and the app is a pgbox app; reads the snapshot again for a new app. */
    private Jdbc.Target target(Key key) {
        if (server.settings().appSecret(key.app().passwordVariable()) == null) {
            reloadSettings();
        }
        server.requireRunning("serve memory calls");
        if (!new Apps(server).exists(key.app())) {
            // the API names a missing app like a missing collection: 404 (the CLI's CONFIG says the same in other words)
            throw new PgboxException(ErrorKind.NOT_FOUND, "no app named '" + key.app() + "'", "there is no database of that name",
                    "see 'pgbox app list', or create it with 'pgbox app create " + key.app() + "'");
        }
        return Connections.login(server, new Connections.As(key.app(), key.owner())).target();
    }

    private synchronized void reloadSettings() {
        Settings fresh = reload.get();
        if (fresh != null) {
            server = Server.open(fresh);
        }
    }

    private synchronized void drop(Key key, HikariDataSource pool) {
        pools.remove(key, pool);
        pool.close();
    }

    /** The pool's settings: the driver properties of {@link Jdbc#connect} (TLS verified, the owner's role option), a small pool. */
    static HikariConfig config(Jdbc.Target t, int size, String name) {
        HikariConfig c = new HikariConfig();
        c.setPoolName(name);
        c.setDriverClassName("org.postgresql.Driver");
        c.setJdbcUrl(t.url());
        c.setUsername(t.user());
        c.setPassword(t.password());
        c.addDataSourceProperty("sslmode", t.rootCert() != null ? "verify-full" : "require");
        if (t.rootCert() != null) {
            c.addDataSourceProperty("sslrootcert", t.rootCert().toString());
        }
        c.addDataSourceProperty("ApplicationName", "pgbox-api");
        c.addDataSourceProperty("connectTimeout", "10");
        if (t.runAs() != null) {
            // a startup option: every statement of every pooled connection runs as the owner role
            c.addDataSourceProperty("options", "-c role=" + t.runAs());
        }
        c.setMaximumPoolSize(size);
        c.setMinimumIdle(0);
        c.setIdleTimeout(IDLE_TIMEOUT_MS);
        c.setConnectionTimeout(CONNECTION_TIMEOUT_MS);
        c.setAutoCommit(true);
        // no connection while the agent starts: the first call makes the first one (and reports its error)
        c.setInitializationFailTimeout(-1);
        return c;
    }

    private static String poolName(Key key) {
        return "pgbox-api-" + key.app() + (key.owner() ? "-owner" : "");
    }

    /** A failed borrow: the server's words; a refused or broken connection is NOT_RUNNING (503). */
    private static PgboxException connectFailure(SQLException e, Key key) {
        SQLException root = rootSql(e);
        String state = root.getSQLState();
        String who = key.owner() ? key.app().ownerRole() : key.app().loginRole();
        if (state != null && state.startsWith("08")) {
            return new PgboxException(ErrorKind.NOT_RUNNING, "cannot connect to app '" + key.app() + "' as " + who, Jdbc.sqlCause(root),
                    "run 'pgbox status' on the server; 'pgbox start' starts it");
        }
        if (state == null) {
            // no answer in time: every pooled connection busy, or a server not accepting connections
            return new PgboxException(ErrorKind.TIMEOUT, "no connection to app '" + key.app() + "' as " + who + " within "
                    + CONNECTION_TIMEOUT_MS / 1000 + "s", String.valueOf(root.getMessage()),
                    "try again; 'pgbox status' shows whether the server runs, PGBOX_API_POOL_SIZE sets the connections per app");
        }
        return MemorySql.failure(root, "connecting to app '" + key.app() + "' as " + who);
    }

    /** The deepest SQLException in the cause chain: HikariCP wraps the driver's own. */
    static SQLException rootSql(SQLException e) {
        SQLException deepest = e;
        for (Throwable t = e.getCause(); t != null; t = t.getCause()) {
            if (t instanceof SQLException s) {
                deepest = s;
            }
        }
        return deepest;
    }

    private static String state(SQLException e) {
        return rootSql(e).getSQLState();
    }

    /** How many pools are open (one per app and role used so far). */
    public int pools() {
        return pools.size();
    }

    /** Closes every pool; a later call fails with NOT_RUNNING. */
    @Override
    public synchronized void close() {
        closed = true;
        pools.values().forEach(HikariDataSource::close);
        pools.clear();
    }
}
