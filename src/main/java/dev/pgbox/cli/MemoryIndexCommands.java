package dev.pgbox.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** pgbox memory index|tune. */
final class MemoryIndexCommands {
    private MemoryIndexCommands() {
    }

    @Command(name = "index", mixinStandardHelpOptions = true, description = "Build the vector index with parameters chosen for the collection's size.")
    static final class Index extends BaseCommand implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "APP")
        String app;

        @Parameters(index = "1", paramLabel = "COLLECTION")
        String collection;

        @Override
        public Integer call() {
            throw new UnsupportedOperationException("not built yet");
        }
    }

    @Command(name = "tune", mixinStandardHelpOptions = true, description = "Set the lowest ef_search (or probes) that meets a recall target.")
    static final class Tune extends BaseCommand implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "APP")
        String app;

        @Parameters(index = "1", paramLabel = "COLLECTION")
        String collection;

        @Override
        public Integer call() {
            throw new UnsupportedOperationException("not built yet");
        }
    }
}
