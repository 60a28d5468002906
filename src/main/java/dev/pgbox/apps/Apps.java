package dev.pgbox.apps;

import static dev.pgbox.sql.SqlText.ident;
import static dev.pgbox.sql.SqlText.literal;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.pgbox.ErrorKind;
import dev.pgbox.PgboxException;
import dev.pgbox.Progress;
import dev.pgbox.sql.AdminSql;
import dev.pgbox.cluster.AgentSecrets;
import dev.pgbox.cluster.Server;
import dev.pgbox.config.Durations;
import dev.pgbox.config.Secrets;
import dev.pgbox.config.Settings;
import dev.pgbox.config.Scram;
import dev.pgbox.sql.SqlText;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Many applications on one server: each gets its own database owned by a NOLOGIN owner role, a LOGIN
 * role with only data privileges (and a SCRAM password in .env.secrets), and a NOLOGIN read-only
 * group. Nobody else may connect to the database. Every operation is idempotent.
 */
public final class Apps {
    /** Marks databases made by 'pgbox app create' (COMMENT ON DATABASE). */
    public static final String MARKER = "pgbox app";

    private final Server server;
    private final AdminSql sql;

    public Apps(Server server) {
        this.server = server.requireRunning("manage apps");
        this.sql = server.admin();
    }

    /**
     * Per-role limits; a null field is left as it is on an existing app (a new app takes the default or the plan's value).
     *
     * @param statementTimeout e.g. "30s"; "0" for none
     * @param idleInTransactionTimeout e.g. "60s"; "0" for none
     * @param connectionLimit at most this many sessions of the login role; -1 for none
     */
    public record Limits(String statementTimeout, String idleInTransactionTimeout, Integer connectionLimit) {
        /** These limits, with every field this one leaves out taken from {@code base}. */
        Limits over(Limits base) {
            return new Limits(statementTimeout != null ? statementTimeout : base.statementTimeout,
                    idleInTransactionTimeout != null ? idleInTransactionTimeout : base.idleInTransactionTimeout,
                    connectionLimit != null ? connectionLimit : base.connectionLimit);
        }
    }

    /** The comment on an app's login role whose connection limit follows the RAM plan (re-shared as apps come and go). */
    static final String PLANNED_LIMIT = "pgbox app login; connection limit follows the RAM plan";
    /** The comment on an app's login role whose connection limit was given with --connection-limit (pgbox leaves it alone). */
    static final String OWN_LIMIT = "pgbox app login; connection limit set by hand";

    /**
     * One row of 'pgbox app list' (its --json names: name, size_bytes, connections, connection_limit,
     * statement_timeout, idle_in_transaction_session_timeout, roles).
     */
    public record AppInfo(String name, @JsonProperty("size_bytes") long bytes, int connections, int connectionLimit,
                          String statementTimeout,
                          @JsonProperty("idle_in_transaction_session_timeout") String idleInTransactionTimeout,
                          List<String> roles) {
    }

    /** What create did. */
    public record Created(AppName app, boolean existed, boolean passwordGenerated) {
    }

    public boolean exists(AppName app) {
        return "t".equals(sql.value("postgres", "SELECT EXISTS (SELECT FROM pg_database WHERE datname = $1)", app.value()));
    }

    /** Whether a database named {@code app} exists and was made by 'pgbox app create'. */
    public boolean isPgboxApp(AppName app) {
        return MARKER.equals(sql.value("postgres", "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = $1",
                app.value()));
    }

