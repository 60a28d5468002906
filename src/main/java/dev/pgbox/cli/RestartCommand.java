package dev.pgbox.cli;

import dev.pgbox.ErrorKind;
import dev.pgbox.PgboxException;
import dev.pgbox.agent.AgentProcess;
import dev.pgbox.cluster.ConfigGuard;
import dev.pgbox.cluster.Server;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

@Command(name = "restart", mixinStandardHelpOptions = true,
        description = {"Stop the server if it runs, then start it (applies settings that need a restart).",
                "PostgreSQL judges the new configuration before anything stops; if the server still fails to start",
                "with it, the previous configuration is put back and the server started again."})
final class RestartCommand extends BaseCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        var settings = settings();
        Console console = console();
        Server server = Server.open(settings);
        if (!server.running()) {
            StartCommand.report(StartCommand.startWithBackups(settings, console), console, out());
            return 0;
        }
        console.step("checking the new configuration with PostgreSQL");
        ConfigGuard.Snapshot previous = ConfigGuard.beforeRestart(server);
        console.step("stopping");
        AgentProcess.stop(server.layout());
        server.stop();
        Server.StartResult r;
        try {
            r = StartCommand.startWithBackups(settings, console);
        } catch (PgboxException e) {
            if (server.running()) {
                throw e; // the server is up with the new configuration; what failed came after (e.g. a backup step)
            }
            console.step("the server did not start with the new configuration; starting it with the previous one");
            long pid = ConfigGuard.startPrevious(server, previous);
            AgentProcess.ensureStarted(settings, server.layout());
            // the previous configuration starts and the new one does not: a configuration error
            throw new PgboxException(ErrorKind.CONFIG, "restart failed: " + e.what()
                    + "; the server runs again with its previous configuration (pid " + pid + ")",
                    e.reason(), "fix the cause (the whole log is in " + server.layout().logDir()
                    + "), then run 'pgbox restart' again");
        }
        StartCommand.report(r, console, out());
        return 0;
    }
}
