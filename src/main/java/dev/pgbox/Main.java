package dev.pgbox;

import dev.pgbox.cli.PgboxCommand;
import picocli.CommandLine;

/** Entry point: runs the command and exits with its code (see docs/errors.md). */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    public static int run(String... args) {
        PgboxCommand root = new PgboxCommand();
        CommandLine cli = new CommandLine(root);
        cli.setExecutionStrategy(PgboxCommand.executionStrategy());
        dev.pgbox.cli.HelpText.reflow(cli);
        cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
            if (e instanceof PgboxException p) {
                cmd.getErr().println(p.render());
                if (root.verbose()) {
                    p.printStackTrace(cmd.getErr());
                }
                return p.kind().exitCode();
            }
            cmd.getErr().println("error: " + e);
            cmd.getErr().println("  fix:   this is a pgbox bug; run again with --verbose and report the stack trace");
            if (root.verbose()) {
                e.printStackTrace(cmd.getErr());
            }
            return ErrorKind.FAILURE.exitCode();
        });
        int code = cli.execute(args);
        cli.getOut().flush();
        cli.getErr().flush();
        return code;
    }
}