    /** Creates the app, or re-checks an existing one; {@code limits} null keeps existing limits (or the defaults for a new app). */
    public Created create(AppName app, Limits limits, Limits defaults, Progress progress) {
        boolean existed = exists(app);
        if (existed && !isPgboxApp(app)) {
            throw new PgboxException(ErrorKind.CONFIG, "a database named '" + app + "' exists and was not made by pgbox",
                    "pgbox will not take over a database it did not create",
                    "pick another app name, or drop or rename that database");
        }
        Settings settings = server.settings();
        Path secrets = secretsFile();
        String password = settings.appSecret(app.passwordVariable());
        boolean generated = password == null;
        if (generated) {
            password = Scram.generatePassword(32);
            Secrets.put(secrets, app.passwordVariable(), password);
        }
        try {
            progress.step((existed ? "checking" : "creating") + " database '" + app + "' and roles " + app.loginRole() + ", "
                    + app.ownerRole() + ", " + app.readonlyRole());
            sql.run("postgres", AppSql.rolesAndDatabase(app, existed && !generated ? null : Scram.verifier(password)));
            sql.run(app.value(), AppSql.insideDatabase(app));
            // a new app takes every limit not given from the defaults and its connection limit from the plan;
            // an existing app changes only the limits given
            Limits apply = existed ? limits : (limits != null ? limits : new Limits(null, null, null)).over(planned(defaults));
            if (apply != null) {
                String marker = limits != null && limits.connectionLimit() != null ? OWN_LIMIT : existed ? null : PLANNED_LIMIT;
                sql.run("postgres", AppSql.limits(app, apply, marker));
            }
        } catch (PgboxException e) {
            if (!existed) {
                dropQuietly(app);
                if (generated) {
                    Secrets.remove(secrets, app.passwordVariable());
                }
            }
            throw e;
        }
        AgentSecrets.put(server.layout(), app.passwordVariable(), password); // the agent's API connects as the app
        if (!existed) {
            reshareConnectionLimits().forEach(progress::step);
        }
        dev.pgbox.pool.Pooler.appsChanged(server, progress).forEach(progress::step); // its pools in PgBouncer, at once
        return new Created(app, existed, generated);
    }

    /**
     * Gives every app whose connection limit follows the plan its share of the plan's room for the apps there are now
     * (called after an app is created or dropped), so that the apps together never hold more than the room. Apps with a
     * limit set by hand, and apps made before pgbox marked planned limits, are left alone. Returns what changed, in words.
     */
    public List<String> reshareConnectionLimits() {
        List<List<String>> planned = sql.rows("postgres", AppSql.PLANNED_LIMITS, PLANNED_LIMIT);
        if (planned.isEmpty()) {
            return List.of();
        }
        int share = dev.pgbox.tune.RamPlan.appConnectionLimit(server.settings(), server.plan(), allDatabases().size());
        int changed = 0;
        for (List<String> r : planned) {
            if (Integer.parseInt(r.get(1)) != share) {
                sql.run("postgres", "ALTER ROLE " + ident(r.get(0)) + " CONNECTION LIMIT " + share + ";");
                changed++;
            }
        }
        return changed == 0 ? List.of() : List.of("connection limit of " + changed + " app(s) following the RAM plan is now " + share + " each");
    }

    /** A new app's defaults with the connection limit of the RAM plan, unless PGBOX_APP_CONNECTION_LIMIT is set by hand. */
    private Limits planned(Limits defaults) {
        Settings s = server.settings();
        dev.pgbox.config.Setting limitSetting = dev.pgbox.config.Setting.PGBOX_APP_CONNECTION_LIMIT;
        if (s.explicit(limitSetting) || defaults.connectionLimit() == null || defaults.connectionLimit() != s.integer(limitSetting)) {
            return defaults;
        }
        int limit = dev.pgbox.tune.RamPlan.appConnectionLimit(s, server.plan(), allDatabases().size()); // the new app is listed already
        return new Limits(defaults.statementTimeout(), defaults.idleInTransactionTimeout(), limit);
    }

    /** The main database (POSTGRES_DB) and every app's database, in that order: what "everything" means to dumps and audits. */
    public List<String> allDatabases() {
        List<String> dbs = new ArrayList<>();
        dbs.add(server.settings().get(dev.pgbox.config.Setting.POSTGRES_DB));
        list().forEach(a -> dbs.add(a.name()));
        return dbs;
    }

    public List<AppInfo> list() {
        List<AppInfo> out = new ArrayList<>();
        for (List<String> r : sql.rows("postgres", AppSql.LIST)) {
            out.add(new AppInfo(r.get(0), Long.parseLong(r.get(1)), Integer.parseInt(r.get(2)), Integer.parseInt(r.get(3)),
                    r.get(4).isEmpty() ? "0" : r.get(4), r.get(5).isEmpty() ? "0" : r.get(5),
                    List.of(r.get(0), r.get(0) + "_owner", r.get(0) + "_readonly")));
        }
        return out;
    }

