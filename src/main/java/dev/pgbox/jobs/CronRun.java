package dev.pgbox.jobs;

/**
 * One run of a pg_cron job from cron.job_run_details (its --json names: run_id, job_id, name, database,
 * role, status, start, end, seconds, message).
 *
 * @param status succeeded, failed, running or starting
 * @param start when it started (ISO-8601), or null when it has not
 * @param end when it ended (ISO-8601), or null while it runs
 * @param seconds how long it ran, or null while it runs
 * @param message what the command returned: "INSERT 0 1", or the error
 */
public record CronRun(long runId, long jobId, String name, String database, String role, String status, String start, String end,
                      Double seconds, String message) {
}
