package dev.pgbox.cli;

import dev.pgbox.ErrorKind;
import dev.pgbox.install.Requirement;
import dev.pgbox.install.Installer;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "install", mixinStandardHelpOptions = true,
        description = {"Install PostgreSQL, contrib, pg_partman, pg_cron and pgvector (built from Debian's source package when",
                "no binary exists). Idempotent; 'pgbox start' runs it when something is missing. Needs root."})
final class InstallCommand extends BaseCommand implements Callable<Integer> {
    @Option(names = "--check", description = "Only report what is missing; exit 6 when something is.")
    boolean check;

    @Option(names = "--json", description = "With --check: print the report as JSON.")
    boolean json;

    @Override
    public Integer call() {
        var settings = settings();
        Installer.Plan plan = Installer.check(settings);
        if (check) {
            if (json) {
                Map<String, Object> report = new LinkedHashMap<>();
                report.put("postgres_major", plan.pg().major());
                report.put("complete", plan.complete());
                report.put("components", plan.components().stream()
                        .map(c -> Map.of("name", c.name(), "present", c.present(), "packages", c.packages())).toList());
                out().println(Tables.json(report));
            } else {
                for (Requirement c : plan.components()) {
                    out().printf("%-8s %s%n", c.present() ? "ok" : "MISSING", c.name());
                }
                if (!plan.complete()) {
                    out().println("\nto install, run as root: pgbox install   (or: " + String.join(" && ", Installer.commandsFor(plan)) + ")");
                }
            }
            return plan.complete() ? 0 : ErrorKind.INSTALL_REQUIRED.exitCode();
        }
        if (plan.complete()) {
            out().println("everything is installed for PostgreSQL " + plan.pg().major() + "; nothing to do");
            return 0;
        }
        Console console = console();
        Installer.ensure(settings, console);
        out().printf("installed %s for PostgreSQL %d in %.1fs%n",
                String.join(", ", plan.missing().stream().map(Requirement::name).toList()), plan.pg().major(), console.seconds());
        return 0;
    }
}
