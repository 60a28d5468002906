package dev.pgbox.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pgbox.ErrorKind;
import dev.pgbox.PgboxException;
import dev.pgbox.apps.AppName;
import dev.pgbox.apps.Apps;
import dev.pgbox.cluster.Server;
import dev.pgbox.config.CronSchedule;
import dev.pgbox.config.Setting;
import dev.pgbox.schema.ParsedSql;
import dev.pgbox.schema.SqlParser;
import dev.pgbox.schema.SqlStatement;
import dev.pgbox.sql.AdminSql;
import dev.pgbox.sql.SqlText;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code pgbox jobs}: pg_cron's jobs of every app. pg_cron lives only in POSTGRES_DB; one scheduler
 * runs each job in its own database through cron.schedule_in_database, which only a superuser may call
 * for another role, so the superuser door schedules and the job itself runs as the app's login role
 * (never as a superuser).
 */
public final class Jobs {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Server server;
    private final AdminSql sql;
    private final String cronDb;

    public Jobs(Server server) {
        this.server = server.requireRunning("manage scheduled jobs");
        this.sql = server.admin();
        this.cronDb = server.settings().get(Setting.POSTGRES_DB);
    }

    /** The database pg_cron lives in (cron.database_name). */
    String cronDatabase() {
        return cronDb;
    }

    AdminSql admin() {
        return sql;
    }

    /** Every job, or those running in one database; each with its latest run. */
    public List<CronJob> list(String database) {
        String json = sql.value(cronDb, """
                SELECT coalesce(jsonb_agg(jsonb_build_object('id', j.jobid, 'name', j.jobname, 'database', j.database,
                         'schedule', j.schedule, 'command', j.command, 'role', j.username, 'active', j.active,
                         'status', r.status, 'start', to_char(r.start_time AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
                         'message', r.return_message) ORDER BY j.database, j.jobname, j.jobid), '[]'::jsonb)
                FROM cron.job j
                LEFT JOIN LATERAL (SELECT status, start_time, return_message FROM cron.job_run_details d
                                   WHERE d.jobid = j.jobid ORDER BY d.runid DESC LIMIT 1) r ON true
                WHERE $1 = '' OR j.database = $1
                """, database == null ? "" : database);
        List<CronJob> out = new ArrayList<>();
        for (JsonNode n : parse(json)) {
            String name = text(n, "name");
            out.add(new CronJob(n.path("id").asLong(), name, text(n, "database"), text(n, "schedule"), text(n, "command"),
                    text(n, "role"), n.path("active").asBoolean(), JobNames.isPgbox(name), text(n, "status"), text(n, "start"),
                    text(n, "message")));
        }
        return out;
    }

    /** Recent runs, newest first: of one database's jobs or all; only failed ones with {@code failedOnly}. */
    public List<CronRun> history(String database, int limit, boolean failedOnly) {
        String json = sql.value(cronDb, """
                SELECT coalesce(jsonb_agg(x ORDER BY (x->>'run_id')::bigint DESC), '[]'::jsonb) FROM (
                  SELECT jsonb_build_object('run_id', d.runid, 'job_id', d.jobid, 'name', coalesce(j.jobname, ''),
                         'database', d.database, 'role', d.username, 'status', d.status,
                         'start', to_char(d.start_time AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
                         'end', to_char(d.end_time AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
                         'seconds', round(extract(epoch FROM d.end_time - d.start_time)::numeric, 3),
                         'message', d.return_message) AS x
                  FROM cron.job_run_details d LEFT JOIN cron.job j ON j.jobid = d.jobid
                  WHERE ($1 = '' OR d.database = $1) AND (NOT $2::boolean OR d.status = 'failed')
                  ORDER BY d.runid DESC LIMIT $3::int) runs
                """, database == null ? "" : database, failedOnly, limit);
        List<CronRun> out = new ArrayList<>();
        for (JsonNode n : parse(json)) {
            out.add(new CronRun(n.path("run_id").asLong(), n.path("job_id").asLong(), blankToNull(text(n, "name")),
                    text(n, "database"), text(n, "role"), text(n, "status"), text(n, "start"), text(n, "end"),
                    n.hasNonNull("seconds") ? n.get("seconds").asDouble() : null, text(n, "message")));
        }
        return out;
    }

    /**
     * Schedules (or reschedules) a user job APP:NAME in the app's database, run as the app's login role
     * (data privileges only, like the app itself). The schedule and the SQL are checked first.
     */
    public CronJob add(AppName app, String name, String schedule, String command) {
        String full = JobNames.user(app, name);
        String cron = checkSchedule(schedule);
        checkCommand(full, command);
        new Apps(server).requirePgboxApp(app);
        upsert(full, cron, command, app.value(), app.loginRole());
        return find(app.value(), full);
    }

