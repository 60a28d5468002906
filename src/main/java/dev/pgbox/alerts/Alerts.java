package dev.pgbox.alerts;

import dev.pgbox.cluster.Server;
import dev.pgbox.monitor.DoctorReport;
import java.util.function.Consumer;

/**
 * The agent's alerting: the doctor's findings are the rules; a change of state fires, a still-bad one
 * repeats after a quiet period, a fixed one resolves; sent to the configured notifiers.
 * (Stub: filled in by the alerts work.)
 */
public final class Alerts {
    private final Server server;
    private final Consumer<String> log;

    public Alerts(Server server, Consumer<String> log) {
        this.server = server;
        this.log = log;
    }

    /** Called with every doctor report the agent makes. */
    public void evaluate(DoctorReport report) {
        if (report.critical() > 0) {
            log.accept("alerts: " + report.critical() + " critical finding(s) on " + server.layout().stateDir());
        }
    }
}
