package dev.pgbox.cli;

import dev.pgbox.service.StartReport;
import dev.pgbox.service.StartService;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

@Command(name = "start", mixinStandardHelpOptions = true,
        description = {"Start the server, doing first whatever is missing: install packages, create the cluster, TLS",
                "certificate, role, database and extensions. Waits until a real query succeeds. A second start is a no-op."})
final class StartCommand extends BaseCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        Console console = console();
        report(StartService.start(settings(), console), console, out());
        return 0;
    }

    static void report(StartReport r, Console console, PrintWriter out) {
        if (r.alreadyRunning()) {
            out.printf("pgbox is already running (pid %d); nothing to do%n", r.pid());
        } else {
            out.printf("pgbox is running (pid %d): %s  [%.1fs]%n", r.pid(), String.join("; ", r.actions()), console.seconds());
        }
        out.println("  url:      " + r.url());
        out.println("  jdbc:     " + r.jdbcUrl());
        out.println("  password: POSTGRES_PASSWORD in " + r.passwordFile() + " (not shown)");
        out.println("  socket:   " + r.socketDir() + " (superuser 'postgres' by peer auth as OS user " + r.osUser() + ")");
        out.println("  data:     " + r.dataDir());
        out.println("  logs:     " + r.logDir());
        out.println("  shell:    pgbox db shell   (as " + r.user() + ")");
    }
}
