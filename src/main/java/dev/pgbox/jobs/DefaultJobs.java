package dev.pgbox.jobs;

import static dev.pgbox.sql.SqlText.ident;
import static dev.pgbox.sql.SqlText.literal;

import dev.pgbox.PgboxException;
import dev.pgbox.Progress;
import dev.pgbox.apps.AppName;
import dev.pgbox.apps.Apps;
import dev.pgbox.cluster.Server;
import dev.pgbox.cluster.Standby;
import dev.pgbox.config.Scram;
import dev.pgbox.config.Setting;
import dev.pgbox.config.Settings;
import dev.pgbox.sql.AdminSql;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The jobs pgbox keeps for every app: pg_partman maintenance (when the app has partitioned tables), the
 * soft-delete purge of np_ tables with deleted_at, and the monthly REINDEX CONCURRENTLY of vector
 * indexes; plus the server's own purge of pg_cron's run history. Idempotent: adds what is missing,
 * updates what changed, removes what no longer applies. Only jobs named pgbox:... are touched.
 *
 * <p>No job of an app runs as a superuser. The purge runs as the app's login role (data privileges,
 * like the app). Partition maintenance and REINDEX need the owner's rights, and the owner cannot log in
 * (pg_cron's background workers need a LOGIN role in PostgreSQL 15); REINDEX CONCURRENTLY must also be
 * alone in its command, so it cannot follow a SET ROLE. Those jobs run as APP-maintenance: LOGIN,
 * INHERIT, a member of APP_owner, no other attribute, with the SCRAM verifier of a random password
 * nobody keeps, so nobody can log in as it; the '-' keeps it apart from every app name. pgbox creates
 * it only while an app has such a job, and drops it when none is left.
 */
public final class DefaultJobs {
    /** Marks the maintenance roles pgbox made (COMMENT ON ROLE), so it drops only its own. */
    static final String ROLE_MARKER = "pgbox jobs";
    static final String PARTMAN = "partman-maintenance";
    static final String PURGE = "soft-delete-purge";
    static final String REINDEX = "reindex:";
    static final String HISTORY = "cron-history-purge";
    /** The history purge runs daily at a quiet minute. */
    static final String HISTORY_SCHEDULE = "41 3 * * *";

    private final Jobs jobs;
    private final AdminSql sql;
    private final Settings settings;

    private DefaultJobs(Server server) {
        this.jobs = new Jobs(server);
        this.sql = jobs.admin();
        this.settings = server.settings();
    }

    /** A job as pgbox wants it. */
    record Wanted(String name, String schedule, String command, String role) {
    }

    /** Brings one app's default jobs up to date (after partition create, new tables, at start and by the agent). */
    public static void sync(Server server, AppName app, Progress progress) {
        if (!ready(server)) {
            return;
        }
        new DefaultJobs(server).app(app, progress);
    }

    /**
     * Every app's default jobs and the server's own; jobs and maintenance roles of apps that are gone are
     * removed. Returns what changed (empty when nothing did). Nothing on a replica: the primary's jobs
     * and their changes arrive with the WAL.
     */
    public static List<String> syncAll(Server server, Progress progress) {
        if (!ready(server)) {
            return List.of();
        }
        DefaultJobs d = new DefaultJobs(server);
        List<String> changes = new ArrayList<>();
        Set<String> apps = new HashSet<>();
        for (Apps.AppInfo a : new Apps(server).list()) {
            apps.add(a.name());
            changes.addAll(d.app(new AppName(a.name()), progress));
        }
        changes.addAll(d.server(progress));
        changes.addAll(d.orphans(apps, progress));
        return changes;
    }

    /** After 'pgbox app drop': the jobs pgbox made for the app (its own and 'jobs add's) and its maintenance role go too. */
    public static void forget(Server server, AppName app, Progress progress) {
        if (!ready(server)) {
            return;
        }
        DefaultJobs d = new DefaultJobs(server);
        for (CronJob j : d.jobs.list(app.value())) {
            if (j.name() != null && (j.name().startsWith(JobNames.pgboxPrefix(app.value())) || j.name().startsWith(app.value() + ":"))) {
                d.jobs.unschedule(j.id());
                step(progress, "removed job " + j.name());
            }
        }
        d.dropMaintenanceRole(JobNames.maintenanceRole(app), null, progress);
    }

    /** A running primary with pg_cron. */
    private static boolean ready(Server server) {
        if (!server.running() || Standby.is(server.layout())) {
            return false;
        }
        String db = server.settings().get(Setting.POSTGRES_DB);
        return "t".equals(server.admin().value(db, "SELECT to_regclass('cron.job') IS NOT NULL"));
    }

    /** One app: what it should have, then the difference applied. */
    List<String> app(AppName app, Progress progress) {
        List<Wanted> wanted = wanted(app);
        boolean maintenance = wanted.stream().anyMatch(w -> w.role().equals(JobNames.maintenanceRole(app)));
        List<String> changes = new ArrayList<>();
        if (maintenance) {
            changes.addAll(ensureMaintenanceRole(app, progress));
        }
        changes.addAll(apply(app.value(), JobNames.pgboxPrefix(app.value()), wanted, progress));
        if (!maintenance) {
            changes.addAll(dropMaintenanceRole(JobNames.maintenanceRole(app), app.value(), progress));
        }
        return changes;
    }

    /** The default jobs an app's tables call for, under the current settings. */
    List<Wanted> wanted(AppName app) {
        String db = app.value();
        List<Wanted> out = new ArrayList<>();
        String maint = JobNames.maintenanceRole(app);
        if (settings.isSet(Setting.PGBOX_JOBS_PARTMAN_SCHEDULE)
                && !sql.rows(db, "SELECT 1 FROM partman.part_config WHERE to_regclass(parent_table) IS NOT NULL LIMIT 1").isEmpty()) {
            out.add(new Wanted(JobNames.pgbox(app, PARTMAN), settings.get(Setting.PGBOX_JOBS_PARTMAN_SCHEDULE),
                    JobCommands.partman(app, settings.millis(Setting.PGBOX_MIGRATE_LOCK_TIMEOUT)), maint));
        }
        long retention = settings.millis(Setting.PGBOX_SOFT_DELETE_RETENTION);
        if (retention > 0 && settings.isSet(Setting.PGBOX_JOBS_PURGE_SCHEDULE) && !sql.rows(db, JobCommands.SOFT_DELETE_TABLES + " LIMIT 1").isEmpty()) {
            out.add(new Wanted(JobNames.pgbox(app, PURGE), settings.get(Setting.PGBOX_JOBS_PURGE_SCHEDULE),
                    JobCommands.purge(Math.max(1, retention / 1000), settings.integer(Setting.PGBOX_JOBS_PURGE_BATCH)), app.loginRole()));
        }
        if (settings.isSet(Setting.PGBOX_JOBS_REINDEX_SCHEDULE)) {
            for (List<String> r : sql.rows(db, JobCommands.VECTOR_INDEXES)) {
                out.add(new Wanted(JobNames.pgbox(app, REINDEX + r.get(0) + "." + r.get(1)), settings.get(Setting.PGBOX_JOBS_REINDEX_SCHEDULE),
                        JobCommands.reindex(r.get(0), r.get(1)), maint));
            }
        }
        return out;
    }

    /** The server's own job: pg_cron's run history kept for PGBOX_JOBS_HISTORY_RETENTION. */
    List<String> server(Progress progress) {
        long retention = settings.millis(Setting.PGBOX_JOBS_HISTORY_RETENTION);
        String db = jobs.cronDatabase();
        List<Wanted> wanted = retention <= 0 ? List.of()
                : List.of(new Wanted(JobNames.server(HISTORY), HISTORY_SCHEDULE, JobCommands.historyPurge(Math.max(1, retention / 1000)),
                        AdminSql.SUPERUSER));
        return apply(db, JobNames.server(HISTORY), wanted, progress);
    }

    /** Jobs pgbox made (its own and 'jobs add's) in databases that are no longer apps, and maintenance roles of apps that are gone. */
    List<String> orphans(Set<String> apps, Progress progress) {
        List<String> changes = new ArrayList<>();
        String cronDb = jobs.cronDatabase();
        for (CronJob j : jobs.list(null)) {
            String name = j.name();
            // pgbox's own and those 'jobs add' made (APP:NAME in database APP); a job made by hand stays
            boolean made = j.pgbox() || name != null && name.startsWith(j.database() + ":");
            if (made && !j.database().equals(cronDb) && !apps.contains(j.database())) {
                jobs.unschedule(j.id());
                changes.add(step(progress, "removed job " + name + ": its database " + j.database() + " is no longer an app"));
            }
        }
        for (List<String> r : sql.rows("postgres", "SELECT rolname FROM pg_roles WHERE shobj_description(oid, 'pg_authid') = $1",
                ROLE_MARKER)) {
            String role = r.get(0);
            String app = role.endsWith("-maintenance") ? role.substring(0, role.length() - "-maintenance".length()) : "";
            if (!apps.contains(app)) {
                changes.addAll(dropMaintenanceRole(role, null, progress));
            }
        }
        return changes;
    }

    /** Makes the jobs named with {@code prefix} in {@code database} exactly {@code wanted}. */
    private List<String> apply(String database, String prefix, List<Wanted> wanted, Progress progress) {
        Map<String, CronJob> existing = new LinkedHashMap<>();
        for (CronJob j : jobs.list(database)) {
            if (j.name() != null && j.name().startsWith(prefix)) {
                existing.put(j.name(), j);
            }
        }
        List<String> changes = new ArrayList<>();
        for (Wanted w : wanted) {
            CronJob e = existing.remove(w.name());
            if (e != null && e.active() && e.schedule().equals(w.schedule()) && e.command().equals(w.command())
                    && Objects.equals(e.role(), w.role())) {
                continue;
            }
            jobs.upsert(w.name(), w.schedule(), w.command(), database, w.role());
            changes.add(step(progress, (e == null ? "scheduled job " : "updated job ") + w.name() + " (" + w.schedule() + ", as " + w.role() + ")"));
        }
        for (CronJob e : existing.values()) {
            jobs.unschedule(e.id());
            changes.add(step(progress, "removed job " + e.name() + ": it no longer applies"));
        }
        return changes;
    }

    /** APP-maintenance: LOGIN INHERIT member of the owner, nothing else, a password nobody knows. */
    private List<String> ensureMaintenanceRole(AppName app, Progress progress) {
        String role = JobNames.maintenanceRole(app);
        boolean exists = "1".equals(sql.value("postgres", "SELECT count(*) FROM pg_roles WHERE rolname = $1", role));
        StringBuilder script = new StringBuilder();
        if (!exists) {
            // a SCRAM verifier of a password thrown away at once: the role can log in (pg_cron needs that) but nobody can
            script.append("CREATE ROLE ").append(ident(role)).append(" LOGIN PASSWORD ")
                    .append(literal(Scram.verifier(Scram.generatePassword(32)))).append(";\n");
        }
        script.append("ALTER ROLE ").append(ident(role))
                .append(" LOGIN INHERIT NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS;\n")
                .append("COMMENT ON ROLE ").append(ident(role)).append(" IS ").append(literal(ROLE_MARKER)).append(";\n")
                .append("GRANT ").append(ident(app.ownerRole())).append(" TO ").append(ident(role)).append(";\n")
                .append("GRANT CONNECT ON DATABASE ").append(ident(app.value())).append(" TO ").append(ident(role)).append(";\n");
        sql.run("postgres", script.toString());
        return exists ? List.of() : List.of(step(progress, "created role " + role + " (runs " + app + "'s maintenance jobs as its owner)"));
    }

    /** Drops a maintenance role pgbox made, once no job needs it; {@code database} is the app's, if it still exists. */
    private List<String> dropMaintenanceRole(String role, String database, Progress progress) {
        boolean ours = ROLE_MARKER.equals(sql.value("postgres",
                "SELECT shobj_description(oid, 'pg_authid') FROM pg_roles WHERE rolname = $1", role));
        if (!ours) {
            return List.of();
        }
        if (!sql.rows(jobs.cronDatabase(), "SELECT 1 FROM cron.job WHERE username = $1", role).isEmpty()) {
            return List.of(); // a job (e.g. removed from pgbox's names by hand) still runs as it
        }
        try {
            sql.run("postgres", (database == null ? "" : "REVOKE ALL ON DATABASE " + ident(database) + " FROM " + ident(role) + ";\n")
                    + "DROP ROLE " + ident(role) + ";\n");
            return List.of(step(progress, "dropped role " + role + ": no job needs it"));
        } catch (PgboxException e) {
            progress.detail("kept role " + role + ": " + e.reason());
            return List.of();
        }
    }

    private static String step(Progress progress, String what) {
        progress.step(what);
        return what;
    }
}
