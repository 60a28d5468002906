package dev.pgbox.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** pgbox jobs list|add|remove|history: scheduled jobs over pg_cron (STUB: the jobs helper builds it). */
@Command(name = "jobs", mixinStandardHelpOptions = true,
        description = "Scheduled jobs (pg_cron): one scheduler runs every app's jobs in that app's database.",
        subcommands = {JobsCommand.ListJobs.class, JobsCommand.Add.class, JobsCommand.Remove.class, JobsCommand.History.class})
final class JobsCommand extends BaseCommand implements Runnable {
    @Override
    public void run() {
        spec.commandLine().usage(out());
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "Scheduled jobs.")
    static final class ListJobs extends BaseCommand implements Callable<Integer> {
        @Override
        public Integer call() {
            throw new UnsupportedOperationException("not built yet");
        }
    }

    @Command(name = "add", mixinStandardHelpOptions = true, description = "Schedule a job.")
    static final class Add extends BaseCommand implements Callable<Integer> {
        @Override
        public Integer call() {
            throw new UnsupportedOperationException("not built yet");
        }
    }

    @Command(name = "remove", mixinStandardHelpOptions = true, description = "Remove a job.")
    static final class Remove extends BaseCommand implements Callable<Integer> {
        @Override
        public Integer call() {
            throw new UnsupportedOperationException("not built yet");
        }
    }

    @Command(name = "history", mixinStandardHelpOptions = true, description = "Recent runs of jobs.")
    static final class History extends BaseCommand implements Callable<Integer> {
        @Override
        public Integer call() {
            throw new UnsupportedOperationException("not built yet");
        }
    }
}
