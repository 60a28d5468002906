package dev.pgbox.component;

import dev.pgbox.Progress;
import dev.pgbox.cluster.Layout;
import dev.pgbox.config.Setting;
import dev.pgbox.config.Settings;
import dev.pgbox.install.Requirement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/**
 * The agent: pgbox's own long-running process (schedules, the watchdog), run as the server's OS user.
 * Needs no package (it is this jar); its configuration is the settings snapshot agent.env.
 */
public final class AgentComponent implements Component {
    public static final String NAME = "agent";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public List<Requirement> requirements(Project project) {
        return List.of();
    }

    @Override
    public Map<String, String> render(Project project) {
        return render(project.settings(), project.layout(), project.instance().supervisor().kind());
    }

    /**
     * agent.env from the settings, the layout and the supervisor's kind; nothing when PGBOX_AGENT=off.
     * Pure. It holds the backup secrets the agent's jobs need, the API token and the apps' login passwords (the API's sessions).
     */
    public static Map<String, String> render(Settings settings, Layout layout, String supervisorKind) {
        if (!enabled(settings)) {
            return Map.of();
        }
        return Map.of(layout.agentSettings().getFileName().toString(), AgentProcess.snapshot(settings, layout, supervisorKind));
    }

    @Override
    public Reconciled reconcile(Project project, Progress progress) {
        Layout l = project.layout();
        OptionalLong before = AgentProcess.running(l);
        long agent = AgentProcess.ensureStarted(project.settings(), l);
        List<String> actions = new ArrayList<>();
        if (agent > 0 && (before.isEmpty() || before.getAsLong() != agent)) {
            actions.add((before.isEmpty() ? "started the agent (pid " : "restarted the agent with the new settings (pid ") + agent
                    + ", as OS user " + l.osUser() + ", log " + AgentProcess.logFile(l) + ")");
        }
        return new Reconciled(project, actions);
    }

    @Override
    public List<String> stop(Project project) {
        return AgentProcess.stop(project.layout()) ? List.of("agent stopped") : List.of();
    }

    @Override
    public Health health(Project project) {
        if (!enabled(project.settings())) {
            return Health.off(NAME, "PGBOX_AGENT=off: no schedules, no watchdog");
        }
        OptionalLong pid = AgentProcess.running(project.layout());
        if (pid.isPresent()) {
            return Health.up(NAME, "running · pid " + pid.getAsLong());
        }
        return new Health(NAME, Health.State.DOWN, "not running", "run 'pgbox start'");
    }

    static boolean enabled(Settings s) {
        return "on".equals(s.get(Setting.PGBOX_AGENT));
    }
}
