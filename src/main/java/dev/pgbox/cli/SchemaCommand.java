package dev.pgbox.cli;

import picocli.CommandLine.Command;

/** pgbox schema lint|audit|new-table. */
@Command(name = "schema", mixinStandardHelpOptions = true,
        description = "Check migrations before they run (lint), check an app's schema against the np_ conventions (audit), scaffold tables.",
        subcommands = {SchemaLintCommand.class, SchemaAuditCommand.class, SchemaNewTableCommand.class})
final class SchemaCommand extends BaseCommand implements Runnable {
    @Override
    public void run() {
        spec.commandLine().usage(out());
    }
}
