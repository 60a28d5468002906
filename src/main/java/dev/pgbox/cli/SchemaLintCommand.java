package dev.pgbox.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** pgbox schema lint. */
@Command(name = "lint", mixinStandardHelpOptions = true, description = "Lint migrations for statements that lock or break a live app (STUB).")
final class SchemaLintCommand extends BaseCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        throw new UnsupportedOperationException("not built yet");
    }
}
