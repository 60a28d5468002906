package dev.pgbox.cli;

import dev.pgbox.Json;
import dev.pgbox.Progress;
import dev.pgbox.apps.AppName;
import dev.pgbox.cluster.Server;
import dev.pgbox.schema.lint.LintFinding;
import dev.pgbox.schema.lint.LintReport;
import dev.pgbox.schema.migrate.LintRefusal;
import dev.pgbox.schema.migrate.MigrateReport;
import dev.pgbox.schema.migrate.MigrationFiles;
import dev.pgbox.schema.migrate.MigrationStatus;
import dev.pgbox.schema.migrate.Migrator;
import dev.pgbox.schema.migrate.StatusReport;
import dev.pgbox.schema.migrate.Templates;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** pgbox migrate new|up|down|status: versioned up/down migrations per app, run by pgbox's own small runner. */
@Command(name = "migrate", mixinStandardHelpOptions = true,
        description = {"Versioned migrations per app: migrations/APP/<version>_<name>.up.sql and .down.sql in the project folder.",
                "History in the app database's pgbox.schema_migrations; each migration runs as APP_owner in one transaction",
                "(or statement by statement when it holds CREATE INDEX CONCURRENTLY and the like). See docs/migrations.md."},
        subcommands = {MigrateCommand.New.class, MigrateCommand.Up.class, MigrateCommand.Down.class, MigrateCommand.Status.class})
final class MigrateCommand extends BaseCommand implements Runnable {
    @Override
    public void run() {
        spec.commandLine().usage(out());
    }

