package dev.pgbox.cli;

import dev.pgbox.cluster.Server;
import dev.pgbox.config.Setting;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

@Command(name = "start", mixinStandardHelpOptions = true,
        description = {"Start the server, doing first whatever is missing: install packages, create the cluster, TLS",
                "certificate, role, database and extensions. Waits until a real query succeeds. A second start is a no-op."})
final class StartCommand extends BaseCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        Console console = console();
        report(startWithBackups(settings(), console), console, out());
        return 0;
    }

    /** Server.start, then pgBackRest's stanza and first full backup when archiving is on. */
    static Server.StartResult startWithBackups(dev.pgbox.config.Settings settings, Console console) {
        Server.StartResult r = Server.start(dev.pgbox.backup.Backups.withCipherKey(settings), console);
        List<String> more = new ArrayList<>(new dev.pgbox.backup.Backups(r.server()).afterStart(console));
        java.util.OptionalLong agentBefore = dev.pgbox.agent.AgentProcess.running(r.layout());
        long agent = dev.pgbox.agent.AgentProcess.ensureStarted(r.settings(), r.layout());
        if (agent > 0 && (agentBefore.isEmpty() || agentBefore.getAsLong() != agent)) {
            more.add((agentBefore.isEmpty() ? "started the agent (pid " : "restarted the agent with the new settings (pid ") + agent
                    + ", as OS user " + r.layout().osUser() + ", log " + dev.pgbox.agent.AgentProcess.logFile(r.layout()) + ")");
        }
        if (more.isEmpty()) {
            return r;
        }
        List<String> actions = new ArrayList<>(r.actions());
        actions.addAll(more);
        return new Server.StartResult(actions, false, r.layout(), r.settings(), r.pid());
    }

    static void report(Server.StartResult r, Console console, java.io.PrintWriter out) {
        if (r.alreadyRunning()) {
            out.printf("pgbox is already running (pid %d); nothing to do%n", r.pid());
        } else {
            out.printf("pgbox is running (pid %d): %s  [%.1fs]%n", r.pid(), String.join("; ", r.actions()), console.seconds());
        }
        dev.pgbox.apps.AppUrls c = dev.pgbox.apps.AppUrls.main(r.settings(), r.layout());
        out.println("  url:      " + c.libpq());
        out.println("  jdbc:     " + c.jdbc());
        out.println("  password: POSTGRES_PASSWORD in " + r.settings().projectDir().resolve(".env.secrets") + " (not shown)");
        out.println("  socket:   " + r.layout().runDir() + " (superuser 'postgres' by peer auth as OS user "
                + r.layout().osUser() + ")");
        out.println("  data:     " + r.layout().dataDir());
        out.println("  logs:     " + r.layout().logDir());
        out.println("  shell:    pgbox db shell   (as " + r.settings().get(Setting.POSTGRES_USER) + ")");
    }
}
