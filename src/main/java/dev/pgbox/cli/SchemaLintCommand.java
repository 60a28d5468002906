package dev.pgbox.cli;

import dev.pgbox.ErrorKind;
import dev.pgbox.Json;
import dev.pgbox.SafeText;
import dev.pgbox.apps.AppName;
import dev.pgbox.apps.Apps;
import dev.pgbox.cluster.Server;
import dev.pgbox.schema.lint.LintFinding;
import dev.pgbox.schema.lint.LintReport;
import dev.pgbox.schema.lint.LintTargets;
import dev.pgbox.schema.lint.Linter;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** pgbox schema lint FILE|DIR|APP. */
@Command(name = "lint", mixinStandardHelpOptions = true,
        description = {"Lints migrations for statements that lock or break a live app, read with",
                "PostgreSQL's own parser. FILE: one .sql script. DIR: every *.sql in it (up",
                "files, then .down.sql files). APP (when no such file or folder exists): the",
                "up files of migrations/APP. With the server running, an APP (or --app) is",
                "checked against its database: a locking statement on a table smaller than",
                "PGBOX_LINT_SMALL_TABLE is a warning, on a bigger one an error naming its",
                "size; a lock another session holds now on the table is an error.",
                "Accept a finding with a comment in front of the statement:",
                "  -- pgbox-lint: accept <rule>[,<rule>] because <reason>",
                "Rules and their safe forms: docs/lint.md. Exit code: 0 no unaccepted error",
                "(warnings allowed), 11 an unaccepted error (unparsable SQL included)."})
final class SchemaLintCommand extends BaseCommand implements Callable<Integer> {
    @Parameters(paramLabel = "FILE|DIR|APP", description = "A .sql file, a folder of them, or an app's migrations.")
    String target;

    @Option(names = "--app", paramLabel = "APP", description = "Check a FILE or DIR against this app's database on the running server.")
    String app;

    @Option(names = "--offline", description = "Do not ask the server even when it runs (every existing table counts as big).")
    boolean offline;

    @Option(names = "--migrate", description = "Lint as 'pgbox migrate up' runs the scripts: it sets lock_timeout itself.")
    boolean migrate;

    @Option(names = "--json", description = "Print the report as JSON.")
    boolean json;

    @Override
    public Integer call() {
        LintTargets t = LintTargets.resolve(root().projectDir(), target);
        AppName db = app != null ? new AppName(app) : t.app();
        Linter linter = Linter.offline();
        String mode = "offline";
        if (db != null && !offline) {
            Server server = Server.open(settings());
            if (app != null) {
                server.requireRunning("lint against app " + db);
            }
            if (server.running()) {
                new Apps(server).requirePgboxApp(db);
                linter = Linter.live(server, db.value());
                mode = "live against database " + db;
            } else {
                mode = "offline (the server is not running: every existing table counts as big)";
            }
        }
        if (migrate) {
            linter = linter.runnerSetsTimeouts();
        }
        LintReport r = linter.lint(t.sources());
        if (json) {
            out().println(Json.render(r));
        } else {
            print(r, mode, out());
        }
        return r.passed() ? 0 : ErrorKind.FINDINGS.exitCode();
    }

    private static void print(LintReport r, String mode, PrintWriter o) {
        for (LintFinding f : r.findings()) {
            String state = f.accepted() ? "accepted" : f.severity();
            o.println(SafeText.printable(f.source()) + ":" + f.line() + ":" + f.column() + "  " + state + "  " + f.rule() + "  "
                    + SafeText.printable(f.statement()));
            o.println("  " + SafeText.printable(f.message()));
            if (f.fix() != null) {
                o.println("  fix: " + SafeText.printable(f.fix()).replace("\n", "\n       "));
            }
            if (f.accepted()) {
                o.println("  accepted because: " + SafeText.printable(f.reason()) + " (was " + f.severity() + ")");
            }
            o.println();
        }
        o.println((r.passed() ? "passed" : "failed") + ": " + r.errors() + " error(s), " + r.warnings() + " warning(s), " + r.accepted()
                + " accepted · " + r.statements() + " statement(s) in " + r.sources() + " file(s) · " + mode);
    }
}
