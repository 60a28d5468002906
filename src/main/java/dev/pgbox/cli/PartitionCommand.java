package dev.pgbox.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** pgbox partition create|list|convert: time partitions with pg_partman (STUB: the partitions helper builds it). */
@Command(name = "partition", mixinStandardHelpOptions = true,
        description = "Time-based partitions with pg_partman (native), made ahead and dropped after retention by a scheduled job.",
        subcommands = {PartitionCommand.Create.class, PartitionCommand.ListPartitions.class, PartitionCommand.Convert.class})
final class PartitionCommand extends BaseCommand implements Runnable {
    @Override
    public void run() {
        spec.commandLine().usage(out());
    }

    @Command(name = "create", mixinStandardHelpOptions = true, description = "Create a partitioned table's partition set.")
    static final class Create extends BaseCommand implements Callable<Integer> {
        @Override
        public Integer call() {
            throw new UnsupportedOperationException("not built yet");
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "Partitioned tables of an app.")
    static final class ListPartitions extends BaseCommand implements Callable<Integer> {
        @Override
        public Integer call() {
            throw new UnsupportedOperationException("not built yet");
        }
    }

    @Command(name = "convert", mixinStandardHelpOptions = true, description = "Move an existing table to a partitioned one.")
    static final class Convert extends BaseCommand implements Callable<Integer> {
        @Override
        public Integer call() {
            throw new UnsupportedOperationException("not built yet");
        }
    }
}
