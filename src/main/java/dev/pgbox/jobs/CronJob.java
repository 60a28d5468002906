package dev.pgbox.jobs;

/**
 * One pg_cron job as 'pgbox jobs list' shows it (its --json names: id, name, database, schedule, command,
 * role, active, pgbox, last_status, last_start).
 *
 * @param id cron.job's jobid
 * @param name the job's name (null for a job scheduled without one)
 * @param database the database it runs in (an app's, or POSTGRES_DB)
 * @param schedule its cron schedule
 * @param command the SQL it runs
 * @param role the role it runs as (cron.job.username)
 * @param active whether pg_cron runs it
 * @param pgbox whether pgbox made it and keeps it by itself (named pgbox:...)
 * @param lastStatus status of its latest run (succeeded, failed, running, starting), or null if it never ran
 * @param lastStart start of its latest run (ISO-8601), or null
 * @param lastMessage the latest run's message (e.g. the error), or null
 */
public record CronJob(long id, String name, String database, String schedule, String command, String role, boolean active,
                      boolean pgbox, String lastStatus, String lastStart, String lastMessage) {
}
