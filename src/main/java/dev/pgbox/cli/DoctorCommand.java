package dev.pgbox.cli;

import dev.pgbox.Json;
import dev.pgbox.cluster.Server;
import dev.pgbox.monitor.Doctor;
import dev.pgbox.monitor.DoctorReport;
import dev.pgbox.monitor.Finding;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "doctor", mixinStandardHelpOptions = true,
        description = {"Checks the server and every app database; exits 0 ok, 1 warning, 2 critical.",
                "Connections, idle and long transactions, blocked queries and their blockers,",
                "dead rows and last vacuum, transaction ID age, cache hit ratio, replication",
                "lag, archiving, forced checkpoints, disk space of the data and WAL folders",
                "(and days until full), invalid and unused indexes, foreign keys without an",
                "index, sequences near their end, backup and restore drill age against their",
                "schedules, scheduled jobs whose last run failed, crash restarts, the agent and start at boot. Each finding has a",
                "severity, the measured value, the threshold (PGBOX_DOCTOR_* settings), why it",
                "matters and the fix (a command or SQL). Exit code: 0 all ok, 1 a warning,",
                "2 a critical finding (a stopped server is critical), 3 an unknown --app."})
final class DoctorCommand extends BaseCommand implements Callable<Integer> {
    @Option(names = "--app", paramLabel = "NAME", description = "Check only this app's database (the server-wide checks still run).")
    String app;

    @Option(names = "--json", description = "Print the report as JSON.")
    boolean json;

    @Override
    public Integer call() {
        String only = app == null ? null : AppArgument.check(settings(), app);
        DoctorReport r = new Doctor(Server.open(settings())).run(only);
        if (json) {
            out().println(Json.render(r));
        } else {
            print(r, out());
        }
        return r.worst().exitCode();
    }

    /** One table of every finding (what was checked), then each warning and critical finding in full. */
    private static void print(DoctorReport r, PrintWriter o) {
        List<List<String>> rows = r.findings().stream().map(DoctorCommand::row).toList();
        o.println(Tables.aligned(List.of("severity", "check", "database", "object", "value"), rows));
        for (Finding f : r.findings()) {
            if (f.severity() == dev.pgbox.monitor.Severity.OK) {
                continue;
            }
            String where = String.join(", ", java.util.stream.Stream.of(f.database(), f.object()).filter(x -> x != null).toList());
            o.println();
            o.println(f.severity().label().toUpperCase(java.util.Locale.ROOT) + " " + f.check() + (where.isEmpty() ? "" : " (" + where + ")"));
            o.println("  value:     " + dev.pgbox.SafeText.printable(f.value()));
            o.println("  threshold: " + f.threshold());
            o.println("  why:       " + f.why());
            o.println("  fix:       " + dev.pgbox.SafeText.printable(f.fix()));
        }
        o.println();
        o.println(r.worst().label() + ": " + r.critical() + " critical, " + r.warn() + " warning(s), " + r.ok() + " ok · "
                + r.databases().size() + " database(s) · " + r.millis() + " ms");
    }

    private static List<String> row(Finding f) {
        return java.util.Arrays.asList(f.severity().label(), f.check(), f.database(), f.object(), f.value());
    }
}
