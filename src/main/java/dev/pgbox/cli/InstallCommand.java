package dev.pgbox.cli;

import dev.pgbox.ErrorKind;
import dev.pgbox.Json;
import dev.pgbox.service.InstallReport;
import dev.pgbox.service.InstallService;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "install", mixinStandardHelpOptions = true,
        description = {"Install what every component needs: PostgreSQL, contrib, pg_partman, pg_cron, pgvector (built from",
                "Debian's source package when no binary exists), openssl and pgBackRest. Idempotent; 'pgbox start' runs it",
                "when something is missing. Needs root."})
final class InstallCommand extends BaseCommand implements Callable<Integer> {
    @Option(names = "--check", description = "Only report what each component needs and what is missing; exit 6 when something is.")
    boolean check;

    @Option(names = "--json", description = "With --check: print the report as JSON.")
    boolean json;

    @Override
    public Integer call() {
        var settings = settings();
        if (check) {
            InstallReport r = InstallService.check(settings);
            if (json) {
                out().println(Json.render(r));
            } else {
                print(r);
            }
            return r.complete() ? 0 : ErrorKind.INSTALL_REQUIRED.exitCode();
        }
        Console console = console();
        InstallReport before = InstallService.install(settings, console);
        if (before.complete()) {
            out().println("everything is installed for PostgreSQL " + before.postgresMajor() + "; nothing to do");
        } else {
            out().printf("installed %s for PostgreSQL %d in %.1fs%n",
                    String.join(", ", before.missing().stream().map(InstallReport.Entry::name).toList()), before.postgresMajor(),
                    console.seconds());
        }
        return 0;
    }

    private void print(InstallReport r) {
        String component = null;
        for (InstallReport.Entry e : r.components()) {
            if (!e.component().equals(component)) {
                component = e.component();
                out().println(component);
            }
            out().printf("  %-8s %s%n", e.present() ? "ok" : "MISSING", e.name());
        }
        if (!r.complete()) {
            out().println("\nto install, run as root: pgbox install   (or: " + String.join(" && ", r.installCommands()) + ")");
        }
    }
}
