package dev.pgbox.security;

import dev.pgbox.apps.AppName;
import dev.pgbox.apps.Connections;
import dev.pgbox.apps.Apps;
import dev.pgbox.cluster.Server;
import dev.pgbox.config.Setting;
import dev.pgbox.config.Settings;
import dev.pgbox.sql.RoleSql;

/**
 * 'pgbox rls enable|test|audit' as a service: finds the app's database (the main database or a pgbox
 * app), and returns what {@link Rls} did or found as a model. The test runs as the app's own login
 * role over TLS, so it proves what the application itself can reach.
 */
public final class TenantIsolation {
    private final Server server;

    public TenantIsolation(Server server) {
        this.server = server;
    }

    /** ENABLE + FORCE row-level security on {@code table} of {@code app} with pgbox's policy on {@code column}. */
    public Rls.Enabled enable(String app, Rls.TableName table, String column) {
        Rls.requireColumn(column);
        server.requireRunning("enable row-level security");
        String db = database(app);
        return new Rls.Enabled(db, table.toString(), column, Rls.enable(server.admin(), db, table, column));
    }

    /** Tries, as the app's login role, to reach another tenant's rows in every table with row-level security. */
    public Rls.TestReport test(String app, String defaultColumn) {
        Rls.requireColumn(defaultColumn);
        server.requireRunning("test row-level security");
        String db = database(app);
        return Rls.TestReport.of(Rls.test(server.admin(), db, new RoleSql(Connections.targetFor(server, db)), defaultColumn));
    }

    /** Tables of {@code app} that are not (fully) protected, as findings. */
    public SecurityReport audit(String app, String tenantColumn) {
        Rls.requireColumn(tenantColumn);
        server.requireRunning("audit row-level security");
        String db = database(app);
        return SecurityReport.of(Rls.audit(server.admin(), db, tenantColumn, loginRole(db)));
    }

    /** The database of APP: the main POSTGRES_DB, or a database made by 'pgbox app create'. */
    private String database(String app) {
        if (!app.equals(server.settings().get(Setting.POSTGRES_DB))) {
            new Apps(server).requirePgboxApp(new AppName(app));
        }
        return app;
    }

    private String loginRole(String database) {
        Settings s = server.settings();
        return database.equals(s.get(Setting.POSTGRES_DB)) ? s.get(Setting.POSTGRES_USER) : new AppName(database).loginRole();
    }
}