    @Command(name = "new", mixinStandardHelpOptions = true,
            description = "Create an up/down migration pair with a commented template; prints both paths (no server needed).")
    static final class New extends BaseCommand implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "APP", description = "The app the migration belongs to.")
        String app;

        @Parameters(index = "1", paramLabel = "DESCRIPTION", description = "What it does, e.g. \"add avatar\" (becomes add_avatar).")
        String description;

        @Override
        public Integer call() {
            AppName a = new AppName(app);
            List<Path> files = MigrationFiles.create(settings().projectDir(), a, description, Templates.up(a, description),
                    Templates.down(a, description));
            files.forEach(f -> out().println(f));
            return 0;
        }
    }

    @Command(name = "up", mixinStandardHelpOptions = true,
            description = {"Apply pending migrations, oldest first. Parses and lints every pending file first (refuses on lint errors",
                    "unless --accept-risk; exit 11), makes a restore point, then runs each with lock_timeout and statement_timeout.",
                    "Exit codes: 8 a statement failed (named with file:line), 11 lint errors or drifted/missing applied files."})
    static final class Up extends BaseCommand implements Callable<Integer> {
        @Parameters(paramLabel = "APP", description = "The app whose database to migrate.")
        String app;

        @Option(names = "--to", paramLabel = "VERSION", description = "Apply only up to and including this version.")
        String to;

        @Option(names = "--accept-risk", description = "Apply even when the linter finds errors.")
        boolean acceptRisk;

        @Option(names = "--dry-run", description = "Parse, lint and list what would run; change nothing.")
        boolean dryRun;

        @Option(names = "--json", description = "Print the result as JSON (the lint report when the linter refuses).")
        boolean json;

        @Override
        public Integer call() {
            AppName a = new AppName(app);
            MigrateReport r;
            try {
                r = new Migrator(Server.open(settings()), a).up(to, acceptRisk, dryRun, json ? Progress.SILENT : console());
            } catch (LintRefusal e) {
                if (json) {
                    out().println(Json.render(e.report()));
                } else {
                    printFindings(e.report(), err());
                }
                throw e;
            }
            print(r, json, out());
            return 0;
        }
    }

    @Command(name = "down", mixinStandardHelpOptions = true,
            description = {"Revert the newest applied migration (or --steps N, or --to V) by running its .down.sql, newest first,",
                    "with the same transaction rules; removes their history rows. Refuses a missing down file or an up file",
                    "changed since it was applied (unless --force)."})
    static final class Down extends BaseCommand implements Callable<Integer> {
        @Parameters(paramLabel = "APP", description = "The app whose database to migrate.")
        String app;

        @Option(names = "--steps", paramLabel = "N", description = "Revert the newest N applied migrations (default 1).")
        Integer steps;

        @Option(names = "--to", paramLabel = "VERSION", description = "Revert every migration newer than VERSION (it stays applied); 0 reverts all.")
        String to;

        @Option(names = "--force", description = "Revert even when the up file changed or is gone since it was applied.")
        boolean force;

        @Option(names = "--dry-run", description = "List what would be reverted; change nothing.")
        boolean dryRun;

        @Option(names = "--json", description = "Print the result as JSON.")
        boolean json;

        @Override
        public Integer call() {
            AppName a = new AppName(app);
            MigrateReport r = new Migrator(Server.open(settings()), a).down(steps, to, force, dryRun, json ? Progress.SILENT : console());
            print(r, json, out());
            return 0;
        }
    }

    @Command(name = "status", mixinStandardHelpOptions = true,
            description = {"Applied, pending, drifted (up file changed after it was applied) and missing (applied, file gone) migrations.",
                    "Exit code 0, or 11 when a migration drifted or is missing."})
    static final class Status extends BaseCommand implements Callable<Integer> {
        @Parameters(paramLabel = "APP", description = "The app whose migrations to show.")
        String app;

        @Option(names = "--json", description = "Print the report as JSON.")
        boolean json;

        @Override
        public Integer call() {
            AppName a = new AppName(app);
            StatusReport r = new Migrator(Server.open(settings()), a).status();
            if (json) {
                out().println(Json.render(r));
            } else {
                List<List<String>> rows = r.migrations().stream().map(m -> java.util.Arrays.asList(m.version(), m.name(), m.state(),
                        m.appliedAt(), m.execution())).toList();
                if (!rows.isEmpty()) {
                    out().println(Tables.aligned(List.of("version", "name", "state", "applied_at", "execution"), rows));
                }
                for (MigrationStatus m : r.migrations()) {
                    if (m.state().equals(MigrationStatus.DRIFTED)) {
                        out().println("DRIFTED " + m.version() + "_" + m.name() + ": " + m.upFile() + " changed after it was applied;"
                                + " restore it (git) and put the change in a new migration");
                    } else if (m.state().equals(MigrationStatus.MISSING)) {
                        out().println("MISSING " + m.version() + "_" + m.name() + ": applied, but its up file is not in " + r.folder()
                                + "; restore it (git)");
                    }
                }
                out().println(r.app() + ": " + r.applied() + " applied, " + r.pending() + " pending, " + r.drifted() + " drifted, "
                        + r.missing() + " missing (" + r.folder() + ")");
            }
            return r.clean() ? 0 : dev.pgbox.ErrorKind.FINDINGS.exitCode();
        }
    }

    private static void print(MigrateReport r, boolean json, PrintWriter o) {
        if (json) {
            o.println(Json.render(r));
            return;
        }
        if (r.lint() != null && !r.lint().findings().isEmpty()) {
            printFindings(r.lint(), o);
        }
        String verb = r.direction().equals("up") ? "applied" : "reverted";
        if (r.migrations().isEmpty()) {
            o.println(r.app() + ": nothing to " + (r.direction().equals("up") ? "apply" : "revert"));
            return;
        }
        for (MigrateReport.Step s : r.migrations()) {
            o.printf(java.util.Locale.ROOT, "%s %s_%s  %s, %d statement(s)%s%n", r.dryRun() ? "would be " + verb : verb, s.version(), s.name(),
                    s.execution(), s.statements(), r.dryRun() ? "" : ", " + s.durationMs() + " ms");
        }
        if (r.restorePoint() != null) {
            o.println("restore point: " + r.restorePoint());
        }
    }

    private static void printFindings(LintReport report, PrintWriter o) {
        for (LintFinding f : report.findings()) {
            o.println((f.accepted() ? "accepted " : f.severity() + " ") + f.rule() + " at " + f.source() + ":" + f.line() + ":" + f.column()
                    + " (" + f.statement() + ")");
            o.println("  " + f.message());
            o.println("  fix: " + f.fix());
            if (f.accepted()) {
                o.println("  reason: " + f.reason());
            }
        }
    }
}
