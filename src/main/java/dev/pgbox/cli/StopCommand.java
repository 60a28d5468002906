package dev.pgbox.cli;

import dev.pgbox.service.StopReport;
import dev.pgbox.service.StopService;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

@Command(name = "stop", mixinStandardHelpOptions = true,
        description = {"Stop the server: fast shutdown (open transactions roll back), then immediate after",
                "PGBOX_STOP_TIMEOUT. Exits 4 when the server is not running."})
final class StopCommand extends BaseCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        Console console = console();
        StopReport r = StopService.stop(settings());
        out().printf("stopped (pid %d, %s)  [%.1fs]%n", r.pid(), String.join("; ", r.actions()), console.seconds());
        return 0;
    }
}
