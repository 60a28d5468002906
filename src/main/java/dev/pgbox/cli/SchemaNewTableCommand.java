package dev.pgbox.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** pgbox schema new-table. */
@Command(name = "new-table", mixinStandardHelpOptions = true, description = "Scaffold an np_ table as a migration (STUB).")
final class SchemaNewTableCommand extends BaseCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        throw new UnsupportedOperationException("not built yet");
    }
}
