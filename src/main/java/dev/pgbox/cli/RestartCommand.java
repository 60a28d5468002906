package dev.pgbox.cli;

import dev.pgbox.service.StartService;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

@Command(name = "restart", mixinStandardHelpOptions = true,
        description = {"Stop the server if it runs, then start it (applies settings that need a restart).",
                "PostgreSQL judges the new configuration before anything stops; if the server still fails to start",
                "with it, the previous configuration is put back and the server started again."})
final class RestartCommand extends BaseCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        Console console = console();
        StartCommand.report(StartService.restart(settings(), console), console, out());
        return 0;
    }
}
