package dev.pgbox.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** pgbox memory search. */
@Command(name = "search", mixinStandardHelpOptions = true, description = "Search a collection by meaning, words, both (hybrid) or diversified (mmr).")
final class MemorySearchCommand extends BaseCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "APP")
    String app;

    @Parameters(index = "1", paramLabel = "COLLECTION")
    String collection;

    @Parameters(index = "2", paramLabel = "QUERY", arity = "0..1")
    String query;

    @Override
    public Integer call() {
        throw new UnsupportedOperationException("not built yet");
    }
}
