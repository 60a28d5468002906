package dev.pgbox.cli;

import dev.pgbox.config.Settings;
import java.io.PrintWriter;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** What every subcommand shares: the root's options, the project's settings and the output streams. */
@picocli.CommandLine.Command
abstract class BaseCommand {
    @Spec
    CommandSpec spec;

    PgboxCommand root() {
        return (PgboxCommand) spec.root().userObject();
    }

    Settings settings() {
        return root().settings();
    }

    PrintWriter out() {
        return spec.commandLine().getOut();
    }

    PrintWriter err() {
        return spec.commandLine().getErr();
    }

    Console console() {
        return new Console(err());
    }
}