    /**
     * Removes a job of the app's database by name: the short NAME of a user job, or a full name as 'jobs
     * list' shows it. pgbox's own jobs only with {@code force} (the next sync brings them back).
     */
    public CronJob remove(AppName app, String name, boolean force) {
        CronJob job = find(app.value(), name);
        if (job == null && JobNames.problem(name) == null) {
            job = find(app.value(), app.value() + ":" + name);
        }
        if (job == null) {
            throw new PgboxException(ErrorKind.USAGE, "no job named " + SqlText.shown(name) + " in app '" + app + "'",
                    "pgbox jobs list --app " + app + " shows its jobs", "name a job as 'pgbox jobs list --app " + app + "' shows it");
        }
        if (job.pgbox() && !force) {
            throw new PgboxException(ErrorKind.USAGE, "'" + job.name() + "' is one of the jobs pgbox keeps for every app",
                    "pgbox adds it again at the next sync (pgbox start, app create, and the agent every PGBOX_JOBS_SYNC_SCHEDULE)",
                    "turn it off with its PGBOX_JOBS_* schedule setting (empty), or pass --force to remove it until the next sync");
        }
        unschedule(job.id());
        return job;
    }

    /** The job of that exact name in that database, or null. */
    public CronJob find(String database, String name) {
        return list(database).stream().filter(j -> name.equals(j.name())).findFirst().orElse(null);
    }

    /** cron.schedule_in_database upserts on (name, role); a job of the same name under another role is unscheduled first. */
    void upsert(String name, String schedule, String command, String database, String role) {
        sql.value(cronDb, "SELECT cron.unschedule(jobid) FROM cron.job WHERE jobname = $1 AND database = $2 AND username <> $3",
                name, database, role);
        sql.value(cronDb, "SELECT cron.schedule_in_database($1, $2, $3, $4, $5, true)", name, schedule, command, database, role);
    }

    void unschedule(long id) {
        sql.value(cronDb, "SELECT cron.unschedule($1::bigint)", id);
    }

    /** A five-field cron schedule (pg_cron 1.4 has no seconds); returned in its one-space form. */
    static String checkSchedule(String schedule) {
        try {
            CronSchedule.parse(schedule == null ? "" : schedule);
        } catch (IllegalArgumentException e) {
            throw new PgboxException(ErrorKind.USAGE, "invalid schedule " + SqlText.shown(schedule), e.getMessage(),
                    "give 5 fields: minute hour day month weekday, e.g. \"30 2 * * *\" (daily at 02:30 UTC) or \"*/10 * * * *\"");
        }
        return String.join(" ", schedule.strip().split("\\s+"));
    }

    /**
     * The SQL must parse (PostgreSQL's own parser: an error names line and column). pg_cron runs several
     * statements as one transaction, so a statement that cannot run in one must be alone.
     */
    static void checkCommand(String job, String command) {
        if (command == null || command.isBlank()) {
            throw new PgboxException(ErrorKind.USAGE, "the job's SQL is empty", "a job runs SQL", "e.g. \"DELETE FROM np_sessions WHERE expires_at < now()\"");
        }
        ParsedSql parsed = SqlParser.parse("the SQL of job " + job, command);
        if (parsed.statements().isEmpty()) {
            throw new PgboxException(ErrorKind.USAGE, "the job's SQL has no statement", "it is only comments", "give the SQL to run");
        }
        if (parsed.statements().size() > 1) {
            for (SqlStatement s : parsed.statements()) {
                if (notInTransaction(s)) {
                    throw new PgboxException(ErrorKind.USAGE, "statement " + (s.index() + 1) + " (line " + s.line()
                            + ") cannot run with other statements in one job",
                            "pg_cron runs a job's statements as one transaction, and " + s.shortText(60) + " cannot run inside one",
                            "give it a job of its own");
                }
            }
        }
    }

    /** Statements PostgreSQL refuses inside a transaction block. */
    static boolean notInTransaction(SqlStatement s) {
        JsonNode n = s.node();
        return switch (s.kind()) {
            case "VacuumStmt" -> n.path("is_vacuumcmd").asBoolean(); // VACUUM, not ANALYZE (which may run in a transaction)
            case "CreatedbStmt", "DropdbStmt", "AlterSystemStmt", "CreateTableSpaceStmt", "DropTableSpaceStmt" -> true;
            case "IndexStmt" -> n.path("concurrent").asBoolean();
            case "DropStmt" -> n.path("concurrent").asBoolean();
            case "ReindexStmt" -> n.toString().contains("\"concurrently\"");
            case "TransactionStmt" -> true;
            default -> false;
        };
    }

    private static JsonNode parse(String json) {
        try {
            return JSON.readTree(json.isBlank() ? "[]" : json);
        } catch (java.io.IOException e) {
            throw new IllegalStateException("unreadable pg_cron listing: " + e.getMessage(), e);
        }
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }

    private static String blankToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }
}
