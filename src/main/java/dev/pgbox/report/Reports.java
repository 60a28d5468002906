package dev.pgbox.report;

import dev.pgbox.ErrorKind;
import dev.pgbox.PgboxException;
import dev.pgbox.apps.AppName;
import dev.pgbox.apps.Apps;
import dev.pgbox.cluster.Server;
import dev.pgbox.config.Setting;
import dev.pgbox.sql.AdminSql;

/**
 * {@code pgbox report NAME}: one read-only report over the running server, returned as a model the CLI
 * prints as a table or JSON. Reports about one database's objects (indexes, tables, vacuum) read the
 * app's database, by default the main POSTGRES_DB. Server-wide views (slow queries, locks, activity,
 * cache per database) cover every database unless an app is named; then only that app's.
 */
public final class Reports {
    /** Default row limit of every report. */
    public static final int DEFAULT_LIMIT = 20;

    private final Server server;

    public Reports(Server server) {
        this.server = server;
    }

    /** {@code superuser}: also the statements of the superuser (pgbox's own administration and checks). */
    public SlowQueries slowQueries(String app, int limit, boolean superuser) {
        Scope s = scope(app, limit, "read the slow queries");
        return SlowQueries.read(s.sql, s.database, s.filter, limit, superuser);
    }

    public UnusedIndexes unusedIndexes(String app, int limit) {
        Scope s = scope(app, limit, "look for unused indexes");
        return UnusedIndexes.read(s.sql, s.database, limit);
    }

    public MissingFkIndexes missingFkIndexes(String app, int limit) {
        Scope s = scope(app, limit, "look for foreign keys without an index");
        return MissingFkIndexes.read(s.sql, s.database, limit);
    }

    public TableSizes tableSizes(String app, int limit) {
        Scope s = scope(app, limit, "read table sizes");
        return TableSizes.read(s.sql, s.database, limit);
    }

    public Bloat bloat(String app, int limit) {
        Scope s = scope(app, limit, "estimate bloat");
        return Bloat.read(s.sql, s.database, limit);
    }

    public Locks locks(String app, int limit) {
        Scope s = scope(app, limit, "read locks");
        return Locks.read(s.sql, s.database, s.filter, limit);
    }

    public Activity activity(String app, int limit) {
        Scope s = scope(app, limit, "read the activity");
        return Activity.read(s.sql, s.database, s.filter, limit, true);
    }

    public Cache cache(String app, int limit) {
        Scope s = scope(app, limit, "read cache hit ratios");
        return Cache.read(s.sql, s.database, s.filter, limit);
    }

    public Vacuum vacuum(String app, int limit) {
        Scope s = scope(app, limit, "read vacuum state");
        return Vacuum.read(s.sql, s.database, limit);
    }

    /**
     * Where a report reads: the app's database (default the main one), and the database filter of the
     * server-wide views (null without --app).
     */
    private record Scope(AdminSql sql, String database, String filter) {
    }

    private Scope scope(String app, int limit, String verb) {
        if (limit < 1) {
            throw new PgboxException(ErrorKind.USAGE, "--limit must be at least 1", "got " + limit, "e.g. --limit 20");
        }
        server.requireRunning(verb);
        String main = server.settings().get(Setting.POSTGRES_DB);
        if (app == null) {
            return new Scope(server.admin(), main, null);
        }
        if (!app.equals(main)) {
            new Apps(server).requirePgboxApp(new AppName(app));
        }
        return new Scope(server.admin(), app, app);
    }
}
