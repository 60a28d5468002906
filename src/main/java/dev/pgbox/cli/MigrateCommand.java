package dev.pgbox.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** pgbox migrate new|up|down|status: versioned up/down migrations per app (STUB: the migrations helper builds it). */
@Command(name = "migrate", mixinStandardHelpOptions = true,
        description = "Versioned migrations per app: migrations/APP/<version>_<name>.up.sql and .down.sql in the project folder.",
        subcommands = {MigrateCommand.New.class, MigrateCommand.Up.class, MigrateCommand.Down.class, MigrateCommand.Status.class})
final class MigrateCommand extends BaseCommand implements Runnable {
    @Override
    public void run() {
        spec.commandLine().usage(out());
    }

    @Command(name = "new", mixinStandardHelpOptions = true, description = "Create an up/down migration pair.")
    static final class New extends BaseCommand implements Callable<Integer> {
        @Override
        public Integer call() {
            throw new UnsupportedOperationException("not built yet");
        }
    }

    @Command(name = "up", mixinStandardHelpOptions = true, description = "Apply pending migrations.")
    static final class Up extends BaseCommand implements Callable<Integer> {
        @Override
        public Integer call() {
            throw new UnsupportedOperationException("not built yet");
        }
    }

    @Command(name = "down", mixinStandardHelpOptions = true, description = "Revert applied migrations.")
    static final class Down extends BaseCommand implements Callable<Integer> {
        @Override
        public Integer call() {
            throw new UnsupportedOperationException("not built yet");
        }
    }

    @Command(name = "status", mixinStandardHelpOptions = true, description = "Applied, pending and drifted migrations.")
    static final class Status extends BaseCommand implements Callable<Integer> {
        @Override
        public Integer call() {
            throw new UnsupportedOperationException("not built yet");
        }
    }
}
