package dev.pgbox.monitor;

import dev.pgbox.PgboxException;
import dev.pgbox.cluster.Server;
import dev.pgbox.config.Durations;
import dev.pgbox.config.Setting;
import dev.pgbox.jobs.CronJob;
import dev.pgbox.jobs.Jobs;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The doctor's check {@code cron_jobs}: a warning for every pg_cron job whose latest run failed within
 * PGBOX_DOCTOR_CRON_WINDOW (a failing job does nothing: partitions are not made ahead, purges stop), or
 * one ok finding saying how many jobs were looked at.
 */
final class CronJobsCheck {
    static final String CHECK = "cron_jobs";
    static final String WHY = "a scheduled job that fails does nothing, silently: partitions stop being made ahead, purges and reindexes stop";

    private CronJobsCheck() {
    }

    /** The findings for every job, or the jobs of one database ({@code app} non-null). */
    static List<Finding> findings(Server server, String app) {
        long windowMs = server.settings().millis(Setting.PGBOX_DOCTOR_CRON_WINDOW);
        String threshold = "last run failed within " + Durations.format(windowMs);
        try {
            String db = server.settings().get(Setting.POSTGRES_DB);
            if (!"t".equals(server.admin().value(db, "SELECT to_regclass('cron.job') IS NOT NULL"))) {
                return List.of();
            }
            List<CronJob> jobs = new Jobs(server).list(app);
            return check(jobs, Instant.now(), windowMs, threshold);
        } catch (PgboxException e) {
            return List.of(new Finding(CHECK, Severity.WARN, app, null, "the check failed: " + e.getMessage()
                    + (e.reason() == null ? "" : ": " + e.reason()), threshold, WHY, "pgbox jobs list; pgbox --verbose doctor"));
        }
    }

    /** Pure: the jobs (each with its latest run) against the window. */
    static List<Finding> check(List<CronJob> jobs, Instant now, long windowMs, String threshold) {
        List<Finding> out = new ArrayList<>();
        for (CronJob j : jobs) {
            if (!"failed".equals(j.lastStatus()) || j.lastStart() == null) {
                continue;
            }
            Instant at = Instant.parse(j.lastStart());
            Duration ago = Duration.between(at, now);
            if (windowMs > 0 && ago.toMillis() > windowMs) {
                continue;
            }
            String message = j.lastMessage() == null ? "" : j.lastMessage().strip().replace('\n', ' ');
            String name = j.name() == null ? "job " + j.id() : j.name();
            out.add(new Finding(CHECK, Severity.WARN, j.database(), name,
                    "last run failed " + Durations.format(Math.max(0, ago.toSeconds()) * 1000) + " ago (as " + j.role() + "): " + message,
                    threshold, WHY, "pgbox jobs history --app " + j.database() + " --failed (then fix the job's SQL or what it needs; "
                            + "pgbox jobs list --app " + j.database() + ")"));
        }
        if (out.isEmpty()) {
            out.add(new Finding(CHECK, Severity.OK, null, null, jobs.size() + " job(s), none whose last run failed", threshold, WHY, null));
        }
        return out;
    }
}
