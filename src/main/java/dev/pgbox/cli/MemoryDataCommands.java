package dev.pgbox.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** pgbox memory add|import|get|delete. */
final class MemoryDataCommands {
    private MemoryDataCommands() {
    }

    @Command(name = "add", mixinStandardHelpOptions = true, description = "Add a memory (its text embedded in-process) to a collection.")
    static final class Add extends BaseCommand implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "APP")
        String app;

        @Parameters(index = "1", paramLabel = "COLLECTION")
        String collection;

        @Override
        public Integer call() {
            throw new UnsupportedOperationException("not built yet");
        }
    }

    @Command(name = "import", mixinStandardHelpOptions = true, description = "Import memories in bulk from JSONL or CSV (resumable).")
    static final class Import extends BaseCommand implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "APP")
        String app;

        @Parameters(index = "1", paramLabel = "COLLECTION")
        String collection;

        @Override
        public Integer call() {
            throw new UnsupportedOperationException("not built yet");
        }
    }

    @Command(name = "get", mixinStandardHelpOptions = true, description = "Show one memory by id.")
    static final class Get extends BaseCommand implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "APP")
        String app;

        @Parameters(index = "1", paramLabel = "COLLECTION")
        String collection;

        @Override
        public Integer call() {
            throw new UnsupportedOperationException("not built yet");
        }
    }

    @Command(name = "delete", mixinStandardHelpOptions = true, description = "Delete a memory (soft by default).")
    static final class Delete extends BaseCommand implements Callable<Integer> {
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
