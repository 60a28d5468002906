package dev.pgbox.alerts;

import dev.pgbox.monitor.DoctorReport;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * One project's alerting between doctor runs: reads the silences, steps the {@link Rules}, sends each
 * notifier one message with all of this evaluation's alerts (plus what it failed to deliver before),
 * and writes the state. A failing notifier is logged and its alerts wait in the state file's outbox for
 * the next evaluation; nothing here throws to the caller.
 */
public final class AlertEngine {
    /** The most alerts kept for a notifier that keeps failing; the oldest are dropped (the alerts log has them all). */
    static final int OUTBOX_LIMIT = 200;

    private final AlertFiles files;
    private final List<Notifier> notifiers;
    private final LogNotifier logNotifier;
    private final Duration repeat;
    private final String source;
    private final Consumer<String> log;
    private AlertFiles.State state;

    public AlertEngine(AlertFiles files, List<Notifier> notifiers, Duration repeat, String source, Consumer<String> log) {
        this.files = files;
        this.notifiers = List.copyOf(notifiers);
        this.logNotifier = new LogNotifier(files, log);
        this.repeat = repeat;
        this.source = source;
        this.log = log;
        try {
            this.state = files.readState();
        } catch (IOException | RuntimeException e) {
            log.accept("alerts: cannot read " + files.stateFile() + " (" + e.getMessage() + "); starting with no alert state");
            this.state = AlertFiles.State.empty();
        }
    }

    /**
     * Evaluates one doctor report at {@code now}; returns what was due to be sent (for tests and logs).
     * {@code serverWanted} false means the server was stopped on purpose ('pgbox stop', or a restart under
     * way): a report that it is down is then no news and is skipped (the alerts stay as they were).
     */
    public List<Alert> evaluate(DoctorReport report, Instant now, boolean serverWanted) {
        boolean down = report.findings().stream().anyMatch(f -> f.check().equals(Rules.SERVER_UP)
                && f.severity() == dev.pgbox.monitor.Severity.CRITICAL);
        if (down && !serverWanted) {
            return List.of();
        }
        Silences silences;
        try {
            silences = files.readSilences();
        } catch (IOException | RuntimeException e) {
            log.accept("alerts: cannot read " + files.silencesFile() + " (" + e.getMessage() + "); no silences apply");
            silences = Silences.none();
        }
        Rules.Step step = Rules.step(state.alerts(), report, silences, now, repeat);
        if (!step.send().isEmpty()) {
            deliver(logNotifier, step.send());
        }
        Map<String, List<Alert>> outbox = new TreeMap<>();
        for (Notifier n : notifiers) {
            List<Alert> due = new ArrayList<>(state.outbox().getOrDefault(n.name(), List.of()));
            due.addAll(step.send());
            if (!due.isEmpty() && !deliver(n, due)) {
                outbox.put(n.name(), due.size() > OUTBOX_LIMIT ? List.copyOf(due.subList(due.size() - OUTBOX_LIMIT, due.size())) : due);
            }
        }
        state = new AlertFiles.State(now.toString(), new LinkedHashMap<>(step.states()), outbox);
        try {
            files.writeState(state);
        } catch (RuntimeException e) {
            log.accept("alerts: cannot write " + files.stateFile() + ": " + e.getMessage());
        }
        return step.send();
    }

    private boolean deliver(Notifier n, List<Alert> alerts) {
        try {
            n.send(new Message(source, alerts));
            if (n != logNotifier) {
                log.accept("alerts: sent " + alerts.size() + " alert(s) by " + n.name() + " to " + n.target());
            }
            return true;
        } catch (Notifier.NotifyException e) {
            log.accept("alerts: " + n.name() + " to " + n.target() + " FAILED (retried with the next evaluation): " + e.getMessage());
        } catch (RuntimeException | LinkageError e) {
            log.accept("alerts: " + n.name() + " to " + n.target() + " FAILED (retried with the next evaluation): "
                    + e.getClass().getSimpleName());
        }
        return false;
    }

    /** "pgbox on HOST (PROJECT DIR)": where the alerts come from, in every message. */
    public static String source(java.nio.file.Path projectDir) {
        String host;
        try {
            host = java.nio.file.Files.readString(java.nio.file.Path.of("/etc/hostname")).strip();
        } catch (IOException e) {
            host = "";
        }
        return "pgbox on " + (host.isEmpty() ? "localhost" : host) + " (" + projectDir + ")";
    }
}
