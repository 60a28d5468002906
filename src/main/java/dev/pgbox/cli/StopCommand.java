package dev.pgbox.cli;

import dev.pgbox.cluster.Server;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

@Command(name = "stop", mixinStandardHelpOptions = true,
        description = {"Stop the server: fast shutdown (open transactions roll back), then immediate after",
                "PGBOX_STOP_TIMEOUT. Exits 4 when the server is not running."})
final class StopCommand extends BaseCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        Server server = Server.open(settings());
        long pid = dev.pgbox.cluster.PgCtl.pid(server.layout().dataDir()).orElse(-1);
        Console console = console();
        boolean agent = dev.pgbox.agent.AgentProcess.stop(server.layout());
        String mode = server.stop();
        out().printf("stopped (pid %d, %s shutdown%s)  [%.1fs]%n", pid, mode, agent ? "; agent stopped" : "", console.seconds());
        return 0;
    }
}
