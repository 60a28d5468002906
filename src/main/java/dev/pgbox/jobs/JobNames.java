package dev.pgbox.jobs;

import dev.pgbox.ErrorKind;
import dev.pgbox.PgboxException;
import dev.pgbox.apps.AppName;
import dev.pgbox.sql.SqlText;

/**
 * Names of pg_cron jobs. pgbox's own jobs are {@code pgbox:APP:KIND} (and {@code pgbox:KIND} for the
 * server's own housekeeping), so pgbox knows which jobs it may change and remove; a job added with
 * {@code pgbox jobs add} is {@code APP:NAME}. Jobs with other names (made by hand with cron.schedule)
 * are listed but never touched unless named in full.
 */
public final class JobNames {
    /** The prefix of every job pgbox keeps by itself. */
    public static final String PGBOX = "pgbox:";
    /** Longest short name of a user job. */
    public static final int MAX_NAME = 63;

    private JobNames() {
    }

    /** One of pgbox's default jobs of an app, e.g. pgbox:shop:partman-maintenance. */
    public static String pgbox(AppName app, String kind) {
        return PGBOX + app.value() + ":" + kind;
    }

    /** The prefix every default job of {@code app} starts with. */
    public static String pgboxPrefix(String app) {
        return PGBOX + app + ":";
    }

    /** A job of the server itself (not of an app), e.g. pgbox:cron-history-purge. */
    public static String server(String kind) {
        return PGBOX + kind;
    }

    /** Whether pgbox made this job (and may change or remove it on its own). */
    public static boolean isPgbox(String jobName) {
        return jobName != null && jobName.startsWith(PGBOX);
    }

    /** The full name of a user job: APP:NAME, with NAME checked. */
    public static String user(AppName app, String name) {
        String why = problem(name);
        if (why != null) {
            throw new PgboxException(ErrorKind.USAGE, "invalid job name " + SqlText.shown(name), why,
                    "use lowercase letters, digits, _ and -, starting with a letter, at most " + MAX_NAME + " characters, e.g. 'nightly-report'");
        }
        return app.value() + ":" + name;
    }

    /** Why a user job's short name is not allowed, or null when it is. */
    public static String problem(String name) {
        if (name == null || name.isEmpty()) {
            return "the name is empty";
        }
        if (name.length() > MAX_NAME) {
            return "it is " + name.length() + " characters long";
        }
        if (name.equals("pgbox") || name.startsWith(PGBOX)) {
            return "names starting with pgbox: belong to the jobs pgbox keeps by itself";
        }
        if (!name.matches("[a-z][a-z0-9_-]*")) {
            return "it may hold only a-z, 0-9, _ and -, and must start with a letter";
        }
        return null;
    }

    /** The LOGIN role that runs an app's jobs needing the owner's rights; '-' keeps it apart from every app name and its roles. */
    public static String maintenanceRole(AppName app) {
        return app.value() + "-maintenance";
    }
}
