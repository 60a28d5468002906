package dev.pgbox.cli;

import dev.pgbox.cluster.Server;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

@Command(name = "restart", mixinStandardHelpOptions = true,
        description = "Stop the server if it runs, then start it (applies settings that need a restart).")
final class RestartCommand extends BaseCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        var settings = settings();
        Console console = console();
        Server server = Server.open(settings);
        if (server.running()) {
            console.step("stopping");
            dev.pgbox.agent.AgentProcess.stop(server.layout());
            server.stop();
        }
        Server.StartResult r = StartCommand.startWithBackups(settings, console);
        StartCommand.report(r, console, out());
        return 0;
    }
}
