package dev.pgbox.cli;

import dev.pgbox.ErrorKind;
import dev.pgbox.Json;
import dev.pgbox.SafeText;
import dev.pgbox.cluster.Server;
import dev.pgbox.config.Settings;
import dev.pgbox.schema.audit.AppliedFix;
import dev.pgbox.schema.audit.FixReport;
import dev.pgbox.schema.audit.SchemaAudit;
import dev.pgbox.schema.audit.SchemaAuditReport;
import dev.pgbox.schema.audit.SchemaFinding;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** pgbox schema audit: renders {@link SchemaAudit}'s report (or, with --fix, what it applied and what remains). */
@Command(name = "audit", mixinStandardHelpOptions = true,
        description = {"Check APP's tables: the np_ conventions on np_ tables (uuid primary key with gen_random_uuid(),",
                "created_at/updated_at timestamptz NOT NULL with defaults, the updated_at trigger, a partial index for",
                "deleted_at), and on every table: primary key, foreign keys without an index, tenant columns without an",
                "index, duplicate and invalid indexes, row-level security not FORCEd. Each finding has its fix SQL.",
                "--fix applies the safe ones as the app's owner (indexes CONCURRENTLY, the trigger, defaults) and audits",
                "again. Exits 11 while a high-severity finding remains. See docs/schema.md."})
final class SchemaAuditCommand extends BaseCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "APP", description = "An app (pgbox app create) or the main POSTGRES_DB.")
    String app;

    @Option(names = "--fix", description = "Apply the safe fixes, then audit again and show what remains.")
    boolean fix;

    @Option(names = "--all-tables", description = "Check the np_ conventions on every table, not only np_ ones.")
    boolean allTables;

    @Option(names = "--json", description = "Print as JSON.")
    boolean json;

    @Override
    public Integer call() {
        Settings s = settings();
        String name = AppArgument.check(s, app);
        SchemaAudit audit = new SchemaAudit(Server.open(s));
        if (fix) {
            FixReport r = audit.fix(name, allTables);
            if (json) {
                out().println(Json.render(r));
            } else {
                printFixes(r, out());
                out().println();
                print(r.remaining(), out());
            }
            return r.passed() ? 0 : ErrorKind.FINDINGS.exitCode();
        }
        SchemaAuditReport r = audit.audit(name, allTables);
        if (json) {
            out().println(Json.render(r));
        } else {
            print(r, out());
        }
        return r.passed() ? 0 : ErrorKind.FINDINGS.exitCode();
    }

    private static void printFixes(FixReport r, PrintWriter o) {
        if (r.applied().isEmpty()) {
            o.println("no safe fix to apply");
            return;
        }
        long ok = r.applied().stream().filter(AppliedFix::ok).count();
        o.println("applied " + ok + " of " + r.applied().size() + " safe fix(es) in " + r.database() + ":");
        for (AppliedFix a : r.applied()) {
            o.println("  " + (a.ok() ? "ok     " : "FAILED ") + SafeText.printable(a.sql()));
            if (!a.ok()) {
                o.println("         " + SafeText.printable(a.error()));
            }
        }
    }

    /** Each finding as a block (fix SQL can be several lines), then the count. */
    static void print(SchemaAuditReport r, PrintWriter o) {
        if (r.findings().isEmpty()) {
            o.println("no findings in " + r.database() + " (" + r.tables() + " table(s) checked)");
            return;
        }
        for (SchemaFinding f : r.findings()) {
            o.println(f.severity().label().toUpperCase(Locale.ROOT) + " " + f.check() + " " + SafeText.printable(f.table()));
            o.println("  " + SafeText.printable(f.detail()));
            String label = f.safe() ? "  fix (--fix applies it): " : "  fix (by hand, as a migration): ";
            String[] lines = f.fix().split("\n");
            o.println(label + SafeText.printable(lines[0]));
            for (int i = 1; i < lines.length; i++) {
                o.println(" ".repeat(label.length()) + SafeText.printable(lines[i]));
            }
        }
        o.println();
        o.println(r.findings().size() + " finding(s) in " + r.database() + " (" + r.tables() + " table(s) checked): " + r.high()
                + " high, " + r.fixable() + " fixable with --fix");
    }
}
