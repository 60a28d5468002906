package dev.pgbox.monitor;

import dev.pgbox.apps.Apps;
import dev.pgbox.cluster.Server;
import dev.pgbox.config.Setting;
import dev.pgbox.config.Settings;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code pgbox doctor}: every check over the server and every app database (or one app). Reads the
 * facts once ({@link Facts}), then the pure {@link Checks} turn them into findings against the
 * thresholds in the settings. The agent runs the same doctor for its alerts and metrics.
 */
public final class Doctor {
    private final Server server;

    public Doctor(Server server) {
        this.server = server;
    }

    /** Runs every check; {@code app} null means the server and every app database. */
    public DoctorReport run(String app) {
        long t0 = System.nanoTime();
        Settings s = server.settings();
        if (!server.running()) {
            return DoctorReport.of(Instant.now().toString(), List.of(), (System.nanoTime() - t0) / 1_000_000, List.of(notRunning()));
        }
        List<String> databases = app == null ? new Apps(server).allDatabases() : List.of(app);
        List<Finding> findings = new ArrayList<>();
        Facts.Server facts = Facts.server(server.instance());
        findings.add(Checks.connections(facts, s.integer(Setting.PGBOX_DOCTOR_CONNECTIONS_WARN),
                s.integer(Setting.PGBOX_DOCTOR_CONNECTIONS_CRITICAL)));
        return DoctorReport.of(Instant.now().toString(), databases, (System.nanoTime() - t0) / 1_000_000, findings);
    }

    /** The first question: is it up. A stopped server is the one finding, and the worst. */
    private Finding notRunning() {
        return new Finding("server_up", Severity.CRITICAL, null, null, "not running", "running",
                "no client can connect and nothing is archived while the server is down",
                "pgbox start (then pgbox status; the server log is in " + server.layout().logDir() + ")");
    }
}
