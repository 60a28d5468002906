package dev.pgbox.cli;

import dev.pgbox.Json;
import dev.pgbox.SafeText;
import dev.pgbox.apps.AppName;
import dev.pgbox.cluster.Server;
import dev.pgbox.jobs.CronJob;
import dev.pgbox.jobs.CronRun;
import dev.pgbox.jobs.Jobs;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** pgbox jobs list|add|remove|history: scheduled jobs over pg_cron, one scheduler for every app's database. */
@Command(name = "jobs", mixinStandardHelpOptions = true,
        description = {"Scheduled jobs (pg_cron): one scheduler runs every app's jobs in that app's database.",
                "pgbox keeps jobs of its own per app, named pgbox:APP:...: partition maintenance (pg_partman),",
                "the purge of soft-deleted rows of np_ tables, and a monthly REINDEX CONCURRENTLY of vector indexes",
                "(PGBOX_JOBS_* settings). Jobs you add are named APP:NAME and run as the app's login role."},
        subcommands = {JobsCommand.ListJobs.class, JobsCommand.Add.class, JobsCommand.Remove.class, JobsCommand.History.class})
final class JobsCommand extends BaseCommand implements Runnable {
    /** Longest command shown in the table (--json has it whole). */
    static final int SHOWN = 60;

    @Override
    public void run() {
        spec.commandLine().usage(out());
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "Scheduled jobs, each with its latest run.")
    static final class ListJobs extends BaseCommand implements Callable<Integer> {
        @Option(names = "--app", paramLabel = "APP", description = "Only the jobs running in this app's database.")
        String app;

        @Option(names = "--json", description = "Print as JSON.")
        boolean json;

        @Override
        public Integer call() {
            String db = app == null ? null : AppArgument.check(settings(), app);
            List<CronJob> jobs = new Jobs(Server.open(settings())).list(db);
            if (json) {
                out().println(Json.render(jobs));
                return 0;
            }
            List<List<String>> rows = jobs.stream().map(j -> Arrays.asList(Long.toString(j.id()), shown(j.name(), 80), j.database(),
                    j.schedule(), j.role(), j.active() ? "yes" : "no",
                    j.lastStatus() == null ? "never ran" : j.lastStatus() + " " + j.lastStart(), shown(j.command(), SHOWN))).toList();
            out().println(Tables.aligned(List.of("id", "name", "database", "schedule", "role", "active", "last run", "command"), rows));
            return 0;
        }
    }

    @Command(name = "add", mixinStandardHelpOptions = true,
            description = {"Schedule a job APP:NAME in the app's database, run as the app's login role.",
                    "Adding a name again changes its schedule and SQL. Times are the server's (UTC)."})
    static final class Add extends BaseCommand implements Callable<Integer> {
        @Option(names = "--app", paramLabel = "APP", required = true, description = "The app whose database the job runs in.")
        String app;

        @Parameters(index = "0", paramLabel = "NAME", description = "Lowercase letters, digits, _ and -, starting with a letter.")
        String name;

        @Parameters(index = "1", paramLabel = "SCHEDULE", description = "Five cron fields: minute hour day month weekday, e.g. \"*/10 * * * *\".")
        String schedule;

        @Parameters(index = "2", paramLabel = "SQL", description = "What it runs (several statements run as one transaction).")
        String command;

        @Option(names = "--json", description = "Print the job as JSON.")
        boolean json;

        @Override
        public Integer call() {
            CronJob j = new Jobs(Server.open(settings())).add(new AppName(app), name, schedule, command);
            if (json) {
                out().println(Json.render(j));
            } else {
                out().println("scheduled job " + j.name() + " (id " + j.id() + ") in database " + j.database() + ": " + j.schedule()
                        + ", runs as " + j.role());
            }
            return 0;
        }
    }

    @Command(name = "remove", mixinStandardHelpOptions = true,
            description = {"Remove a job of the app's database: NAME of a job you added, or a full name as 'jobs list' shows it.",
                    "pgbox's own jobs (pgbox:APP:...) only with --force, and they come back at the next sync."})
    static final class Remove extends BaseCommand implements Callable<Integer> {
        @Option(names = "--app", paramLabel = "APP", required = true, description = "The app whose database the job runs in.")
        String app;

        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @Option(names = "--force", description = "Also remove one of pgbox's own jobs (until the next sync adds it again).")
        boolean force;

        @Override
        public Integer call() {
            CronJob j = new Jobs(Server.open(settings())).remove(new AppName(app), name, force);
            out().println("removed job " + j.name() + " (id " + j.id() + ") from database " + j.database()
                    + (j.pgbox() ? "; pgbox schedules it again at the next sync unless its PGBOX_JOBS_* setting is emptied" : ""));
            return 0;
        }
    }

    @Command(name = "history", mixinStandardHelpOptions = true, description = "Recent runs of jobs, newest first (cron.job_run_details).")
    static final class History extends BaseCommand implements Callable<Integer> {
        @Option(names = "--app", paramLabel = "APP", description = "Only runs in this app's database.")
        String app;

        @Option(names = "--limit", paramLabel = "N", defaultValue = "20", description = "At most this many runs (default ${DEFAULT-VALUE}).")
        int limit;

        @Option(names = "--failed", description = "Only failed runs.")
        boolean failed;

        @Option(names = "--json", description = "Print as JSON.")
        boolean json;

        @Override
        public Integer call() {
            if (limit < 1 || limit > 100_000) {
                throw new dev.pgbox.PgboxException(dev.pgbox.ErrorKind.USAGE, "invalid value " + limit + " for --limit",
                        "--limit takes a whole number of runs from 1 to 100000", "e.g. --limit 50");
            }
            String db = app == null ? null : AppArgument.check(settings(), app);
            List<CronRun> runs = new Jobs(Server.open(settings())).history(db, limit, failed);
            if (json) {
                out().println(Json.render(runs));
                return 0;
            }
            List<List<String>> rows = runs.stream().map(r -> Arrays.asList(r.start(), r.seconds() == null ? "" : r.seconds() + " s",
                    r.status(), shown(r.name() == null ? "job " + r.jobId() : r.name(), 80), r.database(), shown(r.message(), 100))).toList();
            out().println(Tables.aligned(List.of("start", "duration", "status", "job", "database", "message"), rows));
            return 0;
        }
    }

    /** One line, without control characters, at most {@code max} characters. */
    static String shown(String text, int max) {
        if (text == null) {
            return "";
        }
        String one = SafeText.printable(text.replaceAll("\\s+", " ").strip());
        return one.length() <= max ? one : one.substring(0, max - 1) + "…";
    }
}
