package dev.pgbox.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** pgbox schema audit. */
@Command(name = "audit", mixinStandardHelpOptions = true, description = "Audit an app's schema (STUB).")
final class SchemaAuditCommand extends BaseCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        throw new UnsupportedOperationException("not built yet");
    }
}
