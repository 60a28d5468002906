package dev.pgbox.alerts;

import dev.pgbox.PgboxException;
import dev.pgbox.cluster.Server;
import dev.pgbox.config.Setting;
import dev.pgbox.monitor.DoctorReport;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Consumer;

/**
 * The agent's alerting: the doctor's findings are the rules; a change of state fires, a still-bad one
 * repeats after a quiet period (PGBOX_ALERT_REPEAT), a fixed one resolves; sent to the log and to the
 * notifiers the settings configure (webhook, email). See {@link Rules} and {@link AlertEngine}.
 */
public final class Alerts {
    private final AlertEngine engine;
    private final Server server;
    private final Consumer<String> log;

    public Alerts(Server server, Consumer<String> log) {
        this.server = server;
        this.log = log;
        Notifiers.Configured configured = Notifiers.of(server.settings());
        for (PgboxException p : configured.problems()) {
            log.accept("alerts: notifier not used: " + p.what() + " (" + p.reason() + "; " + p.fix() + ")");
        }
        this.engine = new AlertEngine(AlertFiles.of(server.layout()), configured.notifiers(),
                Duration.ofMillis(Math.max(0, server.settings().millis(Setting.PGBOX_ALERT_REPEAT))),
                AlertEngine.source(server.settings().projectDir()), log);
        log.accept("alerts on: log" + configured.notifiers().stream().map(n -> ", " + n.name() + " to " + n.target())
                .reduce("", String::concat));
    }

    /** Called with every doctor report the agent makes. */
    public void evaluate(DoctorReport report) {
        try {
            engine.evaluate(report, Instant.now(), java.nio.file.Files.exists(server.layout().wantedFile()));
        } catch (RuntimeException e) {
            log.accept("alerts: evaluation FAILED: " + e.getMessage());
        }
    }
}
