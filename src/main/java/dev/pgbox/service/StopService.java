package dev.pgbox.service;

import dev.pgbox.cluster.PgCtl;
import dev.pgbox.cluster.Server;
import dev.pgbox.component.Component;
import dev.pgbox.component.Components;
import dev.pgbox.component.Project;
import dev.pgbox.config.Settings;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code pgbox stop}: every component in reverse start order (the agent first, so its watchdog does not
 * bring PostgreSQL back; PostgreSQL fast, then immediate after PGBOX_STOP_TIMEOUT). The server then
 * stays stopped, across a reboot too, until the next start.
 */
public final class StopService {
    private StopService() {
    }

    /** Stops everything; throws NOT_RUNNING (after stopping the agent) when PostgreSQL was not running. */
    public static StopReport stop(Settings settings) {
        Server server = Server.open(settings);
        Project project = Project.of(settings, server.layout());
        boolean running = project.instance().running();
        long pid = PgCtl.pid(server.layout().dataDir()).orElse(-1);
        List<String> actions = stopAll(project);
        if (!running) {
            throw server.notRunning("stop");
        }
        return new StopReport(pid, actions);
    }

    /** Stops every component, last first; returns what each did, in component order. */
    static List<String> stopAll(Project project) {
        List<Component> all = Components.all();
        List<List<String>> done = new ArrayList<>();
        for (int i = all.size() - 1; i >= 0; i--) {
            done.add(0, all.get(i).stop(project));
        }
        List<String> actions = new ArrayList<>();
        done.forEach(actions::addAll);
        return actions;
    }
}