    /** A new password: set on the server first (as a SCRAM verifier), then saved to .env.secrets. */
    public String rotatePassword(AppName app) {
        requirePgboxApp(app);
        String password = Scram.generatePassword(32);
        sql.run("postgres", "ALTER ROLE " + ident(app.loginRole()) + " PASSWORD " + literal(Scram.verifier(password)) + ";");
        Secrets.put(secretsFile(), app.passwordVariable(), password);
        AgentSecrets.put(server.layout(), app.passwordVariable(), password);
        return password;
    }

    /** Sessions of the app's database right now. */
    public int openConnections(AppName app) {
        return Integer.parseInt(sql.value("postgres", "SELECT count(*) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()",
                app.value()));
    }

    /** Drops database and roles; with {@code force}, ends open sessions first. */
    public void drop(AppName app, boolean force) {
        checkCanDrop(app, force);
        sql.run("postgres", AppSql.drop(app, force));
        Secrets.remove(secretsFile(), app.passwordVariable());
    }

    /** Fails unless the app exists, is pgbox's, and has no open sessions (or {@code force}). */
    public void checkCanDrop(AppName app, boolean force) {
        requirePgboxApp(app);
        int open = openConnections(app);
        if (open > 0 && !force) {
            throw new PgboxException(ErrorKind.CONFIG, "cannot drop app '" + app + "': " + open + " connection(s) are open",
                    "dropping would cut off a running application", "stop the app first, or pass --force to end its sessions");
        }
    }

    private void dropQuietly(AppName app) {
        try {
            sql.run("postgres", AppSql.drop(app, true));
        } catch (PgboxException e) {
            // the original failure is the one to report
        }
    }

    /** Fails with a clear message unless the app exists and was made by pgbox. */
    public void requirePgboxApp(AppName app) {
        if (!exists(app)) {
            throw new PgboxException(ErrorKind.CONFIG, "no app named '" + app + "'", "there is no database of that name",
                    "see 'pgbox app list', or create it with 'pgbox app create " + app + "'");
        }
        if (!isPgboxApp(app)) {
            throw new PgboxException(ErrorKind.CONFIG, "database '" + app + "' was not made by 'pgbox app create'",
                    "pgbox manages only the databases it created", "manage this database by hand");
        }
    }

    /** Default limits from the settings catalogue. */
    public static Limits defaults(Settings s) {
        return new Limits(s.get(dev.pgbox.config.Setting.PGBOX_APP_STATEMENT_TIMEOUT),
                s.get(dev.pgbox.config.Setting.PGBOX_APP_IDLE_TIMEOUT),
                s.integer(dev.pgbox.config.Setting.PGBOX_APP_CONNECTION_LIMIT));
    }

    private Path secretsFile() {
        return server.settings().projectDir().resolve(Settings.SECRETS_FILE);
    }

    /** PostgreSQL's timeouts are int milliseconds: a longer one is refused by the server, so it is refused here first. */
    static final long MAX_TIMEOUT_MS = Integer.MAX_VALUE;

    /** Checks a duration option the same way settings are checked; returns PostgreSQL's form of it. */
    public static String duration(String option, String value) {
        Long ms = value == null || value.length() > 20 ? null : Durations.parseMillis(value);
        if (ms == null || ms < 0 || ms > MAX_TIMEOUT_MS) {
            throw new PgboxException(ErrorKind.USAGE, "invalid value " + SqlText.shown(value) + " for " + option,
                    option + " takes a whole number with a unit ms, s, min, h or d, at most 24d (0 turns it off)",
                    "e.g. " + option + "=30s");
        }
        return Durations.format(ms);
    }

    /** Checks a connection limit option: a whole number of sessions, or -1 for none. */
    public static int connectionLimit(String option, String value) {
        if (value != null && value.matches("-1|0|[1-9][0-9]{0,6}")) {
            return Integer.parseInt(value);
        }
        throw new PgboxException(ErrorKind.USAGE, "invalid value " + SqlText.shown(value) + " for " + option,
                option + " takes a whole number of sessions from 0 to 9999999, or -1 for no limit", "e.g. " + option + "=20");
    }
}
