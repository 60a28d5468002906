package dev.pgbox.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** pgbox memory create|list. */
final class MemoryCollectionCommands {
    private MemoryCollectionCommands() {
    }

    @Command(name = "create", mixinStandardHelpOptions = true, description = "Create a collection (the table np_COLLECTION) in an app's database.")
    static final class Create extends BaseCommand implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "APP")
        String app;

        @Parameters(index = "1", paramLabel = "COLLECTION")
        String collection;

        @Override
        public Integer call() {
            throw new UnsupportedOperationException("not built yet");
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "The app's collections.")
    static final class ListCollections extends BaseCommand implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "APP")
        String app;

        @Override
        public Integer call() {
            throw new UnsupportedOperationException("not built yet");
        }
    }
}
